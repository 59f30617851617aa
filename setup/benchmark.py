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

import psycopg2
import psycopg2.sql
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, fields, sql_db
from odoo.tools import SQL, split_every

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
        self.started = 0.0
        self.start_queries = 0

    def stop(self):
        """End the measure here: what follows in its block is not counted."""
        self.seconds = time.perf_counter() - self.started
        self.queries = sql_db.sql_counter - self.start_queries

    @property
    def per_second(self):
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def queries_each(self):
        return self.queries / self.count if self.count else 0.0


# Tables the measured paths write to. Every path is rolled back, which
# leaves dead rows behind; autovacuum clears them at moments of its own, so
# that without this one path would pay for the rows an earlier one left.
VACUUMED = (
    "symantec_contract",
    "symantec_contract_line",
    "crm_lead",
    "sale_order",
    "sale_order_line",
    "account_move",
    "account_move_line",
    "mail_message",
    "mail_mail",
    "mail_notification",
    "mail_tracking_value",
    "mail_activity",
    "mail_followers",
    "sale_subscription",
    "sale_subscription_line",
)


def vacuum(env):
    """VACUUM ANALYZE the tables the paths write to (from a connection of
    its own: VACUUM cannot run inside the benchmark's transaction)."""
    _name, info = sql_db.connection_info_for(env.cr.dbname)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname IN %s",
                (VACUUMED,),
            )
            tables = [row[0] for row in cr.fetchall()]
            cr.execute(
                psycopg2.sql.SQL("VACUUM ANALYZE {}").format(
                    psycopg2.sql.SQL(", ").join(map(psycopg2.sql.Identifier, tables))
                )
            )
    finally:
        connection.close()


@contextmanager
def measured(env, name, count, memory=False):
    """Time and count queries, or with ``memory`` trace the peak of Python
    memory instead (tracing slows Python code down several times, so a
    traced pass is not timed); roll everything back."""
    measure = Measure(name, count)
    vacuum(env)
    env.cr.execute("SAVEPOINT bench_measure")
    env.invalidate_all()
    if memory:
        tracemalloc.start()
    measure.start_queries = sql_db.sql_counter
    measure.started = time.perf_counter()
    try:
        yield measure
        # As a commit would: the precommit hooks (tracking) are work too.
        env.cr.flush()
    finally:
        if not measure.seconds:
            measure.stop()
        if memory:
            measure.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        env.cr.precommit.clear()
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_measure")
        env.invalidate_all()


def no_commit(env):
    """The run commits after each batch; measured, it flushes instead, so
    that every path can be rolled back and measured on the same data."""

    def flush(self, *args, **kwargs):
        self.env.cr.flush()
        return float("inf")

    return patch.object(type(env["ir.cron"]), "_commit_progress", flush)


LEAD_FIELDS = (
    "name",
    "type",
    "partner_id",
    "team_id",
    "user_id",
    "company_id",
    "date_deadline",
    "stage_id",
    "is_renewal",
    "renewal_contract_id",
)
ORDER_FIELDS = (
    "partner_id",
    "origin",
    "company_id",
    "team_id",
    "user_id",
    "validity_date",
    "pricelist_id",
    "require_signature",
    "require_payment",
    "state",
    "renewal_contract_id",
    "renewal_end_customer_id",
    "renewal_case",
    "renewal_is_auto",
)
LINE_FIELDS = (
    "display_type",
    "name",
    "product_id",
    "product_uom_qty",
    "price_unit",
    "technical_price_unit",
    "is_optional",
    "renewal_line_kind",
    "renewal_contract_line_id",
)
MAIL_FIELDS = (
    "subject",
    "body_html",
    "record_name",
    "author_id",
    "email_from",
    "reply_to",
    "subtype_id",
    "message_type",
    "auto_delete",
)
ACTIVITY_FIELDS = ("activity_type_id", "summary", "date_deadline", "user_id")


