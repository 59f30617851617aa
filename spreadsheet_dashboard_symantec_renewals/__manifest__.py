{
    "name": "Maintenance Renewals Dashboard",
    "version": "19.0.1.0.0",
    "category": "Productivity/Dashboard",
    "summary": "The Renewals spreadsheet dashboard in the Dashboards app",
    "author": "Symantec Renewals Team",
    "website": "https://github.com/symantec-renewals/symantec_renewals",
    "license": "LGPL-3",
    "depends": ["spreadsheet_dashboard", "symantec_renewals"],
    "data": ["data/spreadsheet_dashboard_data.xml"],
    "assets": {
        "web.assets_tests": [
            "spreadsheet_dashboard_symantec_renewals/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
