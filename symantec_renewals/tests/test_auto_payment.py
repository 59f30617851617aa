"""Automatic renewals charged to the customer's saved card, and dunning when
a charge fails (SPEC §11), with payment_demo's simulated cards."""

from datetime import timedelta
from unittest import SkipTest
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_auto_renewal import AutoRenewalCommon
from .test_mail_delivery import MailDeliveryCommon
from .test_renewal_run import END

# The automatic renewal is ordered 7 days before the end; retries 1, 3 and
# 7 days after the first failure.
ORDER_DAY = END - timedelta(days=7)


class AutoPaymentCommon(AutoRenewalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "demo_simulated_state" not in cls.env["payment.token"]:
            raise SkipTest("payment_demo is not installed (./setup/test installs it)")
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "company_id": cls.company.id})
        cls.payment_method = cls.env.ref("payment_demo.payment_method_demo")

    @classmethod
    def card(cls, simulated_state="done", partner=None, details="4242"):
        return cls.env["payment.token"].create(
            {
                "provider_id": cls.provider.id,
                "payment_method_id": cls.payment_method.id,
                "partner_id": (partner or cls.customer).id,
                "payment_details": details,
                "provider_ref": f"demo-{details}-{simulated_state}",
                "demo_simulated_state": simulated_state,
            }
        )

    def card_contract(self, simulated_state="done", **values):
        return self.auto_contract(
            payment_token_id=self.card(simulated_state).id, **values
        )

    def charges(self, contract):
        return self.env["payment.transaction"].search(
            [("invoice_ids", "in", self.invoice_of(contract).ids)], order="id"
        )