def _plain(record, names):
    return {
        name: value.id if hasattr(value, "_name") else value
        for name in names
        if name in record._fields
        for value in [record[name]]
    }


def _made_by_run(env, contracts, last_ids):
    """What the renewal run made for each of ``contracts`` (the records
    with an id above ``last_ids[model]``), as plain values: the records the
    two reference paths make again, without the renewal logic."""

    def new(model, domain):
        return env[model].search([("id", ">", last_ids[model]), *domain], order="id")

    plan = {
        contract.id: {"order": None, "activities": [], "mails": []}
        for contract in contracts
    }
    leads = new("crm.lead", [("renewal_contract_id", "in", contracts.ids)])
    contract_of = {}
    for lead in leads:
        plan[lead.renewal_contract_id.id]["lead"] = _plain(lead, LEAD_FIELDS)
        contract_of["crm.lead", lead.id] = lead.renewal_contract_id.id
    for order in new("sale.order", [("renewal_contract_id", "in", contracts.ids)]):
        values = _plain(order, ORDER_FIELDS)
        values["lines"] = [_plain(line, LINE_FIELDS) for line in order.order_line]
        plan[order.renewal_contract_id.id]["order"] = values
        contract_of["sale.order", order.id] = order.renewal_contract_id.id
    for contract in contracts:
        contract_of["symantec.contract", contract.id] = contract.id
    for activity in new("mail.activity", [("res_model", "=", "crm.lead")]):
        contract_id = contract_of.get(("crm.lead", activity.res_id))
        if contract_id:
            plan[contract_id]["activities"].append(_plain(activity, ACTIVITY_FIELDS))
    for mail in new("mail.mail", []):
        contract_id = contract_of.get((mail.model, mail.res_id))
        if contract_id:
            plan[contract_id]["mails"].append(
                {
                    "on": mail.model,
                    "values": _plain(mail, MAIL_FIELDS),
                    "partner_ids": mail.recipient_ids.ids,
                }
            )
    return plan


def _check_same_records(name, plan, made):
    """Refuse a reference path that did not make the run's records again:
    the same opportunities, quotes and lines, activities, and e-mails to the
    same recipients (``message_post`` wraps their bodies in its own layout,
    and may split one e-mail to two partners into one e-mail each)."""

    def outline(todo):
        return {
            **todo,
            "mails": sorted(
                (mail["on"], partner_id)
                for mail in todo["mails"]
                for partner_id in mail["partner_ids"]
            ),
        }

    for contract_id, todo in plan.items():
        if outline(made[contract_id]) != outline(todo):
            raise RuntimeError(
                f"The {name} path did not make the run's records for contract "
                f"{contract_id}:\n{outline(made[contract_id])}\n!=\n{outline(todo)}"
            )


def _order_values(values, lead):
    values = dict(values)
    lines = values.pop("lines")
    return {
        **values,
        "opportunity_id": lead.id,
        "order_line": [Command.create(line) for line in lines],
    }


def batch_floor(env, contracts, plan, batch_size):
    """The records the run made, made again the fastest way the ORM allows:
    per batch of the run's size, one create per model, activities and
    e-mails for the whole batch."""
    env = _ctx(env)
    lead_model = env["ir.model"]._get_id("crm.lead")
    for batch in split_every(batch_size, contracts.ids):
        leads = env["crm.lead"].create([plan[cid]["lead"] for cid in batch])
        lead_of = dict(zip(batch, leads, strict=True))
        quoted = [cid for cid in batch if plan[cid]["order"]]
        orders = env["sale.order"].create(
            [_order_values(plan[cid]["order"], lead_of[cid]) for cid in quoted]
        )
        record_of = {
            ("sale.order", cid): order.id
            for cid, order in zip(quoted, orders, strict=True)
        }
        env["mail.activity"].create(
            [
                {**values, "res_model_id": lead_model, "res_id": lead_of[cid].id}
                for cid in batch
                for values in plan[cid]["activities"]
            ]
        )
        env["mail.mail"].create(
            [
                {
                    **mail["values"],
                    "body": mail["values"]["body_html"],
                    "model": mail["on"],
                    "res_id": record_of.get((mail["on"], cid), cid),
                    "partner_ids": [Command.set(mail["partner_ids"])],
                    "recipient_ids": [Command.set(mail["partner_ids"])],
                }
                for cid in batch
                for mail in plan[cid]["mails"]
            ]
        )


