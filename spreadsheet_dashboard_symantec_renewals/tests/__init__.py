from . import test_i18n, test_renewals_dashboard, test_upgrade
