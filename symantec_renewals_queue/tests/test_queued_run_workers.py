import threading
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.jobrunner.runner import Database
from odoo.addons.symantec_renewals.models.symantec_contract_renewal import (
    SymantecContract,
)
from odoo.addons.symantec_renewals.tests.test_renewal_concurrency import (
    END,
    ConcurrentRunsCommon,
)

from .common import on_the_queue, renewal_jobs

DAY = END - timedelta(days=100)


class WorkerKilled(BaseException):
    """The process running a job dies: nothing after it runs."""


@tagged("post_install", "-at_install")
class TestJobWorkers(ConcurrentRunsCommon):
    """The queued run on two job workers at once, each on its own cursor
    committing for real as queue_job's workers do, with a worker killed in
    the middle of a job."""

    def setUp(self):
        super().setUp()
        self.addCleanup(self.remove_jobs)
        with self.registry.cursor() as cr:
            self.jobs_before = renewal_jobs(self.env_of(cr)).ids

    def remove_jobs(self):
        with self.registry.cursor() as cr:
            jobs = renewal_jobs(self.env_of(cr)).filtered(
                lambda job: job.id not in self.jobs_before
            )
            jobs.unlink()

    def our_jobs(self, env):
        return renewal_jobs(env).filtered(lambda job: job.id not in self.jobs_before)

    def enqueue(self):
        """The daily run queues 4 chunks of 3; the job runner hands them to
        the workers."""
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            with on_the_queue(env):
                env["symantec.contract"]._cron_renewal_run(batch_size=3)
            uuids = self.our_jobs(env).mapped("uuid")
        self.runner(lambda database: [database.set_job_enqueued(u) for u in uuids])
        return uuids

    def runner(self, act):
        """``act`` on queue_job's job runner's view of the database."""
        database = Database(self.registry.db_name)
        try:
            act(database)
        finally:
            database.close()

    def run_jobs(self, uuids):
        """A job worker: each job it is handed, as queue_job's controller
        runs it (acquired, performed, done), committed."""
        for uuid in uuids:
            with self.registry.cursor() as cr:
                env = self.env_of(cr)
                job = RunJobController._acquire_job(env, uuid)
                if job:
                    RunJobController._runjob(env, job)

    def test_two_workers_and_a_killed_one_make_everything_once(self):
        errors = []

        def worker(uuids):
            try:
                self.run_jobs(uuids)
            except Exception as exc:
                errors.append(exc)

        with (
            freeze_time(DAY),
            self.only_these_contracts(),
            self.workers_can_open_cursors(),
        ):
            uuids = self.enqueue()
            self.assertEqual(len(uuids), 4)

            # A worker takes the first job and dies half-way through it.
            original = SymantecContract._renewal_run_step

            def dies_after_the_opportunities(contracts, today):
                contracts._create_renewal_leads()
                raise WorkerKilled

            with (
                self.registry.cursor() as cr,
                mute_logger("odoo.addons.queue_job.controllers.main"),
            ):
                env = self.env_of(cr)
                job = RunJobController._acquire_job(env, uuids[0])
                self.assertTrue(job, "the first worker holds the job")
                with (
                    self.assertRaises(WorkerKilled),
                    patch_step(dies_after_the_opportunities),
                ):
                    job.perform()
                cr.rollback()
            self.assertIs(SymantecContract._renewal_run_step, original)
            with self.registry.cursor() as cr:
                state = Job.load(self.env_of(cr), uuids[0]).state
            self.assertEqual(state, "started", "left started by the dead worker")

            # The job runner finds it dead and hands it out again.
            with self.registry.cursor() as cr:
                cr.execute(
                    "UPDATE queue_job SET date_enqueued = date_enqueued - "
                    "INTERVAL '1 minute' WHERE uuid = %s",
                    [uuids[0]],
                )
            self.runner(lambda database: database.requeue_dead_jobs())
            with self.registry.cursor() as cr:
                state = Job.load(self.env_of(cr), uuids[0]).state
            self.assertEqual(state, "pending", "requeued")
            self.runner(lambda database: database.set_job_enqueued(uuids[0]))

            # Two workers run every job, in opposite orders.
            threads = [
                threading.Thread(target=worker, args=(order,), name=f"job-worker-{i}")
                for i, order in enumerate((uuids, uuids[::-1]))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)

            # A contract that lost a conflict with the other worker (both
            # write to the shared customer) is queued again: run those too.
            for _attempt in range(3):
                with self.registry.cursor() as cr:
                    again = self.our_jobs(self.env_of(cr)).filtered(
                        lambda job: job.state == "pending"
                    )
                    again_uuids = again.mapped("uuid")
                if not again_uuids:
                    break
                self.runner(
                    lambda database, uuids=again_uuids: [
                        database.set_job_enqueued(u) for u in uuids
                    ]
                )
                self.run_jobs(again_uuids)

        self.assertFalse(errors)
        with self.registry.cursor() as cr:
            jobs = self.our_jobs(self.env_of(cr))
            self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("result"))
        self.assert_each_contract_handled_once(DAY)


def patch_step(replacement):
    from unittest.mock import patch

    return patch.object(SymantecContract, "_renewal_run_step", replacement)
