from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import RenewalsCommon
from .test_renewal_run import RenewalRunCommon

# The analysis takes today from Python (the user's today): the first
# scenario is built around the real today, each renewal ordered on a day
# moved relative to it; the rates' scenario moves the clock.
TODAY = date.today()


@tagged("post_install", "-at_install")
class TestRenewalAnalysis(RenewalRunCommon):
    """A hand-built set of terms, one per outcome, walked through the real
    renewal flow, and the analysis compared with it to the cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.renewal_grace_days = 30
        cls.Analysis = cls.env["symantec.renewal.analysis"]

    def term(self, days_to_end, today=TODAY, **values):
        """A 12-month term (10 units x 220 = 2,200 a year) ending
        ``days_to_end`` days from ``today``."""
        end = today + timedelta(days=days_to_end)
        start = end.replace(year=end.year - 1) + timedelta(days=1)
        return self.active_contract(date_start=start, date_end=end, **values)

    def renew(self, contract, days_after_end):
        day = contract.date_end + timedelta(days=days_after_end)
        with freeze_time(day):
            contract.action_generate_renewal_quote()
            contract.renewal_order_id.action_confirm()
        return contract.renewal_order_id

    def rows(self, contracts):
        self.env.flush_all()
        return {
            row.contract_id: row
            for row in self.Analysis.search([("contract_id", "in", contracts.ids)])
        }

    def test_outcomes_amounts_and_rates(self):
        on_time = self.term(-10)
        self.renew(on_time, -3)
        late = self.term(-40)
        self.renew(late, 20)
        reinstated = self.term(-100)
        fee_order = self.renew(reinstated, 60)
        lapsed = self.term(-400)
        still_open = self.term(20)
        not_due_yet = self.term(200)
        draft = self.make_contract(
            date_start=TODAY - timedelta(days=360), date_end=TODAY + timedelta(days=5)
        )
        cancelled = self.term(10)
        cancelled.action_cancel()
        upgraded = self.term(-5)
        order = self.renew_with_premium(upgraded)
        contracts = (
            on_time
            | late
            | reinstated
            | lapsed
            | still_open
            | not_due_yet
            | draft
            | cancelled
            | upgraded
        )
        rows = self.rows(contracts)
        self.assertEqual(
            {contract.name: row.outcome for contract, row in rows.items()},
            {
                on_time.name: "on_time",
                late.name: "late",
                reinstated.name: "reinstated",
                lapsed.name: "lapsed",
                still_open.name: "open",
                upgraded.name: "on_time",
            },
            "drafts, cancelled terms and terms beyond the notice window have no row",
        )
        for contract in (on_time, late, reinstated):
            self.assertAlmostEqual(rows[contract].amount_due, 2200.0)
            self.assertAlmostEqual(rows[contract].amount_renewed, 2266.0)
        self.assertAlmostEqual(rows[lapsed].amount_renewed, 0.0)
        self.assertAlmostEqual(rows[still_open].amount_renewed, 0.0)
        premium = self.env.ref("symantec_renewals.tier_premium_support").unit_price
        self.assertAlmostEqual(rows[upgraded].amount_renewed, 2266.0 + premium)
        fee = sum(
            fee_order.order_line.filtered(
                lambda line: line.renewal_line_kind == "reinstatement_fee"
            ).mapped("price_subtotal")
        )
        self.assertAlmostEqual(fee, 453.2)
        self.assertAlmostEqual(rows[reinstated].reinstatement_fee_amount, 453.2)
        self.assertTrue(order)

        self.assertEqual(
            {contract.name: row.due_status for contract, row in rows.items()},
            {
                **{
                    contract.name: "due"
                    for contract in (on_time, late, reinstated, lapsed, upgraded)
                },
                still_open.name: "not_due",
            },
        )

        # Grouped, as the pivot and the dashboard read it: the rates are over
        # the five terms whose due date has passed, the open term still
        # ahead of its end date is counted apart.
        [
            [
                count,
                due,
                renewed,
                fees,
                rate_value,
                rate_count,
                not_due_count,
                not_due,
            ]
        ] = self.Analysis._read_group(
            [("contract_id", "in", contracts.ids)],
            [],
            [
                "__count",
                "amount_due:sum",
                "amount_renewed:sum",
                "reinstatement_fee_amount:sum",
                "renewal_rate_value:avg",
                "renewal_rate_count:avg",
                "not_due_count:sum",
                "amount_not_due:sum",
            ],
        )
        self.assertEqual(count, 6)
        self.assertAlmostEqual(due, 6 * 2200.0)
        self.assertAlmostEqual(renewed, 4 * 2266.0 + premium)
        self.assertAlmostEqual(fees, 453.2)
        self.assertAlmostEqual(rate_value, 100 * renewed / (5 * 2200.0), places=6)
        self.assertAlmostEqual(rate_count, 100 * 4 / 5, places=6)
        self.assertEqual(not_due_count, 1)
        self.assertAlmostEqual(not_due, 2200.0)
        by_outcome = dict(
            self.Analysis._read_group(
                [("contract_id", "in", contracts.ids)], ["outcome"], ["__count"]
            )
        )
        self.assertEqual(
            by_outcome,
            {"on_time": 2, "late": 1, "reinstated": 1, "lapsed": 1, "open": 1},
        )

    def rates(self, contracts):
        """The grouped rates by value and by count, and the terms not yet due."""
        [[rate_value, rate_count, not_due_count]] = self.Analysis._read_group(
            [("contract_id", "in", contracts.ids)],
            [],
            ["renewal_rate_value:avg", "renewal_rate_count:avg", "not_due_count:sum"],
        )
        return rate_value, rate_count, not_due_count

    def test_rates_are_over_terms_whose_due_date_has_passed(self):
        day = date(2026, 6, 15)
        with freeze_time(day):
            renewed = self.term(-30, today=day)
            unrenewed = self.term(-20, today=day)
            ahead = self.term(30, today=day)
        self.renew(renewed, -5)
        contracts = renewed | unrenewed | ahead
        with freeze_time(day):
            self.assertEqual(
                self.rates(contracts),
                (100 * 2266.0 / (2 * 2200.0), 50.0, 1),
                "the term due in 30 days does not lower the rates",
            )
            rows = self.rows(contracts)
            self.assertEqual(rows[ahead].outcome, "open")
            self.assertEqual(rows[ahead].due_status, "not_due")
            self.assertFalse(rows[ahead].renewal_rate_count)
            self.assertEqual(rows[unrenewed].due_status, "due")
        # Renewed ahead of its due date: counted once that date has passed.
        self.renew(ahead, -10)
        with freeze_time(day):
            self.assertEqual(self.rates(contracts)[1:], (50.0, 1))
        with freeze_time(ahead.date_end):
            self.assertEqual(self.rates(contracts)[1:], (50.0, 1), "due today")
        with freeze_time(ahead.date_end + timedelta(days=1)):
            rate_value, rate_count, not_due_count = self.rates(contracts)
            self.assertAlmostEqual(rate_value, 100 * 2 * 2266.0 / (3 * 2200.0))
            self.assertAlmostEqual(rate_count, 100 * 2 / 3)
            self.assertEqual(not_due_count, 0)

    def test_rates_of_terms_not_yet_due_are_empty(self):
        day = date(2026, 6, 15)
        with freeze_time(day):
            ahead = self.term(30, today=day)
            self.assertEqual(self.rates(ahead), (False, False, 1), "no rate to give")
            by_status = dict(
                self.Analysis._read_group(
                    [("contract_id", "=", ahead.id)],
                    ["due_status"],
                    ["amount_not_due:sum"],
                )
            )
        self.assertEqual(by_status, {"not_due": 2200.0})

    def renew_with_premium(self, contract):
        day = contract.date_end - timedelta(days=1)
        with freeze_time(day):
            contract.action_generate_renewal_quote()
            order = contract.renewal_order_id
            order.order_line.filtered(
                lambda line: line.renewal_line_kind == "addon"
            ).product_uom_qty = 1
            order.action_confirm()
        return order

    def test_waiting_automatic_renewal_is_not_renewed_yet(self):
        contract = self.term(
            5, tier_id=self.tier_online.id, auto_renew=True, lines=[{"quantity": 10}]
        )
        with freeze_time(contract.date_end - timedelta(days=7)):
            contract._auto_renew(contract.date_end - timedelta(days=7))
        self.assertEqual(contract.successor_ids.state, "draft")
        row = self.rows(contract)[contract]
        self.assertEqual(row.outcome, "open")
        self.assertEqual(row.amount_renewed, 0.0)

    def test_managers_only_and_per_company(self):
        self.term(-10)
        with self.assertRaises(AccessError):
            self.Analysis.with_user(self.rep).search([])
        self.assertTrue(self.Analysis.with_user(self.manager).search([]))
        other = self.env["res.company"].create({"name": "Other Vendor"})
        tier = self.env["symantec.maintenance.tier"].create(
            {"name": "ESS", "code": "ESS-O", "company_id": other.id}
        )
        foreign = self.env["symantec.contract"].create(
            {
                "partner_id": self.customer.id,
                "region": "emea",
                "tier_id": tier.id,
                "company_id": other.id,
                "date_start": TODAY - timedelta(days=300),
                "date_end": TODAY + timedelta(days=64),
                "state": "active",
            }
        )
        self.env.flush_all()
        self.assertTrue(self.Analysis.search([("contract_id", "=", foreign.id)]))
        self.assertFalse(
            self.Analysis.with_user(self.manager).search(
                [("contract_id", "=", foreign.id)]
            )
        )

    def test_at_risk_renewals(self):
        soon = self.term(20, customer_segment="small_business")
        quoted = self.term(25, customer_segment="enterprise")
        later = self.term(60)
        self.run_on(TODAY)
        Lead = self.env["crm.lead"]
        at_risk = Lead.search([("renewal_at_risk", "=", True)])
        self.assertIn(soon.renewal_lead_id, at_risk)
        self.assertNotIn(quoted.renewal_lead_id, at_risk, "its quote was sent")
        self.assertNotIn(later.renewal_lead_id, at_risk)
        self.assertTrue(soon.renewal_lead_id.renewal_at_risk)


@tagged("post_install", "-at_install")
class TestRenewalAnalysisViews(HttpCase, RenewalsCommon):
    def test_analysis_fits_and_draws_outcomes_in_their_colours(self):
        """The analysis opens on a pivot that fits the window; its graph
        draws "On time" in green even when a lapsed term comes first (Odoo's
        graph colours series by position: the second one, red)."""
        self.env.company.renewal_grace_days = 30
        lapsed_end = TODAY - timedelta(days=400)
        lapsed = self.make_contract(
            date_start=lapsed_end.replace(year=lapsed_end.year - 1) + timedelta(days=1),
            date_end=lapsed_end,
        )
        on_time_end = TODAY - timedelta(days=10)
        on_time = self.make_contract(
            date_start=on_time_end.replace(year=on_time_end.year - 1)
            + timedelta(days=1),
            date_end=on_time_end,
        )
        (lapsed | on_time).action_activate()
        with freeze_time(on_time_end - timedelta(days=3)):
            on_time.action_generate_renewal_quote()
            on_time.renewal_order_id.action_confirm()
        self.assertEqual(on_time.state, "renewed")
        self.start_tour(
            "/odoo/renewal-analysis",
            "symantec_renewals_analysis_tour",
            login=self.manager.login,
        )
