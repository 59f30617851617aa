"""Scale data and benchmark of the renewal run (issue: 100,000 contracts).

Run through the devtool, which prepares the database and Odoo:

    python3 setup/devtool.py bench --contracts 100000 --sample 300

``generate`` fills the benchmark database with contracts across regions,
segments, tiers and resellers (about 10 % inside the notice window), in
batches; ``run_benchmark`` measures, on the same due contracts and in the
same process, the renewal run against the two reference paths (the batch
floor and the naive per-contract path), then the run with nothing to do and
the screens. Every measured path is rolled back, so the database can be
measured again.
"""

import random
import resource
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command, fields, sql_db

REGIONS = ["emea", "ams", "jp", "cn", "apac"]
BATCH = 2000
BIG_RESELLER_CONTRACTS = 5000
PARAM = "symantec_renewals.bench_contracts"


def _ctx(env):
    return env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
    )


def generate(env, contracts, commit):
    """Fill the database with ``contracts`` contracts; returns the seconds
    it took. ``commit`` is called after each batch."""
    started = time.monotonic()
    env = _ctx(env)
    rng = random.Random(42)
    today = fields.Date.context_today(env.user)
    Partner = env["res.partner"]
    resellers = Partner.create(
        [
            {"name": f"Bench Reseller {i:03d}", "is_company": True, "is_reseller": True}
            for i in range(200)
        ]
    )
    big_reseller = resellers[0]
    portal = env["res.users"].create(
        {
            "name": "Bench Reseller Portal",
            "login": "bench_reseller",
            "password": "bench_reseller",
            "group_ids": [Command.set([env.ref("base.group_portal").id])],
            "parent_id": big_reseller.id,
        }
    )
    portal.partner_id.parent_id = big_reseller
    products = env["product.product"].create(
        [{"name": f"Bench Product {i:02d}", "type": "service"} for i in range(20)]
    )
    tiers = env["symantec.maintenance.tier"].search([("is_addon", "=", False)])
    online = tiers.filtered(lambda t: t.offering_type == "online")
    commit()
    made = 0
    while made < contracts:
        size = min(BATCH, contracts - made)
        customers = Partner.create(
            [
                {
                    "name": f"Bench Customer {made + i:06d}",
                    "is_company": True,
                    "email": f"it{made + i}@customer.example.com",
                }
                for i in range(size // 5 + 1)
            ]
        )
        vals_list = []
        for i in range(size):
            index = made + i
            due = rng.random() < 0.10
            end = today + timedelta(
                days=rng.randint(-30, 120) if due else rng.randint(121, 1200)
            )
            tier = tiers[rng.randrange(len(tiers))]
            reseller = (
                big_reseller
                if index < BIG_RESELLER_CONTRACTS
                else resellers[1 + rng.randrange(len(resellers) - 1)]
            )
            vals_list.append(
                {
                    "partner_id": customers[i // 5].id,
                    "reseller_id": reseller.id,
                    "region": REGIONS[index % 5],
                    "customer_segment": "enterprise" if index % 2 else "small_business",
                    "tier_id": tier.id,
                    "date_start": end + timedelta(days=1) - relativedelta(years=1),
                    "date_end": end,
                    "state": "active",
                    "auto_renew": tier in online and index % 3 == 0,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": products[rng.randrange(20)].id,
                                "quantity": rng.randint(1, 50),
                                "license_value": rng.choice([300.0, 800.0, 2500.0]),
                            }
                        )
                        for _line in range(1 + (index % 2))
                    ],
                }
            )
        env["symantec.contract"].create(vals_list)
        made += size
        env.invalidate_all()
        commit()
        print(f"  generated {made}/{contracts} contracts", flush=True)
    env["ir.config_parameter"].sudo().set_param(PARAM, str(contracts))
    commit()
    return time.monotonic() - started


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


class Measure:
    def __init__(self, name, count):
        self.name = name
        self.count = count
        self.seconds = 0.0
        self.queries = 0
        self.peak_mib = 0.0

    @property
    def per_second(self):
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def queries_each(self):
        return self.queries / self.count if self.count else 0.0


@contextmanager
def measured(env, name, count):
    """Time, count queries and trace memory; roll everything back."""
    measure = Measure(name, count)
    env.cr.execute("SAVEPOINT bench_measure")
    env.invalidate_all()
    tracemalloc.start()
    queries = sql_db.sql_counter
    started = time.perf_counter()
    try:
        yield measure
        env.flush_all()
    finally:
        measure.seconds = time.perf_counter() - started
        measure.queries = sql_db.sql_counter - queries
        measure.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_measure")
        env.invalidate_all()


def no_commit(env):
    """The run commits after each batch; measured, it flushes instead, so
    that every path can be rolled back and measured on the same data."""

    def flush(self, *args, **kwargs):
        self.env.flush_all()
        return float("inf")

    return patch.object(type(env["ir.cron"]), "_commit_progress", flush)


def _lead_values(contract):
    return {
        "name": f"Renewal {contract.name}",
        "type": "opportunity",
        "partner_id": contract.partner_id.id,
        "team_id": contract.team_id.id,
        "user_id": contract.user_id.id,
        "expected_revenue": contract.amount_total,
    }


