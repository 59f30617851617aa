"""The Renewals spreadsheet dashboard moved to the bridge addon
``spreadsheet_dashboard_symantec_renewals``, which Odoo installs by itself
beside this addon and ``spreadsheet_dashboard``.

On a database upgraded from a version that held the dashboard itself:

- its xml id is handed over to the bridge before this addon's data loads, so
  that the end of the upgrade does not delete it as an orphan (with the
  revisions users made to it) and the bridge updates the same record instead
  of creating a second one;
- the bridge is marked for installation: Odoo auto-installs a module only
  when one of its dependencies is being installed, and here both are already
  installed. The loading loop of this same upgrade installs it after this
  addon."""

from odoo import SUPERUSER_ID, api

BRIDGE = "spreadsheet_dashboard_symantec_renewals"
MOVED = ("spreadsheet_dashboard_renewals",)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE ir_model_data SET module = %s
            WHERE module = 'symantec_renewals' AND name IN %s
              AND NOT EXISTS (
                  SELECT 1 FROM ir_model_data taken
                   WHERE taken.module = %s AND taken.name = ir_model_data.name)""",
        [BRIDGE, MOVED, BRIDGE],
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    bridge = env["ir.module.module"].search(
        [("name", "=", BRIDGE), ("state", "=", "uninstalled")]
    )
    dashboards = env["ir.module.module"].search(
        [("name", "=", "spreadsheet_dashboard"), ("state", "=", "installed")]
    )
    if bridge and dashboards:
        bridge.button_install()
