from . import (
    test_i18n,
    test_queued_charge,
    test_queued_run,
    test_queued_run_workers,
)
