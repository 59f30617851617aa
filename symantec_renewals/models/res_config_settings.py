from odoo import fields, models

# The renewal policy is changed in one place, the Renewal Policy dialog
# (symantec.renewal.policy.wizard), where renewal managers who are not
# administrators change it too: Settings shows it, read-only, with a button
# to that dialog.

ITALIAN = "it_IT"


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
    auto_renew_retry_days = fields.Char(related="company_id.auto_renew_retry_days")

    # Reps, resellers and customers can pick Italian (the addon is translated)
    # only once an administrator loads it.
    renewal_italian_active = fields.Boolean(
        string="Italian Loaded", compute="_compute_renewal_italian_active"
    )

    def _compute_renewal_italian_active(self):
        active = bool(self.env["res.lang"].search_count([("code", "=", ITALIAN)]))
        self.renewal_italian_active = active

    def action_load_italian(self):
        """Odoo's own Add Languages dialog, Italian chosen."""
        self.ensure_one()
        italian = (
            self.env["res.lang"]
            .with_context(active_test=False)
            .search([("code", "=", ITALIAN)], limit=1)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "base.action_view_base_language_install"
        )
        action["context"] = {"default_lang_ids": italian.ids}
        return action
