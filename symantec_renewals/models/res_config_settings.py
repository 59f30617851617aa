from odoo import fields, models

# The renewal policy is changed in one place, the Renewal Policy dialog
# (symantec.renewal.policy.wizard), where renewal managers who are not
# administrators change it too: Settings shows it, read-only, with a button
# to that dialog.


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    renewal_notice_days = fields.Integer(related="company_id.renewal_notice_days")
    renewal_reminder_offsets = fields.Char(
        related="company_id.renewal_reminder_offsets"
    )
    renewal_grace_days = fields.Integer(related="company_id.renewal_grace_days")
    late_uplift_percent = fields.Float(related="company_id.late_uplift_percent")
    reinstatement_fee_percent = fields.Float(
        related="company_id.reinstatement_fee_percent"
    )
    reinstatement_fee_min = fields.Monetary(related="company_id.reinstatement_fee_min")
    max_reinstatement_days = fields.Integer(related="company_id.max_reinstatement_days")
    auto_renew_lead_days = fields.Integer(related="company_id.auto_renew_lead_days")
