from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_late_renewal import LateRenewalCommon
from .test_renewal_run import END


@tagged("post_install", "-at_install")
class TestMultiYearRenewal(LateRenewalCommon):
    """10 units at a licence value of 1,000 under Essential Support (22 %,
    uplift 3 %, here a multi-year discount of 10 %): a yearly renewed unit
    price of 226.60."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier_software.multi_year_discount_percent = 10.0

    def renewal_lines(self, order):
        return order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        )

    def test_a_one_year_term_is_quoted_for_one_year_without_discount(self):
        order = self.quote(self.active_contract(), END)
        self.assertEqual(order.renewal_years, 1)
        self.assertEqual(self.kinds(order)["renewal"], 2266.0)

    def test_the_quote_takes_its_years_from_the_contract(self):
        contract = self.active_contract()
        contract.renewal_years = 2
        order = self.quote(contract, END)
        self.assertEqual(order.renewal_years, 2)
        # 226.60 x 2 years x (1 - 10 %) = 407.88 a unit.
        self.assertEqual(self.renewal_lines(order).price_unit, 407.88)
        self.assertIn("12/31/2028", self.renewal_lines(order).name)
        self.assertIn("multi-year discount 10.0%", self.renewal_lines(order).name)

    def test_a_two_year_term_asks_for_two_years(self):
        contract = self.active_contract(date_end=date(2027, 12, 31))
        self.assertEqual(contract.renewal_years, 2)

    def test_switching_years_reprices_and_redates_the_quote(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        with freeze_time(END):
            order.action_set_renewal_years(3)
        self.assertEqual(order.renewal_years, 3)
        # 226.60 x 3 x 0.9 = 611.82 a unit.
        self.assertEqual(self.kinds(order)["renewal"], 6118.2)
        self.assertIn("12/31/2029", self.renewal_lines(order).name)
        with freeze_time(END):
            order.action_set_renewal_years(1)
        self.assertEqual(self.kinds(order)["renewal"], 2266.0)
        self.assertNotIn("multi-year", self.renewal_lines(order).name)

    def test_switching_years_reprices_the_surcharge_and_fee(self):
        contract = self.active_contract()
        day = END + timedelta(days=10)
        order = self.quote(contract, day)
        with freeze_time(day):
            order.action_set_renewal_years(2)
        self.assertEqual(
            self.kinds(order),
            {"renewal": 4078.8, "late_surcharge": 407.88, "reinstatement_fee": 815.76},
        )

    def test_switching_years_reprices_the_upgrades_offered(self):
        order = self.quote(self.active_contract(), END)
        addons = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "addon"
        )
        self.assertTrue(addons, "the quote offers an upgrade")
        yearly = {line: line.price_unit for line in addons}
        with freeze_time(END):
            order.action_set_renewal_years(2)
        for line in addons:
            self.assertAlmostEqual(line.price_unit, 2 * yearly[line], places=2)
            self.assertIn("12/31/2028", line.name)
            self.assertEqual(line.product_uom_qty, 0)

    def test_switching_years_keeps_the_quantities_ordered(self):
        order = self.quote(self.active_contract(), END)
        self.renewal_lines(order).product_uom_qty = 4
        with freeze_time(END):
            order.action_set_renewal_years(2)
        self.assertEqual(self.renewal_lines(order).product_uom_qty, 4)
        self.assertEqual(self.kinds(order)["renewal"], 4 * 407.88)

    def test_successor_term_lasts_the_years_ordered(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        with freeze_time(END):
            order.action_set_renewal_years(2)
        self.confirm(order, END)
        successor = contract.successor_id
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(successor.date_start, date(2027, 1, 1))
        self.assertEqual(successor.date_end, date(2028, 12, 31))
        self.assertEqual(successor.term_months, 24)
        self.assertEqual(successor.renewal_years, 2)
        self.assertTrue(successor.activation_code)

    def test_the_uplift_compounds_once_at_the_next_renewal(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        with freeze_time(END):
            order.action_set_renewal_years(3)
        self.confirm(order, END)
        successor = contract.successor_id
        # One uplift for the three years, not one a year.
        self.assertEqual(successor.line_ids.price_unit, 226.6)
        next_order = self.quote(successor, successor.date_end)
        self.assertEqual(next_order.renewal_years, 3)
        # 226.60 x 1.03 = 233.398 a year, x 3 x 0.9 = 630.17.
        self.assertEqual(self.renewal_lines(next_order).price_unit, 630.17)

    def test_years_outside_one_to_three_are_refused(self):
        order = self.quote(self.active_contract(), END)
        for years in (0, 4, "two"):
            with (
                self.subTest(years=years),
                self.assertRaisesRegex(UserError, "1, 2 or 3 years"),
            ):
                order.action_set_renewal_years(years)
        self.assertEqual(order.renewal_years, 1)
        self.assertEqual(self.kinds(order)["renewal"], 2266.0)

    def test_a_confirmed_order_keeps_its_years(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        self.confirm(order, END)
        with self.assertRaisesRegex(UserError, "can no longer change"):
            order.action_set_renewal_years(2)
        self.assertEqual(order.renewal_years, 1)
        self.assertEqual(contract.successor_id.term_months, 12)

    def test_rep_switches_years_only_through_the_action(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        as_rep = order.with_user(self.rep)
        with self.assertRaises(AccessError):
            as_rep.write({"renewal_years": 2})
        self.assertEqual(order.renewal_years, 1)
        with freeze_time(END):
            as_rep.action_set_renewal_years(2)
        self.assertEqual(order.renewal_years, 2)
        self.assertEqual(self.kinds(order)["renewal"], 4078.8)

    def test_contract_years_outside_one_to_three_are_refused(self):
        contract = self.active_contract()
        with self.assertRaisesRegex(UserError, "1, 2 or 3 years"):
            contract.renewal_years = 4

    def test_tier_discount_outside_zero_to_hundred_is_refused(self):
        with self.assertRaisesRegex(UserError, "between 0 and 100"):
            self.tier_software.multi_year_discount_percent = 120.0
