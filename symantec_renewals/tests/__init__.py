from . import (
    test_i18n,
    test_import,
    test_mail_delivery,
    test_security,
    test_security_groups,
    test_ui,
)
