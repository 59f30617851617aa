"""The customer's card for its automatic renewals, on the portal and through
JSON-RPC (SPEC §10, §11): only the customer chooses among its own cards;
nobody else reads or sets them, and the payment state is the workflow's."""

from datetime import timedelta
from unittest import SkipTest

from odoo import fields
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .test_security import PortalCommon


@tagged("post_install", "-at_install")
class TestRenewalCardPortal(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "demo_simulated_state" not in cls.env["payment.token"]:
            raise SkipTest("payment_demo is not installed (./setup/test installs it)")
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "company_id": cls.company.id})
        cls.own_card = cls.card(cls.customer_user.partner_id, "1234")
        cls.other_card = cls.card(cls.other_reseller, "9999")

    @classmethod
    def card(cls, partner, details):
        """A payment_demo card of ``partner`` ending in ``details``."""
        return cls.env["payment.token"].create(
            {
                "provider_id": cls.provider.id,
                "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                "partner_id": partner.id,
                "payment_details": details,
                "provider_ref": f"portal-{details}",
                "demo_simulated_state": "done",
            }
        )

    def test_customer_chooses_its_card_on_its_contract_page(self):
        self.authenticate("sec_customer", "sec_customer")
        page = self.url_open(f"/my/contracts/{self.cloud.id}").text
        self.assertIn("Pay renewals automatically with this card", page)
        self.assertIn("1234", page)
        self.assertNotIn("9999", page)
        response = self.post(
            f"/my/contracts/{self.cloud.id}/payment_token",
            "sec_customer",
            {"token_id": str(self.own_card.id)},
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.cloud.payment_token_id, self.own_card)
        self.assertTrue(
            self.cloud.message_ids.filtered(lambda m: "chose to pay" in (m.body or ""))
        )
        self.post(
            f"/my/contracts/{self.cloud.id}/payment_token",
            "sec_customer",
            {"token_id": "0"},
        )
        self.assertFalse(self.cloud.payment_token_id)

    def test_tour_customer_picks_its_renewal_card(self):
        """In a real browser, the customer opens its online subscription that
        renews automatically, sees its own cards, picks one and saves: the
        page shows it as the card its renewals are charged to."""
        today = fields.Date.today()
        contract = self.make_contract(
            name="CARD-TOUR",
            tier_id=self.tier_online.id,
            auto_renew=True,
            date_start=today - timedelta(days=345),
            date_end=today + timedelta(days=20),
        )
        contract.action_activate()
        second_card = self.card(self.customer_user.partner_id, "5678")
        self.start_tour(
            "/my", "symantec_renewals_customer_picks_renewal_card", login="sec_customer"
        )
        self.assertEqual(contract.payment_token_id, second_card)

    @mute_logger("odoo.http")
    def test_nobody_sets_a_card_that_is_not_the_customers(self):
        for login, token in (
            ("sec_customer", self.other_card),
            ("sec_reseller", self.own_card),
            ("sec_next_reseller", self.other_card),
        ):
            with self.subTest(login=login):
                response = self.post(
                    f"/my/contracts/{self.cloud.id}/payment_token",
                    login,
                    {"token_id": str(token.id)},
                )
                self.assertEqual(response.status_code, 404)
        response = self.post(
            f"/my/contracts/{self.due.id}/payment_token",
            "sec_customer",
            {"token_id": str(self.own_card.id)},
        )
        self.assertEqual(response.status_code, 404, "not an online service")
        self.assertFalse(self.cloud.payment_token_id)
        self.assertFalse(self.due.payment_token_id)

    @mute_logger("odoo.http")
    def test_portal_users_neither_read_nor_write_the_card_through_call_kw(self):
        self.cloud.payment_token_id = self.own_card
        for login in ("sec_customer", "sec_reseller"):
            with self.subTest(login=login):
                with self.assertRaises(JsonRpcException):
                    self.call_kw(
                        login,
                        "symantec.contract",
                        "read",
                        [self.cloud.ids, ["payment_token_id"]],
                    )
                with self.assertRaises(JsonRpcException):
                    self.call_kw(
                        login,
                        "symantec.contract",
                        "write",
                        [self.cloud.ids, {"payment_token_id": self.other_card.id}],
                    )
        self.assertEqual(self.cloud.payment_token_id, self.own_card)

    @mute_logger("odoo.http")
    def test_rep_sets_only_the_customers_card_and_never_the_payment_state(self):
        self.call_kw(
            "renewal_rep",
            "symantec.contract",
            "write",
            [self.cloud.ids, {"payment_token_id": self.own_card.id}],
        )
        self.assertEqual(self.cloud.payment_token_id, self.own_card)
        for vals in (
            {"payment_token_id": self.other_card.id},
            {"renewal_payment_state": "paid"},
            {"renewal_payment_next_date": "2026-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(JsonRpcException):
                self.call_kw(
                    "renewal_rep", "symantec.contract", "write", [self.cloud.ids, vals]
                )
        self.cloud.invalidate_recordset()
        self.assertEqual(self.cloud.payment_token_id, self.own_card)
        self.assertFalse(self.cloud.renewal_payment_state)
