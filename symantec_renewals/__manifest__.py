{
    "name": "Maintenance Renewals",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "summary": "Maintenance contracts, renewal pipeline, reseller quotes, "
    "reinstatement pricing and a renewal portal",
    "author": "Symantec Renewals Team",
    "website": "https://github.com/symantec-renewals/symantec_renewals",
    "license": "LGPL-3",
    "depends": [
        "crm",
        "sale_management",
        "sale_crm",
        "portal",
        "base_automation",
        "base_import",
    ],
    "data": [
        "security/symantec_renewals_groups.xml",
        "security/ir.model.access.csv",
        "security/symantec_contract_security.xml",
        "data/ir_sequence_data.xml",
        "data/crm_team_data.xml",
        "data/symantec_maintenance_tier_data.xml",
        "views/symantec_maintenance_tier_views.xml",
        "views/symantec_contract_views.xml",
        "views/res_partner_views.xml",
        "views/crm_team_views.xml",
        "views/res_config_settings_views.xml",
        "views/crm_lead_views.xml",
        "views/symantec_renewals_menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/symantec_renewals_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "symantec_renewals/static/tests/tours/*.js",
        ],
    },
    "application": True,
}
