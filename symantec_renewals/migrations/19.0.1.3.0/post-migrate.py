"""After the upgrade to 19.0.1.3.0:

The renewal pipeline has a stage per renewal status, and a renewal stands
in the stage of its status (until now every renewal stayed in the first
sales stage). The renewal opportunities already there are moved to theirs;
their status is computed again too, as "won" now follows the contract's
renewal rather than the opportunity's stage."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Lead = env["crm.lead"].with_context(active_test=False)
    leads = Lead.search([("is_renewal", "=", True)])
    for name in ("renewal_status", "stage_id"):
        env.add_to_compute(Lead._fields[name], leads)
    leads.flush_recordset(["renewal_status", "stage_id"])
