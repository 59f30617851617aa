from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools.constants import OPEN_ORDER_STATES, RENEWAL_CASES
from ..tools.security import (
    check_workflow_create,
    check_workflow_write,
    is_privileged,
)

LINE_WORKFLOW_FIELDS = frozenset(
    {
        "renewal_line_kind",
        "renewal_contract_line_id",
        "renewal_contract_id",
        "renewal_case",
    }
)
# The lines of the late-renewal policy: only a manager changes or removes them.
PENALTY_KINDS = ("late_surcharge", "reinstatement_fee")
# What a rep may not change on a renewal line (on a penalty line, nothing that
# sets its amount, nor the quote it is on).
PRICE_FIELDS = ("price_unit", "discount")
PENALTY_FIELDS = (*PRICE_FIELDS, "product_uom_qty", "product_id", "order_id")
# What a rep may add to a renewal quote changes no price downwards: a line of
# its own with a discount or a negative amount (sale's "Discount" button, a
# credit line) would lower the renewal price or undo the fee.
REDUCING_FIELDS = ("order_id", "price_unit", "discount", "product_uom_qty")


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
    renewal_contract_id = fields.Many2one(
        "symantec.contract",
        string="Renewed Contract",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="On a quote renewing several contracts together: the contract "
        "whose section, renewal, surcharge or fee this line is.",
    )
    renewal_case = fields.Selection(
        RENEWAL_CASES,
        string="Renewal Case",
        copy=False,
        readonly=True,
        help="On the section of a contract renewed together with others: the "
        "row of the late-renewal policy its lines are priced for.",
    )

    def _compute_price_unit(self):
        """Renewal lines are priced by the renewal policy (SPEC §5-§6), not by
        the pricelist: changing their quantity, or updating the quote's
        prices, keeps their unit price."""
        return super(
            SaleOrderLine, self.filtered(lambda line: not line.renewal_line_kind)
        )._compute_price_unit()

    renewal_line_locked = fields.Boolean(
        compute="_compute_renewal_line_locked",
        help="A late-renewal surcharge or reinstatement fee the user cannot "
        "remove: only renewal managers waive them.",
    )

    @api.depends("renewal_line_kind")
    @api.depends_context("uid")
    def _compute_renewal_line_locked(self):
        privileged = is_privileged(self.env)
        for line in self:
            line.renewal_line_locked = (
                not privileged and line.renewal_line_kind in PENALTY_KINDS
            )

    def _can_be_edited_on_portal(self):
        # The customer sets the quantity of the optional upgrades only: never
        # that of a renewed product, the surcharge or the fee, wherever in the
        # quote they stand.
        return super()._can_be_edited_on_portal() and self.renewal_line_kind in (
            False,
            "addon",
        )

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_create(self, vals_list, LINE_WORKFLOW_FIELDS)
        lines = super().create(vals_list)
        lines._check_renewal_price_reduction()
        return lines

    def write(self, vals):
        check_workflow_write(self, vals, LINE_WORKFLOW_FIELDS)
        if not is_privileged(self.env):
            for line in self.filtered("renewal_line_kind"):
                names = (
                    PENALTY_FIELDS
                    if line.renewal_line_kind in PENALTY_KINDS
                    else PRICE_FIELDS
                )
                if any(
                    name in vals
                    and line._fields[name].convert_to_record(
                        line._fields[name].convert_to_cache(vals[name], line), line
                    )
                    != line[name]
                    for name in names
                ):
                    raise AccessError(
                        self.env._(
                            "Only a renewal manager can change the price of the "
                            "renewal line %(line)s of quote %(order)s.",
                            line=line.name,
                            order=line.order_id.name,
                        )
                    )
        result = super().write(vals)
        if any(name in vals for name in REDUCING_FIELDS):
            self._check_renewal_price_reduction()
        return result

    def _check_renewal_price_reduction(self):
        """Only renewal managers discount an open renewal quote, by any line."""
        if is_privileged(self.env):
            return
        for line in self:
            order = line.order_id
            if (
                not order.renewal_contract_id
                or order.state not in OPEN_ORDER_STATES
                or line.display_type
            ):
                continue
            if (
                line.discount
                or order.currency_id.compare_amounts(
                    line.price_unit * line.product_uom_qty, 0.0
                )
                < 0
            ):
                raise AccessError(
                    self.env._(
                        "Only a renewal manager can discount renewal quote "
                        "%(order)s (line %(line)s).",
                        order=order.name,
                        line=line.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_renewal_penalty(self):
        if is_privileged(self.env):
            return
        penalties = self.filtered(
            lambda line: (
                line.renewal_line_kind in PENALTY_KINDS
                and line.order_id.state in OPEN_ORDER_STATES
            )
        )
        if penalties:
            raise AccessError(
                self.env._(
                    "Only a renewal manager can remove the late-renewal surcharge or "
                    "waive the reinstatement fee of quote %(order)s.",
                    order=penalties[0].order_id.name,
                )
            )
