"""The renewal run on OCA queue_job's workers, measured (SPEC §13).

On copies of the benchmark database where only ``sample`` contracts are due,
the same run is made three times, each committing for real:

- in this process, as the scheduled action runs it without the queue
  (``_renewal_run``), the reference;
- queued (``symantec_renewals_queue``), by an Odoo server started with
  ``--workers=N`` and ``queue_job`` loaded server-wide, its job runner handing
  the chunks of ``root.renewal`` (capacity N) to its N workers, for N = 1
  and 2.

The queued runs are timed from the commit that queues the jobs to the last
job done; their workers are warmed up (registry loaded) before. Each run's
records are counted and compared with the reference's.
"""

import os
import subprocess
import time
import urllib.request

QUEUE_CHANNEL = "root.renewal"


def made(cr):
    """What the runs make, counted."""
    counts = {}
    for name, query in {
        "opportunities": "SELECT count(*) FROM crm_lead WHERE is_renewal",
        "quotes": "SELECT count(*) FROM sale_order WHERE renewal_contract_id "
        "IS NOT NULL",
        "reminders": "SELECT count(*) FROM mail_activity a JOIN mail_activity_type "
        "t ON t.id = a.activity_type_id WHERE a.res_model = 'crm.lead'",
        "e-mails": "SELECT count(*) FROM mail_message WHERE message_type = "
        "'email_outgoing'",
        "handled": "SELECT count(*) FROM symantec_contract WHERE "
        "renewal_checked_date = CURRENT_DATE",
    }.items():
        cr.execute(query)
        counts[name] = cr.fetchone()[0]
    return counts


def only_sample_due(env, sample):
    """Leave ``sample`` due contracts for the run: the others count as
    handled today. Returns the number due."""
    Contract = env["symantec.contract"]
    today = env.cr.now().date()
    due = Contract.search(Contract._get_renewal_run_domain(today), order="id")
    (due[sample:]).with_context(tracking_disable=True).write(
        {"renewal_checked_date": today}
    )
    env.cr.commit()
    return min(len(due), sample)


def in_process(env):
    """The run in this process, committed; returns its wall time."""
    started = time.perf_counter()
    env["symantec.contract"]._renewal_run(progress=lambda *a, **k: 1.0)
    env.cr.commit()
    return time.perf_counter() - started


def queued(env, server, workers):
    """Queue the run and wait for ``server``'s job workers to finish it;
    returns (wall time, jobs, summed job execution time)."""
    started = time.perf_counter()
    jobs = env["symantec.contract"]._enqueue_renewal_run()
    env.cr.commit()
    # The run's jobs, and those it queues again for contracts that failed.
    env.cr.execute(
        "SELECT coalesce(min(id), 0) FROM queue_job WHERE uuid IN %s",
        [tuple(job.uuid for job in jobs)],
    )
    first_id = env.cr.fetchone()[0]
    while True:
        env.cr.execute(
            "SELECT count(*) FILTER (WHERE state NOT IN ('done', 'failed')),"
            " count(*) FILTER (WHERE state = 'failed'), sum(exec_time), count(*)"
            " FROM queue_job WHERE id >= %s AND channel = %s",
            [first_id, QUEUE_CHANNEL],
        )
        waiting, failed, exec_time, count = env.cr.fetchone()
        env.cr.rollback()
        if not waiting:
            break
        if server.poll() is not None:
            raise RuntimeError(f"the {workers}-worker server stopped")
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if failed:
        raise RuntimeError(f"{failed} renewal job(s) failed with {workers} workers")
    return seconds, count, exec_time or 0.0


def start_server(
    python, config_dir, base_config, dbname, *, workers, port, gevent_port
):
    """An Odoo server with ``workers`` HTTP workers and queue_job's job
    runner (loaded server-wide), its renewal channel of capacity
    ``workers``; waits until each worker has loaded the registry."""
    path = os.path.join(config_dir, f"odoo-bench-queue-{workers}.conf")
    with open(base_config, encoding="utf-8") as handle:
        options = handle.read().split("\n[queue_job]")[0].rstrip("\n")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            f"{options}\n\n[queue_job]\n"
            f"channels = root:{workers},{QUEUE_CHANNEL}:{workers}\n"
            f"port = {port}\n"
        )
    logfile = open(  # noqa: SIM115 - closed with the server
        os.path.join(config_dir, "logs", f"bench-queue-{workers}.log"), "w"
    )
    # A script, not ``-m odoo``: the server starts its long-polling process
    # by running its own ``sys.argv[0]`` again.
    launcher = os.path.join(config_dir, "odoo-launcher.py")
    with open(launcher, "w", encoding="utf-8") as handle:
        handle.write("from odoo.cli.command import main\n\nmain()\n")
    server = subprocess.Popen(
        [
            python,
            launcher,
            "server",
            "-c",
            path,
            "-d",
            dbname,
            f"--db-filter=^{dbname}$",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--load=base,web,queue_job",
            f"--http-port={port}",
            f"--gevent-port={gevent_port}",
            "--limit-time-real=3600",
            "--limit-time-cpu=3600",
            "--limit-memory-soft=4294967296",
            "--limit-memory-hard=6442450944",
            "--log-level=warn",
        ],
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    server.logfile = logfile
    url = f"http://127.0.0.1:{port}/web/login?db={dbname}"
    deadline = time.monotonic() + 120
    warm = 0
    while warm < 4 * workers:
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"the {workers}-worker server did not start")
        try:
            urllib.request.urlopen(url, timeout=60).read()
            warm += 1
        except OSError:
            time.sleep(0.5)
    return server


def stop_server(server):
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
    server.logfile.close()


def rows(in_process_seconds, queued_runs, count):
    """Printable rows: each run's throughput, the speed-up, the overhead."""
    result = [("queued run: measured due contracts", count, "")]
    result.append(
        (
            "in-process run: contracts/s",
            f"{count / in_process_seconds:.1f}",
            "",
        )
    )
    for workers, (seconds, jobs, _exec_time) in sorted(queued_runs.items()):
        result.append(
            (
                f"queued run, {workers} worker(s): contracts/s ({jobs} jobs)",
                f"{count / seconds:.1f}",
                "",
            )
        )
    one, two = queued_runs[1][0], queued_runs[2][0]
    result.append(
        (
            "queued run, 1 worker: jobs' own execution time per contract (ms)",
            f"{queued_runs[1][2] / count * 1000:.1f}",
            "",
        )
    )
    result.append(("queued run: speed-up with 2 workers", f"{one / two:.2f}", ">= 1.5"))
    result.append(
        (
            "queued run: jobs' overhead per contract (ms, 1 worker vs in-process)",
            f"{(one - in_process_seconds) / count * 1000:.1f}",
            "",
        )
    )
    result.append(
        (
            "queued run: contracts per hour per worker (1 worker)",
            f"{count / one * 3600:,.0f}",
            "",
        )
    )
    return result
