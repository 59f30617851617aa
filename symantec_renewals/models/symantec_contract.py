from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

from ..tools import policy
from ..tools.constants import OPEN_ORDER_STATES
from ..tools.security import (
    check_workflow_create,
    check_workflow_write,
)
from .symantec_maintenance_tier import MIN_TERM_MONTHS

REGIONS = [
    ("emea", "EMEA"),
    ("ams", "Americas"),
    ("jp", "Japan"),
    ("cn", "China"),
    ("apac", "Asia-Pacific"),
]
SEGMENTS = [("small_business", "Small business"), ("enterprise", "Enterprise")]
# States in which a term gives coverage for its dates.
COVERING_STATES = ("active", "expiring", "renewed")
# States of a contract that has not run yet: it takes no number.
UNNUMBERED_STATES = ("draft", "cancelled")


# Fields only the contract's actions and the renewal run change (SPEC §10).
WORKFLOW_FIELDS = frozenset(
    {
        # The number, taken from the sequence at activation.
        "name",
        "state",
        "activation_code",
        "activation_state",
        "auto_renew_opt_out_date",
        "predecessor_id",
        "renewal_lead_id",
        "renewal_order_id",
        "renewal_case",
        "renewal_checked_date",
        "renewal_reminder_date",
        "renewal_auto_notice_sent",
        "renewal_done_date",
        "renewal_done_case",
        "renewal_origin_id",
        "renewal_payment_state",
        "renewal_payment_attempts",
        "renewal_payment_failed_date",
        "renewal_payment_next_date",
        "renewal_payment_tx_id",
    }
)

MAIL_EXPRESSIONS = (
    "object.partner_id.id",
    "object.date_end_text",
    "object.company_id.email_formatted",
    "object.renewal_contact_email",
    "object.partner_id.lang",
)