@tagged("post_install", "-at_install")
class TestAutoPayment(AutoPaymentCommon):
    def test_working_card_renews_in_one_run(self):
        contract = self.card_contract()
        self.run_on(ORDER_DAY)
        invoice = self.invoice_of(contract)
        charge = self.charges(contract)
        self.assertEqual(len(charge), 1)
        self.assertEqual(charge.operation, "offline")
        self.assertEqual(charge.state, "done")
        self.assertEqual(charge.amount, invoice.amount_total)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(contract.renewal_payment_state, "paid")
        self.assertEqual(contract.renewal_payment_attempts, 1)
        self.assertEqual(contract.state, "renewed")
        successor = contract.successor_id
        self.assertEqual(successor.state, "active", "no human step")
        self.assertEqual(successor.payment_token_id, contract.payment_token_id)
        receipt = self.emails(invoice, "Payment received")
        self.assertEqual(len(receipt), 1)
        self.assertEqual(self.recipients(receipt), self.customer)
        self.assertIn(charge.reference, receipt.body)
        told = self.emails(contract.renewal_order_id, "is renewed")
        self.assertIn("is charged to", told.body)
        self.assertTrue(
            contract.message_ids.filtered(lambda m: "paid with" in (m.body or "")),
            "the attempt is logged on the contract",
        )
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.assertEqual(len(self.charges(contract)), 1, "never charged twice")

    def test_declined_card_retries_emails_expires_then_payment_restores(self):
        contract = self.card_contract("cancel")
        self.run_on(ORDER_DAY)
        invoice = self.invoice_of(contract)
        self.assertEqual(contract.renewal_payment_state, "failed")
        self.assertEqual(contract.renewal_payment_next_date, ORDER_DAY + timedelta(1))
        self.assertEqual(contract.successor_ids.state, "draft")
        dunning = self.emails(invoice, "payment of your subscription")
        self.assertEqual(len(dunning), 1)
        self.assertEqual(self.recipients(dunning), self.customer)
        self.assertIn("Pay now", dunning.body)
        self.assertIn("the card was refused", dunning.body)
        for days, count in ((1, 2), (2, 2), (3, 3), (5, 3), (7, 4)):
            self.run_on(ORDER_DAY + timedelta(days=days))
            self.assertEqual(len(self.charges(contract)), count, f"day {days}")
        self.assertEqual(
            set(self.charges(contract).mapped("state")), {"cancel"}, "one at a time"
        )
        self.assertFalse(contract.renewal_payment_next_date, "the retries are spent")
        self.assertEqual(len(self.emails(invoice, "payment of your subscription")), 4)
        self.assertIn("last attempt", self.emails(invoice, "payment")[0].body)
        activity = contract.renewal_lead_id.activity_ids.filtered(
            lambda a: "payment failed" in (a.summary or "")
        )
        self.assertEqual(len(activity), 1, "the rep follows up")
        self.assertEqual(activity.user_id, contract.user_id)
        self.run_on(END + timedelta(days=1))
        self.assertEqual(contract.state, "expired")
        self.assertEqual(len(self.charges(contract)), 4)
        self.assertEqual(
            self.env["symantec.contract"].search(
                [("id", "=", contract.id), ("renewal_payment_state", "=", "failed")]
            ),
            contract,
            "the Payment failed filter",
        )
        self.assertEqual(
            contract.renewal_lead_id.renewal_payment_state,
            "failed",
            "shown on the opportunity",
        )
        self.pay(invoice, END + timedelta(days=10))
        self.assertEqual(contract.state, "renewed", "a later payment restores it")
        self.assertEqual(contract.successor_id.state, "active")
        self.assertEqual(contract.successor_id.date_start, END + timedelta(days=1))
        self.assertEqual(contract.renewal_payment_state, "paid")

    def test_a_retry_that_succeeds_recovers_the_renewal(self):
        contract = self.card_contract("error")
        self.run_on(ORDER_DAY)
        dunning = self.emails(self.invoice_of(contract), "payment of your")
        self.assertIn("demo payment status", dunning.body, "the provider's reason")
        contract.payment_token_id.demo_simulated_state = "done"
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.assertEqual(contract.renewal_payment_state, "paid")
        self.assertEqual(contract.renewal_payment_attempts, 2)
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(self.charges(contract).mapped("state"), ["error", "done"])

    def test_pending_charge_is_never_repeated_and_its_answer_completes(self):
        contract = self.card_contract("pending")
        self.run_on(ORDER_DAY)
        charge = self.charges(contract)
        self.assertEqual(charge.state, "pending")
        self.assertEqual(contract.renewal_payment_state, "charging")
        for days in (1, 3, 7):
            self.run_on(ORDER_DAY + timedelta(days=days))
        self.assertEqual(self.charges(contract), charge, "one charge per invoice")
        # The provider's notification comes later.
        with freeze_time(ORDER_DAY + timedelta(days=8)):
            charge.action_demo_set_done()
            charge._post_process()
        self.assertEqual(contract.renewal_payment_state, "paid")
        self.assertEqual(contract.state, "renewed")

    def test_crash_between_charge_and_commit_does_not_charge_again(self):
        contract = self.card_contract()
        Transaction = type(self.env["payment.transaction"])
        original = Transaction._send_payment_request

        def charged_then_crashed(tx):
            original(tx)
            raise ConnectionError("worker killed after the provider's answer")

        with (
            patch.object(Transaction, "_send_payment_request", charged_then_crashed),
            mute_logger(
                "odoo.addons.symantec_renewals.models.symantec_contract_renewal_payment"
            ),
        ):
            self.run_on(ORDER_DAY)
        charge = self.charges(contract)
        self.assertEqual(charge.state, "draft", "its answer was lost")
        self.assertEqual(contract.renewal_payment_state, "charging")
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.run_on(ORDER_DAY + timedelta(days=3))
        self.assertEqual(self.charges(contract), charge, "not charged a second time")

    def test_card_chosen_after_the_last_retry_is_charged_by_the_next_run(self):
        contract = self.card_contract("cancel")
        for days in (0, 1, 3, 7):
            self.run_on(ORDER_DAY + timedelta(days=days))
        self.assertFalse(contract.renewal_payment_next_date, "the retries are spent")
        self.run_on(ORDER_DAY + timedelta(days=8))
        self.assertEqual(len(self.charges(contract)), 4, "nothing more by itself")
        with freeze_time(ORDER_DAY + timedelta(days=8)):
            contract.payment_token_id = self.card("done", details="5555")
        self.assertEqual(
            contract.renewal_payment_next_date, ORDER_DAY + timedelta(days=8)
        )
        self.run_on(ORDER_DAY + timedelta(days=8))
        self.assertEqual(self.charges(contract)[-1].token_id, contract.payment_token_id)
        self.assertEqual(self.charges(contract)[-1].state, "done")
        self.assertEqual(contract.renewal_payment_state, "paid")
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(contract.successor_id.state, "active")

    def test_card_chosen_after_the_invoice_is_charged_by_the_next_run(self):
        contract = self.auto_contract()
        self.run_on(ORDER_DAY)
        self.assertFalse(self.charges(contract), "no card: the customer pays by hand")
        with freeze_time(ORDER_DAY + timedelta(days=2)):
            contract.payment_token_id = self.card("done")
        self.run_on(ORDER_DAY + timedelta(days=2))
        self.assertEqual(self.charges(contract).state, "done")
        self.assertEqual(contract.successor_id.state, "active")

    def test_charge_without_answer_goes_to_the_rep_once(self):
        contract = self.card_contract("pending")
        payment = self.env.ref("symantec_renewals.mail_activity_type_renewal_payment")

        def follow_ups():
            return contract.renewal_lead_id.activity_ids.filtered(
                lambda a: a.activity_type_id == payment
            )

        self.run_on(ORDER_DAY)
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.assertFalse(follow_ups(), "the provider may still answer")
        self.run_on(ORDER_DAY + timedelta(days=3))
        activity = follow_ups()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, contract.user_id)
        self.assertIn("without answer", activity.summary)
        self.assertIn(self.charges(contract).reference, str(activity.note))
        self.run_on(ORDER_DAY + timedelta(days=4))
        self.assertEqual(follow_ups(), activity, "once")
        self.assertEqual(len(self.charges(contract)), 1, "never charged again")

    def test_removed_card_is_not_charged_and_goes_to_the_rep(self):
        contract = self.card_contract()
        # Deleting a card on the portal archives it.
        contract.payment_token_id.action_archive()
        self.run_on(ORDER_DAY)
        self.assertFalse(self.charges(contract), "an archived card is not charged")
        self.assertEqual(contract.renewal_payment_state, "failed")
        activity = contract.renewal_lead_id.activity_ids.filtered(
            lambda a: "unusable" in (a.summary or "")
        )
        self.assertEqual(len(activity), 1)
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.assertFalse(self.charges(contract), "nor the next day")
        with freeze_time(ORDER_DAY + timedelta(days=2)):
            contract.payment_token_id = self.card("done", details="7777")
        self.run_on(ORDER_DAY + timedelta(days=2))
        self.assertEqual(self.charges(contract).state, "done")
        self.assertEqual(contract.state, "renewed")

    def test_lapsed_renewal_is_never_charged(self):
        contract = self.card_contract("cancel")
        self.run_on(ORDER_DAY)
        lapsed_day = END + timedelta(days=self.company.max_reinstatement_days + 1)
        self.run_on(lapsed_day)
        self.assertEqual(contract.renewal_case, "lapsed")
        self.assertFalse(contract.renewal_payment_next_date)
        with freeze_time(lapsed_day):
            contract.payment_token_id = self.card("done", details="8888")
        self.run_on(lapsed_day)
        self.assertEqual(
            set(self.charges(contract).mapped("state")),
            {"cancel"},
            "no charge for a renewal that cannot be given",
        )

    def test_same_card_written_again_schedules_nothing(self):
        contract = self.card_contract("cancel")
        for days in (0, 1, 3, 7):
            self.run_on(ORDER_DAY + timedelta(days=days))
        contract.payment_token_id = contract.payment_token_id
        self.assertFalse(contract.renewal_payment_next_date)

    def test_payment_started_on_the_portal_is_followed_not_doubled(self):
        contract = self.card_contract("cancel")
        self.run_on(ORDER_DAY)
        invoice = self.invoice_of(contract)
        # The customer pays the invoice online by itself; the payment waits.
        online = self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method.id,
                "amount": invoice.amount_residual,
                "currency_id": invoice.currency_id.id,
                "partner_id": invoice.partner_id.id,
                "operation": "online_direct",
                "invoice_ids": [(6, 0, invoice.ids)],
            }
        )
        online._set_pending()
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.assertEqual(
            self.charges(contract).filtered("token_id").mapped("state"), ["cancel"]
        )
        self.assertEqual(contract.renewal_payment_state, "charging")
        self.assertEqual(contract.renewal_payment_tx_id, online)
        with freeze_time(ORDER_DAY + timedelta(days=2)):
            online._set_done()
            online._post_process()
        self.assertEqual(contract.renewal_payment_state, "paid")
        self.assertEqual(contract.state, "renewed")

    def test_manual_payment_before_the_charge_cancels_it(self):
        contract = self.card_contract()
        with freeze_time(ORDER_DAY):
            # The run's batch, without its charge phase.
            contract._renewal_run_step(ORDER_DAY)
        self.pay(self.invoice_of(contract), ORDER_DAY)
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.assertFalse(self.charges(contract))
        self.assertEqual(contract.state, "renewed")

    def test_analysis_splits_paid_first_recovered_and_lost(self):
        paid = self.card_contract()
        recovered = self.card_contract("cancel")
        lost = self.card_contract("cancel")
        by_hand = self.auto_contract()
        self.run_on(ORDER_DAY)
        recovered.payment_token_id.demo_simulated_state = "done"
        self.run_on(ORDER_DAY + timedelta(days=1))
        self.run_on(END + timedelta(days=1))
        self.env.flush_all()
        rows = self.env["symantec.renewal.analysis"].search(
            [("contract_id", "in", (paid | recovered | lost | by_hand).ids)]
        )
        self.assertEqual(
            {row.contract_id: row.auto_payment_outcome for row in rows},
            {
                paid: "first_charge",
                recovered: "recovered",
                lost: "lost",
                by_hand: False,
            },
        )
        self.pay(self.invoice_of(lost), END + timedelta(days=5))
        self.env.flush_all()
        self.env.invalidate_all()
        row = self.env["symantec.renewal.analysis"].search(
            [("contract_id", "=", lost.id)]
        )
        self.assertEqual(row.auto_payment_outcome, "recovered", "restored late")


