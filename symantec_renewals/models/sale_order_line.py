from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    renewal_line_kind = fields.Selection(
        [
            ("renewal", "Renewal"),
            ("late_surcharge", "Late renewal surcharge"),
            ("reinstatement_fee", "Reinstatement fee"),
            ("addon", "Coverage upgrade"),
        ],
        copy=False,
        readonly=True,
    )
    renewal_contract_line_id = fields.Many2one(
        "symantec.contract.line", copy=False, readonly=True, index="btree_not_null"
    )

    def _compute_price_unit(self):
        """Renewal lines are priced by the renewal policy (SPEC §5-§6), not by
        the pricelist: changing their quantity, or updating the quote's
        prices, keeps their unit price."""
        return super(
            SaleOrderLine, self.filtered(lambda line: not line.renewal_line_kind)
        )._compute_price_unit()
