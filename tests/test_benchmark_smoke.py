"""The benchmark command runs end to end and prints every figure (on a small
database of its own: the real one holds 100,000 contracts)."""

import os
import subprocess
import sys

import benchmark
import devtool
import pytest

LABELS = (
    "due contracts",
    "batch floor: contracts/s",
    "naive: contracts/s",
    "renewal run: contracts/s",
    "renewal run: queries per contract",
    "renewal run: peak Python memory (MiB)",
    "run / batch floor (time per contract)",
    "naive / run (time per contract)",
    "re-run with nothing to do (s)",
    "contract list, first page with a filter (s)",
    "analysis grouped read (s)",
    "/my/renewals for a reseller of 5,000 contracts (s)",
    "automatic renewal: contracts/s",
    "subscription_oca cron (20 due of 520): contracts/s",
    "automatic renewal / subscription_oca (contracts/s)",
)


def test_benchmark_prints_every_figure():
    env = dict(os.environ, SR_BENCH_DB=devtool.ADDON + "_bench_smoke")
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(devtool.ROOT, "setup", "devtool.py"),
            "bench",
            "--contracts",
            "400",
            "--sample",
            "10",
            "--rounds",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    for label in LABELS:
        row = next((line for line in lines if line.startswith(label)), None)
        assert row, f"{label!r} missing from:\n{result.stdout}"
        value = row[len(label) :].split()[0]
        float(value)  # a figure, not an error text


def _plan(lead_name, mail_partners):
    return {
        7: {
            "lead": {"name": lead_name, "renewal_contract_id": 7},
            "order": None,
            "activities": [],
            "mails": [
                {"on": "symantec.contract", "values": {}, "partner_ids": p}
                for p in mail_partners
            ],
        }
    }


def test_reference_path_must_make_the_runs_records_again():
    run = _plan("Renewal MNT/1", [[3]])
    benchmark._check_same_records("batch floor", run, _plan("Renewal MNT/1", [[3]]))
    with pytest.raises(RuntimeError, match="batch floor"):
        benchmark._check_same_records("batch floor", run, _plan("Other", [[3]]))
    with pytest.raises(RuntimeError, match="naive"):
        benchmark._check_same_records("naive", run, _plan("Renewal MNT/1", []))


def test_no_peer_is_an_error_not_a_figure():
    with pytest.raises(RuntimeError, match="subscription_oca is not installed"):
        benchmark.auto_renewal_rows({}, count=1, rounds=1)
