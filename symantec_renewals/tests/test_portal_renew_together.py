from datetime import timedelta

from odoo import Command, fields
from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalRenewTogether(HttpCase):
    """The reseller renews a customer's open renewals together on the portal
    and makes its renewal quotes for 1, 2 or 3 years (SPEC §12)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        today = fields.Date.today()
        Partner = env["res.partner"]
        cls.reseller = Partner.create(
            {"name": "Together Reseller Srl", "is_company": True, "is_reseller": True}
        )
        cls.other_reseller = Partner.create(
            {"name": "Elsewhere Reseller", "is_company": True, "is_reseller": True}
        )
        cls.customer = Partner.create(
            {
                "name": "Scattered Dates SpA",
                "is_company": True,
                "email": "s@example.com",
            }
        )
        cls.lone_customer = Partner.create(
            {"name": "Lone Contract Srl", "is_company": True, "email": "l@example.com"}
        )

        def portal_user(login, company):
            user = new_test_user(env, login=login, groups="base.group_portal")
            user.partner_id.write(
                {"parent_id": company.id, "email": f"{login}@example.com"}
            )
            return user

        portal_user("together_reseller", cls.reseller)
        portal_user("together_other", cls.other_reseller)
        portal_user("together_customer", cls.customer)
        cls.rep = new_test_user(
            env, login="together_rep", groups="symantec_renewals.group_renewal_user"
        )
        tier = env.ref("symantec_renewals.tier_essential_support")
        tier.multi_year_discount_percent = 10.0
        product = env["product.product"].create({"name": "Mail Security"})

        def contract(name, customer, days_left):
            end = today + timedelta(days=days_left)
            record = env["symantec.contract"].create(
                {
                    "name": name,
                    "partner_id": customer.id,
                    "reseller_id": cls.reseller.id,
                    "region": "emea",
                    "user_id": cls.rep.id,
                    "tier_id": tier.id,
                    "date_start": end - timedelta(days=364),
                    "date_end": end,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 2,
                                "license_value": 500,
                            }
                        )
                    ],
                }
            )
            record.action_activate()
            return record

        cls.contracts = (
            contract("TOGETHER-1", cls.customer, 20)
            | contract("TOGETHER-2", cls.customer, 45)
            | contract("TOGETHER-3", cls.customer, 70)
        )
        cls.lone = contract("TOGETHER-LONE", cls.lone_customer, 30)

    def post(self, url, data, login, csrf=True):
        if login:
            self.authenticate(login, login)
        if csrf:
            data = {**data, "csrf_token": Request.csrf_token(self)}
        return self.url_open(url, data=data, allow_redirects=False)

    def orders(self):
        return self.env["sale.order"].search(
            [("renewal_contract_id", "in", (self.contracts | self.lone).ids)]
        )

    def test_renew_together_is_offered_for_a_customer_with_several_renewals(self):
        self.authenticate("together_reseller", "together_reseller")
        page = self.url_open("/my/renewals")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_renew_together_row", page.text)
        self.assertRegex(
            page.text,
            r"Scattered Dates SpA</span>\s*<span[^>]*o_renew_together_count[^>]*>3<",
        )
        self.assertNotIn('o_renew_together_customer">Lone Contract Srl', page.text)

    def test_reseller_renews_a_customers_renewals_on_one_sent_quote(self):
        response = self.post(
            "/my/renewals/renew_together",
            {"partner_id": self.customer.id},
            "together_reseller",
        )
        self.assertEqual(response.status_code, 303)
        order = self.contracts.renewal_order_id
        self.assertEqual(len(order), 1)
        self.assertIn(f"/my/orders/{order.id}", response.headers["Location"])
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.renewal_contract_ids, self.contracts)
        self.assertEqual(
            order.renewal_coterm_date, self.contracts[2]._renewal_term(1)[1]
        )
        # The rep is told on the main opportunity.
        self.assertTrue(
            self.contracts[0].renewal_lead_id.activity_ids.filtered(
                lambda a: a.user_id == self.rep
            )
        )

    def test_another_reseller_cannot_renew_them_together(self):
        response = self.post(
            "/my/renewals/renew_together",
            {"partner_id": self.customer.id},
            "together_other",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.orders())

    def test_a_lone_renewal_is_refused_clearly(self):
        response = self.post(
            "/my/renewals/renew_together",
            {"partner_id": self.lone_customer.id},
            "together_reseller",
        )
        self.assertEqual(response.status_code, 409)
        self.assertIn("at least two contracts", response.text)
        self.assertFalse(self.orders())

    def test_renew_together_needs_post_and_csrf(self):
        url = "/my/renewals/renew_together"
        response = self.post(
            url, {"partner_id": self.customer.id}, "together_reseller", csrf=False
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.url_open(url).status_code, 405)
        self.assertFalse(self.orders())

    def test_reseller_switches_the_years_before_signing(self):
        self.post(
            "/my/renewals/renew_together",
            {"partner_id": self.customer.id},
            "together_reseller",
        )
        order = self.contracts.renewal_order_id
        coterm = order.renewal_coterm_date
        page = self.url_open(order.get_portal_url())
        self.assertIn("o_renewal_years_2", page.text)
        response = self.post(
            f"/my/orders/{order.id}/renewal_years", {"years": "2"}, None
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(order.renewal_years, 2)
        self.assertEqual(
            order.renewal_coterm_date, coterm.replace(year=coterm.year + 1)
        )

    def test_years_of_a_single_quote_switch_with_its_token(self):
        order = self.lone._generate_renewal_quotes()
        order.action_quotation_sent()
        self.authenticate(None, None)
        response = self.post(
            f"/my/orders/{order.id}/renewal_years",
            {"years": "3", "access_token": order._portal_ensure_token()},
            None,
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(order.renewal_years, 3)
        # 110.00 a year renewed at 113.30, x 3 years x (1 - 10 %).
        self.assertEqual(
            order.order_line.filtered("renewal_contract_line_id").price_unit, 305.91
        )

    def test_years_switch_refusals_change_nothing(self):
        order = self.lone._generate_renewal_quotes()
        order.action_quotation_sent()
        url = f"/my/orders/{order.id}/renewal_years"
        # Another reseller, a wrong token, years out of range.
        self.assertEqual(
            self.post(url, {"years": "2"}, "together_other").status_code, 404
        )
        self.authenticate(None, None)
        self.assertEqual(
            self.post(url, {"years": "2", "access_token": "wrong"}, None).status_code,
            404,
        )
        response = self.post(url, {"years": "5"}, "together_reseller")
        self.assertEqual(response.status_code, 409)
        self.assertIn("1, 2 or 3 years", response.text)
        self.assertEqual(order.renewal_years, 1)

    def test_portal_users_cannot_set_years_through_call_kw(self):
        order = self.lone._generate_renewal_quotes()
        order.action_quotation_sent()
        self.authenticate("together_reseller", "together_reseller")
        for method, args in (
            ("write", [[order.id], {"renewal_years": 3}]),
            ("action_set_renewal_years", [[order.id], 3]),
            ("write", [[order.id], {"renewal_coterm_date": "2030-01-01"}]),
        ):
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/sale.order/{method}",
                    {
                        "model": "sale.order",
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                )
        for method, args in (
            ("action_renew_together", [self.contracts.ids]),
            ("_renew_together", [self.contracts.ids]),
        ):
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/symantec.contract/{method}",
                    {
                        "model": "symantec.contract",
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                )
        order.invalidate_recordset()
        self.assertEqual(order.renewal_years, 1)
        self.assertFalse(order.renewal_coterm_date)
        self.assertFalse(self.contracts.renewal_order_id)

    def test_tour_reseller_renews_three_contracts_together_for_two_years(self):
        self.start_tour(
            "/my",
            "symantec_renewals_reseller_renews_together",
            login="together_reseller",
        )
        order = self.contracts.renewal_order_id
        self.assertEqual(len(order), 1)
        self.assertEqual(order.renewal_years, 2)
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.signature)
        coterm = order.renewal_coterm_date
        for contract in self.contracts:
            self.assertEqual(contract.state, "renewed")
            self.assertEqual(contract.successor_id.date_end, coterm)
            self.assertTrue(contract.successor_id.activation_code)
