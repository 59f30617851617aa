"""The renewal e-mails for real: Odoo's mail queue sends them over SMTP to
a local SMTP server the test starts, and each one must have reached its
recipients, in the company's mail layout, and still be in the chatter of
its record with its delivery notifications sent (SPEC §5, §10)."""

import socket
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy
from unittest.mock import patch

from aiosmtpd.controller import Controller

from odoo.tests import tagged

from .test_auto_renewal import AutoRenewalCommon
from .test_renewal_run import END


class _Collect:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        html = message.get_body(preferencelist=("html",))
        self.messages.append(
            {
                "to": sorted(envelope.rcpt_tos),
                "subject": str(message["subject"]),
                "html": html.get_content() if html else "",
            }
        )
        return "250 OK"


class MailDeliveryCommon(AutoRenewalCommon):
    """A local SMTP server and Odoo's mail queue sending to it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company.email = "renewals@vendor.example.com"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            cls.smtp_port = sock.getsockname()[1]
        cls.sink = _Collect()
        cls.smtp = Controller(cls.sink, hostname="127.0.0.1", port=cls.smtp_port)
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)
        cls.env["ir.mail_server"].search([]).active = False
        cls.env["ir.mail_server"].create(
            {
                "name": "Local SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": cls.smtp_port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )

    def setUp(self):
        super().setUp()
        # Only what the test makes is sent: e-mails already queued in the
        # database (demo data's) are left out.
        self.env["mail.mail"].search([("state", "=", "outgoing")]).state = "cancel"
        self.sink.messages.clear()

    @contextmanager
    def _really_sending(self):
        # Odoo sends no e-mail while a test runs: this one sends to the sink.
        with patch.object(
            type(self.env["ir.mail_server"]), "_disable_send", return_value=False
        ):
            yield

    def send_queue(self):
        """Odoo's mail queue, as its scheduled action sends it."""
        self.env.flush_all()
        with self._really_sending():
            self.env["mail.mail"].process_email_queue()
        self.env.invalidate_all()

    def assertDelivered(self, record, partners, subject_part):
        """One e-mail about ``subject_part`` reached ``partners``, in the
        company layout, and stays in ``record``'s chatter with its
        notifications sent; returns the received e-mail and the message."""
        received = [m for m in self.sink.messages if subject_part in m["subject"]]
        self.assertEqual(len(received), 1, self.sink.messages)
        received = received[0]
        self.assertEqual(received["to"], sorted(partners.mapped("email")))
        self.assertIn('summary="o_mail_notification"', received["html"], "layout")
        self.assertIn("/mail/view?", received["html"], "the layout's button")
        logged = self.emails(record, subject_part)
        self.assertEqual(len(logged), 1, "still in the chatter once sent")
        self.assertEqual(self.recipients(logged), partners)
        self.assertEqual(
            set(logged.notification_ids.mapped("notification_status")), {"sent"}
        )
        self.assertFalse(
            self.env["mail.mail"].search([("mail_message_id", "=", logged.id)]),
            "the outgoing e-mail is gone, its copy in the chatter stays",
        )
        return received, logged


@tagged("post_install", "-at_install")
class TestMailDelivery(MailDeliveryCommon):
    def test_small_business_notification_is_delivered_and_kept(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=120))
        self.send_queue()
        received, logged = self.assertDelivered(contract, self.customer, "ends on")
        self.assertIn(contract.name, received["html"])
        self.assertIn(contract.name, logged.body)

    def test_one_email_per_milestone_across_two_runs(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=120))
        self.send_queue()
        self.run_on(END - timedelta(days=119))
        self.send_queue()
        self.assertEqual(len(self.sink.messages), 1, "nothing new the next day")
        self.run_on(END - timedelta(days=90))
        self.send_queue()
        self.assertEqual(len(self.sink.messages), 2)
        self.assertDelivered(contract, self.customer, "Reminder")
        self.assertEqual(len(self.emails(contract)), 2)

    def test_reseller_quote_and_reminders_each_to_its_party(self):
        contract = self.active_contract(customer_segment="enterprise")
        self.run_on(END - timedelta(days=120))
        self.send_queue()
        order = contract.renewal_order_id
        quote, _logged = self.assertDelivered(order, self.reseller, "Renewal quote")
        self.assertIn("model=sale.order", quote["html"], "button to the quote")
        to_customer, _logged = self.assertDelivered(
            contract, self.customer, "Reminder: renew your"
        )
        self.assertIn("model=symantec.contract", to_customer["html"])
        self.assertNotIn("model=sale.order", to_customer["html"])
        self.sink.messages.clear()
        self.run_on(END - timedelta(days=90))  # the quote is still unsigned
        self.send_queue()
        to_reseller, _logged = self.assertDelivered(
            order, self.reseller, "waiting for signature"
        )
        self.assertIn("model=sale.order", to_reseller["html"])
        self.assertNotIn("model=symantec.contract", to_reseller["html"])

    def test_activation_code_reaches_only_the_customer(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=30))
        order = contract.action_generate_renewal_quote()
        order = self.env["sale.order"].browse(order["res_id"])
        order.action_confirm()
        successor = contract.successor_id
        self.sink.messages.clear()
        self.send_queue()
        received, logged = self.assertDelivered(
            successor, self.customer, "activation code"
        )
        self.assertIn("access_token=", received["html"], "the customer's link")
        self.assertNotIn(successor.activation_code, logged.body)
        self.assertNotIn("access_token", logged.body)

    def test_automatic_renewal_email_is_kept_on_its_order(self):
        contract = self.auto_contract()
        self.run_on(END - timedelta(days=7))
        self.sink.messages.clear()
        self.send_queue()
        order = contract.renewal_order_id
        invoice = self.invoice_of(contract)
        received, logged = self.assertDelivered(order, self.customer, "is renewed")
        self.assertIn(invoice.name, received["html"])
        self.assertIn("access_token=", received["html"], "pay without logging in")
        self.assertNotIn("access_token", logged.body)
