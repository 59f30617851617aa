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


def _mail(on="symantec.contract", kept=True, layout=True, notified=(3,)):
    return {
        "on": on,
        "values": {"message_type": "email_outgoing", "subject": "Renew MNT/1"},
        "copied": {"body_html": "<html>...</html>"},
        "kept": kept,
        "layout": layout,
        "recipients": [3],
        "notified": [(pid, "email", "ready", False) for pid in notified],
    }


def _plan(lead_name="Renewal MNT/1", notes=("Renewal of MNT/1",), mails=None):
    return {
        7: {
            "lead": {
                "name": lead_name,
                "renewal_contract_id": 7,
                "followers": [],
                "notes": [{"body": body} for body in notes],
            },
            "order": None,
            "activities": [],
            "mails": [_mail()] if mails is None else mails,
        }
    }


def test_reference_path_must_make_the_runs_records_again():
    run = _plan()
    benchmark._check_same_records("batch floor", run, _plan())
    # The outgoing body's layout may differ in its details between paths.
    other_body = _plan()
    other_body[7]["mails"][0]["copied"]["body_html"] = "<html>other</html>"
    benchmark._check_same_records("naive", run, other_body)
    different = {
        "another opportunity": _plan(lead_name="Other"),
        "no creation note": _plan(notes=()),
        "no e-mail": _plan(mails=[]),
        "e-mail on another record": _plan(mails=[_mail(on="sale.order")]),
        "e-mail gone from the chatter once sent": _plan(mails=[_mail(kept=False)]),
        "e-mail without the company layout": _plan(mails=[_mail(layout=False)]),
        "e-mail notifying someone else": _plan(mails=[_mail(notified=(4,))]),
        "e-mail of another type": _plan(),
    }
    different["e-mail of another type"][7]["mails"][0]["values"]["message_type"] = (
        "comment"
    )
    for what, made in different.items():
        with pytest.raises(RuntimeError, match="naive"):
            benchmark._check_same_records("naive", run, made)
            pytest.fail(what)


def test_no_peer_is_an_error_not_a_figure():
    with pytest.raises(RuntimeError, match="subscription_oca is not installed"):
        benchmark.auto_renewal_rows({}, count=1, rounds=1)
