from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo.tests import tagged

from ..tools.mail import _posts_plainly, post_notifications
from .test_renewal_run import END, RenewalRunCommon


class AutoRenewalCommon(RenewalRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=cls.company, install_demo=False
            )

    def auto_contract(self, **values):
        values = {
            "tier_id": self.tier_online.id,
            "auto_renew": True,
            "auto_invoice": True,
            "lines": [{"quantity": 50}],
            **values,
        }
        return self.active_contract(**values)

    def invoice_of(self, contract):
        return contract.renewal_order_id.invoice_ids

    def pay(self, invoice, day):
        with freeze_time(day):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": day})._create_payments()


@tagged("post_install", "-at_install")
class TestAutoRenewal(AutoRenewalCommon):
    """Online services renewing automatically: the order to the customer
    ``auto_renew_lead_days`` (7) before the end, the invoice posted, and the
    new term active only once the invoice is paid."""

    def test_notice_then_order_invoice_and_waiting_term(self):
        contract = self.auto_contract()
        self.run_on(END - timedelta(days=120))
        self.assertTrue(contract.renewal_lead_id, "in the pipeline and forecast")
        notice = self.emails(contract)
        self.assertEqual(len(notice), 1)
        self.assertIn("renews automatically", notice.subject)
        self.assertFalse(contract.renewal_order_id, "no reseller quote")
        self.assertFalse(self.reminders(contract), "no reminders")
        self.run_on(END - timedelta(days=8))
        self.assertFalse(contract.renewal_order_id)
        self.run_on(END - timedelta(days=7))
        order = contract.renewal_order_id
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.renewal_is_auto)
        self.assertEqual(order.partner_id, self.customer, "the customer pays directly")
        self.assertAlmostEqual(order.amount_untaxed, 50 * 60 * 1.03)
        invoice = self.invoice_of(contract)
        self.assertEqual(invoice.state, "posted")
        successor = contract.successor_ids
        self.assertEqual(successor.state, "draft", "entitlement follows payment")
        self.assertEqual(contract.state, "expiring")
        self.assertEqual(len(self.emails(contract, "renews automatically")), 1)
        told = self.emails(contract, "is renewed")
        self.assertEqual(len(told), 1, "the customer is told, with the invoice")
        self.assertEqual(told.partner_ids, self.customer)
        self.assertIn(invoice.name, told.subject)
        self.assertIn(invoice.get_portal_url(), told.body, "to pay it online")
        self.assertTrue(invoice.access_token)
        self.run_on(END - timedelta(days=6))
        self.assertEqual(len(contract.successor_ids), 1)
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("renewal_contract_id", "=", contract.id)]
            ),
            1,
        )

    def test_paid_before_the_end_activates_the_new_term(self):
        contract = self.auto_contract()
        self.run_on(END - timedelta(days=7))
        self.pay(self.invoice_of(contract), END - timedelta(days=3))
        self.assertIn(self.invoice_of(contract).payment_state, ("paid", "in_payment"))
        successor = contract.successor_id
        self.assertEqual(successor.state, "active")
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(successor.date_start, END + timedelta(days=1))
        self.assertEqual(contract.renewal_lead_id.won_status, "won")
        self.assertEqual(successor.activation_state, "pending")
        self.assertTrue(successor.auto_renew)
        with freeze_time(END + timedelta(days=10)):
            self.assertEqual(
                contract._compliance_on(END + timedelta(days=10)), "compliant"
            )

    def test_unpaid_at_the_end_expires_then_late_payment_restores(self):
        contract = self.auto_contract()
        self.run_on(END - timedelta(days=7))
        self.run_on(END + timedelta(days=1))
        self.assertEqual(contract.state, "expired")
        told = self.emails(contract, "not paid")
        self.assertEqual(len(told), 1)
        self.assertEqual(told.partner_ids, self.customer)
        day = END + timedelta(days=20)
        self.assertEqual(contract._compliance_on(day), "non_compliant")
        self.pay(self.invoice_of(contract), day)
        successor = contract.successor_id
        self.assertEqual(successor.state, "active")
        self.assertEqual(successor.date_start, END + timedelta(days=1), "no gap")
        self.assertEqual(contract.state, "renewed")
        order = contract.renewal_order_id
        self.assertFalse(
            order.order_line.filtered(
                lambda line: (
                    line.renewal_line_kind in ("late_surcharge", "reinstatement_fee")
                )
            ),
            "the invoice was issued on time: no surcharge",
        )
        self.assertEqual(contract._compliance_on(day), "compliant")

    def test_unpaid_beyond_the_limit_cancels_the_waiting_term(self):
        contract = self.auto_contract()
        self.run_on(END - timedelta(days=7))
        waiting = contract.successor_ids
        self.run_on(END + timedelta(days=366))
        self.assertEqual(waiting.state, "cancelled")
        self.assertEqual(
            self.invoice_of(contract).state, "posted", "left to accounting"
        )
        self.pay(self.invoice_of(contract), END + timedelta(days=370))
        self.assertEqual(waiting.state, "cancelled")
        self.assertEqual(contract.state, "expired")

    def test_without_auto_invoice_the_order_waits_for_invoicing(self):
        contract = self.auto_contract(auto_invoice=False)
        self.run_on(END - timedelta(days=7))
        self.assertEqual(contract.renewal_order_id.state, "sale")
        self.assertFalse(self.invoice_of(contract))
        self.assertEqual(contract.successor_ids.state, "draft")
        told = self.emails(contract, "is renewed")
        self.assertIn(contract.renewal_order_id.name, told.subject)
        self.assertIn("Its invoice follows", told.body)

    def test_opt_out_before_the_order_returns_to_the_manual_flow(self):
        contract = self.auto_contract(customer_segment="enterprise")
        self.run_on(END - timedelta(days=120))
        with freeze_time(END - timedelta(days=10)):
            contract.auto_renew = False
        self.assertEqual(contract.auto_renew_opt_out_date, END - timedelta(days=10))
        self.run_on(END - timedelta(days=7))
        order = contract.renewal_order_id
        self.assertFalse(order.renewal_is_auto)
        self.assertEqual(order.partner_id, self.reseller, "the reseller quote again")
        self.assertFalse(contract.successor_ids)
        self.assertEqual(len(self.reminders(contract)), 1, "reminders resume")


