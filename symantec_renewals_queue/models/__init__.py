from . import symantec_contract
