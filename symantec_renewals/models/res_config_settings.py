from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    renewal_notice_days = fields.Integer(
        related="company_id.renewal_notice_days", readonly=False
    )
    renewal_reminder_offsets = fields.Char(
        related="company_id.renewal_reminder_offsets", readonly=False
    )
    renewal_grace_days = fields.Integer(
        related="company_id.renewal_grace_days", readonly=False
    )
    late_uplift_percent = fields.Float(
        related="company_id.late_uplift_percent", readonly=False
    )
    reinstatement_fee_percent = fields.Float(
        related="company_id.reinstatement_fee_percent", readonly=False
    )
    reinstatement_fee_min = fields.Monetary(
        related="company_id.reinstatement_fee_min", readonly=False
    )
    max_reinstatement_days = fields.Integer(
        related="company_id.max_reinstatement_days", readonly=False
    )
    auto_renew_lead_days = fields.Integer(
        related="company_id.auto_renew_lead_days", readonly=False
    )
    auto_renew_retry_days = fields.Char(
        related="company_id.auto_renew_retry_days", readonly=False
    )