class WithChatterCommon(AutoRenewalCommon):
    """As the cron runs: with the chatter (followers, creation messages,
    tracking) the other tests turn off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))


class ChatterComparison:
    """Invoices of automatic renewals made by the run beside the same
    invoices made as Odoo invoices any order, and their chatter."""

    def renew_both_ways(self, count=3):
        """``count`` automatic renewals invoiced by the run (batch
        messages) and ``count`` invoiced as Odoo invoices any order, on the
        same day; returns the two lists of invoices, in the same order."""
        batch = [self.auto_contract(user_id=self.rep.id) for _i in range(count)]
        plain = [
            self.auto_contract(user_id=self.rep.id, auto_invoice=False)
            for _i in range(count)
        ]
        day = END - timedelta(days=7)
        with freeze_time(day):
            self.env["symantec.contract"].concat(*batch, *plain)._auto_renew(day)
            for contract in plain:
                contract.renewal_order_id._create_invoices(grouped=True).action_post()
            self.env.flush_all()
            self.env.cr.precommit.run()  # tracking, as at commit
        return (
            [self.invoice_of(contract) for contract in batch],
            [self.invoice_of(contract) for contract in plain],
        )

    def chatter(self, record, masks=()):
        """The record's messages, oldest first, with ``masks`` (the texts
        that tell twin records apart) replaced."""
        messages = record.message_ids.sorted("id")

        def masked(text):
            text = str(text or "")
            for mask in masks:
                text = text.replace(mask, "MASKED")
            return text

        return [
            {
                "body": masked(message.body),
                "message_type": message.message_type,
                "subtype": message.subtype_id,
                "author": message.author_id,
                "email_from": message.email_from,
                "reply_to": message.reply_to,
                "is_internal": message.is_internal,
                "company": message.record_company_id,
                "alias_domain": message.record_alias_domain_id,
                "signature": message.email_add_signature,
                "subject": masked(message.subject),
                "parent": list(messages).index(message.parent_id)
                if message.parent_id
                else None,
                "partners": message.partner_ids,
                "notified": message.notification_ids.mapped(
                    lambda n: (n.res_partner_id, n.notification_type)
                ),
                "tracking": [
                    (
                        value.field_id.name,
                        masked(value.old_value_char),
                        masked(value.new_value_char),
                    )
                    for value in message.tracking_value_ids.sorted("id")
                ],
            }
            for message in messages
        ]

    def invoice_chatter(self, invoice):
        order = invoice.line_ids.sale_line_ids.order_id
        return self.chatter(
            invoice, (invoice.name, order.name, f'data-oe-id="{order.id}"')
        )

    def assertSameInvoiceChatter(self, batch, plain):
        self.assertEqual(len(batch), len(plain))
        for made, expected in zip(batch, plain, strict=True):
            self.assertEqual(self.invoice_chatter(made), self.invoice_chatter(expected))


@tagged("post_install", "-at_install")
class TestAutoRenewalChatter(ChatterComparison, WithChatterCommon):
    """The automatic renewal posts the messages of its invoices for the
    whole batch at once ("Invoice Created" and the link to the order): the
    chatter must be the one Odoo's ``message_post`` per invoice gives."""

    def test_invoice_chatter_is_the_one_odoo_posts(self):
        batch, plain = self.renew_both_ways()
        subtypes = [row["subtype"] for row in self.invoice_chatter(plain[0])]
        self.assertIn(self.env.ref("account.mt_invoice_created"), subtypes)
        self.assertIn(self.env.ref("mail.mt_note"), subtypes, "the order link")
        self.assertSameInvoiceChatter(batch, plain)

    def test_followers_of_invoice_creation_are_notified_as_usual(self):
        self.env.ref("account.mt_invoice_created").default = True
        batch, plain = self.renew_both_ways()
        notified = [
            row["notified"] for row in self.invoice_chatter(plain[0]) if row["notified"]
        ]
        self.assertEqual(
            notified,
            [[(self.rep.partner_id, self.rep.notification_type)]],
            "the salesperson follows invoice creation",
        )
        self.assertSameInvoiceChatter(batch, plain)

    def test_a_model_that_customises_message_post_gets_its_message_post(self):
        Move = type(self.env["account.move"])
        posted = []
        original = Move.message_post

        def message_post(move, **kwargs):
            posted.append(move.id)
            return original(move, **kwargs)

        with patch.object(Move, "message_post", message_post):
            batch, plain = self.renew_both_ways(1)
        self.assertEqual(
            posted.count(batch[0].id), 2, "Invoice Created and the order link"
        )
        self.assertSameInvoiceChatter(batch, plain)

    def test_only_the_batch_invoices_skip_their_order_link(self):
        """The invoices whose order links the batch posted skip the one
        ``_create_invoices`` posts; any other invoice still gets it."""
        batch, plain = self.renew_both_ways(1)
        order = plain[0].line_ids.sale_line_ids.order_id
        in_batch_context = plain[0].with_env(
            batch[0].env(
                context=dict(
                    batch[0].env.context, renewal_origin_logged=frozenset(batch[0].ids)
                )
            )
        )
        posted = in_batch_context.message_post_with_source(
            "mail.message_origin_link",
            render_values={"self": plain[0], "origin": order},
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(len(posted), 1)
        skipped = (
            batch[0]
            .with_env(in_batch_context.env)
            .message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": batch[0], "origin": order},
                subtype_xmlid="mail.mt_note",
            )
        )
        self.assertFalse(skipped)

    def test_a_mixed_batch_posts_each_message_as_odoo_would(self):
        """Twin opportunities, one of each pair followed for notes: the
        followed one goes through ``message_post`` and notifies, the others
        are made in the batch; each message is the one Odoo posts."""
        Lead = self.env["crm.lead"]
        self.assertTrue(_posts_plainly(Lead), "the batch path is exercised")
        note = self.env.ref("mail.mt_note")
        batch = Lead.create([{"name": f"Lead {i}"} for i in range(3)])
        plain = Lead.create([{"name": f"Lead {i}"} for i in range(3)])
        for leads in (batch, plain):
            leads[1].message_subscribe(self.rep.partner_id.ids, [note.id])
        bodies = {lead.id: Markup("<p>Note on %s</p>") % lead.name for lead in batch}
        post_notifications(batch, bodies, note.id)
        for lead in plain:
            lead.message_post(
                body=Markup("<p>Note on %s</p>") % lead.name,
                message_type="notification",
                subtype_id=note.id,
            )
        for made, expected in zip(batch, plain, strict=True):
            self.assertEqual(self.chatter(made), self.chatter(expected))
        self.assertEqual(
            batch[1].message_ids[:1].notification_ids.res_partner_id,
            self.rep.partner_id,
        )
        self.assertFalse(batch[0].message_ids.notification_ids)


