from uuid import uuid4

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import policy
from ..tools.mail import post_creation_messages, post_notifications
from ..tools.security import (
    changed_field_names,
    check_workflow_fields,
    create_field_names,
)

MANAGER_GROUP = "symantec_renewals.group_renewal_manager"
# The renewal facts of a quote: set by the renewal workflow, the fee waiver
# by its wizard (SPEC §10).
ORDER_WORKFLOW_FIELDS = frozenset(
    {
        "renewal_contract_id",
        "renewal_end_customer_id",
        "renewal_case",
        "renewal_is_auto",
        "renewal_fee_waived",
        "renewal_fee_waiver_reason",
    }
)
RENEWAL_CASES = [
    (policy.ON_TIME, "On time"),
    (policy.LATE, "Late"),
    (policy.REINSTATEMENT, "Reinstatement"),
    (policy.LAPSED, "Lapsed"),
]


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
    renewal_case = fields.Selection(
        RENEWAL_CASES,
        string="Priced As",
        copy=False,
        readonly=True,
        help="The row of the late-renewal policy the quote is priced for.",
    )
    renewal_is_auto = fields.Boolean(
        string="Automatic Renewal Order", copy=False, readonly=True
    )
    renewal_fee_waived = fields.Boolean(
        string="Reinstatement Fee Waived", copy=False, readonly=True, tracking=True
    )
    renewal_fee_waiver_reason = fields.Text(
        string="Waiver Reason", copy=False, readonly=True
    )
    renewal_license_value = fields.Monetary(
        string="Licence Value of the Covered Products",
        compute="_compute_renewal_new_license_cheaper",
        help="What buying the covered licences again would cost.",
    )
    renewal_new_license_cheaper = fields.Boolean(
        string="A New Licence Is Cheaper",
        compute="_compute_renewal_new_license_cheaper",
        help="Reinstating this maintenance costs more than buying the licences again.",
    )

    @api.model
    def mail_allowed_qweb_expressions(self):
        # The placeholders of the renewal quote e-mail (see the contract's).
        return (
            *super().mail_allowed_qweb_expressions(),
            "object.company_id.email_formatted",
            "object.partner_id.lang",
            "object.renewal_end_customer_id.name",
            "object.renewal_contract_id.renewal_contact_email",
        )

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_fields(
            self, create_field_names(self, vals_list), ORDER_WORKFLOW_FIELDS
        )
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(
            self,
            changed_field_names(
                self, {n: vals[n] for n in vals.keys() & ORDER_WORKFLOW_FIELDS}
            ),
            ORDER_WORKFLOW_FIELDS,
        )
        return super().write(vals)

    def _get_update_prices_lines(self):
        """ "Update prices" leaves the renewal lines alone: their prices come
        from the contract and the late-renewal policy, not the pricelist."""
        return (
            super()
            ._get_update_prices_lines()
            .filtered(lambda line: not line.renewal_line_kind)
        )

    @api.depends("renewal_case", "amount_untaxed", "renewal_contract_id")
    def _compute_renewal_new_license_cheaper(self):
        for order in self:
            contract = order.renewal_contract_id
            value = sum(
                line.license_value * line.quantity for line in contract.line_ids
            )
            if contract and contract.currency_id != order.currency_id:
                value = contract.currency_id._convert(
                    value,
                    order.currency_id,
                    order.company_id,
                    order.date_order or fields.Date.context_today(order),
                )
            order.renewal_license_value = value
            order.renewal_new_license_cheaper = bool(
                order.renewal_case == policy.REINSTATEMENT
                and value
                and order.currency_id.compare_amounts(order.amount_untaxed, value) > 0
            )

    # ------------------------------------------------------------------
    # Late-renewal pricing
    # ------------------------------------------------------------------

    def _renewal_reprice(self, day):
        """Price the open renewal quotes for a renewal ordered on ``day``: the
        surcharge and fee lines of its case (SPEC §6), a validity up to the
        next price change. Returns the case of each order."""
        cases = {}
        for order in self:
            contract = order.renewal_contract_id
            case = contract._renewal_case_on(day)
            cases[order] = case
            if case == policy.LAPSED:
                continue
            if case != order.renewal_case:
                old = order.order_line.filtered(
                    lambda line: (
                        line.renewal_line_kind
                        in ("late_surcharge", "reinstatement_fee")
                    )
                )
                standard = sum(
                    order.order_line.filtered(
                        lambda line: line.renewal_line_kind == "renewal"
                    ).mapped("price_subtotal")
                )
                # As the workflow: the user confirming may not set the case
                # nor remove a fee line.
                order.sudo().write(
                    {
                        "renewal_case": case,
                        "order_line": [
                            *(fields.Command.unlink(line.id) for line in old),
                            *(
                                fields.Command.create(values)
                                for values in contract._prepare_renewal_penalty_lines(
                                    standard, case, order.renewal_fee_waived, day
                                )
                            ),
                        ],
                    }
                )
            company = contract.company_id
            order.validity_date = policy.price_change_date(
                contract.date_end,
                day,
                company.renewal_grace_days,
                company.max_reinstatement_days,
            )
        return cases

    def action_waive_reinstatement_fee(self):
        """Open the waiver wizard (renewal managers only)."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only renewal managers can waive a reinstatement fee.")
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "symantec.fee.waiver.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _waive_reinstatement_fee(self, reason):
        """Remove the reinstatement fee, for good, and say who and why."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only renewal managers can waive a reinstatement fee.")
            )
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._("The fee can only be waived on a quote not yet confirmed.")
            )
        fee_lines = self.order_line.filtered(
            lambda line: line.renewal_line_kind == "reinstatement_fee"
        )
        amount = sum(fee_lines.mapped("price_subtotal"))
        self.write(
            {
                "renewal_fee_waived": True,
                "renewal_fee_waiver_reason": reason,
                "order_line": [fields.Command.unlink(line.id) for line in fee_lines],
            }
        )
        self.message_post(
            body=self.env._(
                "Reinstatement fee of %(amount)s waived by %(user)s: %(reason)s",
                amount=self.currency_id.format(amount),
                user=self.env.user.name,
                reason=reason,
            )
        )

    # ------------------------------------------------------------------
    # Confirmation and payment complete the renewal
    # ------------------------------------------------------------------

    def action_confirm(self):
        """A renewal order is re-priced for the day it is confirmed (and
        refused beyond reinstatement); confirming it renews the contract.
        An automatic renewal waits for its payment."""
        renewals = self.filtered(
            lambda o: o.renewal_contract_id and not o.renewal_is_auto
        )
        if renewals:
            today = fields.Date.context_today(self)
            for order, case in renewals._renewal_reprice(today).items():
                if case == policy.LAPSED:
                    raise UserError(order.renewal_contract_id._lapsed_message())
        result = super().action_confirm()
        self.env["symantec.contract"]._complete_renewals(
            self.filtered("renewal_contract_id")
        )
        return result

    def _create_account_invoices(self, invoice_vals_list, final):
        """With ``renewal_auto_invoicing`` in the context (the automatic
        renewal invoicing a whole batch of orders), the new invoices are
        made for the batch at once:

        - their access token (the customer's e-mail links to the invoice to
          pay it) is set as they are created, not by one write per invoice;
        - where their companies have no analytic distribution model, their
          lines skip looking one up;
        - their messages, the creation message ("Invoice Created") and the
          link to their order that ``_create_invoices`` posts, are the same
          messages as one ``message_post`` per invoice and message would
          post, made in one batch (unless the caller turned the creation
          message off)."""
        context = self.env.context
        if not context.get("renewal_auto_invoicing"):
            return super()._create_account_invoices(invoice_vals_list, final)
        for vals in invoice_vals_list:
            vals.setdefault("access_token", str(uuid4()))
        if context.get("tracking_disable") or context.get("mail_create_nolog"):
            return super()._create_account_invoices(invoice_vals_list, final)
        batch_context = {
            "mail_create_nolog": True,
            "renewal_no_distribution_model": self.env[
                "account.analytic.distribution.model"
            ]._renewal_none_for(self.company_id),
        }
        moves = super(
            SaleOrder, self.with_context(**batch_context)
        )._create_account_invoices(invoice_vals_list, final)
        post_creation_messages(moves)
        render = self.env["mail.render.mixin"]._render_template_qweb_view
        bodies = {}
        for move in moves:
            bodies.update(
                render(
                    "mail.message_origin_link",
                    moves._name,
                    move.ids,
                    add_context={
                        "self": move,
                        "origin": move.line_ids.sale_line_ids.order_id,
                    },
                )
            )
        post_notifications(
            moves,
            bodies,
            self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
        )
        # Back in the caller's context, with these moves' order links noted
        # as posted (see account.move.message_post_with_source).
        logged = context.get("renewal_origin_logged", frozenset())
        return moves.with_env(
            moves.env(
                context={
                    **{
                        key: value
                        for key, value in moves.env.context.items()
                        if key not in batch_context
                    },
                    "renewal_origin_logged": logged | frozenset(moves.ids),
                }
            )
        )

    def _renewal_payment_received(self):
        """Entitlement follows payment: a paid automatic renewal activates
        its waiting term."""
        for order in self.filtered(lambda o: o.renewal_is_auto and o.state == "sale"):
            order.renewal_contract_id._activate_paid_renewal(order)
