"""Before this addon's data loads on an upgrade to 19.0.1.2.0:

1. The Renewals spreadsheet dashboard moved to the bridge addon
   ``spreadsheet_dashboard_symantec_renewals``, which Odoo installs by itself
   beside this addon and ``spreadsheet_dashboard``. On a database that held
   the dashboard itself:

   - its xml id is handed over to the bridge, so that the end of the upgrade
     does not delete it as an orphan (with the revisions users made to it)
     and the bridge updates the same record instead of creating a second one;
   - the bridge is marked for installation: Odoo auto-installs a module only
     when one of its dependencies is being installed, and here both are
     already installed. The loading loop of this same upgrade installs it
     after this addon.

2. Two renewal e-mails change for the customer's security: the activation
   e-mail no longer carries the activation code in the copy kept in the
   contract's chatter (which the reseller reads), and the automatic-renewal
   e-mail moves from the contract to its order (no invoice link with an
   access token in a chatter the reseller reads). Their templates are
   ``noupdate`` data, which an update never rewrites: the old two are
   removed here, and this update creates them again from the module's data
   (a customised text of these two is replaced; the other templates keep
   theirs)."""

from odoo import SUPERUSER_ID, api

BRIDGE = "spreadsheet_dashboard_symantec_renewals"
MOVED = ("spreadsheet_dashboard_renewals",)
SECURED_TEMPLATES = (
    "mail_template_renewal_activation",
    "mail_template_auto_renewal_order",
)


def migrate(cr, version):
    if not version:
        return
    _hand_the_dashboard_to_the_bridge(cr)
    _rewrite_secured_templates(cr)


def _hand_the_dashboard_to_the_bridge(cr):
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


def _rewrite_secured_templates(cr):
    env = api.Environment(cr, SUPERUSER_ID, {})
    data = env["ir.model.data"].search(
        [
            ("module", "=", "symantec_renewals"),
            ("model", "=", "mail.template"),
            ("name", "in", SECURED_TEMPLATES),
        ]
    )
    env["mail.template"].browse(data.mapped("res_id")).exists().unlink()
    data.exists().unlink()
