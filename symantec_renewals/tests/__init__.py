from . import test_i18n, test_security_groups, test_ui
