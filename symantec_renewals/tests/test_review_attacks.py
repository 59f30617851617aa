"""Security review of today's merges (#18 co-termination / multi-year, #20
CRM stages, policy dialog and contract numbers, #19 the queue bridge).

Every test is an attack: it asserts that the attack is refused and that
nothing changed. A failing test is an attack that was NOT refused."""

from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.http import Request
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .test_late_renewal import LateRenewalCommon
from .test_renewal_run import END

REFUSED = (AccessError, UserError, ValidationError, RedirectWarning)


@contextmanager
def refused(case):
    """Like assertRaises(REFUSED): Odoo's assertRaises takes no tuple."""
    try:
        with case.env.cr.savepoint():
            yield
    except REFUSED:
        return
    case.fail("NOT refused")


ENDS = {
    "A": (date(2026, 1, 1), date(2026, 12, 31)),
    "B": (date(2026, 4, 1), date(2027, 3, 31)),
}
TODAY = date(2026, 12, 15)
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChw"
    "GA60e6kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestReviewAttacksOrm(LateRenewalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Other Customer", "is_company": True, "email": "o@example.com"}
        )
        cls.company2 = cls.env["res.company"].create({"name": "Other Company"})
        cls.manager2 = new_test_user(
            cls.env,
            login="review_manager2",
            groups="symantec_renewals.group_renewal_manager",
            company_id=cls.company2.id,
            company_ids=[Command.set(cls.company2.ids)],
        )
        cls.salesman = new_test_user(
            cls.env, login="review_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.sales_manager = new_test_user(
            cls.env, login="review_sales_mgr", groups="sales_team.group_sale_manager"
        )
        cls.billing = new_test_user(
            cls.env, login="review_billing", groups="account.group_account_invoice"
        )
        cls.stages = cls.env["crm.stage"]._renewal_stages()

    def setUp(self):
        super().setUp()
        self.pair = self.Contract.concat(
            *(
                self.active_contract(
                    date_start=start, date_end=end, user_id=self.rep.id
                )
                for start, end in ENDS.values()
            )
        )

    def wizard(self, user, contracts, **values):
        return (
            self.env["symantec.renewal.consolidate.wizard"]
            .with_user(user)
            .create({"contract_ids": [Command.set(contracts.ids)], **values})
        )

    def single_quote(self, day=TODAY):
        contract = self.pair[0]
        with freeze_time(day):
            contract.action_generate_renewal_quote()
        order = contract.renewal_order_id
        order.action_quotation_sent()
        return order

    # ------------------------------------------------------------------
    # 1. Renew together / multi-year
    # ------------------------------------------------------------------

    def test_other_team_rep_cannot_renew_together(self):
        with freeze_time(TODAY):
            for call in (
                lambda: self.pair.with_user(self.rep_jp).action_renew_together(),
                lambda: self.wizard(self.rep_jp, self.pair).action_renew_together(),
            ):
                with refused(self):
                    call()
        self.assertFalse(self.pair.renewal_order_id)

    def test_manager_of_another_company_cannot_renew_together(self):
        with freeze_time(TODAY), refused(self):
            self.wizard(self.manager2, self.pair).action_renew_together()
        self.assertFalse(self.pair.renewal_order_id)

    def test_plain_employee_and_salesman_cannot_use_the_wizard(self):
        for user in (self.employee, self.salesman):
            with self.subTest(user=user.login), freeze_time(TODAY), refused(self):
                self.wizard(user, self.pair).action_renew_together()
        self.assertFalse(self.pair.renewal_order_id)

    def test_rep_cannot_mix_another_customers_contract(self):
        other = self.active_contract(
            partner_id=self.other_customer.id, user_id=self.rep.id
        )
        with freeze_time(TODAY), self.assertRaises(UserError):
            self.wizard(self.rep, self.pair | other).action_renew_together()

    def test_rep_cannot_co_terminate_beyond_three_years(self):
        """The wizard's co-termination date has a floor (12 months) but, as
        read, no ceiling: a rep makes a 10-year renewal on one quote."""
        far = date(2037, 3, 31)
        with freeze_time(TODAY):
            try:
                order = self.wizard(
                    self.rep, self.pair, coterm_date=far
                ).action_renew_together()
            except REFUSED:
                return
        order = self.pair.renewal_order_id
        self.fail(
            f"NOT refused: quote {order.name} co-terminates on "
            f"{order.renewal_coterm_date} ({order.amount_untaxed}), "
            "renewal_years=%s" % order.renewal_years
        )

    def test_years_switch_on_co_terminated_quote_stays_within_three_years(self):
        """Switching a co-terminated quote to 3 years shifts its common end
        by two more years: refused when a new term would pass 36 months,
        the quote left as it was."""
        with freeze_time(TODAY):
            order = self.pair._renew_together()
            coterm, price = order.renewal_coterm_date, order.amount_untaxed
            with self.assertRaisesRegex(UserError, "at most 36 months"):
                order.with_user(self.rep).action_set_renewal_years(3)
        self.assertEqual(order.renewal_years, 1)
        self.assertEqual(order.renewal_coterm_date, coterm)
        self.assertEqual(order.amount_untaxed, price)

    def test_years_out_of_range_are_refused(self):
        order = self.single_quote()
        price = order.amount_untaxed
        for years in (0, -1, 4, 99, "abc", "2.5", None, [2], "", False):
            with (
                self.subTest(years=years),
                freeze_time(TODAY),
                self.assertRaises(UserError),
            ):
                order.with_user(self.rep).action_set_renewal_years(years)
        self.assertEqual(order.renewal_years, 1)
        self.assertEqual(order.amount_untaxed, price)

    def test_float_years_are_refused_not_truncated(self):
        order = self.single_quote()
        with freeze_time(TODAY):
            try:
                order.with_user(self.rep).action_set_renewal_years(2.9)
            except UserError:
                return
        self.fail(
            f"NOT refused: years=2.9 accepted as renewal_years={order.renewal_years}"
        )

    def test_other_team_rep_and_other_company_manager_cannot_switch_years(self):
        order = self.single_quote()
        for user in (self.rep_jp, self.manager2, self.employee, self.salesman):
            with self.subTest(user=user.login), freeze_time(TODAY), refused(self):
                order.with_user(user).action_set_renewal_years(3)
        self.assertEqual(order.renewal_years, 1)

    def test_billing_user_switches_years_of_any_renewal_quote(self):
        """An invoicing user (not in the Renewals groups) has write on
        sale.order: the action re-prices any renewal quote for 3 years."""
        order = self.single_quote()
        with freeze_time(TODAY):
            try:
                order.with_user(self.billing).action_set_renewal_years(3)
            except REFUSED:
                return
        self.fail(
            f"NOT refused: billing user set {order.name} to "
            f"{order.renewal_years} years ({order.amount_untaxed})"
        )

    def test_years_frozen_once_signed_or_confirmed(self):
        order = self.single_quote()
        order.sudo().write({"signature": SIGNATURE, "signed_by": "Reseller"})
        for user in (self.rep, self.manager):
            with (
                self.subTest(user=user.login),
                freeze_time(TODAY),
                self.assertRaises(UserError),
            ):
                order.with_user(user).action_set_renewal_years(3)
        self.assertEqual(order.renewal_years, 1)
        with freeze_time(TODAY):
            self.pair[1].action_generate_renewal_quote()
        order2 = self.pair[1].renewal_order_id
        with freeze_time(TODAY):
            order2.action_confirm()
            with self.assertRaises(UserError):
                order2.with_user(self.rep).action_set_renewal_years(3)

    def test_rep_cannot_write_order_renewal_fields(self):
        with freeze_time(TODAY):
            order = self.pair._renew_together()
        other = self.active_contract(user_id=self.rep.id)
        for vals in (
            {"renewal_years": 3},
            {"renewal_coterm_date": "2040-01-01"},
            {"renewal_contract_ids": [Command.link(other.id)]},
            {"renewal_contract_ids": [Command.unlink(self.pair[1].id)]},
            {"renewal_contract_ids": [Command.clear()]},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                order.with_user(self.rep).write(vals)
        self.assertEqual(order.renewal_contract_ids, self.pair)

    def test_rep_cannot_forge_section_lines(self):
        with freeze_time(TODAY):
            order = self.pair._renew_together()
        section = order.order_line.filtered(
            lambda line: line.display_type == "line_section"
        )[:1]
        other = self.active_contract(user_id=self.rep.id)
        for vals in (
            {"renewal_contract_id": other.id},
            {"renewal_case": "reinstatement"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                section.with_user(self.rep).write(vals)
        with self.assertRaises(AccessError):
            self.env["sale.order.line"].with_user(self.rep).create(
                {
                    "order_id": order.id,
                    "display_type": "line_section",
                    "name": "forged",
                    "renewal_contract_id": other.id,
                }
            )
        # Through the order's one2many as well.
        with self.assertRaises(AccessError):
            order.with_user(self.rep).write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "renewal_contract_id": other.id,
                                "price_unit": -500,
                            }
                        )
                    ]
                }
            )

    def test_rep_cannot_relink_renewal_opportunities(self):
        with freeze_time(TODAY):
            self.pair._renew_together()
        main, linked = (c.renewal_lead_id for c in self.pair)
        self.assertEqual(linked.renewal_main_lead_id, main)
        stray = self.active_contract(user_id=self.rep.id)
        with freeze_time(TODAY):
            stray.action_generate_renewal_quote()
        for vals in (
            {"renewal_linked_lead_ids": [Command.link(stray.renewal_lead_id.id)]},
            {"renewal_linked_lead_ids": [Command.unlink(linked.id)]},
            {"renewal_linked_lead_ids": [Command.clear()]},
        ):
            with self.subTest(vals=vals), refused(self):
                main.with_user(self.rep).write(vals)
        self.assertEqual(linked.renewal_main_lead_id, main)
        self.assertFalse(stray.renewal_lead_id.renewal_main_lead_id)

    # ------------------------------------------------------------------
    # 2. CRM stages
    # ------------------------------------------------------------------

    def upcoming_lead(self, **values):
        contract = self.active_contract(user_id=self.rep.id, **values)
        self.run_on(END - timedelta(days=120))
        return contract, contract.renewal_lead_id

    def test_other_team_rep_cannot_quote_through_a_stage_move(self):
        contract, lead = self.upcoming_lead()
        self.assertEqual(lead.renewal_status, "upcoming")
        for user in (self.rep_jp, self.employee, self.manager2):
            with (
                self.subTest(user=user.login),
                freeze_time(END - timedelta(days=100)),
                refused(self),
            ):
                lead.with_user(user).write({"stage_id": self.stages["quoted"].id})
        self.assertFalse(contract.renewal_order_id)
        self.assertEqual(lead.stage_id, self.stages["upcoming"])

    def test_salesman_cannot_quote_an_unassigned_renewal_through_its_stage(self):
        contract, lead = self.upcoming_lead()
        lead.user_id = False
        lead.team_id = False
        for user in (self.salesman, self.sales_manager):
            with (
                self.subTest(user=user.login),
                freeze_time(END - timedelta(days=100)),
                refused(self),
            ):
                lead.with_user(user).write({"stage_id": self.stages["quoted"].id})
        self.assertFalse(contract.renewal_order_id)

    def test_won_without_confirmation_is_refused(self):
        contract, lead = self.upcoming_lead()
        with freeze_time(END - timedelta(days=100)):
            contract.action_generate_renewal_quote()
        self.assertEqual(lead.renewal_status, "quoted")
        for user in (self.rep, self.manager):
            for call in (
                lambda u=user: lead.with_user(u).action_set_won(),
                lambda u=user: lead.with_user(u).action_set_won_rainbowman(),
                lambda u=user: lead.with_user(u).write(
                    {"stage_id": self.stages["won"].id, "probability": 100}
                ),
            ):
                with self.subTest(user=user.login), refused(self):
                    call()
        self.assertEqual(lead.stage_id, self.stages["quoted"])
        self.assertNotEqual(lead.won_status, "won")

    def test_stage_write_with_other_values_keeps_status_and_stage_in_step(self):
        contract, lead = self.upcoming_lead()
        with freeze_time(END - timedelta(days=100)):
            lead.with_user(self.rep).write(
                {"stage_id": self.stages["quoted"].id, "probability": 100}
            )
        self.assertTrue(contract.renewal_order_id)
        self.assertEqual(lead.renewal_status, "quoted")
        self.assertEqual(lead.stage_id, self.stages["quoted"])
        self.assertNotEqual(lead.won_status, "won")

    def test_nobody_but_the_module_sets_a_stages_renewal_status(self):
        quoted = self.stages["quoted"]
        sales_stage = self.env["crm.stage"].search(
            [("renewal_status", "=", False)], limit=1
        )
        for user in (self.rep, self.salesman, self.sales_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                quoted.with_user(user).write({"renewal_status": "won"})
                with self.assertRaises(AccessError):
                    sales_stage.with_user(user).write({"renewal_status": "lapsed"})
                with self.assertRaises(AccessError):
                    self.env["crm.stage"].with_user(user).create(
                        {"name": "Forged", "renewal_status": "quoted"}
                    )
        self.assertEqual(quoted.renewal_status, "quoted")

    def test_sales_manager_cannot_break_the_renewal_pipeline(self):
        """A sales manager outside the Renewals groups has full rights on
        crm.stage: a renewal stage made won, restricted to a team, or
        deleted desyncs the pipeline from the renewal statuses."""
        problems = []
        for label, call in (
            ("is_won on Quoted", lambda s: s["quoted"].write({"is_won": True})),
            (
                "team_ids on Late",
                lambda s: s["late"].write(
                    {"team_ids": [Command.set(self.team_jp.ids)]}
                ),
            ),
            ("unlink Lapsed", lambda s: s["lapsed"].unlink()),
        ):
            stages = {
                k: v.with_user(self.sales_manager) for k, v in self.stages.items()
            }
            try:
                with self.env.cr.savepoint():
                    call(stages)
                    problems.append(label)
                    raise _Rollback
            except _Rollback:
                pass
            except REFUSED:
                pass
        self.assertFalse(problems, f"NOT refused for a sales manager: {problems}")

    # ------------------------------------------------------------------
    # 3. Contract numbers, policy
    # ------------------------------------------------------------------

    def test_rep_cannot_renumber_a_running_contract(self):
        contract = self.pair[0]
        number = contract.name
        problems = []
        for vals in ({"name": False}, {"name": ""}, {"name": self.pair[1].name}):
            try:
                with self.env.cr.savepoint():
                    contract.with_user(self.rep).write(vals)
                    problems.append((vals, contract.name))
                    raise _Rollback
            except _Rollback:
                pass
            except REFUSED:
                pass
        self.assertEqual(contract.name, number)
        self.assertFalse(problems, f"NOT refused: rep renumbered {number}: {problems}")

    def test_draft_takes_no_number_and_user_cannot_force_state(self):
        draft = self.make_contract(user_id=self.rep.id)
        self.assertFalse(draft.name)
        with self.assertRaises(AccessError):
            draft.with_user(self.rep).write({"state": "active"})
        self.assertFalse(draft.name)

    def test_policy_of_another_company_is_refused(self):
        Wizard = self.env["symantec.renewal.policy.wizard"]
        with self.assertRaises(AccessError):
            Wizard.with_user(self.manager2).with_context(
                default_company_id=self.company.id
            ).create({})
        with refused(self):
            Wizard.with_user(self.manager2).create(
                {"company_id": self.company.id, "renewal_notice_days": 5}
            ).action_apply()
        wizard = Wizard.with_user(self.manager2).create({})
        with refused(self):
            wizard.write({"company_id": self.company.id})
            wizard.action_apply()
        self.assertEqual(self.company.renewal_notice_days, 120)

    def test_rep_cannot_change_policy(self):
        notice = self.company.renewal_notice_days
        with self.assertRaises(AccessError):
            self.env["symantec.renewal.policy.wizard"].with_user(self.rep).create(
                {"renewal_notice_days": 1}
            )
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.rep).create(
                {"renewal_notice_days": 1}
            )
        with self.assertRaises(AccessError):
            self.company.with_user(self.rep).write({"renewal_notice_days": 1})
        with self.assertRaises(AccessError):
            self.company.with_user(self.manager).write({"late_uplift_percent": 0})
        self.assertEqual(self.company.renewal_notice_days, notice)

    def test_settings_fields_no_longer_write_the_policy(self):
        settings = self.env["res.config.settings"].create({"renewal_notice_days": 3})
        settings.execute()
        self.assertEqual(self.company.renewal_notice_days, 120)

    # ------------------------------------------------------------------
    # 4. Queue
    # ------------------------------------------------------------------

    def test_non_manager_cannot_enqueue_the_run(self):
        if "queue.job" not in self.env:
            self.skipTest("symantec_renewals_queue not installed")
        Contract = type(self.env["symantec.contract"])
        jobs = self.env["queue.job"].sudo().search_count([])
        with patch.object(Contract, "_renewal_run_on_queue", lambda self: True):
            for user in (self.rep, self.employee, self.salesman):
                with self.subTest(user=user.login), refused(self):
                    self.env["symantec.contract"].with_user(
                        user
                    ).action_run_renewal_now()
        self.assertEqual(self.env["queue.job"].sudo().search_count([]), jobs)


