from odoo import api, fields, models

# The placeholders of the renewal payment e-mails (see the contract's).
MAIL_EXPRESSIONS = (
    "object.company_id.email_formatted",
    "object.partner_id.lang",
    "object.partner_id.id",
    "object.name",
    "object.renewal_contract_id.name",
    "object.renewal_contract_id.renewal_contact_email",
)


class AccountMove(models.Model):
    _inherit = "account.move"

    renewal_contract_id = fields.Many2one(
        "symantec.contract",
        string="Renewed Contract",
        compute="_compute_renewal_contract_id",
        groups="base.group_user",
        help="The contract whose automatic renewal this invoice bills.",
    )

    def _compute_renewal_contract_id(self):
        for move in self:
            orders = move.sudo().invoice_line_ids.sale_line_ids.order_id
            move.renewal_contract_id = orders.filtered(
                "renewal_is_auto"
            ).renewal_contract_id[:1]

    def _invoice_paid_hook(self):
        """A paid invoice of an automatic renewal gives the customer its new
        term (entitlement follows payment, not invoicing)."""
        result = super()._invoice_paid_hook()
        orders = self.invoice_line_ids.sale_line_ids.order_id.filtered(
            "renewal_is_auto"
        )
        orders._renewal_payment_received()
        return result

    @api.model
    def mail_allowed_qweb_expressions(self):
        return (*super().mail_allowed_qweb_expressions(), *MAIL_EXPRESSIONS)
