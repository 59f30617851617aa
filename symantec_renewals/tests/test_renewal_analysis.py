from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_renewal_run import RenewalRunCommon

# The analysis is a database view that takes today from the database clock
# (in UTC): its scenario is built around the real today, and each renewal
# is ordered on a day moved relative to it.
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

    def term(self, days_to_end, **values):
        """A 12-month term (10 units x 220 = 2,200 a year) ending
        ``days_to_end`` days from today."""
        end = TODAY + timedelta(days=days_to_end)
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

        # Grouped, as the pivot and the dashboard read it.
        [[count, due, renewed, fees, rate_value, rate_count]] = (
            self.Analysis._read_group(
                [("contract_id", "in", contracts.ids)],
                [],
                [
                    "__count",
                    "amount_due:sum",
                    "amount_renewed:sum",
                    "reinstatement_fee_amount:sum",
                    "renewal_rate_value:avg",
                    "renewal_rate_count:avg",
                ],
            )
        )
        self.assertEqual(count, 6)
        self.assertAlmostEqual(due, 6 * 2200.0)
        self.assertAlmostEqual(renewed, 4 * 2266.0 + premium)
        self.assertAlmostEqual(fees, 453.2)
        self.assertAlmostEqual(rate_value, round(100 * renewed / due, 10), places=6)
        self.assertAlmostEqual(rate_count, 100 * 4 / 6, places=6)
        by_outcome = dict(
            self.Analysis._read_group(
                [("contract_id", "in", contracts.ids)], ["outcome"], ["__count"]
            )
        )
        self.assertEqual(
            by_outcome,
            {"on_time": 2, "late": 1, "reinstated": 1, "lapsed": 1, "open": 1},
        )

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