def naive(env, contracts, plan):
    """The same records one contract at a time, as a straightforward cron:
    create, create, ``activity_schedule``, ``message_post``."""
    env = _ctx(env)
    for contract in contracts:
        todo = plan[contract.id]
        lead = env["crm.lead"].create(todo["lead"])
        records = {"symantec.contract": contract}
        if todo["order"]:
            records["sale.order"] = env["sale.order"].create(
                _order_values(todo["order"], lead)
            )
        for values in todo["activities"]:
            lead.activity_schedule(**values)
        for mail in todo["mails"]:
            records[mail["on"]].message_post(
                body=Markup(mail["values"]["body_html"]),
                subject=mail["values"]["subject"],
                partner_ids=mail["partner_ids"],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )


def _last_ids(env):
    last = {}
    for model in ("crm.lead", "sale.order", "mail.activity", "mail.mail"):
        env.cr.execute(
            SQL(
                "SELECT COALESCE(MAX(id), 0) FROM %s", SQL.identifier(env[model]._table)
            )
        )
        last[model] = env.cr.fetchone()[0]
    return last


def best_times(env, paths, rounds, check=None):
    """Time each of ``paths`` ({Measure: function}) in turn, ``rounds``
    times, each Measure keeping its best time: the machine's passing hiccups
    then do not decide a ratio. ``check(measure)`` runs after the first
    round of each path, untimed, before its work is rolled back."""
    for round_ in range(rounds):
        for best, path in paths.items():
            with no_commit(env), measured(env, best.name, best.count) as measure:
                path()
                env.cr.flush()
                measure.stop()
                if round_ == 0 and check:
                    check(best)
            if not best.seconds or measure.seconds < best.seconds:
                best.seconds = measure.seconds
                best.queries = measure.queries


def run_benchmark(env, sample, timings, rounds=3):
    """Measure; returns printable rows. ``timings`` measures the screens
    and returns {label: seconds}; each of the three paths is timed
    ``rounds`` times and its best time kept."""
    Contract = env["symantec.contract"]
    today = fields.Date.context_today(env.user)
    due = Contract.search(Contract._get_renewal_run_domain(today), order="id")
    contracts = due[:sample] if sample else due
    count = len(contracts)
    batch_size = Contract._renewal_run_batch_size
    rows = []
    rows.append(("contracts in the database", Contract.search_count([]), ""))
    rows.append(("due contracts", len(due), "~10 %"))
    rows.append(("measured due contracts", count, ""))
    rows.append(("renewal run: contracts per batch", batch_size, ""))
    rows.append(("rounds (best time of each path)", rounds, ""))

    env.cr.execute("SAVEPOINT bench_sample")
    # Only the sample is due for the run: the others are marked done, and
    # that write's own work (its tracking) is over before any measure.
    (due - contracts).with_context(tracking_disable=True).write(
        {"renewal_checked_date": today}
    )
    env.cr.flush()
    last_ids = _last_ids(env)
    with no_commit(env), measured(env, "renewal run", count) as run:
        Contract._cron_renewal_run()
        env.cr.flush()
        run.stop()
        plan = _made_by_run(env, contracts, last_ids)
    with no_commit(env), measured(env, "renewal run", count, memory=True) as traced:
        Contract._cron_renewal_run()
    paths = {
        run: Contract._cron_renewal_run,
        Measure("batch floor", count): lambda: batch_floor(
            env, contracts, plan, batch_size
        ),
        Measure("naive", count): lambda: naive(env, contracts, plan),
    }

    def same_records(path):
        if path is not run:
            _check_same_records(path.name, plan, _made_by_run(env, contracts, last_ids))

    best_times(env, paths, rounds, check=same_records)
    run, floor, slow = paths
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
        ("renewal run: peak Python memory (MiB)", f"{traced.peak_mib:.0f}", "< 1536")
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
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_sample")
    env.invalidate_all()

    # The run with nothing to do, over the whole database.
    with no_commit(env), measured(env, "rerun", len(due)):
        due.with_context(tracking_disable=True).write({"renewal_checked_date": today})
        env.cr.flush()
        started = time.perf_counter()
        Contract._cron_renewal_run()
        rerun_seconds = time.perf_counter() - started
    rows.append(("re-run with nothing to do (s)", f"{rerun_seconds:.2f}", "< 10"))

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