@tagged("post_install", "-at_install")
class TestPaymentTokenRules(AutoPaymentCommon):
    def test_card_must_be_the_customers(self):
        other = self.env["res.partner"].create({"name": "Someone Else"})
        contract = self.auto_contract()
        with self.assertRaises(ValidationError):
            contract.payment_token_id = self.card(partner=other)

    def test_card_of_a_contact_of_the_customer_is_accepted(self):
        contact = self.env["res.partner"].create(
            {"name": "Acme Accounts", "parent_id": self.customer.id}
        )
        contract = self.auto_contract()
        contract.payment_token_id = self.card(partner=contact)
        self.assertTrue(contract.payment_token_id)

    def test_only_online_services_are_charged_to_a_card(self):
        with self.assertRaises(ValidationError):
            self.active_contract(payment_token_id=self.card().id)

    def test_retry_days_are_validated(self):
        for wrong in ("0,3", "1,x", "-1", "400"):
            with self.subTest(wrong=wrong), self.assertRaises(ValidationError):
                self.company.auto_renew_retry_days = wrong
        self.company.auto_renew_retry_days = "2, 5"
        self.assertEqual(self.company.auto_renew_retry_day_list(), (2, 5))


@tagged("post_install", "-at_install")
class TestPaymentMailDelivery(MailDeliveryCommon, AutoPaymentCommon):
    """The dunning and receipt e-mails for real, through the mail queue."""

    def test_dunning_email_reaches_the_customer_with_a_pay_now_link(self):
        contract = self.card_contract("error")
        self.run_on(ORDER_DAY)
        self.sink.messages.clear()
        self.send_queue()
        invoice = self.invoice_of(contract)
        received, logged = self.assertDelivered(
            invoice, self.customer, "payment of your subscription"
        )
        self.assertIn("demo payment status", received["html"], "the reason")
        self.assertIn("Pay now", received["html"])
        self.assertIn("model=account.move", received["html"], "the invoice to pay")
        self.assertIn("access_token=", received["html"], "pay without logging in")
        self.assertNotIn("access_token", logged.body, "no secret in the chatter")
        self.assertIn(invoice.name, received["subject"])

    def test_receipt_reaches_the_customer(self):
        contract = self.card_contract()
        self.run_on(ORDER_DAY)
        self.sink.messages.clear()
        self.send_queue()
        invoice = self.invoice_of(contract)
        received, _logged = self.assertDelivered(
            invoice, self.customer, "Payment received"
        )
        self.assertIn(self.charges(contract).reference, received["html"])
