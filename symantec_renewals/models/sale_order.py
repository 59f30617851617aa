from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    renewal_contract_id = fields.Many2one(
        "symantec.contract",
        string="Renewed Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The maintenance contract this order renews.",
    )
    renewal_end_customer_id = fields.Many2one(
        "res.partner",
        string="End Customer",
        copy=False,
        readonly=True,
        help="The customer whose maintenance is renewed; the order's customer "
        "is the reseller.",
    )
