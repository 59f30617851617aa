import re
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools import policy
from .test_renewal_run import END, RenewalRunCommon

CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$")


class LateRenewalCommon(RenewalRunCommon):
    def quote(self, contract, day):
        with freeze_time(day):
            contract.action_generate_renewal_quote()
        return contract.renewal_order_id

    def confirm(self, order, day):
        with freeze_time(day):
            order.action_confirm()

    def kinds(self, order):
        return {
            kind: sum(
                order.order_line.filtered(
                    lambda line, kind=kind: line.renewal_line_kind == kind
                ).mapped("price_subtotal")
            )
            for kind in ("renewal", "late_surcharge", "reinstatement_fee")
        }


@tagged("post_install", "-at_install")
class TestLateRenewalPricing(LateRenewalCommon):
    """10 units at a licence value of 1,000 under Essential Support (22 %,
    uplift 3 %): a standard renewal price of 2,266.00; policy: surcharge
    10 %, fee 20 % with a minimum of 100, reinstatable for 365 days."""

    def test_on_time_is_the_standard_price(self):
        order = self.quote(self.active_contract(), END)
        self.assertEqual(order.renewal_case, "on_time")
        self.assertEqual(
            self.kinds(order),
            {"renewal": 2266.0, "late_surcharge": 0.0, "reinstatement_fee": 0.0},
        )
        self.assertAlmostEqual(order.amount_untaxed, 2266.0)

    def test_late_within_grace_adds_the_surcharge_line(self):
        self.company.renewal_grace_days = 30
        contract = self.active_contract()
        for day in (END + timedelta(days=1), END + timedelta(days=30)):
            with self.subTest(day=day):
                order = self.quote(contract, day)
                self.assertEqual(order.renewal_case, "late")
                self.assertEqual(
                    self.kinds(order),
                    {
                        "renewal": 2266.0,
                        "late_surcharge": 226.6,
                        "reinstatement_fee": 0,
                    },
                )
                self.assertEqual(order.validity_date, END + timedelta(days=30))
                surcharge = order.order_line.filtered(
                    lambda line: line.renewal_line_kind == "late_surcharge"
                )
                self.assertIn("Late renewal surcharge: 10.0%", surcharge.name)
                # Said of the quote, which nobody has ordered yet.
                self.assertNotIn("ordered", surcharge.name)
                self.assertIn(
                    "the day after the end of maintenance on 12/31/2026"
                    if day == END + timedelta(days=1)
                    else "30 days after the end of maintenance on 12/31/2026",
                    surcharge.name,
                )
                order._action_cancel()

    def test_past_grace_is_a_reinstatement_with_fee(self):
        self.company.renewal_grace_days = 30
        order = self.quote(self.active_contract(), END + timedelta(days=31))
        self.assertEqual(order.renewal_case, "reinstatement")
        self.assertEqual(
            self.kinds(order),
            {"renewal": 2266.0, "late_surcharge": 226.6, "reinstatement_fee": 453.2},
        )
        self.assertAlmostEqual(order.amount_untaxed, 2945.8)
        self.assertEqual(order.validity_date, END + timedelta(days=365))

    def test_without_grace_the_day_after_is_a_reinstatement(self):
        order = self.quote(self.active_contract(), END + timedelta(days=1))
        self.assertEqual(order.renewal_case, "reinstatement")

    def test_reinstatement_fee_uses_minimum(self):
        contract = self.active_contract(lines=[{"quantity": 1, "license_value": 100.0}])
        order = self.quote(contract, END + timedelta(days=10))
        self.assertEqual(
            self.kinds(order),
            {"renewal": 22.66, "late_surcharge": 2.27, "reinstatement_fee": 100.0},
        )

    def test_fee_minimum_converted_to_the_quote_currency(self):
        other = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [
                    ("id", "!=", self.company.currency_id.id),
                    ("name", "in", ("EUR", "USD")),
                ],
                limit=1,
            )
        )
        other.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": other.id, "rate": 0.5, "name": "2025-01-01"}
        )
        self.company.currency_id.rate_ids.unlink()
        contract = self.active_contract(
            currency_id=other.id, lines=[{"quantity": 1, "license_value": 100.0}]
        )
        order = self.quote(contract, END + timedelta(days=10))
        self.assertEqual(order.currency_id, other)
        self.assertAlmostEqual(self.kinds(order)["reinstatement_fee"], 50.0)

    def test_reinstatable_until_the_limit_then_lapsed(self):
        contract = self.active_contract()
        order = self.quote(contract, END + timedelta(days=365))
        self.assertEqual(order.renewal_case, "reinstatement")
        with (
            freeze_time(END + timedelta(days=366)),
            self.assertRaisesRegex(UserError, "new licence"),
        ):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        order._action_cancel()
        with (
            freeze_time(END + timedelta(days=366)),
            self.assertRaisesRegex(UserError, "new licence"),
        ):
            contract.action_generate_renewal_quote()

    def test_run_reprices_an_open_quote_crossing_a_boundary(self):
        self.company.renewal_grace_days = 30
        contract = self.active_contract(customer_segment="enterprise")
        self.run_on(END - timedelta(days=10))
        order = contract.renewal_order_id
        self.assertEqual(order.renewal_case, "on_time")
        self.run_on(END + timedelta(days=1))
        self.assertEqual(order.renewal_case, "late")
        self.assertEqual(self.kinds(order)["late_surcharge"], 226.6)
        self.run_on(END + timedelta(days=31))
        self.assertEqual(order.renewal_case, "reinstatement")
        self.assertEqual(self.kinds(order)["reinstatement_fee"], 453.2)
        self.assertEqual(order.validity_date, END + timedelta(days=365))
        self.assertEqual(len(order.order_line.filtered("renewal_line_kind")), 3 + 1)

    def test_confirmation_reprices_for_its_day(self):
        self.company.renewal_grace_days = 30
        contract = self.active_contract()
        order = self.quote(contract, END - timedelta(days=5))
        self.confirm(order, END + timedelta(days=5))
        self.assertEqual(order.renewal_case, "late")
        self.assertAlmostEqual(order.amount_untaxed, 2492.6)
        self.assertEqual(order.state, "sale")

    def test_new_licence_cheaper_warning(self):
        self.tier_software.license_percent = 90.0
        contract = self.active_contract()
        on_time = self.quote(contract, END)
        self.assertFalse(on_time.renewal_new_license_cheaper)
        on_time._action_cancel()
        order = self.quote(contract, END + timedelta(days=40))
        self.assertAlmostEqual(order.renewal_license_value, 10000.0)
        self.assertGreater(order.amount_untaxed, 10000.0)
        self.assertTrue(order.renewal_new_license_cheaper)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale.action_report_saleorder", order.ids)[0]
            .decode()
        )
        self.assertIn("costs more than buying the licences again", html)


