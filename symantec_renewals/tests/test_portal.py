from datetime import timedelta

from odoo import Command, fields
from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRenewalPortal(HttpCase):
    """The reseller and customer portal (SPEC §7): what each sees, what each
    may do, and that nobody reaches another's data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        today = fields.Date.today()
        Partner = env["res.partner"]
        cls.reseller = Partner.create(
            {"name": "Portal Reseller Srl", "is_company": True, "is_reseller": True}
        )
        cls.other_reseller = Partner.create(
            {"name": "Other Reseller GmbH", "is_company": True, "is_reseller": True}
        )
        cls.customer = Partner.create(
            {
                "name": "Portal Customer SpA",
                "is_company": True,
                "email": "c@example.com",
            }
        )
        cls.other_customer = Partner.create(
            {"name": "Other Customer AG", "is_company": True, "email": "o@example.com"}
        )

        def portal_user(login, company):
            user = new_test_user(env, login=login, groups="base.group_portal")
            user.partner_id.write(
                {"parent_id": company.id, "email": f"{login}@example.com"}
            )
            return user

        cls.reseller_user = portal_user("portal_reseller", cls.reseller)
        cls.other_reseller_user = portal_user(
            "portal_other_reseller", cls.other_reseller
        )
        cls.customer_user = portal_user("portal_customer", cls.customer)
        cls.other_customer_user = portal_user(
            "portal_other_customer", cls.other_customer
        )
        cls.rep = new_test_user(
            env, login="portal_rep", groups="symantec_renewals.group_renewal_user"
        )
        product = env["product.product"].create({"name": "Endpoint Protection"})

        def contract(name, customer, reseller, days_left, tier, **values):
            end = today + timedelta(days=days_left)
            record = env["symantec.contract"].create(
                {
                    "name": name,
                    "partner_id": customer.id,
                    "reseller_id": reseller.id,
                    "region": "emea",
                    "user_id": cls.rep.id,
                    "tier_id": env.ref(f"symantec_renewals.{tier}").id,
                    "date_start": end - timedelta(days=364),
                    "date_end": end,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 5,
                                "license_value": 800,
                            }
                        )
                    ],
                    **values,
                }
            )
            record.action_activate()
            return record

        cls.due = contract(
            "PORTAL-DUE", cls.customer, cls.reseller, 20, "tier_essential_support"
        )
        cls.later = contract(
            "PORTAL-LATER",
            cls.other_customer,
            cls.reseller,
            80,
            "tier_essential_support",
        )
        cls.cloud = contract(
            "PORTAL-CLOUD",
            cls.customer,
            cls.reseller,
            200,
            "tier_cloud_support",
            auto_renew=True,
        )
        cls.foreign = contract(
            "PORTAL-FOREIGN",
            cls.other_customer,
            cls.other_reseller,
            15,
            "tier_essential_support",
        )

    def get(self, url, login=None):
        if login:
            self.authenticate(login, login)
        return self.url_open(url, allow_redirects=False)

    def post(self, url, data, login, csrf=True):
        self.authenticate(login, login)
        if csrf:
            data = {**data, "csrf_token": Request.csrf_token(self)}
        return self.url_open(url, data=data, allow_redirects=False)

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------

    def test_reseller_sees_its_open_renewals(self):
        page = self.get("/my/renewals", "portal_reseller")
        self.assertEqual(page.status_code, 200)
        self.assertIn("PORTAL-DUE", page.text)
        self.assertIn("PORTAL-LATER", page.text)
        self.assertNotIn("PORTAL-CLOUD", page.text, "not due within the notice window")
        self.assertNotIn("PORTAL-FOREIGN", page.text)
        due30 = self.get("/my/renewals?filterby=due30")
        self.assertIn("PORTAL-DUE", due30.text)
        self.assertNotIn("PORTAL-LATER", due30.text)
        searched = self.get("/my/renewals?search=Other+Customer")
        self.assertIn("PORTAL-LATER", searched.text)
        self.assertNotIn("PORTAL-DUE", searched.text)
        by_reference = self.get("/my/renewals?search=PORTAL-LATER")
        self.assertIn("PORTAL-LATER", by_reference.text, "found by its number")
        self.assertNotIn("PORTAL-DUE", by_reference.text)
        late = self.get("/my/renewals?filterby=late")
        self.assertNotIn("PORTAL-DUE", late.text)

    def test_customer_sees_its_contracts_only(self):
        page = self.get("/my/contracts", "portal_customer")
        self.assertEqual(page.status_code, 200)
        self.assertIn("PORTAL-DUE", page.text)
        self.assertIn("PORTAL-CLOUD", page.text)
        self.assertNotIn("PORTAL-LATER", page.text)
        self.assertNotIn("PORTAL-FOREIGN", page.text)

    def test_reseller_lists_the_contracts_it_resells(self):
        page = self.get("/my/contracts", "portal_reseller")
        for name in ("PORTAL-DUE", "PORTAL-LATER", "PORTAL-CLOUD"):
            self.assertIn(name, page.text)
        self.assertNotIn("PORTAL-FOREIGN", page.text)
        self.assertNotIn("no maintenance contract yet", page.text)

    def test_an_automatic_renewal_in_the_renewals_list_is_not_due(self):
        self.cloud.write(
            {"date_start": self.due.date_start, "date_end": self.due.date_end}
        )
        page = self.get("/my/renewals", "portal_reseller")
        row = page.text.split("PORTAL-CLOUD", 1)[1].split("</tr>", 1)[0]
        self.assertIn("Renews automatically", row)
        self.assertNotIn(">Due<", row)

    def test_the_old_term_links_to_the_new_one(self):
        order = self.env["sale.order"].browse(
            self.due.with_user(self.rep).action_generate_renewal_quote()["res_id"]
        )
        order.with_user(self.rep).action_confirm()
        successor = self.due.successor_id
        self.assertEqual(successor.state, "active")
        for login in ("portal_customer", "portal_reseller"):
            with self.subTest(login=login):
                page = self.get(f"/my/contracts/{self.due.id}", login)
                self.assertIn("o_renewed_by", page.text)
                self.assertIn(f"/my/contracts/{successor.id}", page.text)

    def test_home_counters(self):
        self.authenticate("portal_reseller", "portal_reseller")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["renewal_count", "contract_count"]}
        )
        self.assertEqual(counters["renewal_count"], 2)
        self.assertEqual(counters["contract_count"], 3, "the contracts it resells")

    def test_anonymous_is_sent_to_login(self):
        self.authenticate(None, None)
        for url in ("/my/renewals", "/my/contracts", f"/my/contracts/{self.due.id}"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertIn("/web/login", response.headers["Location"])

    # ------------------------------------------------------------------
    # Isolation
    # ------------------------------------------------------------------

    def test_another_contract_by_id_or_guessed_url_is_not_found(self):
        for login, contract in (
            ("portal_reseller", self.foreign),
            ("portal_customer", self.later),
            ("portal_customer", self.foreign),
            ("portal_other_customer", self.due),
        ):
            with self.subTest(login=login, contract=contract.name):
                response = self.get(f"/my/contracts/{contract.id}", login)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(contract.name, response.text)
        missing = self.get("/my/contracts/999999", "portal_customer")
        self.assertEqual(missing.status_code, 404)

    def test_tampered_posts_change_nothing(self):
        cases = [
            (
                "portal_reseller",
                f"/my/contracts/{self.cloud.id}/auto_renew",
                {"auto_renew": "0"},
            ),
            (
                "portal_other_customer",
                f"/my/contracts/{self.cloud.id}/auto_renew",
                {"auto_renew": "0"},
            ),
            (
                "portal_customer",
                f"/my/contracts/{self.cloud.id}/auto_renew",
                {"auto_renew": "maybe"},
            ),
            ("portal_customer", f"/my/contracts/{self.due.id}/request_quote", {}),
            ("portal_other_reseller", f"/my/contracts/{self.due.id}/request_quote", {}),
            ("portal_other_customer", f"/my/contracts/{self.due.id}/activate", {}),
        ]
        for login, url, data in cases:
            with self.subTest(login=login, url=url):
                response = self.post(url, data, login)
                self.assertEqual(response.status_code, 404)
        self.assertTrue(self.cloud.auto_renew)
        self.assertFalse(self.due.renewal_order_id)

    def test_state_changes_need_post_and_csrf(self):
        url = f"/my/contracts/{self.cloud.id}/auto_renew"
        no_csrf = self.post(url, {"auto_renew": "0"}, "portal_customer", csrf=False)
        self.assertEqual(no_csrf.status_code, 400)
        self.assertEqual(self.get(url).status_code, 405)
        self.assertTrue(self.cloud.auto_renew)

    def test_rpc_and_export_follow_the_same_rules(self):
        self.authenticate("portal_reseller", "portal_reseller")

        def call(method, args, kwargs=None):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/symantec.contract/{method}",
                {
                    "model": "symantec.contract",
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            )

        found = call("search_read", [[]], {"fields": ["name"]})
        self.assertEqual(
            {row["name"] for row in found},
            {"PORTAL-DUE", "PORTAL-LATER", "PORTAL-CLOUD"},
        )
        with self.assertRaises(JsonRpcException):
            call("read", [[self.foreign.id], ["name"]])
        with self.assertRaises(JsonRpcException):
            call("export_data", [[self.foreign.id], ["name"]])
        with self.assertRaises(JsonRpcException):
            call("read", [[self.due.id], ["activation_code"]])
        with self.assertRaises(JsonRpcException):
            call("write", [[self.due.id], {"auto_renew": True}])

    # ------------------------------------------------------------------
    # Acting
    # ------------------------------------------------------------------

    def test_reseller_requests_a_quote_once_and_the_rep_is_told(self):
        url = f"/my/contracts/{self.due.id}/request_quote"
        response = self.post(url, {}, "portal_reseller")
        self.assertEqual(response.status_code, 303)
        order = self.due.renewal_order_id
        self.assertTrue(order)
        self.assertEqual(order.partner_id, self.reseller)
        self.assertIn(f"/my/orders/{order.id}", response.headers["Location"])
        lead = self.due.renewal_lead_id
        self.assertTrue(
            lead.activity_ids.filtered(lambda a: a.user_id == self.rep),
            "the rep has something to do",
        )
        self.assertIn("asked for the renewal quote", lead.message_ids[0].body)
        self.assertEqual(order.state, "sent", "the reseller's at once")
        page = self.get(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.customer.name, page.text, "names the end customer")
        self.assertIn("PORTAL-DUE", page.text, "and the contract")
        again = self.post(url, {}, "portal_reseller")
        self.assertEqual(again.status_code, 303)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("renewal_contract_id", "=", self.due.id)]
            ),
            1,
        )

    def test_a_draft_the_rep_has_not_sent_stays_off_the_portal(self):
        order = self.env["sale.order"].browse(
            self.due.with_user(self.rep).action_generate_renewal_quote()["res_id"]
        )
        self.assertEqual(order.state, "draft")
        order.message_subscribe(self.reseller_user.partner_id.ids)
        Order = self.env["sale.order"].with_user(self.reseller_user)
        self.assertFalse(Order.search([("id", "=", order.id)]))
        page = self.get(f"/my/orders/{order.id}", "portal_reseller")
        self.assertNotEqual(page.status_code, 200)
        contract_page = self.get(f"/my/contracts/{self.due.id}")
        self.assertNotIn(f"/my/orders/{order.id}", contract_page.text)
        order.action_quotation_sent()
        self.assertTrue(Order.search([("id", "=", order.id)]))
        page = self.get(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)

    def test_send_proposes_the_reseller_renewal_email(self):
        order = self.env["sale.order"].browse(
            self.due.with_user(self.rep).action_generate_renewal_quote()["res_id"]
        )
        action = order.with_user(self.rep).action_quotation_send()
        self.assertEqual(
            action["context"]["default_template_id"],
            self.env.ref("symantec_renewals.mail_template_renewal_quote").id,
        )

    def test_customer_turns_auto_renew_off_and_on(self):
        url = f"/my/contracts/{self.cloud.id}/auto_renew"
        response = self.post(url, {"auto_renew": "0"}, "portal_customer")
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.cloud.auto_renew)
        self.assertEqual(self.cloud.auto_renew_opt_out_date, fields.Date.today())
        log = self.cloud.message_ids.filtered(lambda m: "turned off" in (m.body or ""))
        self.assertEqual(log.author_id, self.customer_user.partner_id)
        self.post(url, {"auto_renew": "1"}, "portal_customer")
        self.assertTrue(self.cloud.auto_renew)
        self.assertFalse(self.cloud.auto_renew_opt_out_date)

    def test_activation_code_is_the_customers_alone(self):
        self.due.write(
            {"activation_code": "W4TS-7NQE-3HJB-YK6F", "activation_state": "pending"}
        )
        mine = self.get(f"/my/contracts/{self.due.id}", "portal_customer")
        self.assertIn("W4TS-7NQE-3HJB-YK6F", mine.text)
        resold = self.get(f"/my/contracts/{self.due.id}", "portal_reseller")
        self.assertEqual(resold.status_code, 200)
        self.assertNotIn("W4TS-7NQE-3HJB-YK6F", resold.text)
        response = self.post(
            f"/my/contracts/{self.due.id}/activate", {}, "portal_customer"
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.due.activation_state, "activated")

    # ------------------------------------------------------------------
    # In a real browser
    # ------------------------------------------------------------------

    def test_tour_reseller_finds_due_contract_and_signs_its_quote(self):
        self.start_tour(
            "/my", "symantec_renewals_reseller_signs_quote", login="portal_reseller"
        )
        order = self.due.renewal_order_id
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.signature)
        self.assertEqual(self.due.state, "renewed")
        self.assertEqual(self.due.successor_id.state, "active")

    def test_tour_customer_turns_auto_renew_off(self):
        self.start_tour(
            "/my", "symantec_renewals_customer_auto_renew_off", login="portal_customer"
        )
        self.assertFalse(self.cloud.auto_renew)


@tagged("post_install", "-at_install")
class TestPortalAutomaticRenewal(HttpCase):
    """A customer whose subscription renewed automatically finds the order
    and the invoice to pay on its contract page; its reseller does not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        if not env.company.chart_template:
            env["account.chart.template"].try_loading(
                "generic_coa", company=env.company, install_demo=False
            )
        today = fields.Date.today()
        reseller = env["res.partner"].create(
            {"name": "Auto Reseller Srl", "is_company": True, "is_reseller": True}
        )
        customer = env["res.partner"].create(
            {"name": "Auto Customer SpA", "is_company": True, "email": "a@example.com"}
        )
        parties = (("auto_customer", customer), ("auto_reseller", reseller))
        for login, company in parties:
            user = new_test_user(env, login=login, groups="base.group_portal")
            user.partner_id.write({"parent_id": company.id, "email": f"{login}@x.com"})
        end = today + timedelta(days=5)
        cls.contract = env["symantec.contract"].create(
            {
                "name": "PORTAL-AUTO",
                "partner_id": customer.id,
                "reseller_id": reseller.id,
                "region": "emea",
                "tier_id": env.ref("symantec_renewals.tier_cloud_support").id,
                "auto_renew": True,
                "auto_invoice": True,
                "date_start": end - timedelta(days=364),
                "date_end": end,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": env["product.product"]
                            .create({"name": "Cloud Seat"})
                            .id,
                            "quantity": 10,
                        }
                    )
                ],
            }
        )
        cls.contract.action_activate()
        cls.contract._auto_renew(today)

    def test_customer_finds_the_invoice_to_pay(self):
        invoice = self.contract.renewal_order_id.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.authenticate("auto_customer", "auto_customer")
        page = self.url_open(f"/my/contracts/{self.contract.id}")
        self.assertIn("o_auto_renewal_order", page.text)
        self.assertIn(invoice.name, page.text)
        self.assertIn("o_pay_renewal_invoice", page.text)
        self.authenticate("auto_reseller", "auto_reseller")
        page = self.url_open(f"/my/contracts/{self.contract.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_auto_renewal_order", page.text)
        self.assertNotIn(invoice.name, page.text)