class _Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestReviewAttacksPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        today = date.today()
        Partner = env["res.partner"]
        cls.reseller = Partner.create(
            {"name": "Review Reseller", "is_company": True, "is_reseller": True}
        )
        cls.other_reseller = Partner.create(
            {"name": "Review Other Reseller", "is_company": True, "is_reseller": True}
        )
        cls.customer = Partner.create(
            {"name": "Review Customer", "is_company": True, "email": "rc@example.com"}
        )

        def portal_user(login, company):
            user = new_test_user(env, login=login, groups="base.group_portal")
            user.partner_id.write(
                {"parent_id": company.id, "email": f"{login}@example.com"}
            )
            return user

        portal_user("rv_reseller", cls.reseller)
        portal_user("rv_other", cls.other_reseller)
        portal_user("rv_customer", cls.customer)
        cls.rep = new_test_user(
            env, login="rv_rep", groups="symantec_renewals.group_renewal_user"
        )
        new_test_user(env, login="rv_employee", groups="base.group_user")
        tier = env.ref("symantec_renewals.tier_essential_support")
        product = env["product.product"].create({"name": "Review Product"})

        def contract(name, days_left, reseller):
            end = today + timedelta(days=days_left)
            record = env["symantec.contract"].create(
                {
                    "name": name,
                    "partner_id": cls.customer.id,
                    "reseller_id": reseller.id,
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

        cls.mine = contract("RV-1", 20, cls.reseller) | contract(
            "RV-2", 45, cls.reseller
        )
        cls.theirs = contract("RV-3", 30, cls.other_reseller) | contract(
            "RV-4", 50, cls.other_reseller
        )

    def post(self, url, data, login, csrf=True):
        if login:
            self.authenticate(login, login)
        if csrf:
            data = {**data, "csrf_token": Request.csrf_token(self)}
        return self.url_open(url, data=data, allow_redirects=False)

    def quote(self):
        order = self.mine[0]._generate_renewal_quotes()
        order.action_quotation_sent()
        return order

    def test_customer_and_other_reseller_cannot_renew_together(self):
        for login in ("rv_customer", "rv_employee"):
            with self.subTest(login=login):
                response = self.post(
                    "/my/renewals/renew_together",
                    {"partner_id": self.customer.id},
                    login,
                )
                self.assertIn(response.status_code, (403, 404))
                self.assertFalse(self.mine.renewal_order_id)
        # The other reseller renews its own two, never mine.
        self.post(
            "/my/renewals/renew_together", {"partner_id": self.customer.id}, "rv_other"
        )
        self.assertFalse(self.mine.renewal_order_id)

    def test_public_cannot_renew_together(self):
        self.authenticate(None, None)
        response = self.post(
            "/my/renewals/renew_together", {"partner_id": self.customer.id}, None
        )
        self.assertNotEqual(response.status_code, 303 if False else 200)
        self.assertFalse(self.mine.renewal_order_id)

    def test_years_route_needs_csrf(self):
        order = self.quote()
        response = self.post(
            f"/my/orders/{order.id}/renewal_years",
            {"years": "3"},
            "rv_reseller",
            csrf=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(order.renewal_years, 1)

    def test_years_route_refuses_others(self):
        order = self.quote()
        url = f"/my/orders/{order.id}/renewal_years"
        for login in ("rv_customer", "rv_other", "rv_employee"):
            with self.subTest(login=login):
                response = self.post(url, {"years": "3"}, login)
                self.assertIn(response.status_code, (403, 404))
        order.invalidate_recordset()
        self.assertEqual(order.renewal_years, 1)

    def test_years_route_refuses_bad_values(self):
        order = self.quote()
        url = f"/my/orders/{order.id}/renewal_years"
        for years in ("-1", "0", "4", "2.5", "1e1", "abc", ""):
            with self.subTest(years=years):
                response = self.post(url, {"years": years}, "rv_reseller")
                self.assertEqual(response.status_code, 409)
        order.invalidate_recordset()
        self.assertEqual(order.renewal_years, 1)

    def test_years_route_refuses_signed_quote(self):
        order = self.quote()
        order.write({"signature": SIGNATURE, "signed_by": "Reseller"})
        response = self.post(
            f"/my/orders/{order.id}/renewal_years", {"years": "3"}, "rv_reseller"
        )
        self.assertEqual(response.status_code, 409)
        order.invalidate_recordset()
        self.assertEqual(order.renewal_years, 1)

    def test_portal_call_kw_on_new_models_and_fields(self):
        order = self.quote()
        section_model_calls = [
            (
                "symantec.renewal.consolidate.wizard",
                "create",
                [{"contract_ids": [[6, 0, self.mine.ids]]}],
            ),
            (
                "crm.stage",
                "write",
                [
                    [self.env["crm.stage"]._renewal_stages()["won"].id],
                    {"renewal_status": "lapsed"},
                ],
            ),
            (
                "sale.order.line",
                "write",
                [order.order_line.ids, {"renewal_case": "on_time"}],
            ),
            ("symantec.contract", "write", [self.mine.ids, {"renewal_years": 3}]),
            ("symantec.contract", "write", [self.mine[:1].ids, {"name": False}]),
        ]
        self.authenticate("rv_reseller", "rv_reseller")
        for model, method, args in section_model_calls:
            with (
                self.subTest(model=model, method=method),
                self.assertRaises(JsonRpcException),
            ):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/{model}/{method}",
                    {"model": model, "method": method, "args": args, "kwargs": {}},
                )
        self.mine.invalidate_recordset()
        self.assertEqual(self.mine.mapped("renewal_years"), [1, 1])
        self.assertEqual(self.mine[0].name, "RV-1")
