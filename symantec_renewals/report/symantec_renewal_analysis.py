from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.symantec_contract import REGIONS, SEGMENTS

OUTCOMES = [
    ("on_time", "On time"),
    ("late", "Late"),
    ("reinstated", "Reinstated"),
    ("lapsed", "Lapsed"),
    ("open", "Open"),
]
# Whether a term's due date (its end date) has passed: the renewal rates are
# over the terms that were due, those still ahead are counted apart.
DUE_STATUSES = [
    ("due", "Due date passed"),
    ("not_due", "Not yet due"),
]

# How the card payment of an automatic renewal ended (SPEC §11).
AUTO_PAYMENT_OUTCOMES = [
    ("first_charge", "Paid at the first charge"),
    ("recovered", "Recovered by dunning"),
    ("dunning", "In dunning"),
    ("lost", "Lost after dunning"),
]


class SymantecRenewalAnalysis(models.Model):
    """One row per contract term due (end date on or before today plus the
    company's notice window): what was due, what was renewed and how
    (SPEC §8). Amounts are in the company's currency.

    The renewal rates are over the terms whose due date has passed: a term
    still ahead of its end date has not had its chance to be renewed yet
    and would only lower the rate. Those terms are counted apart (the
    ``not_due`` status, their value and their count)."""

    _name = "symantec.renewal.analysis"
    _description = "Renewal Analysis"
    _auto = False
    _rec_name = "contract_id"
    _order = "date_due desc, id desc"
    # What the query reads: written values are flushed before it runs.
    _depends = {
        "symantec.contract": [
            "amount_company",
            "company_id",
            "customer_segment",
            "date_end",
            "partner_id",
            "predecessor_id",
            "region",
            "renewal_done_case",
            "renewal_origin_id",
            "reseller_id",
            "state",
            "team_id",
            "tier_id",
            "user_id",
        ],
        "res.company": [
            "currency_id",
            "max_reinstatement_days",
            "renewal_notice_days",
        ],
        "sale.order": ["currency_rate", "renewal_contract_id", "state"],
        "sale.order.line": ["order_id", "price_subtotal", "renewal_line_kind"],
    }

    contract_id = fields.Many2one("symantec.contract", string="Contract", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    region = fields.Selection(REGIONS, readonly=True)
    team_id = fields.Many2one("crm.team", string="Renewal Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Renewal Rep", readonly=True)
    reseller_id = fields.Many2one("res.partner", string="Reseller", readonly=True)
    customer_segment = fields.Selection(SEGMENTS, readonly=True)
    tier_id = fields.Many2one(
        "symantec.maintenance.tier", string="Maintenance Tier", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    due_status = fields.Selection(
        DUE_STATUSES,
        readonly=True,
        help="Whether the term's end date has passed. The renewal rates count "
        "only the terms whose due date has passed.",
    )
    auto_payment_outcome = fields.Selection(
        AUTO_PAYMENT_OUTCOMES,
        string="Card Payment",
        readonly=True,
        help="Automatic renewals charged to the customer's card: paid at the "
        "first charge, recovered by dunning (a retry or a payment after a "
        "failed charge), in dunning, or lost (the term ended unpaid after a "
        "failed charge).",
    )
    amount_due = fields.Monetary(string="Value Due", readonly=True)
    amount_renewed = fields.Monetary(string="Value Renewed", readonly=True)
    reinstatement_fee_amount = fields.Monetary(
        string="Reinstatement Fees", readonly=True
    )
    amount_not_due = fields.Monetary(
        string="Value Not Yet Due",
        readonly=True,
        help="Value of the terms whose due date has not passed yet: not counted "
        "in the renewal rates.",
    )
    renewed_count = fields.Integer(string="Renewed Terms", readonly=True)
    not_due_count = fields.Integer(
        string="Terms Not Yet Due",
        readonly=True,
        help="Terms whose due date has not passed yet: not counted in the "
        "renewal rates.",
    )
    renewal_rate_value = fields.Float(
        string="Renewal Rate by Value (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Value renewed divided by value due, over the terms whose due date "
        "has passed: above 100 % when uplifts and upgrades outgrow what is lost.",
    )
    renewal_rate_count = fields.Float(
        string="Renewal Rate by Count (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Terms renewed divided by terms due, over the terms whose due date "
        "has passed.",
    )

    def _read_group_select(self, aggregate_spec, query):
        """The rate by value of a group is the ratio of its sums over its
        terms whose due date has passed, not the average of its rows'
        ratios. (The rate by count is the average of its rows' 100 or 0,
        which are empty for the terms not yet due.)"""
        if aggregate_spec != "renewal_rate_value:avg":
            return super()._read_group_select(aggregate_spec, query)
        due = SQL("%s = 'due'", self._field_to_sql(self._table, "due_status", query))
        return SQL(
            "100.0 * SUM(CASE WHEN %(due)s THEN %(renewed)s END)"
            " / NULLIF(SUM(CASE WHEN %(due)s THEN %(amount)s END), 0.0)",
            due=due,
            renewed=self._field_to_sql(self._table, "amount_renewed", query),
            amount=self._field_to_sql(self._table, "amount_due", query),
        )

    @property
    def _table_query(self):
        """Queried with today's date of the user (in their time zone), from
        Python: not the database server's clock and time zone, and a clock
        moved in tests moves the analysis too."""
        return SQL(
            """
            WITH today AS (SELECT %(today)s::date AS day),
            upgrades AS (
                SELECT renewal_origin_id AS contract_id,
                       SUM(amount_company) AS amount
                  FROM symantec_contract
                 WHERE renewal_origin_id IS NOT NULL
                   AND state NOT IN ('draft', 'cancelled')
              GROUP BY renewal_origin_id
            ),
            fees AS (
                SELECT COALESCE(sol.renewal_contract_id, so.renewal_contract_id)
                           AS contract_id,
                       SUM(sol.price_subtotal
                           / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS amount
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                 WHERE sol.renewal_line_kind = 'reinstatement_fee'
                   AND so.state = 'sale'
              GROUP BY COALESCE(sol.renewal_contract_id, so.renewal_contract_id)
            ),
            terms AS (
                SELECT c.id,
                       c.id AS contract_id,
                       c.partner_id,
                       c.date_end AS date_due,
                       c.region,
                       c.team_id,
                       c.user_id,
                       c.reseller_id,
                       c.customer_segment,
                       c.tier_id,
                       c.company_id,
                       company.currency_id,
                       c.amount_company AS amount_due,
                       CASE WHEN s.id IS NOT NULL
                            THEN s.amount_company + COALESCE(upgrades.amount, 0)
                            ELSE 0 END AS amount_renewed,
                       COALESCE(fees.amount, 0) AS reinstatement_fee_amount,
                       CASE WHEN s.id IS NOT NULL THEN
                                CASE c.renewal_done_case
                                     WHEN 'late' THEN 'late'
                                     WHEN 'reinstatement' THEN 'reinstated'
                                     ELSE 'on_time' END
                            WHEN today.day - c.date_end > company.max_reinstatement_days
                                THEN 'lapsed'
                            ELSE 'open' END AS outcome,
                       CASE WHEN c.date_end < today.day THEN 'due'
                            ELSE 'not_due' END AS due_status,
                       CASE WHEN COALESCE(c.renewal_payment_attempts, 0) = 0
                                THEN NULL
                            WHEN s.id IS NOT NULL
                                 AND c.renewal_payment_failed_date IS NULL
                                THEN 'first_charge'
                            WHEN s.id IS NOT NULL THEN 'recovered'
                            WHEN c.renewal_payment_failed_date IS NULL THEN NULL
                            WHEN c.state = 'expired' THEN 'lost'
                            ELSE 'dunning' END AS auto_payment_outcome
                  FROM symantec_contract c
                  JOIN res_company company ON company.id = c.company_id
                 CROSS JOIN today
             LEFT JOIN LATERAL (
                    SELECT succ.id, succ.amount_company
                      FROM symantec_contract succ
                     WHERE succ.predecessor_id = c.id
                       AND succ.state NOT IN ('draft', 'cancelled')
                  ORDER BY succ.id DESC
                     LIMIT 1
                 ) s ON TRUE
             LEFT JOIN upgrades ON upgrades.contract_id = c.id
             LEFT JOIN fees ON fees.contract_id = c.id
                 WHERE c.state NOT IN ('draft', 'cancelled')
                   AND c.date_end <= today.day + company.renewal_notice_days
            )
            SELECT terms.*,
                   CASE WHEN terms.outcome IN ('on_time', 'late', 'reinstated')
                        THEN 1 ELSE 0 END AS renewed_count,
                   CASE WHEN terms.due_status = 'not_due'
                        THEN 1 ELSE 0 END AS not_due_count,
                   CASE WHEN terms.due_status = 'not_due'
                        THEN terms.amount_due ELSE 0 END AS amount_not_due,
                   -- The rates of a term not yet due are empty: it is not
                   -- counted (an average skips them).
                   CASE WHEN terms.due_status = 'due' AND terms.amount_due > 0
                        THEN 100.0 * terms.amount_renewed / terms.amount_due
                        END AS renewal_rate_value,
                   CASE WHEN terms.due_status = 'not_due' THEN NULL
                        WHEN terms.outcome IN ('on_time', 'late', 'reinstated')
                        THEN 100.0 ELSE 0.0 END AS renewal_rate_count
              FROM terms
            """,
            today=fields.Date.context_today(self),
        )

    def init(self):
        # Versions up to 19.0.1.2.0 kept the analysis in a database view,
        # which took today from the database server's clock.
        tools.drop_view_if_exists(self.env.cr, self._table)
