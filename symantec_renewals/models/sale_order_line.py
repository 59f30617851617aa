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
        renewal run makes thousands of lines at once: where their companies
        have no distribution model at all, the lookup is skipped (it would
        find nothing); the rest of the compute, other modules' included,
        runs as usual."""
        lines = self
        if any(line.order_id.renewal_contract_id for line in self) and self.env[
            "account.analytic.distribution.model"
        ]._renewal_none_for(self.company_id):
            lines = self.with_context(renewal_no_distribution_model=True)
        return super(SaleOrderLine, lines)._compute_analytic_distribution()
