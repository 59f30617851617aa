from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.symantec_renewals.tests.test_renewal_run import (
    END,
    SEGMENTS,
    RenewalRunCommon,
)

from .common import CHANNEL, on_the_queue, perform, renewal_jobs

DAY = END - timedelta(days=120)


@tagged("post_install", "-at_install")
class TestQueuedRun(RenewalRunCommon):
    """The daily run as jobs: chunks of the day's due contracts, run by the
    in-process run's batch code, making exactly what it makes."""

    def setUp(self):
        super().setUp()
        self._jobs_before = renewal_jobs(self.env)

    def new_jobs(self):
        return renewal_jobs(self.env) - self._jobs_before

    def contracts(self, count=4):
        return self.Contract.union(
            *(
                self.active_contract(
                    user_id=self.rep.id, customer_segment=SEGMENTS[i % len(SEGMENTS)]
                )
                for i in range(count)
            )
        )

    def enqueue(self, batch_size=None):
        with freeze_time(DAY), on_the_queue(self.env):
            self.Contract._cron_renewal_run(batch_size=batch_size)
        return self.new_jobs()

    def perform_all(self, jobs):
        with freeze_time(DAY):
            for job in jobs:
                perform(self.env, job)
        self.env.invalidate_all()

    def outcome(self, contracts):
        """What the run made for each contract, comparable across twins (the
        records' own names left out of the e-mails' subjects)."""

        def subjects(contract, record):
            names = (contract.name, contract.renewal_order_id.name or "-")
            return sorted(
                (mail.subject or "").replace(names[0], "#").replace(names[1], "#")
                for mail in self.emails(record)
            )

        return [
            (
                contract.customer_segment,
                contract.state,
                contract.renewal_checked_date,
                contract.renewal_lead_id.renewal_status,
                contract.renewal_lead_id.stage_id,
                contract.renewal_lead_id.user_id,
                contract.renewal_order_id.state,
                len(contract.renewal_order_id.order_line),
                sorted(self.reminders(contract).mapped("summary")),
                sorted(self.reminders(contract).mapped("date_deadline")),
                subjects(contract, contract),
                subjects(contract, contract.renewal_order_id),
            )
            for contract in contracts
        ]

    def in_process_twin_outcome(self, count):
        """The same contracts run in this process, as without this module."""
        twins = self.contracts(count)
        with freeze_time(DAY), self.no_commit():
            self.Contract._renewal_run()
        self.env.invalidate_all()
        return self.outcome(twins)

    def test_daily_run_queues_chunks_on_the_renewal_channel(self):
        contracts = self.contracts(5)
        jobs = self.enqueue(batch_size=2)
        self.assertEqual(len(jobs), 3)
        self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertEqual(
            sorted(id_ for job in jobs for id_ in job.records.ids),
            sorted(contracts.ids),
            "each contract in one job",
        )
        self.assertEqual(len(set(jobs.mapped("identity_key"))), 3)
        self.assertTrue(all(str(DAY) in key for key in jobs.mapped("identity_key")))
        self.assertFalse(contracts.renewal_lead_id, "nothing done before the jobs")

    def test_daily_run_twice_queues_each_chunk_once(self):
        self.contracts(3)
        first = self.enqueue(batch_size=2)
        second = self.enqueue(batch_size=2)
        self.assertEqual(first, second)
        self.assertEqual(len(second), 2)

    def test_jobs_make_what_the_in_process_run_makes(self):
        contracts = self.contracts(4)
        self.perform_all(self.enqueue(batch_size=3))
        queued = self.outcome(contracts)
        self.assertTrue(all(contract.renewal_lead_id for contract in contracts))
        self.assertEqual(queued, self.in_process_twin_outcome(4))

    def test_jobs_in_reverse_order_make_the_same(self):
        contracts = self.contracts(4)
        jobs = self.enqueue(batch_size=1)
        self.perform_all(jobs.sorted("id", reverse=True))
        self.assertEqual(self.outcome(contracts), self.in_process_twin_outcome(4))

    def test_retried_job_makes_nothing_twice(self):
        contracts = self.contracts(4)
        jobs = self.enqueue(batch_size=2)
        self.perform_all(jobs)
        done = self.snapshot()
        outcome = self.outcome(contracts)
        self.perform_all(jobs)  # each job again, as retries would run them
        self.assertEqual(self.snapshot(), done)
        self.assertEqual(self.outcome(contracts), outcome)

    def test_next_days_run_queues_only_what_is_due_again(self):
        self.contracts(2)
        self.perform_all(self.enqueue())
        self.assertFalse(
            self.enqueue()
            - renewal_jobs(self.env).filtered(lambda job: job.state == "done"),
            "handled today: nothing queued again the same day",
        )

    def test_without_a_job_runner_the_run_stays_in_process(self):
        """Where queue_job is not loaded server-wide, no runner would run
        the jobs: the run happens in this process, as without the module."""
        contracts = self.contracts(2)
        self.assertFalse(self.Contract._renewal_run_on_queue())
        self.run_on(DAY)
        self.assertFalse(self.new_jobs())
        self.assertTrue(all(contract.renewal_lead_id for contract in contracts))

    def test_run_now_says_what_it_queued(self):
        self.contracts(3)
        with freeze_time(DAY), on_the_queue(self.env):
            action = self.Contract.with_user(self.manager).action_run_renewal_now()
        self.assertEqual(len(self.new_jobs()), 1)
        self.assertIn("Contracts queued: 3, in jobs: 1.", action["params"]["message"])

    def test_recipients_signup_prepared_before_the_jobs(self):
        """Odoo prepares the signup of each e-mail's customer, a write on the
        partner: done once when queueing, not by two jobs at once."""
        self.contracts(2)
        self.assertFalse(self.customer.sudo().signup_type)
        self.enqueue()
        self.assertEqual(self.customer.sudo().signup_type, "signup")
        self.assertEqual(self.reseller.sudo().signup_type, "signup")
