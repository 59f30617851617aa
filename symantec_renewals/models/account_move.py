from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        """A paid invoice of an automatic renewal gives the customer its new
        term (entitlement follows payment, not invoicing)."""
        result = super()._invoice_paid_hook()
        orders = self.invoice_line_ids.sale_line_ids.order_id.filtered(
            "renewal_is_auto"
        )
        orders._renewal_payment_received()
        return result
