import logging

from odoo import api, fields, models
from odoo.tools import config

from odoo.addons.symantec_renewals.tools.constants import MANAGER_GROUP

_logger = logging.getLogger(__name__)

CHANNEL = "root.renewal"


class SymantecContract(models.Model):
    _inherit = "symantec.contract"

    # Jobs a failing contract gets in a day's run before the next day's.
    _renewal_chunk_attempts = 3
    # Contracts per job: small enough to spread a day's run over the workers
    # (and to retry little), large enough for the run's batch savings.
    _renewal_chunk_size = 250

    # ------------------------------------------------------------------
    # The daily entry point: jobs where a job runner runs them
    # ------------------------------------------------------------------

    @api.model
    def _cron_renewal_run(self, batch_size=None):
        """The daily renewal run, as chunks of contracts queued on the
        channel ``root.renewal`` for the job workers; in this process, as
        without this module, where no job runner would run them."""
        if not self._renewal_run_on_queue():
            return super()._cron_renewal_run(batch_size)
        return self._enqueue_renewal_run(batch_size)

    @api.model
    def _renewal_run_on_queue(self):
        """Whether this server runs jobs: queue_job's runner starts only
        where ``queue_job`` is loaded server-wide (``server_wide_modules``).
        Elsewhere the run stays in-process, so that no day's run waits for a
        runner that does not exist."""
        return "queue_job" in config["server_wide_modules"]

    @api.model
    def _enqueue_renewal_run(self, batch_size=None):
        """Queue today's due contracts in chunks of ``batch_size`` (by default
        ``_renewal_chunk_size``), one job each; returns the jobs. A chunk
        already waiting in the queue is not queued twice (its identity key
        is the run date and the chunk's contracts), and contracts already
        handled today are not due any more."""
        today = fields.Date.context_today(self)
        batch_size = batch_size or self._renewal_chunk_size
        due = self.search(self._get_renewal_run_domain(today), order="date_end, id")
        due._prepare_renewal_recipients()
        ids = due.ids
        jobs = [
            self.browse(ids[start : start + batch_size])._enqueue_renewal_chunk(today)
            for start in range(0, len(ids), batch_size)
        ]
        _logger.info(
            "Renewal run of %s: %s contracts queued in %s jobs on %s",
            today,
            len(ids),
            len(jobs),
            CHANNEL,
        )
        return jobs

    def _enqueue_renewal_chunk(self, today, attempt=1):
        """One job running the day's run on these contracts; a later
        ``attempt`` waits ten seconds more each time (the other worker's
        transaction it conflicted with is over by then)."""
        return self.with_delay(
            channel=CHANNEL,
            identity_key=self._renewal_chunk_identity(today, self),
            eta=10 * (attempt - 1) or None,
            description=self.env._(
                "Renewal run of %(date)s: %(count)s contracts from %(first)s",
                date=today,
                count=len(self),
                first=self[:1].name,
            ),
        )._renewal_run_chunk(today, attempt=attempt)

    def _prepare_renewal_recipients(self):
        """Odoo prepares the signup (b2c, Odoo 19's default) of the customer
        of each e-mail it notifies, a write on that partner and its
        contacts. Done here once, in the transaction that queues the jobs,
        it is not done by two jobs at once e-mailing the same customer or
        reseller (one of them would be rolled back)."""
        partners = (self.partner_id | self.reseller_id).filtered(
            lambda partner: not partner.user_ids
        )
        if partners:
            partners.sudo().signup_get_auth_param()

    @api.model
    def _renewal_chunk_identity(self, today, chunk):
        first, last = chunk[:1].id, chunk[-1:].id
        return f"symantec_renewals_queue:{today}:{first}-{last}:{len(chunk)}"

    def _renewal_run_chunk(self, today, attempt=1):
        """The job: the run of ``today`` for these contracts, with the
        in-process run's batch code. Idempotent: a contract already handled
        that day is no longer due, and one another worker holds is skipped,
        so a retried, duplicated or restarted job makes nothing twice.

        A contract that fails (its batch is retried contract by contract,
        as in-process) is queued again in a job of its own, up to
        ``_renewal_chunk_attempts`` times: a conflict with another worker
        (two jobs writing to one customer) clears by then; a contract whose
        data breaks is left, logged, to the next day's run, as in-process.
        Returns a summary, the job's result."""
        domain = self._get_renewal_run_domain(today)
        batch = self._lock_renewal_batch(domain)
        failed = batch._renewal_run_batch(today) if batch else self.browse()
        # The cards of the renewal invoices due today are charged, as by the
        # in-process run's charge phase (SPEC §11): the batch's work and each
        # charge committed before its provider is asked, so that a worker
        # killed afterwards leaves a charge that blocks a second one. A job
        # run again charges what is still due of its contracts.
        self._renewal_charge_run(
            today, commit=self._renewal_job_commit, domain=[("id", "in", self.ids)]
        )
        if failed and attempt < self._renewal_chunk_attempts:
            failed._enqueue_renewal_chunk(today, attempt=attempt + 1)
        elif failed:
            _logger.warning(
                "Renewal run of %s: %s contract(s) failed %s times, retried on "
                "the next run: %s",
                today,
                len(failed),
                attempt,
                ", ".join(failed.mapped("name")),
            )
        return self.env._(
            "%(done)s of %(count)s contracts handled, %(failed)s failed (queued "
            "again while attempts remain), %(skipped)s already handled or held "
            "by another worker.",
            done=len(batch) - len(failed),
            count=len(self),
            failed=len(failed),
            skipped=len(self) - len(batch),
        )

    def _renewal_job_commit(self):
        """Commit the job's work so far: a card charge is recorded before
        its provider is asked (the job's own commit comes after)."""
        self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # "Run renewal now"
    # ------------------------------------------------------------------

    def action_run_renewal_now(self):
        if not self._renewal_run_on_queue() or not self.env.user.has_group(
            MANAGER_GROUP
        ):
            return super().action_run_renewal_now()
        jobs = self.sudo()._enqueue_renewal_run()
        contracts = sum(len(job.recordset) for job in jobs)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Renewal run queued"),
                "message": self.env._(
                    "Contracts queued: %(contracts)s, in jobs: %(jobs)s. The job "
                    "workers run them now (Queue Jobs shows their progress).",
                    contracts=contracts,
                    jobs=len(jobs),
                )
                if jobs
                else self.env._(
                    "Nothing new: the contracts due were already handled today."
                ),
            },
        }
