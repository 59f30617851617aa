"""The daily renewal run of maintenance contracts (SPEC §5 items 1-4) and the
reseller quote: ``symantec.contract`` methods, kept apart from the contract's
definition because they are the workflow, not the data."""

import logging
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools import policy
from ..tools.mail import post_template_mail

_logger = logging.getLogger(__name__)

OPEN_ORDER_STATES = ("draft", "sent")
RUN_STATES = ("active", "expiring", "expired")


class SymantecContract(models.Model):
    _inherit = "symantec.contract"

    renewal_case = fields.Selection(
        [
            (policy.ON_TIME, "On time"),
            (policy.LATE, "Late"),
            (policy.REINSTATEMENT, "Reinstatement"),
            (policy.LAPSED, "Lapsed"),
        ],
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
        string="Renewal Run Date",
        copy=False,
        readonly=True,
        index=True,
        help="Last day the renewal run handled this contract.",
    )
    renewal_reminder_date = fields.Date(
        string="Last Reminder Milestone",
        copy=False,
        readonly=True,
        help="Date of the last reminder milestone that fired.",
    )
    renewal_auto_notice_sent = fields.Boolean(
        string="Automatic Renewal Notice Sent", copy=False, readonly=True
    )
    renewal_contact_email = fields.Char(
        string="Renewals Contact",
        compute="_compute_renewal_contact_email",
        help="The regional renewals mailbox of the contract's team.",
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
    def _cron_renewal_run(self, batch_size=100):
        """The daily renewal run: every contract due within the notice window
        (late and lapsing ones included) not yet handled today, in batches,
        committing after each; rows another worker holds are skipped."""
        today = fields.Date.context_today(self)
        Cron = self.env["ir.cron"]
        failed = self.browse()
        while True:
            domain = [
                *self._get_renewal_run_domain(today),
                ("id", "not in", failed.ids),
            ]
            candidates = self.search(domain, order="date_end, id", limit=batch_size * 4)
            batch = candidates.try_lock_for_update(
                allow_referencing=True, limit=batch_size
            )
            # Another worker may have handled some of them before we locked.
            batch.invalidate_recordset()
            batch = batch.filtered_domain(domain)
            if not batch:
                break
            failed |= batch._renewal_run_batch(today)
            remaining = self.search_count(
                [*self._get_renewal_run_domain(today), ("id", "not in", failed.ids)]
            )
            if not Cron._commit_progress(len(batch), remaining=remaining):
                break
        if failed:
            _logger.warning(
                "Renewal run: %s contract(s) failed, retried on the next run: %s",
                len(failed),
                ", ".join(failed.mapped("name")),
            )

    @api.model
    def _get_renewal_run_domain(self, today):
        """Contracts the run handles today: due within their company's notice
        window, not renewed, not lapsed for good, not yet handled today."""
        by_company = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain(
                "date_end", "<=", today + timedelta(days=company.renewal_notice_days)
            )
            for company in self.env["res.company"].sudo().search([])
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

    def action_run_renewal_now(self):
        """Run the scheduled renewal run now, as the scheduler would."""
        if not self.env.user.has_group("symantec_renewals.group_renewal_manager"):
            raise UserError(
                self.env._("Only renewal managers can start the renewal run.")
            )
        cron = self.env.ref("symantec_renewals.ir_cron_renewal_run").sudo()
        cron.method_direct_trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The renewal run is done."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
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
        """One day of the renewal workflow for the contracts of ``self``."""
        self._create_renewal_leads()
        self.filtered(lambda c: c.state == "active").write({"state": "expiring"})
        manual = self.filtered(lambda c: not c.auto_renew)
        manual._update_renewal_case(today)
        automatic = self - manual
        automatic._update_renewal_case(today)
        automatic._send_auto_renewal_notices()
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
        self.write({"renewal_checked_date": today})

    # ------------------------------------------------------------------
    # 1. The renewal opportunity
    # ------------------------------------------------------------------

    def _create_renewal_leads(self):
        """Create the renewal opportunity of the contracts that have none;
        returns the opportunities created."""
        todo = self.filtered(lambda c: not c.renewal_lead_id)
        if not todo:
            return self.env["crm.lead"]
        leads = (
            self.env["crm.lead"]
            .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
            .create([contract._prepare_renewal_lead_values() for contract in todo])
        )
        for contract, lead in zip(todo, leads, strict=True):
            contract.renewal_lead_id = lead
        return leads

    def _prepare_renewal_lead_values(self):
        self.ensure_one()
        return {
            "name": self.env._(
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

    def _update_renewal_case(self, today):
        """Expire the contracts past their end date and set where a renewal
        ordered today would stand (SPEC §6)."""
        for contract in self:
            company = contract.company_id
            case = policy.renewal_case(
                policy.late_days(contract.date_end, today),
                company.renewal_grace_days,
                company.max_reinstatement_days,
            )
            values = {}
            if case != contract.renewal_case:
                values["renewal_case"] = case
            if case != policy.ON_TIME and contract.state != "expired":
                values["state"] = "expired"
            if values:
                contract.write(values)

    def _lapse_renewals(self):
        """Beyond reinstatement: cancel the open quote, lose the opportunity."""
        orders = self.renewal_lead_id.order_ids.filtered(
            lambda o: o.state in OPEN_ORDER_STATES
        )
        if orders:
            orders._action_cancel()
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
        order = self._generate_renewal_quotes()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _generate_renewal_quotes(self):
        """Reuse each contract's open renewal quote or create it; returns the
        quotes, in the order of ``self``."""
        for contract in self:
            contract._check_renewal_quotable()
        self._create_renewal_leads()
        todo = self.filtered(lambda c: not c._open_renewal_order())
        if todo:
            orders = (
                self.env["sale.order"]
                .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
                .create([contract._prepare_renewal_order_values() for contract in todo])
            )
            for contract, order in zip(todo, orders, strict=True):
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
                    state=dict(self._fields["state"].selection)[self.state],
                )
            )
        company = self.company_id
        case = policy.renewal_case(
            policy.late_days(self.date_end, fields.Date.context_today(self)),
            company.renewal_grace_days,
            company.max_reinstatement_days,
        )
        if case == policy.LAPSED:
            raise UserError(
                self.env._(
                    "The maintenance of contract %(name)s lapsed more than %(days)s "
                    "days ago and can no longer be renewed: the customer needs to "
                    "buy a new licence.",
                    name=self.name,
                    days=company.max_reinstatement_days,
                )
            )
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

    def _renewal_term(self):
        """Dates of the term a renewal of this contract would cover."""
        self.ensure_one()
        return policy.successor_dates(
            self.date_start,
            self.date_end,
            max(self.tier_id.min_term_months, 12),
        )

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

    def _prepare_renewal_order_values(self):
        """The reseller quote of SPEC §5: to the reseller, for the end
        customer, valid until its price would change."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        company = self.company_id
        customer = self.reseller_id or self.partner_id
        values = {
            "partner_id": customer.id,
            "renewal_end_customer_id": self.partner_id.id,
            "renewal_contract_id": self.id,
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
            "require_signature": True,
            "require_payment": False,
            "order_line": [
                Command.create(values) for values in self._prepare_renewal_order_lines()
            ],
        }
        if self.currency_id != company.currency_id:
            values["pricelist_id"] = self._renewal_pricelist().id
        return values

    def _prepare_renewal_order_lines(self):
        """One line per covered product at the standard renewal price, then
        the add-on services offered as optional upgrades. Prices are the
        renewal's own, not the pricelist's: ``technical_price_unit`` 0 marks
        them as set by hand, so a quantity change keeps them."""
        self.ensure_one()
        new_start, new_end = self._renewal_term()
        months = policy.term_months(new_start, new_end)
        tier = self.tier_id
        lines = []
        for line in self.line_ids:
            lines.append(
                {
                    "product_id": tier.product_id.id,
                    "product_uom_qty": line.quantity,
                    "technical_price_unit": 0.0,
                    "price_unit": self.currency_id.round(
                        policy.standard_renewal_price(
                            line.price_unit, tier.renewal_uplift_percent, months
                        )
                    ),
                    "name": self.env._(
                        "%(tier)s for %(product)s\nTerm: %(start)s - %(end)s",
                        tier=tier.name,
                        product=line.name or line.product_id.display_name,
                        start=fields.Date.to_string(new_start),
                        end=fields.Date.to_string(new_end),
                    ),
                }
            )
        addons = self._renewal_addon_tiers()
        if addons:
            lines.append(
                {
                    "display_type": "line_section",
                    "name": self.env._("Upgrade your coverage"),
                    "is_optional": True,
                }
            )
            quantity = sum(self.line_ids.mapped("quantity"))
            for addon in addons:
                price = addon.yearly_unit_price(0.0, self.currency_id, new_start)
                lines.append(
                    {
                        "product_id": addon.product_id.id,
                        "product_uom_qty": 0.0,
                        "technical_price_unit": 0.0,
                        "price_unit": self.currency_id.round(price * months / 12.0),
                        "name": self.env._(
                            "%(tier)s for %(quantity)s units\n"
                            "Term: %(start)s - %(end)s",
                            tier=addon.name,
                            quantity=quantity,
                            start=fields.Date.to_string(new_start),
                            end=fields.Date.to_string(new_end),
                        ),
                    }
                )
        return lines

    def _renewal_addon_tiers(self):
        """The add-on services (premium support...) offered on the quote."""
        self.ensure_one()
        return self.env["symantec.maintenance.tier"].search(
            [
                ("is_addon", "=", True),
                ("company_id", "=", self.company_id.id),
                ("id", "!=", self.tier_id.id),
            ]
        )

    def _send_renewal_quotes(self):
        """Enterprise flow: make the reseller quote now and send it to the
        reseller through the portal."""
        orders = self._generate_renewal_quotes()
        drafts = orders.filtered(lambda o: o.state == "draft")
        template = self.env.ref("symantec_renewals.mail_template_renewal_quote")
        post_template_mail(drafts, template, lambda order: order.partner_id)
        drafts.action_quotation_sent()

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
        for contract in self:
            offsets = contract.company_id.renewal_reminder_offset_list()
            last = (
                (contract.renewal_reminder_date - contract.date_end).days
                if contract.renewal_reminder_date
                else None
            )
            offset = policy.due_milestone(offsets, contract.date_end, today, last)
            if offset is None:
                continue
            deadline = contract.date_end + timedelta(days=offset)
            first = not contract.renewal_reminder_date
            if first and contract.customer_segment == "small_business":
                by_template[notification] |= contract
            else:
                by_template[reminder] |= contract
            activities.append(
                contract._prepare_reminder_activity_values(offset, deadline)
            )
            contract.renewal_reminder_date = deadline
        if activities:
            self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(activities)
        for template, contracts in by_template.items():
            post_template_mail(contracts, template, lambda c: c._reminder_recipients())

    def _reminder_recipients(self):
        """The customer; the reseller too while an enterprise quote waits for
        its signature."""
        self.ensure_one()
        partners = self.partner_id
        order = self._open_renewal_order()
        if self.customer_segment == "enterprise" and order and self.reseller_id:
            partners |= self.reseller_id
        return partners

    def _prepare_reminder_activity_values(self, offset, deadline):
        self.ensure_one()
        lead = self.renewal_lead_id
        return {
            "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
            "res_id": lead.id,
            "activity_type_id": self.env.ref(
                "symantec_renewals.mail_activity_type_renewal_reminder"
            ).id,
            "summary": self._milestone_label(offset),
            "date_deadline": deadline,
            "user_id": (self.user_id or self.team_id.user_id or lead.user_id).id
            or self.env.uid,
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
        post_template_mail(todo, template, lambda c: c.partner_id)
        todo.write({"renewal_auto_notice_sent": True})
