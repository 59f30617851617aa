from . import symantec_renewal_analysis