@tagged("post_install", "-at_install")
class TestAutoRenewalChatterOff(ChatterComparison, AutoRenewalCommon):
    """With the chatter turned off (``tracking_disable``), the automatic
    renewal's invoices get no more messages than Odoo would give them."""

    def test_no_creation_message_odoo_would_not_post(self):
        batch, plain = self.renew_both_ways(2)
        self.assertNotIn(
            self.env.ref("account.mt_invoice_created"),
            [row["subtype"] for row in self.invoice_chatter(plain[0])],
        )
        self.assertSameInvoiceChatter(batch, plain)


@tagged("post_install", "-at_install")
class TestAutoRenewalQueries(WithChatterCommon):
    """The automatic renewal makes orders, next terms and invoices in
    batches: one more due contract must not cost a round of queries per
    record it makes (an N+1 pattern coming back makes this fail)."""

    QUERIES_PER_CONTRACT = 13

    def queries_of_auto_renewal(self, count):
        # Their salesperson runs the renewal: Odoo's "assigned to you"
        # e-mails, one per record by Odoo's design, stay out of the count.
        contracts = self.env["symantec.contract"].concat(
            *(self.auto_contract(user_id=self.env.uid) for _i in range(count))
        )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        contracts._auto_renew(END - timedelta(days=7))
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages, as at commit
        self.assertEqual(len(contracts.renewal_order_id.invoice_ids), count)
        return self.cr.sql_log_count - before

    def test_each_automatic_renewal_costs_a_bounded_number_of_queries(self):
        self.queries_of_auto_renewal(1)  # warm the caches
        small = self.queries_of_auto_renewal(2)
        large = self.queries_of_auto_renewal(8)
        per_contract = (large - small) / 6
        self.assertLessEqual(
            per_contract,
            self.QUERIES_PER_CONTRACT,
            f"{per_contract:.1f} queries per contract ({small} for 2, {large} for 8)",
        )