class SymantecContract(models.Model):
    _name = "symantec.contract"
    _description = "Maintenance Contract"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    # The token of the e-mail links: for internal users only, not for the
    # reseller or the customer to read through call_kw.
    access_token = fields.Char(groups="base.group_user")
    # The number is taken when the contract is first activated (or made
    # running): a draft has none yet, so a save that fails takes no number
    # and no error names a number the user never saw.
    name = fields.Char(
        string="Reference",
        copy=False,
        index="trigram",
        help="The contract's number, taken from the sequence when it is "
        "activated, or the legacy number it was imported with.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        check_company=True,
        index=True,
    )
    reseller_id = fields.Many2one(
        "res.partner",
        string="Reseller",
        tracking=True,
        check_company=True,
        index=True,
        domain=[("commercial_partner_id.is_reseller", "=", True)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
    )
    customer_segment = fields.Selection(
        SEGMENTS, required=True, default="small_business", tracking=True
    )
    region = fields.Selection(REGIONS, required=True, tracking=True, index=True)
    team_id = fields.Many2one(
        "crm.team",
        string="Renewal Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        check_company=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Renewal Rep",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain=[("share", "=", False)],
        index=True,
    )
    tier_id = fields.Many2one(
        "symantec.maintenance.tier",
        string="Maintenance Tier",
        required=True,
        tracking=True,
        check_company=True,
        index=True,
    )
    offering_type = fields.Selection(related="tier_id.offering_type", store=True)
    line_ids = fields.One2many(
        "symantec.contract.line", "contract_id", string="Covered Products", copy=True
    )
    date_start = fields.Date(string="Start Date", required=True, tracking=True)
    date_end = fields.Date(string="End Date", required=True, tracking=True, index=True)
    term_months = fields.Integer(
        string="Term (months)", compute="_compute_term_months", store=True
    )
    amount_total = fields.Monetary(
        string="Yearly Value",
        compute="_compute_amount_total",
        store=True,
        tracking=True,
        help="Yearly maintenance value: the sum of the covered products.",
    )
    amount_company = fields.Monetary(
        string="Yearly Value (company currency)",
        compute="_compute_amount_company",
        store=True,
        currency_field="company_currency_id",
        help="The yearly value in the company's currency, at the rate of the "
        "term's start: what the renewal analysis adds up.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expiring", "Expiring"),
            ("renewed", "Renewed"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        tracking=True,
        index=True,
    )
    auto_renew = fields.Boolean(
        string="Automatic Renewal",
        compute="_compute_auto_renew",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Online services only: the renewal is ordered and billed to the "
        "customer automatically before the end date.",
    )
    auto_renew_opt_out_date = fields.Date(
        string="Auto-renewal Opt-out Date", readonly=True, copy=False
    )
    auto_invoice = fields.Boolean(
        string="Automatic Invoicing",
        tracking=True,
        help="The invoice is issued automatically at renewal.",
    )
    predecessor_id = fields.Many2one(
        "symantec.contract",
        string="Previous Term",
        copy=False,
        readonly=True,
        index=True,
        check_company=True,
    )
    successor_ids = fields.One2many(
        "symantec.contract", "predecessor_id", string="Next Terms"
    )
    successor_id = fields.Many2one(
        "symantec.contract",
        string="Next Term",
        compute="_compute_successor_id",
        store=True,
        index="btree_not_null",
    )
    latest_term_id = fields.Many2one(
        "symantec.contract",
        string="Latest Term",
        compute="_compute_latest_term_id",
        store=True,
        recursive=True,
        help="The most recent term of this chain that is not a draft: the one "
        "that says whether the customer is covered today.",
    )
    renewal_lead_id = fields.Many2one(
        "crm.lead",
        string="Renewal Opportunity",
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
    )
    renewal_order_id = fields.Many2one(
        "sale.order", string="Renewal Order", copy=False, index="btree_not_null"
    )
    activation_code = fields.Char(
        copy=False,
        readonly=True,
        groups="base.group_user",
        help="Shown to the customer on its portal page once the term is renewed.",
    )
    activation_state = fields.Selection(
        [("pending", "Pending"), ("activated", "Activated")],
        copy=False,
        readonly=True,
        tracking=True,
    )
    compliance_status = fields.Selection(
        [
            ("compliant", "Compliant"),
            ("grace", "In grace period"),
            ("non_compliant", "Out of compliance"),
        ],
        compute="_compute_compliance_status",
        search="_search_compliance_status",
        help="Compliant while today is covered by this term or by a later term "
        "of the same chain; in grace period while it is expired but still within "
        "the grace period; out of compliance after that.",
    )
    days_to_end = fields.Integer(
        string="Days to End",
        compute="_compute_days_to_end",
        search="_search_days_to_end",
    )
    date_end_text = fields.Char(
        string="End Date (Text)",
        compute="_compute_date_end_text",
        help="The end date written in the reader's language, for e-mail subjects.",
    )
    note = fields.Html(string="Notes", groups="base.group_user")

    _activation_code_unique = models.Constraint(
        "unique(activation_code)", "An activation code must be unique."
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_access_url(self):
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"

    @api.depends("company_id")
    def _compute_currency_id(self):
        for contract in self:
            if not contract.currency_id:
                contract.currency_id = (
                    contract.company_id.currency_id or self.env.company.currency_id
                )

    @api.depends("region", "company_id")
    def _compute_team_id(self):
        teams = self.env["crm.team"].search(
            [("renewal_region", "!=", False)], order="sequence, id"
        )
        for contract in self:
            current = contract.team_id
            if (
                current
                and current.renewal_region == contract.region
                and current.company_id in (contract.company_id, self.env["res.company"])
            ):
                continue
            contract.team_id = contract._default_team(teams)

    def _default_team(self, teams):
        """The renewal team of the contract's region: its company's, else a
        team shared by all companies, else one made for its company now
        (never another company's)."""
        self.ensure_one()
        of_region = teams.filtered(lambda t: t.renewal_region == self.region)
        team = (
            of_region.filtered(lambda t: t.company_id == self.company_id)[:1]
            or of_region.filtered(lambda t: not t.company_id)[:1]
        )
        if not team and self.region and self.company_id:
            team = self.company_id._renewal_team(self.region)
        return team

    @api.depends("tier_id")
    def _compute_auto_renew(self):
        """Automatic renewal is for online services: a tier of another kind
        turns it off (the switch is not offered for it)."""
        for contract in self:
            if contract.tier_id and contract.tier_id.offering_type != "online":
                contract.auto_renew = False

    @api.onchange("tier_id")
    def _onchange_tier_id_warn_prices(self):
        """Changing the tier re-prices the covered products: say so when a
        price falls to nothing for want of a licence value."""
        if self.tier_id.pricing_method != "percent_of_license":
            return None
        missing = self.line_ids.filtered(lambda line: not line.license_value)
        if not missing:
            return None
        return {
            "warning": {
                "title": self.env._("Licence values needed"),
                "message": self.env._(
                    "Tier %(tier)s prices maintenance as a percentage of the "
                    "licence value: enter the licence value of %(products)s, "
                    "whose yearly price is 0 without it.",
                    tier=self.tier_id.display_name,
                    products=", ".join(missing.mapped("product_id.display_name")),
                ),
            }
        }

    @api.depends("team_id")
    def _compute_user_id(self):
        for contract in self:
            team = contract.team_id
            if not team or contract.user_id in team.member_ids | team.user_id:
                continue
            contract.user_id = team.user_id or team.member_ids[:1]

    @api.depends("date_start", "date_end")
    def _compute_term_months(self):
        for contract in self:
            contract.term_months = policy.term_months(
                contract.date_start, contract.date_end
            )

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_total(self):
        for contract in self:
            contract.amount_total = sum(contract.line_ids.mapped("price_subtotal"))

    @api.depends("amount_total", "currency_id", "company_id", "date_start")
    def _compute_amount_company(self):
        for contract in self:
            company = contract.company_id
            if not company or not contract.currency_id:
                contract.amount_company = contract.amount_total
                continue
            contract.amount_company = contract.currency_id._convert(
                contract.amount_total,
                company.currency_id,
                company,
                contract.date_start or fields.Date.context_today(contract),
            )

    @api.depends("successor_ids")
    def _compute_successor_id(self):
        for contract in self:
            contract.successor_id = contract.successor_ids.sorted("id")[-1:]

    @api.depends("state", "successor_id.state", "successor_id.latest_term_id")
    def _compute_latest_term_id(self):
        for contract in self:
            successor = contract.successor_id
            if successor and successor.state not in ("draft", "cancelled"):
                contract.latest_term_id = successor.latest_term_id or successor
            else:
                contract.latest_term_id = contract

    def _compute_compliance_status(self):
        today = fields.Date.context_today(self)
        for contract in self:
            contract.compliance_status = contract._compliance_on(today)

    def _compliance_on(self, day):
        self.ensure_one()
        if self.state in ("draft", "cancelled"):
            return False
        latest = self.latest_term_id or self
        if latest.state in COVERING_STATES and latest.date_end >= day:
            return "compliant"
        grace_end = latest.date_end + timedelta(
            days=latest.company_id.renewal_grace_days
        )
        return "grace" if day <= grace_end else "non_compliant"

    def _search_compliance_status(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        counted = Domain("state", "not in", ("draft", "cancelled"))
        compliant = Domain("latest_term_id.state", "in", COVERING_STATES) & Domain(
            "latest_term_id.date_end", ">=", today
        )
        in_grace = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain(
                "latest_term_id.date_end",
                ">=",
                today - timedelta(days=company.renewal_grace_days),
            )
            for company in self.env["res.company"].sudo().search([])
            if company.renewal_grace_days > 0
        )
        by_status = {
            "compliant": counted & compliant,
            "grace": counted & ~compliant & in_grace,
            "non_compliant": counted & ~compliant & ~in_grace,
        }
        domain = Domain.OR(by_status[status] for status in value if status in by_status)
        return domain if operator == "in" else ~domain

    def _compute_days_to_end(self):
        today = fields.Date.context_today(self)
        for contract in self:
            contract.days_to_end = (
                (contract.date_end - today).days if contract.date_end else 0
            )

    @api.depends("date_end")
    @api.depends_context("lang")
    def _compute_date_end_text(self):
        for contract in self:
            contract.date_end_text = format_date(self.env, contract.date_end)

    @api.model
    def mail_allowed_qweb_expressions(self):
        # The placeholders of the renewal e-mails' subjects and addresses:
        # plain field paths, read without evaluating code for each e-mail of
        # the renewal run (and editable by any template user).
        return (*super().mail_allowed_qweb_expressions(), *MAIL_EXPRESSIONS)

    def _search_days_to_end(self, operator, value):
        if operator not in ("<", "<=", ">", ">=", "=") or not isinstance(value, int):
            return NotImplemented
        today = fields.Date.context_today(self)
        return [("date_end", operator, today + timedelta(days=value))]

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("date_start", "date_end", "tier_id")
    def _check_dates(self):
        for contract in self:
            if contract.date_end <= contract.date_start:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: the end date must be after the start date.",
                        name=contract._name_in_messages(),
                    )
                )
            minimum = max(contract.tier_id.min_term_months, MIN_TERM_MONTHS)
            if contract.term_months < minimum:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: a maintenance term lasts at least "
                        "%(months)s months (from %(start)s to %(end)s is "
                        "%(term)s months).",
                        name=contract._name_in_messages(),
                        months=minimum,
                        start=contract.date_start,
                        end=contract.date_end,
                        term=contract.term_months,
                    )
                )

    @api.constrains("auto_renew", "tier_id")
    def _check_auto_renew(self):
        for contract in self:
            if contract.auto_renew and contract.offering_type != "online":
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: automatic renewal is only available for "
                        "online services.",
                        name=contract._name_in_messages(),
                    )
                )

    @api.constrains("reseller_id")
    def _check_reseller(self):
        for contract in self:
            reseller = contract.reseller_id
            if reseller and not reseller.commercial_partner_id.is_reseller:
                raise ValidationError(
                    self.env._(
                        "Contract %(name)s: %(partner)s is not a reseller.",
                        name=contract._name_in_messages(),
                        partner=reseller.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.depends("name")
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = contract.name or self.env._("New Contract")

    def _name_in_messages(self):
        """The contract's number in a message, or, before it has one, a
        word for it: never a number the user has not seen."""
        self.ensure_one()
        return self.name or self.env._("(new)")

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_create(self, vals_list, WORKFLOW_FIELDS)
        for vals in vals_list:
            self._check_renewal_links(vals)
        contracts = super().create(vals_list)
        # Made running (the renewal's next terms, an import of running
        # terms): numbered now that they passed their checks.
        contracts._take_numbers()
        return contracts

    def _take_numbers(self):
        """The sequence's next numbers for the contracts that are running
        and have none: a draft, or a cancelled draft, takes none."""
        for contract in self:
            if contract.name or contract.state in UNNUMBERED_STATES:
                continue
            number = self.env["ir.sequence"].next_by_code("symantec.contract")
            if not number:
                raise UserError(
                    self.env._(
                        "Contracts cannot be numbered: the sequence of code "
                        "symantec.contract is missing."
                    )
                )
            contract.name = number

    def write(self, vals):
        check_workflow_write(self, vals, WORKFLOW_FIELDS)
        self._check_renewal_links(vals)
        reseller_changed = self.browse()
        if "reseller_id" in vals:
            reseller_changed = self.filtered(
                lambda c: c.reseller_id.id != (vals["reseller_id"] or False)
            )
        switched = self.browse()
        if "auto_renew" in vals:
            switched = self.filtered(lambda c: c.auto_renew != bool(vals["auto_renew"]))
        result = super().write(vals)
        if switched:
            # Kept with the switch itself: who and when is in the chatter.
            super(SymantecContract, switched).write(
                {
                    "auto_renew_opt_out_date": False
                    if vals["auto_renew"]
                    else fields.Date.context_today(self)
                }
            )
        if reseller_changed:
            reseller_changed._cancel_former_reseller_quotes()
        if "state" in vals or "name" in vals:
            # Activated (by the user, or by the renewal): numbered now.
            self._take_numbers()
        return result

    def _check_renewal_links(self, vals):
        """The renewal opportunity and order a contract is linked to must be
        records the user may read (they are shown with the contract)."""
        if self.env.su:
            return
        for name in ("renewal_lead_id", "renewal_order_id"):
            if vals.get(name):
                target = self.env[self._fields[name].comodel_name].browse(vals[name])
                try:
                    target.check_access("read")
                except AccessError as exc:
                    raise AccessError(
                        self.env._(
                            "A contract can only be linked to a renewal opportunity "
                            "or order you can read."
                        )
                    ) from exc

    def _cancel_former_reseller_quotes(self):
        """The reseller changed: its open renewal quote is cancelled, so that
        the new reseller never sees it (and asks for its own)."""
        for contract in self.sudo():
            order = contract.renewal_order_id
            if order.state not in OPEN_ORDER_STATES:
                continue
            if (
                order.partner_id.commercial_partner_id
                == contract.reseller_id.commercial_partner_id
            ):
                continue
            order._action_cancel()
            order.message_post(
                body=self.env._(
                    "Cancelled: the reseller of contract %(contract)s is now "
                    "%(reseller)s.",
                    contract=contract.name,
                    reseller=contract.reseller_id.display_name or self.env._("none"),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(contract.state not in ("draft", "cancelled") for contract in self):
            raise UserError(
                self.env._(
                    "Only draft or cancelled contracts can be deleted; cancel it first."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_activate(self):
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    self.env._(
                        "Contract %(name)s is not a draft: only drafts can be "
                        "activated.",
                        name=contract._name_in_messages(),
                    )
                )
            if not contract.line_ids:
                raise UserError(
                    self.env._(
                        "Contract %(name)s covers no product: add its covered "
                        "products before activating it.",
                        name=contract._name_in_messages(),
                    )
                )
            unpriced = contract.line_ids.filtered(
                lambda line: not line.price_unit and not line.license_value
            )
            if contract.tier_id.pricing_method == "percent_of_license" and unpriced:
                raise UserError(
                    self.env._(
                        "Contract %(name)s: tier %(tier)s prices maintenance as a "
                        "percentage of the licence value, and %(products)s has "
                        "none: enter its licence value before activating.",
                        name=contract._name_in_messages(),
                        tier=contract.tier_id.display_name,
                        products=", ".join(unpriced.mapped("product_id.display_name")),
                    )
                )
        self._write_workflow({"state": "active"})
        return True

    def action_cancel(self):
        if any(contract.state == "renewed" for contract in self):
            raise UserError(self.env._("A renewed contract cannot be cancelled."))
        self._write_workflow({"state": "cancelled"})
        return True

    def action_draft(self):
        if any(contract.state != "cancelled" for contract in self):
            raise UserError(
                self.env._("Only cancelled contracts can be set back to draft.")
            )
        self._write_workflow({"state": "draft"})
        return True

    def _write_workflow(self, vals):
        """Write workflow fields for an action of the user's: on contracts
        the user may change, as the workflow (the user stays the author of
        the tracking)."""
        self.check_access("write")
        return self.sudo().write(vals)

    def action_view_predecessor(self):
        self.ensure_one()
        return self._form_action(self.predecessor_id)

    def action_view_successor(self):
        self.ensure_one()
        return self._form_action(self.successor_id)

    def action_view_renewal_lead(self):
        self.ensure_one()
        return self._form_action(self.renewal_lead_id)

    def action_view_renewal_order(self):
        self.ensure_one()
        return self._form_action(self.renewal_order_id)

    @api.model
    def _form_action(self, record):
        """The window action opening ``record`` (any model) in its form."""
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
