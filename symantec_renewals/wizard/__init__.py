from . import symantec_fee_waiver_wizard
