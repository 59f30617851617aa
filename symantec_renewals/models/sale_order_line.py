from odoo import api, fields, models


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

    @api.depends("order_id.partner_id", "product_id")
    def _compute_analytic_distribution(self):
        """Odoo looks the analytic distribution models up once per line. The
        renewal run makes thousands of lines at once: where their company
        has no distribution model at all, there is nothing to find, and
        they keep their distribution without a search each."""
        renewal = self.filtered(
            lambda line: line.order_id.renewal_contract_id and not line.display_type
        )
        if renewal and not self.env[
            "account.analytic.distribution.model"
        ].sudo().search_count(
            [("company_id", "in", [*renewal.company_id.ids, False])], limit=1
        ):
            for line in renewal:
                line.analytic_distribution = line.analytic_distribution
            return super(SaleOrderLine, self - renewal)._compute_analytic_distribution()
        return super()._compute_analytic_distribution()
