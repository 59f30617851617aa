from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from ..tools import policy
from ..tools.constants import (
    MANAGER_GROUP,
    OPEN_ORDER_STATES,
    RENEWAL_CASES,
    USER_GROUP,
)
from ..tools.security import (
    check_workflow_create,
    check_workflow_write,
)

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
        "renewal_years",
        "renewal_coterm_date",
        "renewal_contract_ids",
    }
)


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
        string="Renewal Case",
        copy=False,
        readonly=True,
        help="On time, late or reinstatement: the row of the late-renewal policy "
        "the quote is priced for.",
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
    renewal_years = fields.Integer(
        string="Renewal Years",
        copy=False,
        readonly=True,
        help="The years (1 to 3) the renewal is ordered for; two or three earn "
        "the tier's multi-year discount. Changed with the quote's year buttons.",
    )
    renewal_contract_ids = fields.Many2many(
        "symantec.contract",
        "sale_order_renewal_contract_rel",
        "order_id",
        "contract_id",
        string="Contracts Renewed Together",
        copy=False,
        readonly=True,
        help="The contracts of one customer renewed together by this quote, "
        "their new terms ending on the co-termination date.",
    )
    renewal_coterm_date = fields.Date(
        string="Co-termination Date",
        copy=False,
        readonly=True,
        help="The day every new term of the contracts renewed together ends.",
    )
    renewal_license_value = fields.Monetary(
        string="Licence Value",
        compute="_compute_renewal_new_license_cheaper",
        help="What buying the covered licences again would cost.",
    )
    renewal_new_license_cheaper = fields.Boolean(
        string="New Licence Cheaper",
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
            "object.renewal_contract_id.name",
            "object.partner_id.id",
        )

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_create(self, vals_list, ORDER_WORKFLOW_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_write(self, vals, ORDER_WORKFLOW_FIELDS)
        return super().write(vals)

    def _find_mail_template(self):
        """ "Send" on a renewal quote proposes the reseller renewal quote
        e-mail (end customer, contract and new term), not the generic one."""
        self.ensure_one()
        if (
            self.renewal_contract_id
            and not self.renewal_is_auto
            and self.state in OPEN_ORDER_STATES
            and not self.env.context.get("proforma")
        ):
            template = self.env.ref(
                "symantec_renewals.mail_template_renewal_quote",
                raise_if_not_found=False,
            )
            if template:
                return template
        return super()._find_mail_template()

    def _get_update_prices_lines(self):
        """ "Update prices" leaves the renewal lines alone: their prices come
        from the contract and the late-renewal policy, not the pricelist."""
        return (
            super()
            ._get_update_prices_lines()
            .filtered(lambda line: not line.renewal_line_kind)
        )

    def _get_renewal_lines_to_print(self, lines):
        """The ``lines`` of the quote's PDF (and of the signed order's): on a
        renewal, the optional upgrades not taken, at quantity 0, are offers of
        the portal, not part of the document; their section goes with them
        when none is taken."""
        self.ensure_one()
        if not self.renewal_contract_id:
            return lines

        def optional(line):
            return line._is_line_optional() or (
                line.display_type in ("line_section", "line_subsection")
                and (line.is_optional or line.parent_id.is_optional)
            )

        untaken = lines.filtered(
            lambda line: (
                not line.display_type
                and optional(line)
                and line.product_uom_id.is_zero(line.product_uom_qty)
            )
        )
        kept = lines - untaken
        taken = kept.filtered(lambda line: not line.display_type)
        empty_sections = kept.filtered(
            lambda line: (
                line.display_type in ("line_section", "line_subsection")
                and optional(line)
                and not any(
                    line in (item.parent_id, item.parent_id.parent_id) for item in taken
                )
            )
        )
        return kept - empty_sections

    @api.depends(
        "renewal_case", "amount_untaxed", "renewal_contract_id", "renewal_contract_ids"
    )
    def _compute_renewal_new_license_cheaper(self):
        for order in self:
            contract = order.renewal_contract_id
            value = sum(
                line.license_value * line.quantity
                for line in order._renewal_contracts().line_ids
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
    # The renewal's term: years
    # ------------------------------------------------------------------

    def _renewal_contracts(self):
        """The contracts the renewal order renews: those renewed together,
        or its one contract."""
        self.ensure_one()
        return self.renewal_contract_ids or self.renewal_contract_id

    def _renewal_term_of(self, contract):
        """The new term of ``contract`` this order renews it for."""
        self.ensure_one()
        return contract._renewal_term(
            self.renewal_years or None, self.renewal_coterm_date or None
        )

    def _renewal_years_switchable(self):
        """An open reseller quote, not signed yet: its years may change."""
        self.ensure_one()
        return bool(
            self.renewal_contract_id
            and not self.renewal_is_auto
            and self.state in OPEN_ORDER_STATES
            and not self.signature
        )

    def action_set_renewal_years(self, years):
        """Make the open renewal quote for ``years`` years (1 to 3): the
        renewed products re-priced for the new term, the surcharge and fee
        with them (the rep on the quote's buttons, the reseller on the
        portal)."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Only the Renewals team changes the years a renewal quote is "
                    "made for."
                )
            )
        self.check_access("write")
        self._renewal_set_years(years)
        return True

    def _renewal_set_years(self, years):
        self.ensure_one()
        if not self._renewal_years_switchable():
            raise UserError(
                self.env._(
                    "Quote %(order)s is not an open renewal quote: the years it "
                    "renews for can no longer change.",
                    order=self.name,
                )
            )
        try:
            whole = int(years)
        except (TypeError, ValueError):
            whole = 0
        # 2.9 is not 2 years: only whole numbers (or their text) are years.
        if isinstance(years, bool) or (isinstance(years, float) and years != whole):
            whole = 0
        years = whole
        if not 1 <= years <= policy.MAX_RENEWAL_YEARS:
            raise UserError(self.env._("A renewal is ordered for 1, 2 or 3 years."))
        if years == self.renewal_years:
            return
        # As the workflow: the years and the renewal prices are not the
        # user's to write.
        order = self.sudo()
        order.write(order._prepare_renewal_years_values(years))
        order._renewal_update_lines(fields.Date.context_today(self))
        order.message_post(
            body=self.env._(
                "Renewal quote made for %(years)s year(s) by %(user)s.",
                years=years,
                user=self.env.user.name,
            )
        )

    def _prepare_renewal_years_values(self, years):
        """The years, and for renewals made together their common end moved
        by as many years (every new term stays at least 12 months)."""
        self.ensure_one()
        values = {"renewal_years": years}
        if self.renewal_coterm_date:
            coterm_date = policy.shift_years(
                self.renewal_coterm_date, years - (self.renewal_years or 1)
            )
            self.renewal_contract_ids._check_coterm_terms(coterm_date)
            values["renewal_coterm_date"] = coterm_date
        return values

    def _renewal_update_lines(self, day):
        """Re-price the renewal lines of the quotes for their term: each
        renewed product's price and term dates, the offered upgrades' with
        them (quantities kept), then the surcharge and fee of the new price."""
        for record in self:
            order = record.with_context(lang=record.partner_id.lang or self.env.lang)
            coterm = bool(order.renewal_coterm_date)
            for contract in order._renewal_contracts():
                new_start, new_end = order._renewal_term_of(contract)
                months = policy.term_months(new_start, new_end)
                for line in order.order_line.filtered(
                    lambda line, contract=contract: (
                        line.renewal_line_kind == "renewal"
                        and line.renewal_contract_line_id.contract_id == contract
                    )
                ):
                    values = line.renewal_contract_line_id.with_env(
                        order.env
                    )._prepare_renewal_order_line_values(
                        new_start,
                        new_end,
                        months,
                        years=order.renewal_years or 1,
                        coterm=coterm,
                    )
                    line.write(
                        {"price_unit": values["price_unit"], "name": values["name"]}
                    )
                order._renewal_update_contract_section(contract, new_start, new_end)
            contract = order.renewal_contract_id.with_env(order.env)
            new_start, new_end = order._renewal_term_of(contract)
            months = policy.term_months(new_start, new_end)
            addons = {tier.product_id: tier for tier in contract._renewal_addon_tiers()}
            for line in order.order_line.filtered(
                lambda line: line.renewal_line_kind == "addon"
            ):
                if line.product_id in addons:
                    values = contract._prepare_renewal_addon_line_values(
                        addons[line.product_id], new_start, new_end, months
                    )
                    line.write(
                        {"price_unit": values["price_unit"], "name": values["name"]}
                    )
            order._renewal_reprice(day, force=True)

    def _renewal_update_contract_section(self, contract, new_start, new_end):
        """The section naming a contract of renewals made together, for its
        new term (none on a quote renewing one contract)."""
        self.ensure_one()
        section = self._renewal_contract_section(contract)
        if section:
            section.name = contract._renewal_section_name(new_start, new_end)

    def _renewal_contract_section(self, contract):
        """The section of ``contract`` on a quote renewing several together."""
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: (
                line.display_type == "line_section"
                and line.renewal_contract_id == contract
            )
        )[:1]

    def _renewal_lines_of(self, contract):
        """The renewed products of ``contract`` on this order."""
        self.ensure_one()
        together = bool(self.renewal_contract_ids)
        return self.order_line.filtered(
            lambda line: (
                line.renewal_line_kind == "renewal"
                and (
                    not together
                    or line.renewal_contract_line_id.contract_id == contract
                )
            )
        )

    # ------------------------------------------------------------------
    # Late-renewal pricing
    # ------------------------------------------------------------------

    @api.model
    def _prepare_renewal_penalty_lines(self, contract, standard, case, fee_waived, day):
        """The separate, labelled quote lines that say why a late renewal of
        ``contract`` costs more than its ``standard`` renewal price: the late
        surcharge, and past the grace period the reinstatement fee (its
        minimum converted on ``day``)."""
        contract.ensure_one()
        company = contract.company_id
        currency = contract.currency_id
        late_days = policy.late_days(contract.date_end, day)
        lines = []
        if case in (policy.LATE, policy.REINSTATEMENT):
            lines.append(
                {
                    "product_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "symantec_renewals.product_late_renewal_surcharge"
                    ),
                    "product_uom_qty": 1.0,
                    "price_unit": currency.round(
                        policy.late_surcharge(standard, company.late_uplift_percent)
                    ),
                    "name": (
                        self.env._(
                            "Late renewal surcharge: %(percent)s%% of the renewal "
                            "price (the day after the end of maintenance on %(end)s)",
                            percent=company.late_uplift_percent,
                            end=format_date(self.env, contract.date_end),
                        )
                        if late_days == 1
                        else self.env._(
                            "Late renewal surcharge: %(percent)s%% of the renewal "
                            "price (%(days)s days after the end of maintenance on "
                            "%(end)s)",
                            percent=company.late_uplift_percent,
                            days=late_days,
                            end=format_date(self.env, contract.date_end),
                        )
                    ),
                    "renewal_line_kind": "late_surcharge",
                }
            )
        if case == policy.REINSTATEMENT and not fee_waived:
            minimum = company.currency_id._convert(
                company.reinstatement_fee_min, currency, company, day
            )
            lines.append(
                {
                    "product_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "symantec_renewals.product_reinstatement_fee"
                    ),
                    "product_uom_qty": 1.0,
                    "price_unit": currency.round(
                        policy.reinstatement_fee(
                            standard, company.reinstatement_fee_percent, minimum
                        )
                    ),
                    "name": self.env._(
                        "Reinstatement fee: %(percent)s%% of the renewal price, at "
                        "least %(minimum)s (maintenance lapsed on %(end)s; the new "
                        "term is back-dated to cover the lapsed months)",
                        percent=company.reinstatement_fee_percent,
                        minimum=currency.format(minimum),
                        end=format_date(self.env, contract.date_end),
                    ),
                    "renewal_line_kind": "reinstatement_fee",
                }
            )
        return lines

    def _renewal_reprice(self, day, force=False):
        """Price the open renewal quotes for a renewal ordered on ``day``: the
        surcharge and fee lines of its case (SPEC §6; made again with
        ``force``, after the renewal price changed), a validity up to the
        next price change. Returns the case of each order."""
        cases = {}
        for order in self:
            if order.renewal_contract_ids:
                cases[order] = order._renewal_reprice_together(day, force)
                continue
            contract = order.renewal_contract_id
            case = contract._renewal_case_on(day)
            cases[order] = case
            if case == policy.LAPSED:
                continue
            if force or case != order.renewal_case:
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
                                # In the language of the one who orders.
                                for values in self.with_context(
                                    lang=order.partner_id.lang or self.env.lang
                                )._prepare_renewal_penalty_lines(
                                    contract,
                                    standard,
                                    case,
                                    order.renewal_fee_waived,
                                    day,
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

    def _renewal_reprice_together(self, day, force=False):
        """Renewals made together: each contract's surcharge and fee from its
        own end date (SPEC §12), in its section, made again when its case
        changes; the quote's case is the latest of theirs, its validity the
        first day one of their prices changes. Returns the quote's case."""
        self.ensure_one()
        contracts = self.renewal_contract_ids
        cases = {contract: contract._renewal_case_on(day) for contract in contracts}
        if policy.LAPSED in cases.values():
            return policy.LAPSED
        order = self.with_context(lang=self.partner_id.lang or self.env.lang)
        commands = []
        for contract in contracts:
            section = self._renewal_contract_section(contract)
            case = cases[contract]
            if not force and section.renewal_case == case:
                continue
            old = self.order_line.filtered(
                lambda line, contract=contract: (
                    line.renewal_contract_id == contract
                    and line.renewal_line_kind
                    in ("late_surcharge", "reinstatement_fee")
                )
            )
            standard = sum(self._renewal_lines_of(contract).mapped("price_subtotal"))
            commands += [fields.Command.unlink(line.id) for line in old]
            commands += [
                fields.Command.create(
                    {
                        **values,
                        "renewal_contract_id": contract.id,
                        "sequence": section.sequence + 2,
                    }
                )
                for values in order._prepare_renewal_penalty_lines(
                    contract, standard, case, self.renewal_fee_waived, day
                )
            ]
            if section:
                commands.append(
                    fields.Command.update(section.id, {"renewal_case": case})
                )
        ranks = [case for case, _label in RENEWAL_CASES]
        case = max(cases.values(), key=ranks.index)
        # As the workflow, as for one contract's quote.
        self.sudo().write({"renewal_case": case, "order_line": commands})
        company = self.company_id
        self.validity_date = min(
            policy.price_change_date(
                contract.date_end,
                day,
                company.renewal_grace_days,
                company.max_reinstatement_days,
            )
            for contract in contracts
        )
        return case

    def action_waive_reinstatement_fee(self):
        """Open the waiver wizard (renewal managers only)."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only renewal managers can waive a reinstatement fee.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Waive the Reinstatement Fee"),
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
        if self.state not in OPEN_ORDER_STATES:
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
                    lapsed = order._renewal_contracts().filtered(
                        lambda c: c._renewal_case_on(today) == policy.LAPSED
                    )
                    raise UserError(lapsed[:1]._lapsed_message())
        result = super().action_confirm()
        self.env["symantec.contract"]._complete_renewals(
            self.filtered("renewal_contract_id")
        )
        return result

    def _renewal_payment_received(self):
        """Entitlement follows payment: a paid automatic renewal activates
        its waiting term."""
        for order in self.filtered(lambda o: o.renewal_is_auto and o.state == "sale"):
            order.renewal_contract_id._renewal_paid_otherwise()
            order.renewal_contract_id._activate_paid_renewal(order)
