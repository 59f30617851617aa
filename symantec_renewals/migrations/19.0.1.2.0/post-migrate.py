"""The renewal e-mails are now sent through Odoo's mail composer: each
template names its recipients ("To (Partners)") and the company mail layout.
Set both on the module's templates where they are empty, leaving any
customised text alone."""

from odoo import SUPERUSER_ID, api

LAYOUT = "mail.mail_notification_layout"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    data = env["ir.model.data"].search(
        [("module", "=", "symantec_renewals"), ("model", "=", "mail.template")]
    )
    for row in data:
        template = env["mail.template"].browse(row.res_id).exists()
        if not template:
            continue
        values = {}
        if not template.partner_to:
            values["partner_to"] = "{{ object.partner_id.id }}"
        if not template.email_layout_xmlid:
            values["email_layout_xmlid"] = LAYOUT
        if values:
            template.write(values)
