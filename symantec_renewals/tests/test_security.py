"""The attacks of issue 15 (SPEC §10), replayed as each kind of user through
the ORM, JSON-RPC (``call_kw``) and the portal's HTTP routes: each is refused
and leaves the data as it was."""

import contextlib
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RenewalsCommon
from .test_late_renewal import LateRenewalCommon
from .test_renewal_run import END


@tagged("post_install", "-at_install")
class TestWorkflowFields(LateRenewalCommon):
    """Workflow fields change only through their actions."""

    def test_rep_cannot_write_workflow_fields_of_a_contract(self):
        draft = self.make_contract(lines=[])
        active = self.active_contract()
        for contract, vals in (
            (draft, {"state": "active"}),
            (active, {"activation_code": "AAAA-BBBB-CCCC-DDDD"}),
            (active, {"activation_state": "activated"}),
            (active, {"renewal_case": "reinstatement"}),
            (active, {"renewal_checked_date": date(2026, 1, 1)}),
            (active, {"renewal_done_case": "late"}),
        ):
            with self.subTest(vals=vals):
                before = contract.read(list(vals))[0]
                with self.assertRaises(AccessError):
                    contract.with_user(self.rep).write(vals)
                contract.invalidate_recordset()
                self.assertEqual(contract.read(list(vals))[0], before)

    def test_rep_cannot_create_an_active_contract(self):
        Contract = self.Contract.with_user(self.rep)
        count = self.Contract.search_count([])
        with self.assertRaises(AccessError):
            Contract.create(
                {
                    "partner_id": self.customer.id,
                    "region": "emea",
                    "tier_id": self.tier_software.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                    "state": "active",
                }
            )
        with self.assertRaises(AccessError):
            Contract.with_context(default_state="active").create(
                {
                    "partner_id": self.customer.id,
                    "region": "emea",
                    "tier_id": self.tier_software.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                }
            )
        self.assertEqual(self.Contract.search_count([]), count)

    def test_rep_still_works_through_the_actions(self):
        draft = self.make_contract()
        draft.with_user(self.rep).action_activate()
        self.assertEqual(draft.state, "active")
        empty = self.make_contract(lines=[])
        with self.assertRaises(UserError):
            empty.with_user(self.rep).action_activate()
        self.assertEqual(empty.state, "draft")
        draft.with_user(self.rep).action_cancel()
        self.assertEqual(draft.state, "cancelled")
        draft.with_user(self.rep).action_draft()
        self.assertEqual(draft.state, "draft")

    def test_rep_confirms_a_renewal_and_activates_its_code(self):
        contract = self.active_contract()
        order = self.quote(contract, END - timedelta(days=10))
        self.confirm(order.with_user(self.rep), END - timedelta(days=10))
        self.assertEqual(contract.state, "renewed")
        successor = contract.successor_id
        self.assertEqual(successor.state, "active")
        self.assertEqual(successor.activation_state, "pending")
        successor.with_user(self.rep).action_activate_code()
        self.assertEqual(successor.activation_state, "activated")

    def test_price_override_context_key_lifts_nothing(self):
        line = self.active_contract().line_ids
        with self.assertRaises(AccessError):
            line.with_user(self.rep).with_context(
                renewal_price_override=True
            ).price_unit = 1.0
        self.assertNotEqual(line.price_unit, 1.0)

    def test_manager_may_set_workflow_fields(self):
        """Importing the installed base sets a contract's state."""
        contract = self.make_contract()
        contract.with_user(self.manager).write({"state": "active"})
        self.assertEqual(contract.state, "active")