def _order_values(contract, lead):
    return {
        "partner_id": (contract.reseller_id or contract.partner_id).id,
        "opportunity_id": lead.id,
        "origin": contract.name,
        "order_line": [
            Command.create(
                {
                    "product_id": contract.tier_id.product_id.id,
                    "product_uom_qty": line.quantity,
                    "price_unit": line.price_unit,
                }
            )
            for line in contract.line_ids
        ],
    }


def batch_floor(env, contracts):
    """The same records as the run, made the fastest way the ORM allows:
    one create per model, activities and e-mails for the whole batch."""
    env = _ctx(env)
    leads = env["crm.lead"].create([_lead_values(c) for c in contracts])
    env["sale.order"].create(
        [_order_values(c, lead) for c, lead in zip(contracts, leads, strict=True)]
    )
    model_id = env["ir.model"]._get_id("crm.lead")
    todo = env.ref("mail.mail_activity_data_todo").id
    env["mail.activity"].create(
        [
            {
                "res_model_id": model_id,
                "res_id": lead.id,
                "activity_type_id": todo,
                "summary": "Renewal reminder",
                "date_deadline": c.date_end,
                "user_id": (c.user_id or env.user).id,
            }
            for c, lead in zip(contracts, leads, strict=True)
        ]
    )
    env["mail.mail"].create(
        [
            {
                "model": "symantec.contract",
                "res_id": c.id,
                "message_type": "comment",
                "subject": f"Renew {c.name}",
                "body_html": f"<p>Your maintenance {c.name} ends on {c.date_end}.</p>",
                "partner_ids": [Command.set(c.partner_id.ids)],
                "recipient_ids": [Command.set(c.partner_id.ids)],
            }
            for c in contracts
        ]
    )


def naive(env, contracts):
    """The same records one contract at a time, as a straightforward cron."""
    env = _ctx(env)
    for contract in contracts:
        lead = env["crm.lead"].create(_lead_values(contract))
        env["sale.order"].create(_order_values(contract, lead))
        lead.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=contract.date_end,
            summary="Renewal reminder",
            user_id=(contract.user_id or env.user).id,
        )
        contract.message_post(
            body=f"Your maintenance {contract.name} ends on {contract.date_end}.",
            subject=f"Renew {contract.name}",
            partner_ids=contract.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )


def run_benchmark(env, sample, timings):
    """Measure; returns printable rows. ``timings`` measures the screens
    and returns {label: seconds}."""
    Contract = env["symantec.contract"]
    today = fields.Date.context_today(env.user)
    due = Contract.search(Contract._get_renewal_run_domain(today), order="id")
    contracts = due[:sample] if sample else due
    count = len(contracts)
    rows = []
    rows.append(("contracts in the database", Contract.search_count([]), ""))
    rows.append(("due contracts", len(due), "~10 %"))
    rows.append(("measured due contracts", count, ""))

    with measured(env, "batch floor", count) as floor:
        batch_floor(env, contracts)
    with measured(env, "naive", count) as slow:
        naive(env, contracts)
    not_measured = due - contracts
    with no_commit(env), measured(env, "renewal run", count) as run:
        # Only the sample is due for the run: the others are marked done.
        not_measured.write({"renewal_checked_date": today})
        env.flush_all()
        start_queries = sql_db.sql_counter
        started = time.perf_counter()
        Contract._cron_renewal_run()
        run_seconds = time.perf_counter() - started
        run_queries = sql_db.sql_counter - start_queries
    run.seconds, run.queries = run_seconds, run_queries
    for measure in (floor, slow, run):
        rows.append(
            (
                f"{measure.name}: contracts/s",
                f"{measure.per_second:.1f}",
                "",
            )
        )
        rows.append(
            (
                f"{measure.name}: queries per contract",
                f"{measure.queries_each:.1f}",
                "<= 18" if measure is run else "",
            )
        )
    rows.append(("renewal run: wall time (s)", f"{run.seconds:.2f}", ""))
    rows.append(
        ("renewal run: peak Python memory (MiB)", f"{run.peak_mib:.0f}", "< 1536")
    )
    rows.append(
        (
            "run / batch floor (time per contract)",
            f"{(run.seconds / floor.seconds if floor.seconds else 0):.2f}",
            "<= 1.25",
        )
    )
    rows.append(
        (
            "naive / run (time per contract)",
            f"{(slow.seconds / run.seconds if run.seconds else 0):.2f}",
            ">= 2.5",
        )
    )

    # The run with nothing to do, over the whole database.
    with no_commit(env), measured(env, "rerun", len(due)) as rerun:
        due.write({"renewal_checked_date": today})
        env.flush_all()
        started = time.perf_counter()
        Contract._cron_renewal_run()
        rerun_seconds = time.perf_counter() - started
    rows.append(("re-run with nothing to do (s)", f"{rerun_seconds:.2f}", "< 10"))
    del rerun

    for label, seconds in timings(env).items():
        rows.append((label, f"{seconds:.3f}", "< 1"))
    rows.append(
        (
            "process peak RSS (MiB)",
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
            "< 1536",
        )
    )
    return rows


