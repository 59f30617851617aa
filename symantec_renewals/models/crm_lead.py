import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.fields import Domain

from ..tools.constants import RENEWAL_STATUSES
from ..tools.security import (
    check_workflow_create,
    check_workflow_write,
    is_privileged,
)

# Set by the renewal workflow, from the contract (SPEC §10): never by a rep,
# neither on the opportunity nor through it on the contract (the related
# fields write through to it).
LEAD_WORKFLOW_FIELDS = frozenset(
    {
        "renewal_status",
        "renewal_due_date",
        "renewal_reseller_id",
        "renewal_region",
        "renewal_main_lead_id",
    }
)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    is_renewal = fields.Boolean(
        string="Is a Renewal", index=True, copy=False, readonly=True
    )
    renewal_contract_id = fields.Many2one(
        "symantec.contract",
        string="Renewed Contract",
        index="btree_not_null",
        copy=False,
        tracking=True,
    )
    renewal_payment_state = fields.Selection(
        related="renewal_contract_id.renewal_payment_state",
        string="Renewal Payment",
        help="The card payment of an automatic renewal: Payment failed while "
        "the charge is refused and retried.",
    )
    renewal_due_date = fields.Date(
        string="Renewal Due Date",
        related="renewal_contract_id.date_end",
        store=True,
        index=True,
    )
    renewal_reseller_id = fields.Many2one(
        "res.partner",
        string="Renewal Reseller",
        related="renewal_contract_id.reseller_id",
        store=True,
        index="btree_not_null",
    )
    renewal_region = fields.Selection(
        related="renewal_contract_id.region", store=True, string="Renewal Region"
    )
    renewal_status = fields.Selection(
        RENEWAL_STATUSES,
        compute="_compute_renewal_status",
        store=True,
        index=True,
        tracking=True,
        # The pipeline's columns in the renewal's lifecycle, each one shown.
        group_expand=True,
        help="Upcoming until a quote is made, then Quoted; Late once past the "
        "due date, Reinstatement past the grace period; Won once renewed, "
        "Lapsed beyond the reinstatement limit. When several apply, the one "
        "furthest along this list wins.",
    )

    # Renewals move through the renewal stages only, other opportunities
    # never enter them (the stage bar, the stage picker).
    stage_id = fields.Many2one(
        domain="[('renewal_status', '!=' if is_renewal else '=', False), "
        "'|', ('team_ids', '=', False), ('team_ids', 'in', team_id)]"
    )

    renewal_main_lead_id = fields.Many2one(
        "crm.lead",
        string="Renewed Together In",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The main opportunity of the renewals made together with this "
        "one, on one reseller quote.",
    )
    renewal_linked_lead_ids = fields.One2many(
        "crm.lead",
        "renewal_main_lead_id",
        string="Renewed Together",
        help="The opportunities of the contracts renewed together with this one.",
    )

    renewal_at_risk = fields.Boolean(
        string="Renewal at Risk",
        compute="_compute_renewal_at_risk",
        search="_search_renewal_at_risk",
        help="Due within 30 days and no quote sent yet.",
    )
    expected_revenue = fields.Monetary(
        compute="_compute_expected_revenue", store=True, readonly=False, default=None
    )

    @api.depends(
        "is_renewal",
        "renewal_contract_id.amount_total",
        "renewal_contract_id.currency_id",
        "order_ids.state",
        "order_ids.amount_untaxed",
        "order_ids.currency_id",
        # Renewed together: the main opportunity's quote holds its part.
        "renewal_main_lead_id.order_ids.state",
        "renewal_main_lead_id.order_ids.amount_untaxed",
    )
    def _compute_expected_revenue(self):
        """A renewal expects what its live quote is worth (its contract's
        part of a quote renewing several together), or the contract's
        yearly value before there is one. Other opportunities keep theirs."""
        today = fields.Date.context_today(self)
        for lead in self.filtered("is_renewal"):
            together = lead.renewal_contract_id.renewal_order_id
            if together.renewal_contract_ids and together.state != "cancel":
                company = lead.company_id or self.env.company
                amount = sum(
                    together.order_line.filtered(
                        lambda line, lead=lead: (
                            line.renewal_contract_id == lead.renewal_contract_id
                        )
                    ).mapped("price_subtotal")
                )
                lead.expected_revenue = company.currency_id.round(
                    together.currency_id._convert(
                        amount, company.currency_id, company, today
                    )
                )
                continue
            orders = lead.order_ids.filtered(lambda o: o.state != "cancel")
            source = orders.sorted("id")[-1:] if orders else lead.renewal_contract_id
            if not source:
                continue
            amount = source.amount_untaxed if orders else source.amount_total
            company = lead.company_id or self.env.company
            lead.expected_revenue = company.currency_id.round(
                source.currency_id._convert(amount, company.currency_id, company, today)
            )

    # Not on ``won_status``: that follows the stage, which follows this.
    @api.depends(
        "is_renewal",
        "order_ids.state",
        "renewal_contract_id.renewal_case",
        "renewal_contract_id.state",
        "renewal_main_lead_id.order_ids.state",
    )
    def _compute_renewal_status(self):
        for lead in self:
            if not lead.is_renewal:
                lead.renewal_status = False
                continue
            contract = lead.renewal_contract_id
            candidates = ["upcoming"]
            if any(
                order.state != "cancel"
                for order in lead.order_ids | lead.renewal_main_lead_id.order_ids
            ):
                candidates.append("quoted")
            if contract.renewal_case in ("late", "reinstatement", "lapsed"):
                candidates.append(
                    "reinstatement"
                    if contract.renewal_case in ("reinstatement", "lapsed")
                    else "late"
                )
            renewed = contract.state == "renewed"
            if renewed:
                candidates.append("won")
            if contract.renewal_case == "lapsed" and not renewed:
                candidates.append("lapsed")
            order = [status for status, _label in RENEWAL_STATUSES]
            lead.renewal_status = max(candidates, key=order.index)

    # ------------------------------------------------------------------
    # The renewal pipeline's stages: one per renewal status
    # ------------------------------------------------------------------

    @api.depends("renewal_status")
    def _compute_stage_id(self):
        """A renewal stands in the stage of its status: the workflow moves
        it, the stage bar and the pipeline's columns show where it is."""
        renewals = self.filtered("renewal_status")
        if renewals:
            stages = self.env["crm.stage"]._renewal_stages()
            for lead in renewals:
                if lead.renewal_status == "won" and lead.probability != 100:
                    # Only winning it puts a lead in a won stage (CRM's rule).
                    continue
                lead.stage_id = stages.get(lead.renewal_status, lead.stage_id)
        return super(CrmLead, self - renewals)._compute_stage_id()

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        renewal = (
            all(self.mapped("is_renewal"))
            if self
            else bool(self.env.context.get("default_is_renewal"))
        )
        domain = [
            *(domain or []),
            ("renewal_status", "!=" if renewal else "=", False),
        ]
        return super()._stage_find(
            team_id=team_id, domain=domain, order=order, limit=limit
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """The renewal pipeline shows every renewal stage, and the other
        pipelines none but those holding their records."""
        if self.env.context.get("default_is_renewal"):
            stage_ids = stages.sudo()._search(
                ["|", ("id", "in", stages.ids), ("renewal_status", "!=", False)],
                order=stages._order,
            )
            return stages.browse(stage_ids)
        found = super()._read_group_stage_ids(stages, domain)
        return found.filtered(lambda stage: not stage.renewal_status or stage in stages)

    def action_set_won(self):
        # Each kind finds the won stage of its own pipeline.
        renewals = self.filtered("is_renewal")
        if renewals and renewals != self:
            super(CrmLead, renewals).action_set_won()
            return super(CrmLead, self - renewals).action_set_won()
        return super().action_set_won()

    def _check_renewal_stage_move(self, stage_id):
        """Moving a renewal to a stage (dragging its card, clicking the
        stage bar) does what that stage means, or says why it cannot: the
        stages follow the renewal's quotes and dates. Returns whether the
        move is left to the workflow (the stage then follows the status)."""
        stage = self.env["crm.stage"].browse(stage_id)
        renewals = self.filtered("is_renewal")
        if not renewals:
            if stage.renewal_status:
                raise UserError(
                    self.env._("Only renewal opportunities go to the renewal stages.")
                )
            return False
        if not stage.renewal_status:
            raise UserError(
                self.env._(
                    "A renewal opportunity moves through the renewal stages only."
                )
            )
        moving = renewals.filtered(
            lambda lead: lead.renewal_status != stage.renewal_status
        )
        if not moving:
            return False
        # What a move does is done as the workflow: the user must be allowed
        # to change these opportunities first.
        moving.check_access("write")
        for lead in moving:
            lead._move_renewal_to(stage)
        return True

    def _move_renewal_to(self, stage):
        self.ensure_one()
        status = stage.renewal_status
        if status == "quoted" and self.renewal_status == "upcoming":
            self.renewal_contract_id.action_generate_renewal_quote()
            return
        if status == "won":
            order = self.renewal_contract_id._open_renewal_order()
            message = self.env._(
                "%(lead)s is won when its reseller quote is confirmed.",
                lead=self.display_name,
            )
            if order:
                raise RedirectWarning(
                    message,
                    self.renewal_contract_id._form_action(order),
                    self.env._("Open quote %(quote)s", quote=order.name),
                )
            raise UserError(
                self.env._(
                    "%(lead)s is won when its reseller quote is confirmed. It has "
                    "no quote yet: drag it to Quoted to make one.",
                    lead=self.display_name,
                )
            )
        if status == "lapsed":
            raise UserError(
                self.env._(
                    "A renewal lapses by itself beyond the reinstatement limit. "
                    "To give %(lead)s up, mark it as lost.",
                    lead=self.display_name,
                )
            )
        if status == "quoted":
            raise UserError(
                self.env._(
                    "%(lead)s already has its quote, or is past its due date: "
                    "it stays in %(stage)s until it is won or lapses.",
                    lead=self.display_name,
                    stage=self.stage_id.name,
                )
            )
        raise UserError(
            self.env._(
                "Renewals move to %(stage)s by themselves, from their due date "
                "and quotes: %(lead)s cannot be moved there.",
                stage=stage.name,
                lead=self.display_name,
            )
        )

    def _renewal_at_risk_domain(self):
        today = fields.Date.context_today(self)
        return Domain.AND(
            [
                Domain("is_renewal", "=", True),
                Domain("won_status", "=", "pending"),
                Domain("renewal_due_date", ">=", today),
                Domain("renewal_due_date", "<=", today + timedelta(days=30)),
                Domain("order_ids", "not any", [("state", "in", ("sent", "sale"))]),
            ]
        )

    def _compute_renewal_at_risk(self):
        at_risk = self.filtered_domain(self._renewal_at_risk_domain())
        for lead in self:
            lead.renewal_at_risk = lead in at_risk

    def _search_renewal_at_risk(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = self._renewal_at_risk_domain()
        return domain if (operator == "in") == (True in value) else ~domain

    # ------------------------------------------------------------------
    # Who sets the renewal fields (SPEC §10)
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # ``is_renewal`` may be set at creation (the Renewals pipeline's
        # default); the contract only to one the user can read.
        check_workflow_create(self, vals_list, LEAD_WORKFLOW_FIELDS)
        for vals in vals_list:
            contract_id = vals.get(
                "renewal_contract_id",
                self.env.context.get("default_renewal_contract_id"),
            )
            self._check_renewal_contract_readable(contract_id)
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_write(self, vals, LEAD_WORKFLOW_FIELDS)
        moved = (
            vals.get("stage_id")
            and not self.env.su
            and self._check_renewal_stage_move(vals["stage_id"])
        )
        if moved:
            # Done by the workflow: the stage follows the new status.
            vals = {key: value for key, value in vals.items() if key != "stage_id"}
            if not vals:
                return True
        if not is_privileged(self.env):
            if "is_renewal" in vals and any(
                lead.is_renewal != bool(vals["is_renewal"]) for lead in self
            ):
                raise AccessError(
                    self.env._(
                        "Whether an opportunity is a renewal is set when it is "
                        "created; only a renewal manager can change it."
                    )
                )
            if "renewal_contract_id" in vals and any(
                lead.renewal_contract_id
                and lead.renewal_contract_id.id != vals["renewal_contract_id"]
                for lead in self
            ):
                raise AccessError(
                    self.env._(
                        "The contract of a renewal opportunity is set once; only a "
                        "renewal manager can change it."
                    )
                )
        if "renewal_contract_id" in vals:
            self._check_renewal_contract_readable(vals["renewal_contract_id"])
        return super().write(vals)

    @api.model
    def _check_renewal_contract_readable(self, contract_id):
        """A renewal opportunity shows its contract's reseller, due date and
        value: it is linked only to a contract the user can read."""
        if not contract_id or self.env.su:
            return
        contract = self.env["symantec.contract"].browse(contract_id)
        try:
            contract.check_access("read")
        except AccessError as exc:
            raise AccessError(
                self.env._(
                    "An opportunity can only be linked to a contract you can read."
                )
            ) from exc

    def action_renewal_quote(self):
        """The renewal's reseller quote, made if there is none."""
        self.ensure_one()
        return self.renewal_contract_id.action_generate_renewal_quote()

    def action_view_renewal_contract(self):
        self.ensure_one()
        return self.renewal_contract_id._form_action(self.renewal_contract_id)

    # ------------------------------------------------------------------
    # Mail gateway: the regional renewal aliases
    # ------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Mail to a renewal team's alias: a renewal opportunity of that team;
        a contract reference in the subject routes it to that contract's
        renewal (created if the contract has none yet)."""
        custom_values = dict(custom_values or {})
        team = self.env["crm.team"].browse(
            custom_values.get("team_id") or self.env.context.get("default_team_id")
        )
        if not team.renewal_region:
            return super().message_new(msg_dict, custom_values=custom_values)
        contract = self._renewal_contract_from_subject(msg_dict.get("subject"))
        if contract:
            if contract.renewal_lead_id.active:
                return contract.renewal_lead_id
            lead = contract._create_renewal_leads()
            return lead
        custom_values.update({"is_renewal": True, "type": "opportunity"})
        return super().message_new(msg_dict, custom_values=custom_values)

    @api.model
    def _renewal_contract_from_subject(self, subject):
        """The contract whose reference appears in ``subject``, if any."""
        if not subject:
            return self.env["symantec.contract"]
        tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9/_.-]{3,}", subject)
        return (
            self.env["symantec.contract"]
            .sudo()
            .search([("name", "in", tokens)], limit=1)
        )
