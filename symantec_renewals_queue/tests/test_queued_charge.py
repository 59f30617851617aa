"""The queued run charges the automatic renewals' cards as the in-process
run's charge phase does (SPEC §11 on the job workers of SPEC §13)."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.symantec_renewals.tests.test_auto_payment import (
    ORDER_DAY,
    AutoPaymentCommon,
)

from .common import on_the_queue, perform, renewal_jobs


@tagged("post_install", "-at_install")
class TestQueuedCharge(AutoPaymentCommon):
    def queue_and_perform(self, day, commit=None):
        before = renewal_jobs(self.env)
        with freeze_time(day), on_the_queue(self.env):
            self.Contract._cron_renewal_run()
        jobs = renewal_jobs(self.env) - before
        with freeze_time(day):
            for job in jobs:
                perform(self.env, job, commit=commit)
        self.env.invalidate_all()
        return jobs

    def test_job_charges_the_card_and_activates_the_next_term(self):
        contract = self.card_contract()
        sent = []
        Transaction = type(self.env["payment.transaction"])
        original = Transaction._send_payment_request
        commits = []

        def send(tx):
            sent.append((tx.reference, len(commits)))
            return original(tx)

        def commit():
            # What each commit of the job would make durable.
            commits.append(
                self.env["payment.transaction"]
                .search([("invoice_ids", "in", self.invoice_of(contract).ids)])
                .mapped(lambda tx: (tx.reference, tx.state))
            )

        with patch.object(Transaction, "_send_payment_request", send):
            jobs = self.queue_and_perform(ORDER_DAY, commit=commit)
        self.assertEqual(len(jobs), 1)
        charge = self.charges(contract)
        self.assertEqual(len(charge), 1)
        self.assertEqual(charge.state, "done")
        self.assertEqual(contract.renewal_payment_state, "paid")
        self.assertEqual(contract.successor_id.state, "active", "no human step")
        self.assertEqual(len(self.emails(self.invoice_of(contract), "Payment")), 1)
        # The charge was committed, still waiting, before its provider was
        # asked; its answer was committed after.
        self.assertEqual(sent, [(charge.reference, 1)])
        self.assertEqual(commits[0], [(charge.reference, "draft")])
        self.assertEqual(commits[-1], [(charge.reference, "done")])

    def test_job_run_again_never_charges_twice(self):
        contract = self.card_contract("pending")
        jobs = self.queue_and_perform(ORDER_DAY)
        charge = self.charges(contract)
        self.assertEqual(charge.state, "pending")
        with freeze_time(ORDER_DAY):
            for job in jobs:
                perform(self.env, job)  # as a retry or a requeued job would
        self.env.invalidate_all()
        self.assertEqual(self.charges(contract), charge)

    def test_dunning_retry_is_charged_by_the_next_days_jobs(self):
        contract = self.card_contract("cancel")
        self.queue_and_perform(ORDER_DAY)
        self.assertEqual(contract.renewal_payment_state, "failed")
        contract.payment_token_id.demo_simulated_state = "done"
        self.queue_and_perform(ORDER_DAY + timedelta(days=1))
        self.assertEqual(self.charges(contract).mapped("state"), ["cancel", "done"])
        self.assertEqual(contract.state, "renewed")
