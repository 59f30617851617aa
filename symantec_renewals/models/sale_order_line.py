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
