from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

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
        self.assertFalse(self.emails(contract, "is renewed"), "on the order")
        told = self.emails(order, "is renewed")
        self.assertEqual(len(told), 1, "the customer is told, with the invoice")
        self.assertEqual(self.recipients(told), self.customer)
        self.assertIn(order.name, told.subject)
        self.assertIn(invoice.name, told.body)
        self.assertNotIn("access_token", told.body, "no secret in the chatter")
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
        self.assertEqual(self.recipients(told), self.customer)
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
        told = self.emails(contract.renewal_order_id, "is renewed")
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


@tagged("post_install", "-at_install")
class TestAutoRenewalQueries(WithChatterCommon):
    """The automatic renewal makes orders, next terms and invoices in
    batches: one more due contract must not cost a round of queries per
    record it makes (an N+1 pattern coming back makes this fail)."""

    QUERIES_PER_CONTRACT = 30

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