@tagged("post_install", "-at_install")
class TestFeeWaiver(LateRenewalCommon):
    def test_manager_waives_fee_with_reason_logged(self):
        contract = self.active_contract(customer_segment="enterprise")
        order = self.quote(contract, END + timedelta(days=40))
        action = order.with_user(self.manager).action_waive_reinstatement_fee()
        self.assertEqual(action["name"], "Waive the Reinstatement Fee")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"reason": "Customer was in hospital"})
        )
        wizard.action_waive()
        self.assertTrue(order.renewal_fee_waived)
        self.assertEqual(self.kinds(order)["reinstatement_fee"], 0.0)
        self.assertEqual(self.kinds(order)["late_surcharge"], 226.6)
        log = order.message_ids.filtered(lambda m: "waived" in (m.body or ""))
        self.assertIn("Renewal Manager", log.body)
        self.assertIn("Customer was in hospital", log.body)
        # Re-pricing (run, confirmation) does not bring it back.
        self.run_on(END + timedelta(days=60))
        self.confirm(order, END + timedelta(days=61))
        self.assertEqual(self.kinds(order)["reinstatement_fee"], 0.0)
        self.assertAlmostEqual(order.amount_untaxed, 2492.6)

    def test_rep_cannot_waive(self):
        order = self.quote(self.active_contract(), END + timedelta(days=40))
        with self.assertRaises(AccessError):
            order.with_user(self.rep).action_waive_reinstatement_fee()
        with self.assertRaises(AccessError):
            order.with_user(self.rep)._waive_reinstatement_fee("no")
        with self.assertRaises(AccessError):
            self.env["symantec.fee.waiver.wizard"].with_user(self.rep).create(
                {"order_id": order.id, "reason": "no"}
            )
        self.assertEqual(self.kinds(order)["reinstatement_fee"], 453.2)


