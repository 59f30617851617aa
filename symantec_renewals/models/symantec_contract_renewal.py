"""The daily renewal run of maintenance contracts (SPEC §5 items 1-4) and the
reseller quote: ``symantec.contract`` methods, kept apart from the contract's
definition because they are the workflow, not the data."""

import logging
import secrets
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

from ..tools import policy
from ..tools.constants import (
    MANAGER_GROUP,
    OPEN_ORDER_STATES,
    RENEWAL_CASES,
    RUN_STATES,
)
from ..tools.mail import send_renewal_mails

_logger = logging.getLogger(__name__)

# Where a renewal quote's optional upgrades stand: after every line of the
# default sequence (10), the renewed products, surcharge and fee.
ADDON_SECTION_SEQUENCE = 1000


class SymantecContract(models.Model):
    _inherit = "symantec.contract"

    # Contracts the renewal run handles per transaction: large enough to
    # amortise the batch's fixed work (searches, template compilation), small
    # enough to keep transactions and memory short.
    _renewal_run_batch_size = 1000

    renewal_case = fields.Selection(
        RENEWAL_CASES,
        string="Renewal Case",
        default=policy.ON_TIME,
        copy=False,
        readonly=True,
        tracking=True,
        help="Where a renewal ordered today stands in the late-renewal policy: "
        "on time, late (grace period), reinstatement, or lapsed beyond "
        "reinstatement.",
    )
    renewal_checked_date = fields.Date(
        groups="base.group_user",
        string="Renewal Run Date",
        copy=False,
        readonly=True,
        index=True,
        help="Last day the renewal run handled this contract.",
    )
    renewal_reminder_date = fields.Date(
        groups="base.group_user",
        string="Last Reminder",
        copy=False,
        readonly=True,
        help="Date of the last reminder milestone that fired.",
    )
    renewal_auto_notice_sent = fields.Boolean(
        string="Automatic Renewal Notice Sent",
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    renewal_done_date = fields.Date(
        string="Renewed On",
        copy=False,
        readonly=True,
        help="The day the renewal was ordered (automatic renewals: paid).",
    )
    renewal_done_case = fields.Selection(
        [
            (policy.ON_TIME, "On time"),
            (policy.LATE, "Late"),
            (policy.REINSTATEMENT, "Reinstated"),
        ],
        string="Renewed",
        copy=False,
        readonly=True,
        help="Whether the renewal came on time, late or as a reinstatement.",
    )
    renewal_origin_id = fields.Many2one(
        "symantec.contract",
        string="Base Contract",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The contract whose renewal added this coverage upgrade.",
    )
    renewal_years = fields.Integer(
        string="Renewal Term (years)",
        compute="_compute_renewal_years",
        store=True,
        readonly=False,
        precompute=True,
        help="How many years (1 to 3) its renewal quote is made for by default; "
        "from the term's own length. Two or three years earn the tier's "
        "multi-year discount.",
    )
    renewal_contact_email = fields.Char(
        string="Renewals Contact",
        compute="_compute_renewal_contact_email",
        help="The regional renewals mailbox of the contract's team.",
    )

    @api.depends("date_start", "date_end")
    def _compute_renewal_years(self):
        for contract in self:
            contract.renewal_years = policy.default_renewal_years(
                policy.term_months(contract.date_start, contract.date_end)
            )

    @api.constrains("renewal_years")
    def _check_renewal_years(self):
        for contract in self:
            if not 1 <= contract.renewal_years <= policy.MAX_RENEWAL_YEARS:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: a renewal is made for 1, 2 or 3 years.",
                        name=contract.name,
                    )
                )

    @api.depends("team_id.alias_id.alias_full_name", "company_id.email")
    def _compute_renewal_contact_email(self):
        for contract in self:
            alias = contract.team_id.alias_id
            if alias.alias_full_name and alias.alias_domain_id:
                contract.renewal_contact_email = alias.alias_full_name
            else:
                contract.renewal_contact_email = contract.company_id.email

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_renewal_run(self, batch_size=None):
        """The daily renewal run: every contract due within the notice window
        (late and lapsing ones included) not yet handled today, in batches,
        committing after each; rows another worker holds are skipped."""
        return self._renewal_run(batch_size, self.env["ir.cron"]._commit_progress)

    @api.model
    def _renewal_run(self, batch_size=None, progress=None):
        """The renewal run of today in batches. After each batch,
        ``progress(done, remaining=...)`` is called (the scheduled action
        commits there) and the run stops when it answers no time is left.
        Without ``progress`` (the demo data), the run stays in the current
        transaction."""
        today = fields.Date.context_today(self)
        batch_size = batch_size or self._renewal_run_batch_size
        failed = self.browse()
        stopped = False
        while True:
            domain = [
                *self._get_renewal_run_domain(today),
                ("id", "not in", failed.ids),
            ]
            candidates = self.search(domain, order="date_end, id", limit=batch_size * 4)
            batch = candidates._lock_renewal_batch(domain, batch_size)
            if not batch:
                break
            failed |= batch._renewal_run_batch(today)
            if progress is None:
                continue
            remaining = self.search_count(
                [*self._get_renewal_run_domain(today), ("id", "not in", failed.ids)]
            )
            if progress(len(batch), remaining=remaining) <= 0:
                stopped = True
                break
        if not stopped:
            # The renewal invoices of the batches above are committed: their
            # cards are charged now (SPEC §11), each charge committed on its
            # own, before and after the provider is asked.
            self._renewal_charge_run(
                today, commit=(lambda: progress(0)) if progress else None
            )
        if failed:
            _logger.warning(
                "Renewal run: %s contract(s) failed, retried on the next run: %s",
                len(failed),
                ", ".join(failed.mapped("name")),
            )

    def _lock_renewal_batch(self, domain, limit=None):
        """Those of these contracts (at most ``limit``) that this transaction
        could lock and that still match ``domain``: rows another worker holds
        are skipped, and one it handled before the lock is left out."""
        batch = self.try_lock_for_update(allow_referencing=True, limit=limit)
        batch.invalidate_recordset()
        return batch.filtered_domain(domain)

    @api.model
    def _get_renewal_run_domain(self, today):
        """Contracts the run handles today: due within their company's notice
        window, not renewed, not lapsed for good, not yet handled today."""
        by_company = Domain.OR(
            Domain("company_id", "=", company.id) & Domain("date_end", "<=", limit)
            for company, limit in self._renewal_notice_limits(today)
        )
        return list(
            Domain("state", "in", RUN_STATES)
            & Domain("renewal_case", "!=", policy.LAPSED)
            & (
                Domain("renewal_checked_date", "=", False)
                | Domain("renewal_checked_date", "<", today)
            )
            & by_company
        )

    @api.model
    def _renewal_notice_limits(self, today):
        """Each company and the last end date its run handles today; a company
        whose policy cannot be used is left out (and logged), not the run
        failed for all."""
        limits = []
        # Every company: a handful of records, whatever the database's size.
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        for company in companies:
            limit = company._renewal_notice_limit(today)
            if limit is None:
                _logger.error(
                    "Renewal run: company %s skipped, its renewal notice of %s "
                    "days cannot be used",
                    company.name,
                    company.renewal_notice_days,
                )
                continue
            limits.append((company, limit))
        return limits

    def action_run_renewal_now(self):
        """Run the scheduled renewal run now, as the scheduler would."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(
                self.env._("Only renewal managers can start the renewal run.")
            )
        cron = self.env.ref("symantec_renewals.ir_cron_renewal_run").sudo()
        before = self._renewal_run_counts()
        cron.method_direct_trigger()
        after = self._renewal_run_counts()
        made = {key: after[key] - before[key] for key in after}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Renewal run done"),
                "message": self.env._(
                    "New opportunities: %(leads)s, new quotes: %(quotes)s, "
                    "reminders: %(reminders)s, e-mails: %(emails)s.",
                    **made,
                )
                if any(made.values())
                else self.env._(
                    "Nothing new: the contracts due were already handled today."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _renewal_run_counts(self):
        """What the renewal run makes, counted: renewal opportunities, renewal
        quotes, reminder activities and e-mails (of every record)."""
        env = self.sudo().with_context(active_test=False).env
        reminder = env.ref("symantec_renewals.mail_activity_type_renewal_reminder")
        return {
            "leads": env["crm.lead"].search_count([("is_renewal", "=", True)]),
            "quotes": env["sale.order"].search_count(
                [("renewal_contract_id", "!=", False)]
            ),
            "reminders": env["mail.activity"].search_count(
                [("activity_type_id", "=", reminder.id)]
            ),
            "emails": env["mail.message"].search_count(
                [("message_type", "=", "email_outgoing")]
            ),
        }

    def _renewal_run_batch(self, today):
        """Handle a batch; returns the contracts that failed. The batch is
        tried whole first, then contract by contract, so that one contract
        whose data breaks does not hold back the others."""
        try:
            with self.env.cr.savepoint():
                self._renewal_run_step(today)
            return self.browse()
        except Exception:  # isolate the faulty contract below
            _logger.info("Renewal run: batch failed, retrying contract by contract")
        failed = self.browse()
        for contract in self:
            try:
                with self.env.cr.savepoint():
                    contract._renewal_run_step(today)
            except Exception:
                _logger.exception("Renewal run failed for contract %s", contract.name)
                failed |= contract
        return failed

    def _renewal_run_step(self, today):
        """One day of the renewal workflow for the contracts of ``self``,
        each company's in that company (its teams, its quotes)."""
        if len(self.company_id) > 1:
            for company in self.company_id:
                self.filtered_domain(
                    [("company_id", "=", company.id)]
                )._renewal_run_step(today)
            return None
        if self.company_id and self.company_id != self.env.company:
            return self.with_company(self.company_id)._renewal_run_step(today)
        self._create_renewal_leads()
        self.filtered(lambda c: c.state == "active").write({"state": "expiring"})
        manual = self.filtered(lambda c: not c.auto_renew)
        manual._update_renewal_case(today)
        automatic = self - manual
        automatic._update_renewal_case(today)
        automatic._send_auto_renewal_notices()
        automatic._auto_renew(today)
        manual.filtered(
            lambda c: (
                c.customer_segment == "enterprise"
                and c.renewal_case != policy.LAPSED
                and not c._open_renewal_order()
            )
        )._send_renewal_quotes()
        manual.filtered(lambda c: c.renewal_case != policy.LAPSED)._fire_reminders(
            today
        )
        self.filtered(lambda c: c.renewal_case == policy.LAPSED)._lapse_renewals()
        self._untracked().write({"renewal_checked_date": today})

    # ------------------------------------------------------------------
    # 1. The renewal opportunity
    # ------------------------------------------------------------------

    def _create_renewal_leads(self):
        """Create the renewal opportunity of the contracts that have none;
        returns the opportunities created."""
        todo = self.filtered(lambda c: not c.renewal_lead_id)
        if not todo:
            return self.env["crm.lead"]
        Lead = self.env["crm.lead"]
        vals_list = [contract._prepare_renewal_lead_values() for contract in todo]
        # As the workflow: the renewal fields of a lead are not the user's to set.
        leads = (
            Lead.sudo()
            .with_context(mail_create_nolog=True)
            .create(vals_list)
            .with_env(Lead.env)
        )
        for contract, lead in zip(todo._untracked(), leads, strict=True):
            contract.renewal_lead_id = lead
        # One creation note per opportunity, saying where it comes from, logged
        # for the batch at once.
        leads._message_log_batch(
            bodies={
                lead.id: self.env._(
                    "Renewal opportunity of contract %(contract)s, ending on %(date)s.",
                    contract=contract.name,
                    date=contract.date_end_text,
                )
                for contract, lead in zip(todo, leads, strict=True)
            }
        )
        return leads

    def _untracked(self):
        """The contracts, to write the run's fields that are not tracked:
        thousands of such writes in the run then skip preparing a tracking
        nobody reads. They are workflow fields, written as the workflow."""
        return self.sudo().with_context(tracking_disable=True)

    def _prepare_renewal_lead_values(self):
        self.ensure_one()
        # Named in the language of the rep who works it.
        env = self.with_context(lang=self.user_id.lang or self.env.lang).env
        return {
            "name": env._(
                "Renewal %(contract)s - %(customer)s",
                contract=self.name,
                customer=self.partner_id.display_name,
            ),
            "type": "opportunity",
            "is_renewal": True,
            "renewal_contract_id": self.id,
            "partner_id": self.partner_id.id,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id,
            "company_id": self.company_id.id,
            "date_deadline": self.date_end,
        }

    # ------------------------------------------------------------------
    # Lateness
    # ------------------------------------------------------------------

    def _renewal_case_on(self, day):
        """The row of the late-renewal table a renewal ordered on ``day``
        falls in (SPEC §6)."""
        self.ensure_one()
        company = self.company_id
        return policy.renewal_case(
            policy.late_days(self.date_end, day),
            company.renewal_grace_days,
            company.max_reinstatement_days,
        )

    def _lapsed_message(self):
        self.ensure_one()
        return self.env._(
            "The maintenance of contract %(name)s lapsed more than %(days)s days "
            "ago and can no longer be renewed: the customer needs to buy a new "
            "licence.",
            name=self.name,
            days=self.company_id.max_reinstatement_days,
        )

    def _update_renewal_case(self, today):
        """Expire the contracts past their end date, set where a renewal
        ordered today would stand (SPEC §6) and re-price their open quote
        when it crosses a boundary."""
        expired_unpaid = self.browse()
        crossed = self.browse()
        changes = defaultdict(self.browse)
        for contract in self:
            case = contract._renewal_case_on(today)
            values = {}
            if case != contract.renewal_case:
                values["renewal_case"] = case
                if case != policy.LAPSED:
                    crossed |= contract
            if case != policy.ON_TIME and contract.state != "expired":
                values["state"] = "expired"
                if contract._waiting_successor():
                    expired_unpaid |= contract
            if values:
                changes[tuple(sorted(values.items()))] |= contract
        # One write per change rather than per contract: each write looks up
        # what depends on the contract's state.
        for values, contracts in changes.items():
            contracts.write(dict(values))
        if crossed:
            crossed.mapped(lambda c: c._open_renewal_order())._renewal_reprice(today)
        if expired_unpaid:
            template = self.env.ref(
                "symantec_renewals.mail_template_auto_renewal_unpaid"
            )
            send_renewal_mails(expired_unpaid, template)

    def _waiting_successor(self):
        """The next term of an automatic renewal, waiting for its payment."""
        self.ensure_one()
        return self.successor_ids.filtered(lambda s: s.state == "draft")[:1]

    def _lapse_renewals(self):
        """Beyond reinstatement: cancel the open quote, lose the opportunity."""
        orders = self.renewal_lead_id.order_ids.filtered(
            lambda o: o.state in OPEN_ORDER_STATES
        )
        if orders:
            orders._action_cancel()
        waiting = self.successor_ids.filtered(lambda s: s.state == "draft")
        if waiting:
            waiting.write({"state": "cancelled"})
        # No card charge for a renewal that can no longer be given.
        self.filtered("renewal_payment_next_date").sudo().write(
            {"renewal_payment_next_date": False}
        )
        reason = self.env.ref("symantec_renewals.crm_lost_reason_lapsed")
        self.renewal_lead_id.filtered("active").action_set_lost(
            lost_reason_id=reason.id
        )

    # ------------------------------------------------------------------
    # 2. The reseller quote
    # ------------------------------------------------------------------

    def _open_renewal_order(self):
        self.ensure_one()
        order = self.renewal_order_id
        return order if order.state in OPEN_ORDER_STATES else order.browse()

    def action_generate_renewal_quote(self):
        """The reseller quote of this contract: the open one, or a new one
        (with the renewal opportunity first if there is none)."""
        self.ensure_one()
        try:
            order = self._generate_renewal_quotes()
        except AccessError as error:
            # A clear word instead of the raw access error (rules of another
            # team's opportunity or quote).
            raise UserError(
                self.env._(
                    "You cannot prepare the renewal quote of contract %(name)s: "
                    "its renewal opportunity or quote is not yours to change. Ask "
                    "its renewal rep, %(rep)s, or a renewal manager.",
                    name=self.name,
                    rep=(self.user_id or self.team_id.user_id).sudo().name
                    or self.env._("unassigned"),
                )
            ) from error
        return self._form_action(order)

    def _generate_renewal_quotes(self):
        """Reuse each contract's open renewal quote or create it; returns the
        quotes, in the order of ``self``."""
        for contract in self:
            contract._check_renewal_quotable()
        self._create_renewal_leads()
        todo = self.filtered(lambda c: not c._open_renewal_order())
        if todo:
            # As the workflow: the renewal fields and lines of a quote are
            # not the user's to set (the contracts are checked just above).
            orders = (
                self.env["sale.order"]
                .sudo()
                .create([contract._prepare_renewal_order_values() for contract in todo])
            )
            for contract, order in zip(todo._untracked(), orders, strict=True):
                contract.renewal_order_id = order
        return self.mapped("renewal_order_id")

    def _check_renewal_quotable(self):
        self.ensure_one()
        if self.state not in RUN_STATES:
            raise UserError(
                self.env._(
                    "Contract %(name)s is %(state)s: only active, expiring or "
                    "expired contracts are renewed.",
                    name=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        if self._renewal_case_on(fields.Date.context_today(self)) == policy.LAPSED:
            raise UserError(self._lapsed_message())
        if not self.line_ids:
            raise UserError(
                self.env._(
                    "Contract %(name)s covers no product to renew.", name=self.name
                )
            )
        if not self.tier_id.product_id:
            raise UserError(
                self.env._(
                    "Tier %(tier)s has no product to put on renewal quotes: set "
                    "its quote product first.",
                    tier=self.tier_id.display_name,
                )
            )

    def _renewal_term(self, years=None, coterm_date=None):
        """Dates of the term a renewal of this contract would cover: from
        the day after its end, for ``years`` years (by default its own
        renewal years, which keep the old term's length), or up to the
        common end ``coterm_date`` of renewals made together."""
        self.ensure_one()
        if coterm_date:
            return policy.coterm_dates(self.date_end, coterm_date)
        new_start = self.date_end + timedelta(days=1)
        months = policy.renewal_term_months(
            self.term_months,
            years or self.renewal_years,
            self._renewal_min_months(),
        )
        return new_start, policy.term_end(new_start, months)

    def _renewal_min_months(self):
        """The shortest term a renewal of this contract may cover."""
        self.ensure_one()
        return max(self.tier_id.min_term_months, 12)

    def _renewal_pricelist(self):
        """A pricelist in the contract's currency, for its quotes."""
        self.ensure_one()
        Pricelist = self.env["product.pricelist"]
        domain = [
            ("currency_id", "=", self.currency_id.id),
            ("company_id", "in", (self.company_id.id, False)),
        ]
        pricelist = Pricelist.search(domain, limit=1)
        if not pricelist:
            pricelist = Pricelist.sudo().create(
                {
                    "name": self.env._(
                        "Renewals (%(currency)s)", currency=self.currency_id.name
                    ),
                    "currency_id": self.currency_id.id,
                    "company_id": self.company_id.id,
                }
            )
        return pricelist

    def _prepare_renewal_order_values(self, automatic=False, years=None):
        """The reseller quote of SPEC §5: to the reseller, for the end
        customer, priced for a renewal ordered today and valid until that
        price would change, for ``years`` years (by default the contract's
        renewal years). An automatic renewal is ordered by the customer
        itself, at the standard price."""
        self.ensure_one()
        years = years or self.renewal_years
        today = fields.Date.context_today(self)
        company = self.company_id
        case = policy.ON_TIME if automatic else self._renewal_case_on(today)
        customer = self.partner_id if automatic else self.reseller_id or self.partner_id
        values = {
            "partner_id": customer.id,
            "renewal_end_customer_id": self.partner_id.id,
            "renewal_contract_id": self.id,
            "renewal_case": case,
            "renewal_is_auto": automatic,
            "renewal_years": years,
            "opportunity_id": self.renewal_lead_id.id,
            "origin": self.name,
            "company_id": company.id,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id,
            "validity_date": policy.price_change_date(
                self.date_end,
                today,
                company.renewal_grace_days,
                company.max_reinstatement_days,
            ),
            "require_signature": not automatic,
            "require_payment": False,
            "order_line": [
                Command.create(values)
                # The lines read in the language of the one who orders.
                for values in self.with_context(
                    lang=customer.lang or self.env.lang
                )._prepare_renewal_order_lines(
                    case, today, addons=not automatic, years=years
                )
            ],
        }
        if self.currency_id != company.currency_id:
            values["pricelist_id"] = self._renewal_pricelist().id
        return values

    def _prepare_renewal_order_lines(
        self, case=policy.ON_TIME, day=None, addons=True, years=None
    ):
        """One line per covered product at the standard renewal price for
        ``years`` years, the late surcharge and reinstatement fee of
        ``case``, then the add-on services offered as optional upgrades.
        Prices are the renewal's own, not the pricelist's:
        ``sale.order.line._compute_price_unit`` leaves renewal lines alone,
        so a quantity change keeps them."""
        self.ensure_one()
        years = years or self.renewal_years
        new_start, new_end = self._renewal_term(years)
        months = policy.term_months(new_start, new_end)
        lines = [
            line._prepare_renewal_order_line_values(
                new_start, new_end, months, years=years
            )
            for line in self.line_ids
        ]
        standard = sum(
            values["price_unit"] * values["product_uom_qty"] for values in lines
        )
        lines += self.env["sale.order"]._prepare_renewal_penalty_lines(
            self, standard, case, False, day or fields.Date.context_today(self)
        )
        if addons:
            lines += self._prepare_renewal_addon_lines(new_start, new_end, months)
        return lines

    def _prepare_renewal_addon_lines(self, new_start, new_end, months):
        """Premium support and other services, offered at quantity 0."""
        self.ensure_one()
        addons = self._renewal_addon_tiers()
        if not addons:
            return []
        # Last in the quote, after the lines a re-pricing adds (their default
        # sequence): a surcharge or fee made later must not fall into this
        # optional section, whose quantities the customer sets on the portal.
        lines = [
            {
                "display_type": "line_section",
                "name": self.env._("Upgrade your coverage"),
                "is_optional": True,
                "sequence": ADDON_SECTION_SEQUENCE,
            }
        ]
        for addon in addons:
            lines.append(
                {
                    **self._prepare_renewal_addon_line_values(
                        addon, new_start, new_end, months
                    ),
                    "product_uom_qty": 0.0,
                    "renewal_line_kind": "addon",
                    "sequence": ADDON_SECTION_SEQUENCE,
                }
            )
        return lines

    def _prepare_renewal_addon_line_values(self, addon, new_start, new_end, months):
        """The price and description of the add-on service ``addon`` for the
        new term."""
        self.ensure_one()
        price = addon.yearly_unit_price(0.0, self.currency_id, new_start)
        return {
            "product_id": addon.product_id.id,
            "price_unit": self.currency_id.round(price * months / 12.0),
            "name": self.env._(
                "%(tier)s\nTerm: %(start)s - %(end)s",
                tier=addon.name,
                start=format_date(self.env, new_start),
                end=format_date(self.env, new_end),
            ),
        }

    def _renewal_addon_tiers(self):
        """The add-on services (premium support...) offered on the quote."""
        self.ensure_one()
        Tier = self.env["symantec.maintenance.tier"]
        return Tier.browse(Tier._addon_tier_ids(self.company_id.id)) - self.tier_id

    def _notify_quote_requested(self, user):
        """A reseller asked for the renewal quote on the portal: the rep gets
        an activity on the opportunity, and the request is in its chatter."""
        self.ensure_one()
        lead = self.renewal_lead_id
        rep = self.user_id or self.team_id.user_id
        lead.message_post(
            body=self.env._(
                "%(user)s asked for the renewal quote %(order)s on the portal.",
                user=user.name,
                order=self.renewal_order_id.name,
            ),
            partner_ids=rep.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        if rep:
            lead.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Renewal quote requested by the reseller"),
                user_id=rep.id,
                date_deadline=fields.Date.context_today(self),
            )

    def _send_renewal_quotes(self):
        """Enterprise flow: make the reseller quote now and send it to the
        reseller through the portal."""
        orders = self._generate_renewal_quotes()
        drafts = orders.filtered(lambda o: o.state == "draft")
        template = self.env.ref("symantec_renewals.mail_template_renewal_quote")
        send_renewal_mails(drafts, template)
        drafts.action_quotation_sent()

    # ------------------------------------------------------------------
    # Renewals made together: co-termination (SPEC §12)
    # ------------------------------------------------------------------

    def action_renew_together(self):
        """Renew the selected contracts of one customer with one reseller
        quote, their new terms ending on one date: the wizard choosing that
        date, once the selection is known to be renewable together."""
        contracts = self._renew_together_sorted()
        contracts._check_renew_together(contracts._default_coterm_date())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Renew Together"),
            "res_model": "symantec.renewal.consolidate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_ids": contracts.ids},
        }

    def _renew_together_sorted(self):
        """The contracts in the quote's order: the first due first (its
        opportunity is the main one)."""
        return self.sorted(lambda c: (c.date_end, c.id))

    def _default_coterm_date(self):
        """The latest of the dates the contracts would end on renewed alone."""
        return policy.default_coterm_date(
            [contract._renewal_term(1)[1] for contract in self]
        )

    def _earliest_coterm_date(self):
        """The first common end giving each new term its minimum length."""
        return max(
            policy.earliest_coterm_date([c.date_end], c._renewal_min_months())
            for c in self
        )

    def _check_renew_together(self, coterm_date):
        """Refuse, before anything is made, what cannot be renewed together:
        fewer than two contracts, another customer, reseller, company or
        currency, a contract that cannot be quoted, and a new term shorter
        than its minimum."""
        self.check_access("write")
        if len(self) < 2:
            raise UserError(
                self.env._("Select at least two contracts to renew together.")
            )
        for label, key in (
            (self.env._("customer"), lambda c: c.partner_id.commercial_partner_id),
            (self.env._("reseller"), lambda c: c.reseller_id.commercial_partner_id),
            (self.env._("company"), lambda c: c.company_id),
            (self.env._("currency"), lambda c: c.currency_id),
        ):
            values = {key(contract) for contract in self}
            if len(values) > 1:
                raise UserError(
                    self.env._(
                        "Only contracts of one customer, reseller, company and "
                        "currency are renewed together: %(contracts)s have "
                        "different %(what)s (%(values)s).",
                        contracts=", ".join(self.mapped("name")),
                        what=label,
                        values=", ".join(
                            sorted(value.display_name or "-" for value in values)
                        ),
                    )
                )
        for contract in self:
            contract._check_renewal_quotable()
            if contract.auto_renew:
                raise UserError(
                    self.env._(
                        "Contract %(name)s renews automatically: turn its "
                        "automatic renewal off to renew it with the others.",
                        name=contract.name,
                    )
                )
        if not self[0].reseller_id:
            raise UserError(
                self.env._(
                    "Contracts %(contracts)s have no reseller: renewals are made "
                    "together on a reseller quote.",
                    contracts=", ".join(self.mapped("name")),
                )
            )
        self._check_coterm_terms(coterm_date)

    def _check_coterm_terms(self, coterm_date):
        """Every new term ending on ``coterm_date`` lasts at least its minimum
        (12 months, or the tier's) and at most the longest multi-year term."""
        if not coterm_date:
            raise UserError(self.env._("Choose the day the new terms end."))
        for contract in self:
            new_start, new_end = policy.coterm_dates(contract.date_end, coterm_date)
            term = {
                "name": contract.name,
                "start": format_date(self.env, new_start),
                "end": format_date(self.env, new_end),
                "months": max(policy.term_months(new_start, new_end), 0),
            }
            minimum = contract._renewal_min_months()
            if not policy.coterm_term_long_enough(
                contract.date_end, coterm_date, minimum
            ):
                raise UserError(
                    self.env._(
                        "Contract %(name)s would be renewed from %(start)s to "
                        "%(end)s, %(months)s months: a maintenance term lasts at "
                        "least %(minimum)s months. Choose a co-termination date on "
                        "or after %(earliest)s.",
                        **term,
                        minimum=minimum,
                        earliest=format_date(self.env, self._earliest_coterm_date()),
                    )
                )
            if not policy.coterm_term_within_limit(contract.date_end, coterm_date):
                raise UserError(
                    self.env._(
                        "Contract %(name)s would be renewed from %(start)s to "
                        "%(end)s, %(months)s months: a maintenance term lasts at "
                        "most %(maximum)s months. Choose an earlier co-termination "
                        "date, or fewer years.",
                        **term,
                        maximum=policy.MAX_RENEWAL_YEARS * 12,
                    )
                )

    def _renew_together(self, coterm_date=None):
        """One reseller quote renewing these contracts, a section each, their
        new terms ending on ``coterm_date`` (by default the latest of their
        normal new ends); their other open renewal quotes are cancelled and
        their opportunities linked to the first one's. Returns the quote."""
        contracts = self._renew_together_sorted()
        coterm_date = coterm_date or contracts._default_coterm_date()
        contracts._check_renew_together(coterm_date)
        contracts._create_renewal_leads()
        contracts._cancel_open_renewal_quotes()
        # As the workflow (the contracts are checked above), as for one
        # contract's quote.
        order = (
            self.env["sale.order"]
            .sudo()
            .create(contracts._prepare_coterm_order_values(coterm_date))
        )
        for contract in contracts._untracked():
            contract.renewal_order_id = order
        main = contracts[0].renewal_lead_id
        main.sudo().renewal_main_lead_id = False
        linked = (contracts - contracts[0]).renewal_lead_id
        linked.sudo().renewal_main_lead_id = main
        body = self.env._(
            "Renewed together in quote %(order)s with contracts %(contracts)s, "
            "the new terms ending on %(date)s.",
            order=order.name,
            contracts=", ".join(contracts.mapped("name")),
            date=format_date(self.env, coterm_date),
        )
        for lead in contracts.renewal_lead_id:
            lead.message_post(body=body)
        return order

    def _cancel_open_renewal_quotes(self):
        """Renewed together, the contracts' other open renewal quotes go: a
        contract of an earlier quote made together with others gets its own
        opportunity back."""
        Order = self.env["sale.order"].sudo()
        orders = Order.search(
            [
                ("state", "in", OPEN_ORDER_STATES),
                ("renewal_is_auto", "=", False),
                "|",
                ("renewal_contract_id", "in", self.ids),
                ("renewal_contract_ids", "in", self.ids),
            ]
        )
        if not orders:
            return
        orders._action_cancel()
        for order in orders:
            order.message_post(
                body=self.env._(
                    "Cancelled: contracts %(contracts)s are renewed together.",
                    contracts=", ".join(self.mapped("name")),
                )
            )
        left = orders.renewal_contract_ids - self
        left.renewal_lead_id.sudo().renewal_main_lead_id = False

    def _prepare_coterm_order_values(self, coterm_date):
        """The reseller quote of renewals made together: the first
        contract's quote, renewing them all, each in its section with its
        renewed products prorated by day to its new term and its own
        surcharge and fee (SPEC §12)."""
        main = self[0]
        today = fields.Date.context_today(self)
        company = main.company_id
        values = main._prepare_renewal_order_values(years=1)
        customer = self.env["res.partner"].browse(values["partner_id"])
        cases = {contract: contract._renewal_case_on(today) for contract in self}
        ranks = [case for case, _label in RENEWAL_CASES]
        lines = []
        for index, contract in enumerate(
            self.with_context(lang=customer.lang or self.env.lang)
        ):
            lines += contract._prepare_coterm_lines(
                coterm_date, cases[contract], today, (index + 1) * 100
            )
        values.update(
            {
                "renewal_contract_ids": [Command.set(self.ids)],
                "renewal_coterm_date": coterm_date,
                "renewal_case": max(cases.values(), key=ranks.index),
                "origin": ", ".join(self.mapped("name")),
                "validity_date": min(
                    policy.price_change_date(
                        contract.date_end,
                        today,
                        company.renewal_grace_days,
                        company.max_reinstatement_days,
                    )
                    for contract in self
                ),
                "order_line": [Command.create(line) for line in lines],
            }
        )
        return values

    def _prepare_coterm_lines(self, coterm_date, case, day, sequence):
        """This contract's section of renewals made together: its renewed
        products for the days of its new term, then its surcharge and fee."""
        self.ensure_one()
        new_start, new_end = policy.coterm_dates(self.date_end, coterm_date)
        months = policy.term_months(new_start, new_end)
        section = {
            "display_type": "line_section",
            "name": self._renewal_section_name(new_start, new_end),
            "sequence": sequence,
            "renewal_contract_id": self.id,
            "renewal_case": case,
        }
        renewals = [
            {
                **line._prepare_renewal_order_line_values(
                    new_start, new_end, months, coterm=True
                ),
                "sequence": sequence + 1,
                "renewal_contract_id": self.id,
            }
            for line in self.line_ids
        ]
        standard = sum(
            values["price_unit"] * values["product_uom_qty"] for values in renewals
        )
        penalties = [
            {**values, "sequence": sequence + 2, "renewal_contract_id": self.id}
            for values in self.env["sale.order"]._prepare_renewal_penalty_lines(
                self, standard, case, False, day
            )
        ]
        return [section, *renewals, *penalties]

    def _renewal_section_name(self, new_start, new_end):
        self.ensure_one()
        return self.env._(
            "Contract %(contract)s: %(tier)s, %(start)s - %(end)s",
            contract=self.name,
            tier=self.tier_id.name,
            start=format_date(self.env, new_start),
            end=format_date(self.env, new_end),
        )

    # ------------------------------------------------------------------
    # 3. Reminders and notifications
    # ------------------------------------------------------------------

    def _fire_reminders(self, today):
        """At each reminder milestone: one activity for the rep and one
        e-mail to the customer (the renewal notification as a small
        business's first one); at most once each, the latest when several
        are due."""
        by_template = defaultdict(self.browse)
        activities = []
        notification = self.env.ref(
            "symantec_renewals.mail_template_renewal_notification"
        )
        reminder = self.env.ref("symantec_renewals.mail_template_renewal_reminder")
        for contract in self._untracked():
            offsets = contract.company_id.renewal_reminder_offset_list()
            last = (
                (contract.renewal_reminder_date - contract.date_end).days
                if contract.renewal_reminder_date
                else None
            )
            offset = policy.due_milestone(offsets, contract.date_end, today, last)
            if offset is None:
                continue
            milestone = contract.date_end + timedelta(days=offset)
            first = not contract.renewal_reminder_date
            if first and contract.customer_segment == "small_business":
                by_template[notification] |= contract
            else:
                by_template[reminder] |= contract
            activities.append(
                # A milestone that passed before the contract entered the
                # run is due today, not overdue from the start.
                contract._prepare_reminder_activity_values(
                    offset, max(milestone, today)
                )
            )
            contract.renewal_reminder_date = milestone
        if activities:
            self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(activities)
        for template, contracts in by_template.items():
            send_renewal_mails(contracts, template)
        # While an enterprise quote waits for its signature, the reseller gets
        # the reminder too, on the quote: its own e-mail, whose button opens
        # the quote (the customer's opens the contract). A quote sent today
        # needs no reminder yet.
        waiting = (
            self.env["sale.order"]
            .union(
                *(
                    contract._open_renewal_order()
                    for contract in by_template[reminder]
                    if contract.customer_segment == "enterprise"
                    and contract.reseller_id
                )
            )
            .filtered(lambda order: fields.Date.to_date(order.date_order) < today)
        )
        send_renewal_mails(
            waiting,
            self.env.ref("symantec_renewals.mail_template_renewal_quote_reminder"),
        )

    def _prepare_reminder_activity_values(self, offset, deadline):
        self.ensure_one()
        lead = self.renewal_lead_id
        user = self.user_id or self.team_id.user_id or lead.user_id or self.env.user
        return {
            "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
            "res_id": lead.id,
            "activity_type_id": self.env["ir.model.data"]._xmlid_to_res_id(
                "symantec_renewals.mail_activity_type_renewal_reminder"
            ),
            # In the language of the rep it is for.
            "summary": self.with_context(
                lang=user.lang or self.env.lang
            )._milestone_label(offset),
            "date_deadline": deadline,
            "user_id": user.id,
        }

    def _milestone_label(self, offset):
        if offset < 0:
            return self.env._(
                "Renewal reminder: %(days)s days before the end", days=-offset
            )
        if offset == 0:
            return self.env._("Renewal reminder: maintenance ends today")
        return self.env._("Renewal reminder: %(days)s days after the end", days=offset)

    def _send_auto_renewal_notices(self):
        """Auto-renewing online services: one notice at the notice date that
        the renewal will happen by itself, and how to opt out."""
        todo = self.filtered(lambda c: not c.renewal_auto_notice_sent)
        if not todo:
            return
        template = self.env.ref("symantec_renewals.mail_template_auto_renewal_notice")
        send_renewal_mails(todo, template)
        todo._untracked().write({"renewal_auto_notice_sent": True})

    # ------------------------------------------------------------------
    # Completing a renewal (SPEC §6 "Completing a renewal")
    # ------------------------------------------------------------------

    @api.model
    def _complete_renewals(self, orders):
        """The renewal orders are confirmed: the next term of each renewed
        contract (of each contract of renewals made together), active at
        once, or for an automatic renewal waiting in draft for its payment.
        The terms are created in one batch (the automatic renewal confirms
        hundreds of orders at once); returns them, in the order of
        ``orders``."""
        # Each contract an order renews: one, or those renewed together.
        renewals = [
            (order, contract)
            for order in orders
            for contract in order._renewal_contracts()
        ]
        seen = self.browse()
        for order, contract in renewals:
            if contract.state not in RUN_STATES or contract in seen:
                raise UserError(
                    self.env._(
                        "Contract %(name)s is already renewed or closed: its "
                        "renewal cannot be confirmed again.",
                        name=contract.name,
                    )
                )
            seen |= contract
            if not any(
                line.product_uom_qty > 0 for line in order._renewal_lines_of(contract)
            ):
                raise UserError(
                    self.env._(
                        "Order %(order)s renews none of the products of contract "
                        "%(name)s: put back the renewal of at least one of them.",
                        order=order.name,
                        name=contract.name,
                    )
                )
        # As the workflow: the next terms' state and renewed prices come from
        # the confirmed orders, not from the user.
        successors = (
            self.sudo()
            .create(
                [
                    contract._prepare_successor_values(
                        order, "draft" if order.renewal_is_auto else "active"
                    )
                    for order, contract in renewals
                ]
            )
            .with_env(self.env)
        )
        for (order, contract), successor in zip(renewals, successors, strict=True):
            addons = contract._create_addon_contracts(order, successor)
            contract._untracked().renewal_order_id = order
            if not order.renewal_is_auto:
                contract._renewal_done(successor | addons)
        return successors

    def _prepare_successor_values(self, order, state):
        """The next term: same coverage, lines at the renewed yearly price
        (never the surcharge nor the fee), from the day after this one ends
        for as many whole months (at least 12)."""
        self.ensure_one()
        new_start, new_end = order._renewal_term_of(self)
        ordered = {
            line.renewal_contract_line_id: line.product_uom_qty
            for line in order.order_line
            if line.renewal_line_kind == "renewal"
        }
        return {
            **self._prepare_next_term_parties(),
            "tier_id": self.tier_id.id,
            "date_start": new_start,
            "date_end": new_end,
            "auto_renew": self.auto_renew,
            "auto_invoice": self.auto_invoice,
            "predecessor_id": self.id,
            "state": state,
            # What the order renews: a covered product whose renewal line was
            # removed, or set to 0, is not in the next term.
            "line_ids": [
                Command.create(line._prepare_successor_line_values(ordered[line]))
                for line in self.line_ids
                if ordered.get(line)
            ],
        }

    def _prepare_next_term_parties(self):
        """Who a term that follows this one is for, sold by and worked by."""
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "reseller_id": self.reseller_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "customer_segment": self.customer_segment,
            "region": self.region,
            "team_id": self.team_id.id,
            "user_id": self.user_id.id,
        }

    def _create_addon_contracts(self, order, successor):
        """Coverage upgrades the customer took on the quote become contracts
        of their own tier, for the same term."""
        self.ensure_one()
        values = []
        months = successor.term_months or 12
        for line in order.order_line.filtered(
            lambda line: line.renewal_line_kind == "addon" and line.product_uom_qty
        ):
            tier = self.env["symantec.maintenance.tier"].search(
                [
                    ("product_id", "=", line.product_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
            if not tier:
                continue
            values.append(
                {
                    **self._prepare_next_term_parties(),
                    "tier_id": tier.id,
                    "renewal_origin_id": self.id,
                    "date_start": successor.date_start,
                    "date_end": successor.date_end,
                    "state": successor.state,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "name": line.product_id.display_name,
                                "quantity": line.product_uom_qty,
                                "price_unit": self.currency_id.round(
                                    line.price_unit * 12.0 / months
                                ),
                            }
                        )
                    ],
                }
            )
        return self.sudo().create(values).with_env(self.env)

    def _renewal_done(self, new_terms):
        """The new terms cover the customer: this one is renewed, its
        opportunity won, and the customer gets the activation code."""
        self.ensure_one()
        new_terms.filtered(lambda c: c.state == "draft").sudo().write(
            {"state": "active"}
        )
        # Won first, as the workflow (its stage is the renewal pipeline's won
        # stage, which the renewed contract's status then confirms).
        lead = self.renewal_lead_id
        if lead and lead.won_status != "won":
            lead.sudo().action_set_won()
        today = fields.Date.context_today(self)
        self.sudo().write(
            {
                "state": "renewed",
                "renewal_done_date": today,
                "renewal_done_case": self._renewal_case_on(today),
            }
        )
        new_terms._issue_activation_codes()

    def _activate_paid_renewal(self, order):
        """Entitlement follows payment: the automatic renewal's waiting term
        becomes active when its invoice is paid, even after this term ended,
        until the reinstatement limit."""
        self.ensure_one()
        successor = self._waiting_successor()
        if not successor or self.state not in RUN_STATES:
            return
        if self._renewal_case_on(fields.Date.context_today(self)) == policy.LAPSED:
            return
        self._renewal_done(successor)
        self.message_post(
            body=self.env._(
                "Renewal order %(order)s is paid: the next term %(term)s is active.",
                order=order.name,
                term=successor.name,
            )
        )

    # ------------------------------------------------------------------
    # Activation codes
    # ------------------------------------------------------------------

    def _issue_activation_codes(self):
        """A random, unique code per new term, e-mailed to the customer."""
        for contract in self.sudo():
            contract.write(
                {
                    "activation_code": self._new_activation_code(),
                    "activation_state": "pending",
                }
            )
        template = self.env.ref("symantec_renewals.mail_template_renewal_activation")
        send_renewal_mails(self, template)

    @api.model
    def _new_activation_code(self):
        for _attempt in range(10):
            code = policy.activation_code(secrets.randbelow)
            if not self.sudo().search_count([("activation_code", "=", code)], limit=1):
                return code
        raise UserError(self.env._("No unique activation code could be made."))

    def action_activate_code(self):
        """Activate the renewed term's code (the customer on the portal, or
        a rep)."""
        for contract in self:
            if contract.activation_state != "pending":
                raise UserError(
                    self.env._(
                        "Contract %(name)s has no activation code waiting to be "
                        "activated.",
                        name=contract.name,
                    )
                )
        self._write_workflow({"activation_state": "activated"})
        for contract in self:
            contract.message_post(
                body=self.env._(
                    "Activation code activated by %(user)s.", user=self.env.user.name
                )
            )
        return True

    # ------------------------------------------------------------------
    # Automatic renewal of online services (SPEC §5 item 5)
    # ------------------------------------------------------------------

    def _auto_renew(self, today):
        """``auto_renew_lead_days`` before the end: the renewal order to the
        customer, confirmed (its next term waits for payment), with
        automatic invoicing its invoice posted, and an e-mail telling the
        customer, with the invoice to pay online."""
        due = self.filtered(
            lambda c: (
                c.auto_renew
                and c.state in ("active", "expiring")
                and today
                >= c.date_end - timedelta(days=c.company_id.auto_renew_lead_days)
                and not c._waiting_successor()
                and not (
                    c.renewal_order_id.renewal_is_auto
                    and c.renewal_order_id.state == "sale"
                )
            )
        )
        if not due:
            return self.env["sale.order"]
        orders = self.env["sale.order"].create(
            [c._prepare_renewal_order_values(automatic=True) for c in due]
        )
        for contract, order in zip(due._untracked(), orders, strict=True):
            contract.renewal_order_id = order
        orders.action_confirm()
        # A card to charge needs the invoice: a contract with one is invoiced
        # at once, as with automatic invoicing.
        invoiced = orders.filtered(
            lambda o: (
                o.renewal_contract_id.auto_invoice
                or o.renewal_contract_id.sudo().payment_token_id
            )
        )
        if invoiced:
            invoiced._create_invoices(grouped=True).sudo().action_post()
            invoiced.renewal_contract_id._schedule_renewal_charge(today)
        send_renewal_mails(
            orders, self.env.ref("symantec_renewals.mail_template_auto_renewal_order")
        )
        return orders
