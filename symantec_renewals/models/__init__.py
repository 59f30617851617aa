from . import (
    crm_team,
    res_company,
    res_config_settings,
    res_partner,
    symantec_contract,
    symantec_contract_line,
    symantec_maintenance_tier,
)
