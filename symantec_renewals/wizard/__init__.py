from . import (
    symantec_fee_waiver_wizard,
    symantec_renewal_consolidate_wizard,
    symantec_renewal_policy_wizard,
)
