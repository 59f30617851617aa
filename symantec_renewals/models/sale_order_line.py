from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools.constants import OPEN_ORDER_STATES
from ..tools.security import (
    changed_field_names,
    check_workflow_fields,
    create_field_names,
    is_privileged,
)

LINE_WORKFLOW_FIELDS = frozenset({"renewal_line_kind", "renewal_contract_line_id"})
# The lines of the late-renewal policy: only a manager changes or removes them.
PENALTY_KINDS = ("late_surcharge", "reinstatement_fee")
# What a rep may not change on a renewal line (on a penalty line, nothing that
# sets its amount).
PRICE_FIELDS = ("price_unit", "discount")
PENALTY_FIELDS = (*PRICE_FIELDS, "product_uom_qty", "product_id")


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

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_fields(
            self, create_field_names(self, vals_list), LINE_WORKFLOW_FIELDS
        )
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(
            self,
            changed_field_names(
                self, {n: vals[n] for n in vals.keys() & LINE_WORKFLOW_FIELDS}
            ),
            LINE_WORKFLOW_FIELDS,
        )
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
        return super().write(vals)

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