def screen_timings(env):
    """The contract list's first page with a filter, and a grouped read of
    the analysis, as a renewal manager."""
    manager = env.ref("base.user_admin")
    Contract = env["symantec.contract"].with_user(manager)
    timings = {}
    started = time.perf_counter()
    Contract.web_search_read(
        [("days_to_end", "<=", 90), ("state", "in", ("active", "expiring"))],
        {
            "name": {},
            "partner_id": {"fields": {"display_name": {}}},
            "date_end": {},
            "amount_total": {},
            "state": {},
            "tier_id": {"fields": {"display_name": {}}},
        },
        limit=80,
        order="date_end desc, id desc",
    )
    timings["contract list, first page with a filter (s)"] = (
        time.perf_counter() - started
    )
    env.invalidate_all()
    started = time.perf_counter()
    env["symantec.renewal.analysis"].with_user(manager).formatted_read_group(
        [],
        ["region", "date_due:month"],
        ["amount_due:sum", "amount_renewed:sum", "renewal_rate_value:avg"],
    )
    timings["analysis grouped read (s)"] = time.perf_counter() - started
    return timings


def print_rows(rows, today=None):
    today = today or date.today()
    width = max(len(str(label)) for label, _v, _t in rows)
    print(f"\nRenewal benchmark, {today}")
    print(f"{'measure'.ljust(width)}  {'value':>12}  target")
    for label, value, target in rows:
        print(f"{str(label).ljust(width)}  {value!s:>12}  {target}")


# ---------------------------------------------------------------------------
# Automatic renewal against OCA's subscription_oca (benchmark-only peer)
# ---------------------------------------------------------------------------

PEER_TOTAL_PER_DUE = 26  # 200 due among 5,200, as the issue measured


def auto_renewal_rows(env, count=200):
    """Our automatic renewal (order to the customer confirmed, invoice
    posted) and subscription_oca's nightly cron doing the same work
    ("Sale order & Invoice" mode), each for ``count`` due contracts, in the
    same database. Returns printable rows."""
    today = fields.Date.context_today(env.user)
    Contract = _ctx(env)["symantec.contract"]
    online = env["symantec.maintenance.tier"].search([("offering_type", "=", "online")])
    contracts = Contract.search(
        [("tier_id", "in", online.ids), ("state", "in", ("active", "expiring"))],
        limit=count,
        order="id",
    )
    rows = []
    env.cr.execute("SAVEPOINT bench_auto")
    end = today + timedelta(days=5)
    contracts.write(
        {
            "auto_renew": True,
            "auto_invoice": True,
            "date_start": end + timedelta(days=1) - relativedelta(years=1),
            "date_end": end,
        }
    )
    env.flush_all()
    with measured(env, "automatic renewal", len(contracts)) as ours:
        contracts._auto_renew(today)
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_auto")
    env.invalidate_all()
    rows.append(("automatic renewal: due contracts", len(contracts), ""))
    rows.append(("automatic renewal: contracts/s", f"{ours.per_second:.1f}", ""))
    rows.append(
        ("automatic renewal: queries per contract", f"{ours.queries_each:.1f}", "")
    )
    if "sale.subscription" not in env:
        rows.append(("subscription_oca cron: contracts/s", "not installed", ""))
        return rows

    total = count * PEER_TOTAL_PER_DUE
    env.cr.execute("SAVEPOINT bench_peer")
    template = env["sale.subscription.template"].create(
        {
            "name": "Bench yearly",
            "recurring_rule_type": "years",
            "invoicing_mode": "sale_and_invoice",
        }
    )
    stage = env.ref("subscription_oca.subscription_stage_in_progress")
    pricelist = env["product.pricelist"].search([], limit=1) or env[
        "product.pricelist"
    ].create({"name": "Bench"})
    partners = contracts.partner_id
    product = online[:1].product_id
    _ctx(env)["sale.subscription"].create(
        [
            {
                "partner_id": partners[index % len(partners)].id,
                "template_id": template.id,
                "pricelist_id": pricelist.id,
                "stage_id": stage.id,
                "in_progress": True,
                "date_start": today - timedelta(days=200),
                "recurring_next_date": today
                if index < count
                else today + timedelta(days=100 + index % 200),
                "sale_subscription_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 10,
                            "price_unit": 60.0,
                        }
                    )
                ],
            }
            for index in range(total)
        ]
    )
    env.flush_all()
    with measured(env, "subscription_oca cron", count) as peer:
        env["sale.subscription"].cron_subscription_management()
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_peer")
    env.invalidate_all()
    rows.append(
        (
            f"subscription_oca cron ({count} due of {total}): contracts/s",
            f"{peer.per_second:.1f}",
            "",
        )
    )
    rows.append(
        (
            "subscription_oca cron: queries per due contract",
            f"{peer.queries_each:.1f}",
            "",
        )
    )
    rows.append(
        (
            "automatic renewal / subscription_oca (contracts/s)",
            f"{(ours.per_second / peer.per_second if peer.per_second else 0):.2f}",
            ">= 3",
        )
    )
    return rows