@tagged("post_install", "-at_install")
class TestRenewalCompletion(LateRenewalCommon):
    def test_confirmed_quote_renews_the_contract(self):
        contract = self.active_contract(user_id=self.rep.id)
        self.run_on(END - timedelta(days=20))
        order = self.quote(contract, END - timedelta(days=10))
        self.confirm(order, END - timedelta(days=5))
        successor = contract.successor_id
        self.assertEqual(successor.state, "active")
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(successor.predecessor_id, contract)
        self.assertEqual(
            (successor.date_start, successor.date_end),
            (date(2027, 1, 1), END.replace(2027)),
        )
        self.assertEqual(successor.tier_id, contract.tier_id)
        self.assertAlmostEqual(successor.line_ids.price_unit, 226.6)
        self.assertAlmostEqual(successor.amount_total, 2266.0)
        self.assertEqual(contract.renewal_lead_id.won_status, "won")
        self.assertEqual(contract.renewal_lead_id.renewal_status, "won")
        self.assertEqual(contract.renewal_order_id, order)
        self.assertRegex(successor.activation_code, CODE)
        self.assertEqual(successor.activation_state, "pending")
        mail = self.emails(successor)
        self.assertEqual(len(mail), 1)
        self.assertNotIn(
            successor.activation_code, mail.body, "the reseller reads this chatter"
        )
        self.assertEqual(self.recipients(mail), self.customer)
        successor.with_user(self.rep).action_activate_code()
        self.assertEqual(successor.activation_state, "activated")
        with self.assertRaises(UserError):
            successor.action_activate_code()

    def test_reinstated_term_is_back_dated_at_the_renewed_price(self):
        contract = self.active_contract()
        order = self.quote(contract, END + timedelta(days=100))
        self.confirm(order, END + timedelta(days=100))
        successor = contract.successor_id
        self.assertEqual(successor.date_start, END + timedelta(days=1))
        self.assertAlmostEqual(successor.line_ids.price_unit, 226.6, msg="no fee")
        with freeze_time(END + timedelta(days=101)):
            self.assertEqual(
                contract._compliance_on(END + timedelta(days=101)), "compliant"
            )

    def test_rep_confirms_a_renewal(self):
        contract = self.active_contract(user_id=self.rep.id)
        order = self.quote(contract, END - timedelta(days=10))
        with freeze_time(END - timedelta(days=9)):
            order.with_user(self.rep).action_confirm()
        self.assertEqual(contract.state, "renewed")
        self.assertAlmostEqual(contract.successor_id.line_ids.price_unit, 226.6)

    def test_uplifts_compound_term_after_term(self):
        contract = self.active_contract()
        self.confirm(self.quote(contract, END), END)
        second = contract.successor_id
        self.confirm(self.quote(second, END.replace(2027)), END.replace(2027))
        third = second.successor_id
        self.assertAlmostEqual(third.line_ids.price_unit, 233.4)
        self.assertEqual(third.date_start, date(2028, 1, 1))

    def test_quantity_changed_on_the_quote_is_renewed(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        order.order_line.filtered(lambda line: line.renewal_line_kind == "renewal")[
            0
        ].product_uom_qty = 12
        self.confirm(order, END)
        self.assertEqual(contract.successor_id.line_ids.quantity, 12)

    def test_premium_upgrade_taken_on_the_quote(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        addon = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "addon"
        )
        addon.product_uom_qty = 1
        self.confirm(order, END)
        premium = self.env.ref("symantec_renewals.tier_premium_support")
        upgrade = self.Contract.search(
            [("tier_id", "=", premium.id), ("renewal_origin_id", "=", contract.id)]
        )
        self.assertEqual(upgrade.state, "active")
        self.assertEqual(upgrade.date_start, date(2027, 1, 1))
        self.assertAlmostEqual(upgrade.amount_total, premium.unit_price)

    def test_a_renewed_contract_cannot_be_renewed_twice(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        self.confirm(order, END)
        self.assertEqual(
            self.Contract.search_count([("predecessor_id", "=", contract.id)]), 1
        )
        with self.assertRaises(UserError):
            contract.action_generate_renewal_quote()

    def test_two_orders_of_one_contract_confirmed_together_are_refused(self):
        contract = self.active_contract()
        order = self.quote(contract, END)
        twin = order.copy({"renewal_contract_id": contract.id})
        with freeze_time(END), self.assertRaisesRegex(UserError, "confirmed again"):
            (order | twin).action_confirm()
        self.assertFalse(
            self.Contract.search_count([("predecessor_id", "=", contract.id)])
        )


@tagged("post_install", "-at_install")
class TestSuccessorDatesAndCodes(LateRenewalCommon):
    def test_successor_dates_across_month_ends_and_leap_years(self):
        cases = [
            (
                (date(2026, 1, 1), date(2026, 12, 31)),
                (date(2027, 1, 1), date(2027, 12, 31)),
            ),
            (
                (date(2024, 3, 1), date(2025, 2, 28)),
                (date(2025, 3, 1), date(2026, 2, 28)),
            ),
            (
                (date(2023, 3, 1), date(2024, 2, 29)),
                (date(2024, 3, 1), date(2025, 2, 28)),
            ),
            (
                (date(2027, 3, 1), date(2028, 2, 29)),
                (date(2028, 3, 1), date(2029, 2, 28)),
            ),
            (
                (date(2026, 2, 1), date(2027, 1, 31)),
                (date(2027, 2, 1), date(2028, 1, 31)),
            ),
            (
                (date(2026, 1, 15), date(2028, 1, 14)),
                (date(2028, 1, 15), date(2030, 1, 14)),
            ),
            (
                (date(2025, 8, 31), date(2026, 8, 30)),
                (date(2026, 8, 31), date(2027, 8, 30)),
            ),
        ]
        for (start, end), expected in cases:
            with self.subTest(start=start, end=end):
                self.assertEqual(policy.successor_dates(start, end), expected)
                self.assertEqual(
                    policy.term_months(*expected), policy.term_months(start, end)
                )

    def test_activation_codes_are_random_and_unique(self):
        codes = {self.Contract._new_activation_code() for _i in range(500)}
        self.assertEqual(len(codes), 500)
        self.assertTrue(all(CODE.match(code) for code in codes))
        self.assertFalse(set("01IO") & set("".join(codes)))

    def test_code_generation_retries_on_a_collision(self):
        taken = self.active_contract()
        taken.activation_code = "AAAA-AAAA-AAAA-AAAA"
        draws = iter([0] * 16 + [1] * 16)
        with (
            freeze_time(END),
            patch(
                "odoo.addons.symantec_renewals.models.symantec_contract_renewal.secrets.randbelow",
                lambda _n: next(draws),
            ),
        ):
            code = self.Contract._new_activation_code()
        self.assertEqual(code, "BBBB-BBBB-BBBB-BBBB")

    @mute_logger("odoo.sql_db")
    def test_database_refuses_a_duplicate_code(self):
        first = self.active_contract()
        second = self.active_contract()
        first.activation_code = "W4TS-7NQE-3HJB-YK6F"
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            second.activation_code = "W4TS-7NQE-3HJB-YK6F"
            self.env.flush_all()
