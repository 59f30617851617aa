from contextlib import contextmanager, nullcontext
from unittest.mock import patch

from odoo.addons.queue_job.job import Job

CHANNEL = "root.renewal"


@contextmanager
def on_the_queue(env):
    """As on a server running queue_job's job runner (``queue_job`` loaded
    server-wide): the daily run queues its chunks."""
    with patch.object(
        type(env["symantec.contract"]), "_renewal_run_on_queue", lambda self: True
    ):
        yield


def renewal_jobs(env):
    return (
        env["queue.job"]
        .sudo()
        .search(
            [("channel", "=", CHANNEL), ("method_name", "=", "_renewal_run_chunk")],
            order="id",
        )
    )


def perform(env, job_record, commit=None):
    """Run one job as a job worker does (started, performed in a savepoint,
    done), in the current transaction: the job's own commits call
    ``commit`` instead (a test keeps its transaction), and are refused, as
    queue_job refuses them, when its job function does not allow them."""
    job = Job.load(env, job_record.uuid)
    job.set_started()
    job.store()

    def job_commit(model):
        if not job.job_config.allow_commit:
            raise RuntimeError("Commit is forbidden in queue jobs.")
        if commit:
            commit()

    with (
        patch.object(type(env["symantec.contract"]), "_renewal_job_commit", job_commit),
        # A job allowed to commit runs on a cursor of its own (two real job
        # workers do in test_queued_run_workers); here, on the test's.
        patch.object(Job, "in_temporary_env", lambda job: nullcontext()),
        env.cr.savepoint(),
    ):
        job.perform()
    job.set_done()
    job.store()
    return job
