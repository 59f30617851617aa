from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .test_late_renewal import LateRenewalCommon

# Three contracts of one customer ending on scattered dates, 10 units at a
# licence value of 1,000 each (a yearly renewed unit price of 226.60).
ENDS = {
    "A": (date(2026, 1, 1), date(2026, 12, 31)),
    "B": (date(2026, 4, 1), date(2027, 3, 31)),
    "C": (date(2026, 2, 1), date(2027, 1, 31)),
}
COTERM = date(2028, 3, 31)  # B's normal new end, the latest
TODAY = date(2026, 12, 15)


@tagged("post_install", "-at_install")
class TestRenewTogether(LateRenewalCommon):
    def setUp(self):
        super().setUp()
        self.contracts = {
            key: self.active_contract(date_start=start, date_end=end)
            for key, (start, end) in ENDS.items()
        }
        self.all = self.Contract.concat(*self.contracts.values())

    def together(self, contracts=None, coterm_date=None, day=TODAY):
        with freeze_time(day):
            return (contracts or self.all)._renew_together(coterm_date)

    def section(self, order, key):
        contract = self.contracts[key]
        return order.order_line.filtered(
            lambda line: line.renewal_contract_id == contract
        )

    def amount(self, order, key, kind):
        return sum(
            self.section(order, key)
            .filtered(lambda line: line.renewal_line_kind == kind)
            .mapped("price_subtotal")
        )

    def counts(self):
        return {
            "orders": self.env["sale.order"].search_count(
                [("renewal_contract_id", "in", self.all.ids)]
            ),
            "leads": self.env["crm.lead"].search_count(
                [("renewal_contract_id", "in", self.all.ids)]
            ),
        }

    # ------------------------------------------------------------------
    # The quote
    # ------------------------------------------------------------------

    def test_one_reseller_quote_with_a_section_per_contract(self):
        order = self.together()
        self.assertEqual(order.partner_id, self.reseller)
        self.assertEqual(order.renewal_end_customer_id, self.customer)
        self.assertEqual(order.renewal_contract_ids, self.all)
        self.assertEqual(order.renewal_contract_id, self.contracts["A"])
        sections = order.order_line.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertEqual(len(sections), 3)
        # The first due first.
        self.assertEqual(
            sections.sorted("sequence").renewal_contract_id.mapped("name"),
            [self.contracts[key].name for key in ("A", "C", "B")],
        )
        self.assertIn("01/01/2027 - 03/31/2028", self.section(order, "A")[0].name)
        for key in ("A", "B", "C"):
            self.assertEqual(self.contracts[key].renewal_order_id, order)

    def test_default_coterm_date_is_the_latest_normal_new_end(self):
        order = self.together()
        self.assertEqual(order.renewal_coterm_date, COTERM)

    def test_each_contract_is_prorated_by_day_to_its_new_term(self):
        order = self.together()
        # 226.60 x 456, 366 and 425 days / 365, a unit.
        self.assertEqual(self.amount(order, "A", "renewal"), 2830.9)
        self.assertEqual(self.amount(order, "B", "renewal"), 2272.2)
        self.assertEqual(self.amount(order, "C", "renewal"), 2638.5)
        self.assertAlmostEqual(order.amount_untaxed, 2830.9 + 2272.2 + 2638.5)

    def test_each_contract_has_its_own_late_lines_from_its_own_end(self):
        # A ended 10 days ago (no grace: a reinstatement), B and C are on time.
        order = self.together(day=date(2027, 1, 10))
        self.assertEqual(order.renewal_case, "reinstatement")
        self.assertEqual(self.amount(order, "A", "late_surcharge"), 283.09)
        self.assertEqual(self.amount(order, "A", "reinstatement_fee"), 566.18)
        for key in ("B", "C"):
            self.assertFalse(
                self.section(order, key).filtered(
                    lambda line: (
                        line.renewal_line_kind
                        in ("late_surcharge", "reinstatement_fee")
                    )
                )
            )
        # In A's section, not in another's.
        surcharge = self.section(order, "A").filtered(
            lambda line: line.renewal_line_kind == "late_surcharge"
        )
        self.assertEqual(surcharge.parent_id, self.section(order, "A")[0])

    def test_a_contract_crossing_a_boundary_is_repriced_alone(self):
        order = self.together()
        order._renewal_reprice(date(2027, 2, 5))
        # A and C are past their end now, B is not.
        self.assertTrue(self.amount(order, "A", "late_surcharge"))
        self.assertTrue(self.amount(order, "C", "late_surcharge"))
        self.assertFalse(self.amount(order, "B", "late_surcharge"))
        self.assertEqual(order.validity_date, date(2027, 3, 31))

    def test_other_open_quotes_are_cancelled(self):
        with freeze_time(TODAY):
            self.contracts["A"].action_generate_renewal_quote()
        own = self.contracts["A"].renewal_order_id
        order = self.together()
        self.assertEqual(own.state, "cancel")
        self.assertNotEqual(order, own)
        self.assertEqual(order.state, "draft")

    def test_the_opportunities_are_linked_to_the_main_one(self):
        order = self.together()
        main = self.contracts["A"].renewal_lead_id
        self.assertEqual(order.opportunity_id, main)
        self.assertFalse(main.renewal_main_lead_id)
        for key in ("B", "C"):
            self.assertEqual(
                self.contracts[key].renewal_lead_id.renewal_main_lead_id, main
            )
        self.assertEqual(
            main.renewal_linked_lead_ids,
            (self.contracts["B"] | self.contracts["C"]).renewal_lead_id,
        )
        leads = self.all.renewal_lead_id
        self.assertEqual(set(leads.mapped("renewal_status")), {"quoted"})
        # Each expects its own contract's part.
        self.assertAlmostEqual(
            self.contracts["B"].renewal_lead_id.expected_revenue, 2272.2
        )
        self.assertAlmostEqual(sum(leads.mapped("expected_revenue")), 7741.6)

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------

    def test_confirming_completes_every_renewal_on_the_coterm_date(self):
        order = self.together()
        self.confirm(order, TODAY)
        for key, (_start, end) in ENDS.items():
            contract = self.contracts[key]
            successor = contract.successor_id
            self.assertEqual(contract.state, "renewed")
            self.assertEqual(successor.state, "active")
            self.assertEqual(successor.date_start, end + timedelta(days=1))
            self.assertEqual(successor.date_end, COTERM)
            self.assertTrue(successor.activation_code)
            # The renewed yearly price, not the prorated one.
            self.assertEqual(successor.line_ids.price_unit, 226.6)
            self.assertEqual(contract.renewal_lead_id.renewal_status, "won")
        codes = self.all.successor_id.mapped("activation_code")
        self.assertEqual(len(set(codes)), 3)

    def test_the_analysis_counts_each_contract_with_its_own_fee(self):
        order = self.together(day=date(2027, 1, 10))
        self.confirm(order, date(2027, 1, 10))
        self.env.flush_all()
        rows = self.env["symantec.renewal.analysis"].search(
            [("contract_id", "in", self.all.ids)]
        )
        self.assertEqual(len(rows), 3)
        by_contract = {row.contract_id: row for row in rows}
        self.assertEqual(by_contract[self.contracts["A"]].outcome, "reinstated")
        self.assertEqual(by_contract[self.contracts["B"]].outcome, "on_time")
        self.assertAlmostEqual(
            by_contract[self.contracts["A"]].reinstatement_fee_amount, 566.18
        )
        self.assertFalse(by_contract[self.contracts["C"]].reinstatement_fee_amount)
        self.assertEqual(sum(rows.mapped("renewed_count")), 3)

    # ------------------------------------------------------------------
    # Multi-year, renewed together
    # ------------------------------------------------------------------

    def test_two_years_together_move_the_common_end_by_a_year(self):
        self.tier_software.multi_year_discount_percent = 10.0
        order = self.together()
        with freeze_time(TODAY):
            order.action_set_renewal_years(2)
        self.assertEqual(order.renewal_coterm_date, date(2029, 3, 31))
        # B: 2027-04-01 - 2029-03-31 is 731 days; 226.60 x 731 / 365 x 0.9.
        self.assertEqual(self.amount(order, "B", "renewal"), 4084.4)
        self.assertIn("03/31/2029", self.section(order, "B")[0].name)
        with freeze_time(TODAY):
            order.action_set_renewal_years(1)
        self.assertEqual(order.renewal_coterm_date, COTERM)
        self.assertEqual(self.amount(order, "B", "renewal"), 2272.2)

    # ------------------------------------------------------------------
    # The contract list and the wizard
    # ------------------------------------------------------------------

    def test_wizard_chooses_the_coterm_date_and_makes_the_quote(self):
        with freeze_time(TODAY):
            action = self.all.with_user(self.rep).action_renew_together()
            self.assertEqual(action["res_model"], "symantec.renewal.consolidate.wizard")
            wizard_form = Form(
                self.env[action["res_model"]]
                .with_user(self.rep)
                .with_context(**action["context"])
            )
            self.assertEqual(wizard_form.coterm_date, COTERM)
            self.assertEqual(wizard_form.earliest_coterm_date, date(2028, 3, 31))
            wizard_form.coterm_date = date(2028, 6, 30)
            wizard = wizard_form.save()
            self.assertIn("o_coterm_summary", wizard.summary)
            result = wizard.action_renew_together()
        order = self.env["sale.order"].browse(result["res_id"])
        self.assertEqual(order.renewal_coterm_date, date(2028, 6, 30))
        self.assertEqual(order.renewal_contract_ids, self.all)

    # ------------------------------------------------------------------
    # Refusals: clear, and nothing saved
    # ------------------------------------------------------------------

    def assertRefused(self, contracts, message, coterm_date=None):
        before = self.counts()
        with self.assertRaisesRegex(UserError, message):
            self.together(contracts, coterm_date)
        self.assertEqual(self.counts(), before)

    def test_a_term_shorter_than_twelve_months_is_refused(self):
        self.assertRefused(
            self.all,
            "would be renewed from 02/01/2027 to 12/31/2027, 11 months.*on or "
            "after 03/31/2028",
            coterm_date=date(2027, 12, 31),
        )

    def test_one_contract_alone_is_refused(self):
        self.assertRefused(self.contracts["A"], "at least two contracts")

    def test_another_customer_is_refused(self):
        other = self.env["res.partner"].create({"name": "Other Customer"})
        stranger = self.active_contract(partner_id=other.id)
        self.assertRefused(self.all | stranger, "different customer")

    def test_another_reseller_is_refused(self):
        other = self.env["res.partner"].create(
            {"name": "Other Reseller", "is_reseller": True}
        )
        stranger = self.active_contract(reseller_id=other.id)
        self.assertRefused(self.all | stranger, "different reseller")

    def test_another_currency_is_refused(self):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.company.currency_id.id)], limit=1)
        )
        currency.active = True
        stranger = self.active_contract(currency_id=currency.id)
        self.assertRefused(self.all | stranger, "different currency")

    def test_an_automatic_renewal_is_refused(self):
        cloud = self.active_contract(tier_id=self.tier_online.id, auto_renew=True)
        self.assertRefused(self.all | cloud, "renews automatically")

    def test_a_lapsed_contract_is_refused(self):
        lapsed = self.active_contract(
            date_start=date(2024, 12, 1), date_end=date(2025, 11, 30)
        )
        self.assertRefused(self.all | lapsed, "can no longer be renewed")

    def test_refusal_leaves_the_open_quote(self):
        with freeze_time(TODAY):
            self.contracts["A"].action_generate_renewal_quote()
        own = self.contracts["A"].renewal_order_id
        with self.assertRaises(UserError):
            self.together(coterm_date=date(2027, 6, 30))
        self.assertEqual(own.state, "draft")
        self.assertEqual(self.contracts["A"].renewal_order_id, own)

    def test_rep_of_another_team_cannot_renew_them_together(self):
        with self.assertRaises(AccessError):
            self.together(self.all.with_user(self.rep_jp))
        self.assertFalse(self.all.renewal_order_id)

    def test_rep_cannot_write_the_coterm_fields(self):
        order = self.together()
        as_rep = order.with_user(self.rep)
        for vals in (
            {"renewal_coterm_date": date(2029, 1, 1)},
            {"renewal_contract_ids": [(5,)]},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_rep.write(vals)
        section = self.section(order, "B")[0]
        with self.assertRaises(AccessError):
            section.with_user(self.rep).write({"renewal_case": "lapsed"})
        lead = self.contracts["B"].renewal_lead_id
        with self.assertRaises(AccessError):
            lead.with_user(self.rep).write({"renewal_main_lead_id": False})
        self.assertEqual(order.renewal_coterm_date, COTERM)
        self.assertEqual(order.renewal_contract_ids, self.all)
        self.assertEqual(lead.renewal_main_lead_id, self.contracts["A"].renewal_lead_id)
