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

    def message_post_with_source(self, source_ref, **kwargs):
        """The link to the sale order that ``sale._create_invoices`` posts
        on each new invoice is already posted, for the whole batch, on the
        invoices whose ids ``renewal_origin_logged`` holds (see
        ``sale.order._create_account_invoices``)."""
        logged = self.env.context.get("renewal_origin_logged")
        if (
            source_ref == "mail.message_origin_link"
            and logged
            and set(self.ids) <= logged
        ):
            return self.env["mail.message"]
        return super().message_post_with_source(source_ref, **kwargs)
