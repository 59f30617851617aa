from . import (
    account_move,
    crm_lead,
    crm_team,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    sale_order_line,
    symantec_contract,
    symantec_contract_line,
    symantec_contract_renewal,
    symantec_maintenance_tier,
)
