from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..models.res_company import RENEWAL_POLICY_FIELDS
from ..tools.constants import MANAGER_GROUP


class SymantecRenewalPolicyWizard(models.TransientModel):
    """The company's renewal policy, and the one place it is changed: by
    renewal managers, administrators or not (Settings is for administrators
    only; it shows the policy read-only, with a button to this dialog)."""

    _name = "symantec.renewal.policy.wizard"
    _description = "Renewal Policy"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    renewal_notice_days = fields.Integer(string="Renewal Notice (days)")
    renewal_reminder_offsets = fields.Char(string="Reminder Offsets (days)")
    renewal_grace_days = fields.Integer(string="Grace Period (days)")
    late_uplift_percent = fields.Float(string="Late Renewal Surcharge %")
    reinstatement_fee_percent = fields.Float(string="Reinstatement Fee %")
    reinstatement_fee_min = fields.Monetary(string="Minimum Reinstatement Fee")
    max_reinstatement_days = fields.Integer(string="Reinstatement Limit (days)")
    auto_renew_lead_days = fields.Integer(string="Auto-renewal Lead (days)")
    auto_renew_retry_days = fields.Char(string="Payment Retries (days)")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env["res.company"].browse(
            values.get("company_id") or self.env.company.id
        )
        company._check_renewal_policy_company()
        values.update(
            {
                name: company[name]
                for name in RENEWAL_POLICY_FIELDS
                if name in fields_list
            }
        )
        return values

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["res.company"]._check_renewal_policy_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self.env["res.company"]._check_renewal_policy_values(vals)
        return super().write(vals)

    @api.constrains("company_id", *RENEWAL_POLICY_FIELDS)
    def _check_policy(self):
        for wizard in self:
            wizard.company_id._check_renewal_policy_company()
            self.env["res.company"]._check_renewal_policy_values(
                {name: wizard[name] for name in RENEWAL_POLICY_FIELDS}
            )

    def action_apply(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only renewal managers can change the renewal policy.")
            )
        self.company_id._check_renewal_policy_company()
        # Renewal managers need not be administrators: the policy fields,
        # of a company of theirs only, are written as the superuser.
        self.company_id.sudo().write(
            {name: self[name] for name in RENEWAL_POLICY_FIELDS}
        )
        # Said, not saved silently.
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The renewal policy of %(company)s is saved.",
                    company=self.company_id.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