def auto_renewal_rows(env, count=200, rounds=3):
    """Our automatic renewal (order to the customer confirmed, invoice
    posted, e-mail to the customer) and subscription_oca's nightly cron
    doing that work ("Sale order & Invoice" mode; it sends no e-mail),
    each for ``count`` due contracts, in the same database, best of
    ``rounds`` each. Returns printable rows. Raises RuntimeError when
    subscription_oca is not installed: the comparison is the figure."""
    if "sale.subscription" not in env:
        raise RuntimeError(
            "subscription_oca is not installed in the benchmark database: "
            "the automatic renewal has no peer to be compared with"
        )
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
    env.cr.flush()
    ours = Measure("automatic renewal", len(contracts))
    # In the cron's own environment: chatter and tracking on, as the peer's.
    paths = {ours: lambda: contracts.with_env(env)._auto_renew(today)}
    rows.append(("automatic renewal: due contracts", len(contracts), ""))
    peer = Measure("subscription_oca cron", count)
    total = _peer_subscriptions(env, contracts.partner_id, online, count)
    paths[peer] = env["sale.subscription"].cron_subscription_management
    last_mail = _last_ids(env)["mail.mail"]
    best_times(
        env,
        paths,
        rounds,
        check=lambda m: m is ours and _check_auto(contracts, last_mail),
    )
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_auto")
    env.invalidate_all()
    rows.append(("automatic renewal: contracts/s", f"{ours.per_second:.1f}", ""))
    rows.append(
        ("automatic renewal: queries per contract", f"{ours.queries_each:.1f}", "")
    )
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


def _check_auto(contracts, last_mail):
    """The automatic renewal did all the work it is timed for: for each
    contract a confirmed order, its invoice posted, and the customer's
    e-mail queued (an e-mail after ``last_mail``). Raises RuntimeError
    otherwise."""
    contracts.invalidate_recordset()
    orders = contracts.renewal_order_id
    invoices = orders.invoice_ids
    mails = contracts.env["mail.mail"].search_count(
        [
            ("model", "=", contracts._name),
            ("res_id", "in", contracts.ids),
            ("id", ">", last_mail),
        ]
    )
    made = {
        "confirmed orders": len(orders.filtered(lambda o: o.state == "sale")),
        "posted invoices": len(invoices.filtered(lambda i: i.state == "posted")),
        "e-mails": mails,
    }
    short = {what: n for what, n in made.items() if n != len(contracts)}
    if short:
        raise RuntimeError(
            f"automatic renewal of {len(contracts)} contracts made {short}"
        )


def _peer_subscriptions(env, partners, online, count):
    """subscription_oca's yearly subscriptions, ``count`` of them due today
    among ``count * PEER_TOTAL_PER_DUE``, invoiced as "Sale order & Invoice";
    returns how many were made."""
    today = fields.Date.context_today(env.user)
    total = count * PEER_TOTAL_PER_DUE
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
    env.cr.flush()
    return total
