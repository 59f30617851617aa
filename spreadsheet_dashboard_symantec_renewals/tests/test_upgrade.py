import importlib.util

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

BRIDGE = "spreadsheet_dashboard_symantec_renewals"
MIGRATION = "symantec_renewals/migrations/19.0.1.2.0/pre-migrate.py"


def migration():
    spec = importlib.util.spec_from_file_location("pre_migrate", file_path(MIGRATION))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestDashboardHandover(TransactionCase):
    """A database from before the bridge: symantec_renewals owned the
    dashboard, and the bridge is not installed. The addon's migration hands
    the dashboard over, so that the upgrade neither deletes it nor makes a
    second one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(f"{BRIDGE}.spreadsheet_dashboard_renewals")
        cls.bridge = cls.env["ir.module.module"].search([("name", "=", BRIDGE)])

    def reload(self):
        """Read what SQL changed: records and xml ids (env.ref is cached)."""
        self.env.flush_all()
        self.env.invalidate_all()
        self.env.registry.clear_cache()

    def as_before_the_bridge(self):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_model_data SET module = 'symantec_renewals'"
            " WHERE module = %s AND name = 'spreadsheet_dashboard_renewals'",
            [BRIDGE],
        )
        self.env.cr.execute(
            "UPDATE ir_module_module SET state = 'uninstalled' WHERE id = %s",
            [self.bridge.id],
        )
        self.reload()
        self.assertFalse(
            self.env.ref(f"{BRIDGE}.spreadsheet_dashboard_renewals", False)
        )

    def test_upgrade_hands_the_dashboard_to_the_bridge_and_installs_it(self):
        self.as_before_the_bridge()
        migration().migrate(self.env.cr, "19.0.1.1.0")
        self.reload()
        self.assertEqual(
            self.env.ref(f"{BRIDGE}.spreadsheet_dashboard_renewals"), self.dashboard
        )
        self.assertFalse(
            self.env.ref("symantec_renewals.spreadsheet_dashboard_renewals", False)
        )
        self.assertEqual(self.bridge.state, "to install")

    def test_new_install_touches_nothing(self):
        self.as_before_the_bridge()
        migration().migrate(self.env.cr, None)
        self.reload()
        self.assertTrue(
            self.env.ref("symantec_renewals.spreadsheet_dashboard_renewals", False)
        )
        self.assertEqual(self.bridge.state, "uninstalled")