@tagged("post_install", "-at_install")
class TestFeeAndPrices(LateRenewalCommon):
    """Only managers waive a fee or change a renewal quote's prices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.day = END + timedelta(days=40)

    def reinstatement_quote(self):
        order = self.quote(self.active_contract(), self.day)
        self.assertEqual(order.renewal_case, "reinstatement")
        fee = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "reinstatement_fee"
        )
        self.assertTrue(fee)
        return order, fee

    def test_rep_cannot_waive_the_fee_by_writing_or_deleting(self):
        order, fee = self.reinstatement_quote()
        total = order.amount_untaxed
        as_rep = order.with_user(self.rep)
        with self.assertRaises(AccessError):
            as_rep.write({"renewal_fee_waived": True})
        with self.assertRaises(AccessError):
            fee.with_user(self.rep).unlink()
        with self.assertRaises(AccessError):
            as_rep.write({"order_line": [Command.unlink(fee.id)]})
        with self.assertRaises(AccessError):
            as_rep.write({"order_line": [Command.delete(fee.id)]})
        with self.assertRaises(AccessError):
            fee.with_user(self.rep).write({"product_uom_qty": 0})
        with self.assertRaises(AccessError):
            as_rep.action_waive_reinstatement_fee()
        self.assertTrue(fee.with_user(self.rep).renewal_line_locked, "form: no trash")
        self.assertFalse(fee.with_user(self.manager).renewal_line_locked)
        self.assertTrue(fee.exists())
        self.assertFalse(order.renewal_fee_waived)
        self.assertEqual(order.amount_untaxed, total)
        self.confirm(as_rep, self.day)
        self.assertIn(fee, order.order_line)

    def test_rep_cannot_change_a_renewal_price(self):
        order, fee = self.reinstatement_quote()
        line = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        )
        price = line.price_unit
        for vals in ({"price_unit": 1.0}, {"discount": 50.0}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                line.with_user(self.rep).write(vals)
        with self.assertRaises(AccessError):
            order.with_user(self.rep).order_line.create(
                {
                    "order_id": order.id,
                    "product_id": self.product.id,
                    "renewal_line_kind": "renewal",
                }
            )
        self.assertEqual(line.price_unit, price)
        self.assertEqual(line.discount, 0.0)
        # The same value again, as the form sends it, is no change.
        line.with_user(self.rep).write({"price_unit": price, "name": "Renewed"})
        order.with_user(self.rep).action_update_prices()
        self.assertEqual(line.price_unit, price)
        self.assertTrue(fee.price_unit)

    def test_manager_changes_prices_and_waives_the_fee(self):
        order, fee = self.reinstatement_quote()
        line = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        )
        line.with_user(self.manager).price_unit = 1.0
        self.assertEqual(line.price_unit, 1.0)
        order.with_user(self.manager)._waive_reinstatement_fee("Loyal customer")
        self.assertFalse(fee.exists())
        self.assertTrue(order.renewal_fee_waived)


@tagged("post_install", "-at_install")
class TestTeamBoundaries(LateRenewalCommon):
    """Reps see their teams' renewals and link only what they can read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_emea = cls.make_contract(region="emea")
        cls.contract_emea.action_activate()
        with freeze_time(END - timedelta(days=10)):
            cls.contract_emea.action_generate_renewal_quote()
        cls.lead_emea = cls.contract_emea.renewal_lead_id
        cls.order_emea = cls.contract_emea.renewal_order_id
        # Unassigned: the standard salesman rule alone would show them.
        cls.lead_emea.user_id = False
        cls.order_emea.user_id = False
        cls.ordinary_lead = cls.env["crm.lead"].create(
            {"name": "Ordinary lead", "team_id": cls.team_emea.id, "user_id": False}
        )

    def test_rep_of_another_team_cannot_read_a_renewal(self):
        Lead = self.env["crm.lead"].with_user(self.rep_jp)
        Order = self.env["sale.order"].with_user(self.rep_jp)
        self.assertNotIn(self.lead_emea, Lead.search([]))
        self.assertNotIn(self.order_emea, Order.search([]))
        with self.assertRaises(AccessError):
            self.lead_emea.with_user(self.rep_jp).read(["renewal_reseller_id"])
        with self.assertRaises(AccessError):
            self.order_emea.with_user(self.rep_jp).read(["amount_total"])
        with self.assertRaises(AccessError):
            self.order_emea.order_line.with_user(self.rep_jp).read(["price_unit"])

    def test_users_outside_the_renewal_groups_keep_odoos_rules(self):
        """A sales administrator or an accountant who is not in the Renewals
        groups sees renewal quotes as Odoo's own rules let them."""
        sales_admin = new_test_user(
            self.env, login="sec_sales_admin", groups="sales_team.group_sale_manager"
        )
        accountant = new_test_user(
            self.env,
            login="sec_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        for user in (sales_admin, accountant):
            with self.subTest(user=user.login):
                self.assertIn(
                    self.order_emea, self.env["sale.order"].with_user(user).search([])
                )
                self.order_emea.order_line.with_user(user).read(["price_unit"])
        self.assertIn(
            self.lead_emea, self.env["crm.lead"].with_user(sales_admin).search([])
        )

    def test_reps_of_the_team_and_managers_read_it(self):
        for user in (self.rep, self.manager):
            with self.subTest(user=user.login):
                self.assertIn(
                    self.lead_emea, self.env["crm.lead"].with_user(user).search([])
                )
                self.assertIn(
                    self.order_emea, self.env["sale.order"].with_user(user).search([])
                )

    def test_ordinary_leads_keep_the_standard_rules(self):
        self.assertIn(
            self.ordinary_lead, self.env["crm.lead"].with_user(self.rep_jp).search([])
        )

    def test_rep_cannot_link_a_lead_to_a_contract_it_cannot_read(self):
        Lead = self.env["crm.lead"].with_user(self.rep_jp)
        count = self.env["crm.lead"].search_count([])
        with self.assertRaises(AccessError):
            Lead.create(
                {
                    "name": "Peek",
                    "is_renewal": True,
                    "renewal_contract_id": self.contract_emea.id,
                }
            )
        with self.assertRaises(AccessError):
            Lead.with_context(default_renewal_contract_id=self.contract_emea.id).create(
                {"name": "Peek", "is_renewal": True}
            )
        own = Lead.create({"name": "Own renewal", "is_renewal": True})
        with self.assertRaises(AccessError):
            own.renewal_contract_id = self.contract_emea
        self.assertFalse(own.renewal_reseller_id)
        self.assertEqual(self.env["crm.lead"].search_count([]), count + 1)

    def test_rep_cannot_relink_or_unflag_a_renewal(self):
        lead = self.lead_emea.with_user(self.rep)
        other = self.make_contract(region="emea")
        with self.assertRaises(AccessError):
            lead.renewal_contract_id = other
        with self.assertRaises(AccessError):
            lead.is_renewal = False
        self.assertEqual(self.lead_emea.renewal_contract_id, self.contract_emea)
        self.assertTrue(self.lead_emea.is_renewal)

    def test_rep_cannot_link_a_contract_to_another_teams_opportunity(self):
        contract_jp = self.make_contract(region="jp")
        foreign_lead = self.env["crm.lead"].create(
            {"name": "EMEA deal", "team_id": self.team_emea.id, "user_id": self.rep.id}
        )
        for vals in (
            {"renewal_lead_id": foreign_lead.id},
            {"renewal_order_id": self.order_emea.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                contract_jp.with_user(self.rep_jp).write(vals)
        self.assertFalse(contract_jp.renewal_lead_id)
        self.assertFalse(contract_jp.renewal_order_id)


@tagged("post_install", "-at_install")
class TestCompanies(LateRenewalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.env["res.company"].create({"name": "Second Vendor"})
        cls.tier_2 = cls.env["symantec.maintenance.tier"].create(
            {
                "name": "Essential (2)",
                "code": "ESS2",
                "company_id": cls.company_2.id,
                "product_id": cls.env["product.product"]
                .create({"name": "Support (2)", "type": "service", "company_id": False})
                .id,
            }
        )

    def contract_2(self):
        contract = self.env["symantec.contract"].create(
            {
                "partner_id": self.customer.id,
                "region": "emea",
                "tier_id": self.tier_2.id,
                "company_id": self.company_2.id,
                "date_start": date(2026, 1, 1),
                "date_end": END,
                "line_ids": [
                    Command.create(
                        {"product_id": self.product.id, "quantity": 1, "price_unit": 10}
                    )
                ],
            }
        )
        contract.action_activate()
        return contract

    def test_manager_cannot_change_another_companys_policy(self):
        Wizard = self.env["symantec.renewal.policy.wizard"].with_user(self.manager)
        before = self.company_2.renewal_notice_days
        with self.assertRaises(AccessError):
            Wizard.create({"company_id": self.company_2.id, "renewal_notice_days": 5})
        with self.assertRaises(AccessError):
            Wizard.with_context(default_company_id=self.company_2.id).default_get(
                ["company_id", "renewal_notice_days"]
            )
        self.assertEqual(self.company_2.renewal_notice_days, before)
        # Their own company's, yes.
        wizard = Wizard.create(
            {"company_id": self.company.id, "renewal_notice_days": 90}
        )
        wizard.action_apply()
        self.assertEqual(self.company.renewal_notice_days, 90)

    def test_every_policy_value_is_validated(self):
        bad_values = (
            {"renewal_notice_days": 0},
            {"renewal_notice_days": 731},
            {"renewal_notice_days": 2**40},
            {"renewal_reminder_offsets": "1000000000"},
            {"renewal_reminder_offsets": "-400, 0"},
            {"renewal_reminder_offsets": "-30, 400"},
            {"renewal_reminder_offsets": "soon"},
            {"late_uplift_percent": 101},
            {"reinstatement_fee_percent": -1},
            {"reinstatement_fee_min": -5},
            {"max_reinstatement_days": 2**40},
            {"renewal_grace_days": 400},
        )
        Wizard = self.env["symantec.renewal.policy.wizard"].with_user(self.manager)
        names = [*bad_values[0], "renewal_reminder_offsets"]
        before = self.company.read(names)
        for vals in bad_values:
            with self.subTest(vals=vals):
                with self.assertRaises(ValidationError):
                    self.company.write(vals)
                with self.assertRaises(ValidationError):
                    Wizard.create({"company_id": self.company.id, **vals})
        self.company.invalidate_recordset()
        self.assertEqual(
            self.company.read(names),
            before,
        )

    def test_validation_messages_are_translated(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["symantec_renewals"], ["it_IT"], overwrite=True
        )
        company = self.company.with_context(lang="it_IT")
        with self.assertRaises(ValidationError) as caught:
            company.write({"renewal_notice_days": 2**40})
        self.assertNotIn("must be between", str(caught.exception))

    def test_second_company_gets_its_own_teams_and_run(self):
        contract = self.contract_2()
        self.assertEqual(contract.team_id.company_id, self.company_2)
        self.assertEqual(contract.team_id.renewal_region, "emea")
        self.assertNotEqual(contract.team_id, self.team_emea)
        self.assertEqual(self.contract_2().team_id, contract.team_id, "made once")
        mine = self.active_contract()
        self.assertEqual(mine.team_id, self.team_emea)
        self.run_on(END - timedelta(days=30))
        for record in (contract, mine):
            self.assertEqual(record.renewal_checked_date, END - timedelta(days=30))
            self.assertEqual(record.renewal_lead_id.company_id, record.company_id)
            self.assertEqual(record.renewal_lead_id.team_id, record.team_id)

    @mute_logger(
        "odoo.addons.symantec_renewals.models.symantec_contract_renewal",
    )
    def test_run_survives_a_bad_value_in_one_company(self):
        broken = self.contract_2()
        mine = self.active_contract()
        self.env.cr.execute(
            "UPDATE res_company SET renewal_notice_days = 2147483647 WHERE id = %s",
            [self.company_2.id],
        )
        self.env.invalidate_all()
        self.run_on(END - timedelta(days=30))
        self.assertEqual(mine.renewal_checked_date, END - timedelta(days=30))
        self.assertFalse(broken.renewal_checked_date)
        self.env.cr.execute(
            "UPDATE res_company SET renewal_notice_days = 120, "
            "renewal_reminder_offsets = '1000000000' WHERE id = %s",
            [self.company_2.id],
        )
        self.env.invalidate_all()
        self.run_on(END - timedelta(days=29))
        self.assertEqual(mine.renewal_checked_date, END - timedelta(days=29))
        self.assertFalse(broken.renewal_checked_date)


class PortalCommon(HttpCase, RenewalsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()

        def portal_user(login, company):
            user = new_test_user(cls.env, login=login, groups="base.group_portal")
            user.partner_id.write(
                {"parent_id": company.id, "email": f"{login}@example.com"}
            )
            return user

        cls.other_reseller = cls.env["res.partner"].create(
            {"name": "Next Reseller BV", "is_company": True, "is_reseller": True}
        )
        cls.reseller_user = portal_user("sec_reseller", cls.reseller)
        cls.other_reseller_user = portal_user("sec_next_reseller", cls.other_reseller)
        cls.customer_user = portal_user("sec_customer", cls.customer)
        cls.due = cls.make_contract(
            date_start=today - timedelta(days=345), date_end=today + timedelta(days=20)
        )
        cls.due.action_activate()
        cls.cloud = cls.make_contract(
            tier_id=cls.tier_online.id,
            auto_renew=True,
            date_start=today - timedelta(days=345),
            date_end=today + timedelta(days=20),
        )
        cls.cloud.action_activate()

    def post(self, url, login, data=None, csrf=True):
        self.authenticate(login, login)
        data = dict(data or {"submit": "1"})
        if csrf:
            data["csrf_token"] = Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def call_kw(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )


@tagged("post_install", "-at_install")
class TestSecurityHttp(PortalCommon):
    def test_rep_cannot_write_workflow_fields_through_call_kw(self):
        draft = self.make_contract(lines=[])
        for vals in ({"state": "active"}, {"renewal_case": "lapsed"}):
            with self.subTest(vals=vals), self.assertRaises(JsonRpcException):
                self.call_kw(
                    "renewal_rep", "symantec.contract", "write", [[draft.id], vals]
                )
        with self.assertRaises(JsonRpcException):
            self.call_kw(
                "renewal_rep",
                "symantec.contract.line",
                "write",
                [self.due.line_ids.ids, {"price_unit": 1.0}],
                {"context": {"renewal_price_override": True}},
            )
        draft.invalidate_recordset()
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.renewal_case, "on_time")
        self.assertNotEqual(self.due.line_ids.price_unit, 1.0)

    def test_rep_cannot_read_another_teams_renewal_through_call_kw(self):
        self.due._generate_renewal_quotes()
        self.due.renewal_lead_id.user_id = False
        with self.assertRaises(JsonRpcException):
            self.call_kw(
                "renewal_rep_jp",
                "crm.lead",
                "read",
                [self.due.renewal_lead_id.ids, ["renewal_reseller_id"]],
            )
        found = self.call_kw(
            "renewal_rep_jp",
            "sale.order",
            "search_read",
            [[("renewal_contract_id", "=", self.due.id)], ["name"]],
        )
        self.assertEqual(found, [])

    def test_portal_users_cannot_read_secrets_or_tokens(self):
        self.due._portal_ensure_token()
        self.due.sudo().write(
            {"activation_code": "SECT-ESTC-ODE0-0001", "activation_state": "pending"}
        )
        for login in ("sec_reseller", "sec_customer"):
            for field in ("access_token", "activation_code"):
                with (
                    self.subTest(login=login, field=field),
                    self.assertRaises(JsonRpcException),
                ):
                    self.call_kw(
                        login, "symantec.contract", "read", [self.due.ids, [field]]
                    )

    def test_request_quote_refused_on_an_automatic_renewal(self):
        response = self.post(
            f"/my/contracts/{self.cloud.id}/request_quote", "sec_reseller"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.cloud.renewal_order_id)
        self.assertFalse(
            self.env["sale.order"].search([("renewal_contract_id", "=", self.cloud.id)])
        )

    def test_wrong_party_idor_and_csrf_still_refused(self):
        url = f"/my/contracts/{self.due.id}/request_quote"
        self.assertEqual(self.post(url, "sec_customer").status_code, 404)
        self.assertEqual(self.post(url, "sec_next_reseller").status_code, 404)
        self.assertEqual(self.post(url, "sec_reseller", csrf=False).status_code, 400)
        self.authenticate("sec_next_reseller", "sec_next_reseller")
        page = self.url_open(f"/my/contracts/{self.due.id}", allow_redirects=False)
        self.assertEqual(page.status_code, 404)
        self.assertFalse(self.due.renewal_order_id)

    def test_former_resellers_quote_is_cancelled_and_never_shown(self):
        url = f"/my/contracts/{self.due.id}/request_quote"
        self.assertEqual(self.post(url, "sec_reseller").status_code, 303)
        old = self.due.renewal_order_id
        self.assertEqual(old.partner_id, self.reseller)
        self.due.with_user(self.rep).reseller_id = self.other_reseller
        self.assertEqual(old.state, "cancel")
        self.authenticate("sec_next_reseller", "sec_next_reseller")
        page = self.url_open(f"/my/contracts/{self.due.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(old.name, page.text)
        response = self.post(url, "sec_next_reseller")
        self.assertEqual(response.status_code, 303)
        new = self.due.renewal_order_id
        self.assertNotEqual(new, old)
        self.assertEqual(new.partner_id, self.other_reseller)
        self.assertIn(f"/my/orders/{new.id}", response.headers["Location"])
        # The former reseller no longer reaches the contract.
        self.authenticate("sec_reseller", "sec_reseller")
        page = self.url_open(f"/my/contracts/{self.due.id}", allow_redirects=False)
        self.assertEqual(page.status_code, 404)

    def test_access_token_opens_that_contract_only(self):
        token = self.due._portal_ensure_token()
        self.cloud._portal_ensure_token()
        self.due.sudo().write(
            {"activation_code": "SECT-ESTC-ODE0-0001", "activation_state": "pending"}
        )
        self.authenticate(None, None)
        page = self.url_open(f"/my/contracts/{self.due.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.due.name, page.text)
        self.assertNotIn("SECT-ESTC-ODE0-0001", page.text)
        self.assertIn("o_activation_login", page.text, "log in to see the code")
        for url in (
            f"/my/contracts/{self.cloud.id}?access_token={token}",
            f"/my/contracts/{self.due.id}?access_token=wrong",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(self.cloud.name, response.text)
        anonymous = self.url_open(f"/my/contracts/{self.due.id}", allow_redirects=False)
        self.assertEqual(anonymous.status_code, 303)
        self.assertIn("/web/login", anonymous.headers["Location"])
        # The token opens the page, not the routes that act.
        response = self.url_open(
            f"/my/contracts/{self.due.id}/activate?access_token={token}",
            data={"csrf_token": "forged"},
            allow_redirects=False,
        )
        self.assertIn("/web/login", response.headers.get("Location", ""))
        self.assertEqual(self.due.activation_state, "pending")


@tagged("post_install", "-at_install")
class TestReviewQuoteLines(LateRenewalCommon):
    """Review of issue 15: the lines of a renewal quote, attacked from the
    paths the first round of tests did not try."""

    def on_time_quote_repriced(self):
        """A quote made on time, re-priced by the run as a reinstatement: its
        surcharge and fee lines are made after the quote's other lines."""
        contract = self.active_contract()
        order = self.quote(contract, END - timedelta(days=10))
        self.run_on(END + timedelta(days=40))
        self.assertEqual(order.renewal_case, "reinstatement")
        penalties = order.order_line.filtered(
            lambda line: (
                line.renewal_line_kind in ("late_surcharge", "reinstatement_fee")
            )
        )
        self.assertEqual(len(penalties), 2)
        return contract, order, penalties

    def test_repriced_penalties_are_not_optional_upgrades(self):
        """Made after the "Upgrade your coverage" section, the fee fell into
        it: an optional line, whose quantity the reseller sets on the portal."""
        _contract, order, penalties = self.on_time_quote_repriced()
        for line in penalties:
            with self.subTest(line=line.renewal_line_kind):
                self.assertFalse(line._is_line_optional())
                self.assertFalse(line._can_be_edited_on_portal())
        renewal = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        )
        self.assertFalse(renewal._can_be_edited_on_portal())

    def test_rep_cannot_move_a_penalty_line_to_another_quote(self):
        _contract, order, penalties = self.on_time_quote_repriced()
        fee = penalties.filtered(
            lambda line: line.renewal_line_kind == "reinstatement_fee"
        )
        scratch = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "user_id": self.rep.id}
        )
        total = order.amount_untaxed
        with self.assertRaises(AccessError):
            fee.with_user(self.rep).write({"order_id": scratch.id})
        self.assertEqual(fee.order_id, order)
        self.assertEqual(order.amount_untaxed, total)

    def test_rep_cannot_discount_a_renewal_quote_with_a_negative_line(self):
        """Sale's own "Discount" button adds a negative line: a fee waived
        (or any price lowered) by a rep."""
        _contract, order, _penalties = self.on_time_quote_repriced()
        total = order.amount_untaxed
        self.company.sale_discount_product_id = self.env["product.product"].create(
            {"name": "Discount", "type": "service"}
        )
        wizard = (
            self.env["sale.order.discount"]
            .with_user(self.rep)
            .create(
                {
                    "sale_order_id": order.id,
                    "discount_type": "so_discount",
                    "discount_percentage": 0.5,
                }
            )
        )
        with self.assertRaises(AccessError):
            wizard.action_apply_discount()
        for vals in (
            {"product_id": self.product.id, "price_unit": -500.0},
            {"product_id": self.product.id, "price_unit": 500.0, "product_uom_qty": -1},
            {"product_id": self.product.id, "price_unit": 500.0, "discount": 100.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.env["sale.order.line"].with_user(self.rep).create(
                    {"order_id": order.id, **vals}
                )
        self.assertEqual(order.amount_untaxed, total)
        # An upsell at its price is the rep's to add; a manager discounts.
        self.env["sale.order.line"].with_user(self.rep).create(
            {"order_id": order.id, "product_id": self.product.id, "price_unit": 5.0}
        )
        self.env["sale.order.line"].with_user(self.manager).create(
            {"order_id": order.id, "product_id": self.product.id, "price_unit": -5.0}
        )

    def test_a_product_removed_from_the_quote_is_not_renewed(self):
        """The next term covers what was ordered: a covered product whose
        renewal line the rep deleted, or set to 0, is not renewed for free."""
        contract = self.active_contract(
            lines=[
                {"quantity": 10, "license_value": 1000.0},
                {"quantity": 4, "license_value": 500.0},
            ]
        )
        order = self.quote(contract, END - timedelta(days=10))
        first, second = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        )
        second.with_user(self.rep).product_uom_qty = 0
        self.confirm(order.with_user(self.rep), END - timedelta(days=10))
        successor = contract.successor_id
        self.assertEqual(successor.line_ids.mapped("quantity"), [10.0])
        self.assertEqual(
            successor.line_ids.product_id, first.renewal_contract_line_id.product_id
        )

    def test_a_quote_renewing_nothing_is_refused(self):
        contract = self.active_contract()
        order = self.quote(contract, END - timedelta(days=10))
        order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        ).with_user(self.rep).unlink()
        with self.assertRaises(UserError):
            self.confirm(order.with_user(self.rep), END - timedelta(days=10))
        self.assertFalse(contract.successor_ids)
        self.assertEqual(contract.state, "active")


@tagged("post_install", "-at_install")
class TestReviewPortalQuote(PortalCommon):
    def test_reseller_cannot_zero_the_fee_of_its_quote_on_the_portal(self):
        """The quote's optional upgrades are the only lines whose quantity
        the reseller sets (``/my/orders/<id>/update_line_dict``), even for a
        quote whose fee stands in that section (made before the fix)."""
        self.due._generate_renewal_quotes()
        order = self.due.renewal_order_id
        order._renewal_reprice(self.due.date_end + timedelta(days=60))
        self.assertEqual(order.renewal_case, "reinstatement")
        fee = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "reinstatement_fee"
        )
        renewal = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "renewal"
        )
        addon = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "addon"
        )[:1]
        self.assertTrue(addon, "the quote offers an upgrade")
        fee.sequence = addon.sequence + 1  # under "Upgrade your coverage"
        total = order.amount_untaxed
        self.authenticate("sec_reseller", "sec_reseller")
        for line in (fee, renewal):
            self.make_jsonrpc_request(
                f"/my/orders/{order.id}/update_line_dict",
                {
                    "line_id": line.id,
                    "input_quantity": 0,
                    "access_token": order._portal_ensure_token(),
                },
            )
        order.invalidate_recordset()
        self.assertEqual(fee.product_uom_qty, 1.0)
        self.assertEqual(renewal.product_uom_qty, 10.0)
        self.assertEqual(order.amount_untaxed, total)
        # The upgrade is still the reseller's to take.
        self.make_jsonrpc_request(
            f"/my/orders/{order.id}/update_line_dict",
            {
                "line_id": addon.id,
                "input_quantity": 1,
                "access_token": order._portal_ensure_token(),
            },
        )
        self.assertEqual(addon.product_uom_qty, 1.0)


@tagged("post_install", "-at_install")
class TestReviewLeadFields(LateRenewalCommon):
    """Review of issue 15: the renewal fields of an opportunity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.make_contract(region="emea")
        cls.contract.action_activate()
        with freeze_time(END - timedelta(days=10)):
            cls.contract.action_generate_renewal_quote()
        cls.lead = cls.contract.renewal_lead_id

    def test_rep_cannot_write_the_renewal_fields_of_its_opportunity(self):
        fields_ = [
            "renewal_status",
            "renewal_due_date",
            "renewal_reseller_id",
            "renewal_region",
        ]
        other_reseller = self.env["res.partner"].create(
            {"name": "Other Reseller", "is_company": True, "is_reseller": True}
        )
        before = self.lead.read(fields_)[0]
        contract_before = self.contract.read(["date_end", "reseller_id", "region"])[0]
        for vals in (
            {"renewal_status": "won"},
            {"renewal_due_date": date(2030, 12, 31)},
            {"renewal_reseller_id": other_reseller.id},
            {"renewal_region": "jp"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.lead.with_user(self.rep).write(vals)
        self.env.invalidate_all()
        self.assertEqual(self.lead.read(fields_)[0], before)
        self.assertEqual(
            self.contract.read(["date_end", "reseller_id", "region"])[0],
            contract_before,
        )


@tagged("post_install", "-at_install")
class TestReviewRenewedPrices(LateRenewalCommon):
    def test_rep_cannot_undo_the_uplift_of_a_renewed_term(self):
        """A renewed term's lines carry the renewed price (uplift included);
        writing a line's licence value, even unchanged, recomputes it to the
        tier's standard price: a rep lowers a price without writing it."""
        contract = self.active_contract()
        order = self.quote(contract, END - timedelta(days=10))
        self.confirm(order, END - timedelta(days=10))
        line = contract.successor_id.line_ids
        price = line.price_unit
        with contextlib.suppress(AccessError):
            line.with_user(self.rep).write({"license_value": line.license_value})
        self.assertEqual(line.price_unit, price)
        with contextlib.suppress(AccessError):
            contract.successor_id.with_user(self.rep).tier_id = self.tier_online
        self.assertEqual(line.price_unit, price, "a tier change does not re-price it")
