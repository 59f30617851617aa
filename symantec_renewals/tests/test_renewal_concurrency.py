import contextlib
import threading
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, TransactionCase, tagged

from ..models.symantec_contract_renewal import SymantecContract

END = date(2026, 12, 31)
MARK = "Concurrency test customer"


class CommittingCase(BaseCase):
    """Tests on cursors of their own, committing for real as workers do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = odoo_registry()

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


class ConcurrentRunsCommon(CommittingCase):
    """Twelve contracts committed for real (half of them enterprise), for
    runs on cursors of their own, and removed afterwards."""

    def setUp(self):
        super().setUp()
        self.addCleanup(self.cleanup)
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            customer = env["res.partner"].create(
                {
                    "name": MARK,
                    "email": "it@concurrency.example.com",
                    "is_company": True,
                }
            )
            product = env["product.product"].create({"name": MARK, "type": "service"})
            tier = env.ref("symantec_renewals.tier_essential_support")
            contracts = env["symantec.contract"].create(
                [
                    {
                        "partner_id": customer.id,
                        "region": "emea",
                        "customer_segment": "enterprise" if i % 2 else "small_business",
                        "tier_id": tier.id,
                        "date_start": date(2026, 1, 1),
                        "date_end": END,
                        "line_ids": [
                            Command.create(
                                {"product_id": product.id, "license_value": 100.0}
                            )
                        ],
                    }
                    for i in range(12)
                ]
            )
            contracts.action_activate()
            self.contract_ids = contracts.ids

    def cleanup(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            contracts = env["symantec.contract"].browse(self.contract_ids).exists()
            leads = contracts.with_context(active_test=False).renewal_lead_id
            orders = env["sale.order"].search(
                [("renewal_contract_id", "in", contracts.ids)]
            )
            env["mail.activity"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
            ).unlink()
            env["mail.mail"].search(
                [
                    "|",
                    "&",
                    ("model", "=", "symantec.contract"),
                    ("res_id", "in", contracts.ids),
                    "&",
                    ("model", "=", "sale.order"),
                    ("res_id", "in", orders.ids),
                ]
            ).unlink()
            orders._action_cancel()
            orders.unlink()
            contracts.write({"renewal_lead_id": False, "renewal_order_id": False})
            leads.unlink()
            contracts.write({"state": "cancelled"})
            contracts.unlink()
            env["product.product"].search([("name", "=", MARK)]).unlink()
            env["res.partner"].search([("name", "=", MARK)]).unlink()

    @contextlib.contextmanager
    def only_these_contracts(self):
        """The runs commit: they leave the database's other (demo) contracts
        alone."""
        original_domain = SymantecContract._get_renewal_run_domain

        def this_tests_contracts(model, today):
            return [*original_domain(model, today), ("id", "in", self.contract_ids)]

        with patch.object(
            SymantecContract, "_get_renewal_run_domain", this_tests_contracts
        ):
            yield

    @contextlib.contextmanager
    def workers_can_open_cursors(self):
        """Odoo's test runner holds the registries' lock while it runs the
        tests: threads could not open an environment. Odoo's own HttpCase
        lifts it the same way for its server's threads."""
        with patch.object(Registry, "_lock", DummyRLock()):
            yield

    def assert_each_contract_handled_once(self, day):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            contracts = env["symantec.contract"].browse(self.contract_ids)
            leads = (
                env["crm.lead"]
                .with_context(active_test=False)
                .search([("renewal_contract_id", "in", contracts.ids)])
            )
            self.assertEqual(len(leads), 12, "one opportunity per contract")
            orders = env["sale.order"].search(
                [("renewal_contract_id", "in", contracts.ids)]
            )
            self.assertEqual(len(orders), 6, "one quote per enterprise contract")
            activities = env["mail.activity"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
            )
            self.assertEqual(len(activities), 12, "one reminder per contract")
            for contract in contracts:
                mails = contract.message_ids.filtered(
                    lambda m: m.message_type == "email_outgoing"
                )
                self.assertEqual(len(mails), 1, contract.name)
            self.assertEqual(set(contracts.mapped("renewal_checked_date")), {day})


@tagged("post_install", "-at_install")
class TestConcurrentRuns(ConcurrentRunsCommon):
    """Two renewal runs started together, each on its own cursor and
    committing for real, as two cron workers would."""

    def test_two_runs_together_duplicate_nothing(self):
        barrier = threading.Barrier(2, timeout=20)
        original = SymantecContract._renewal_run_batch
        seen = {}
        errors = []

        def batch_waiting_for_the_other_worker(contracts, today):
            # Both workers hold their first batch's locks at the same time.
            name = threading.current_thread().name
            if name not in seen:
                seen[name] = set(contracts.ids)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
            return original(contracts, today)

        def worker():
            try:
                with self.registry.cursor() as cr:
                    self.env_of(cr)["symantec.contract"]._cron_renewal_run(batch_size=3)
            except Exception as exc:  # a worker may lose a race: cron retries
                errors.append(exc)

        waiting = batch_waiting_for_the_other_worker
        with freeze_time(END - timedelta(days=100)), self.only_these_contracts():
            with (
                patch.object(SymantecContract, "_renewal_run_batch", waiting),
                self.workers_can_open_cursors(),
            ):
                threads = [
                    threading.Thread(target=worker, name=f"worker-{i}") for i in (1, 2)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(60)
            # Whatever a worker left undone, the next run finishes.
            with self.registry.cursor() as cr:
                self.env_of(cr)["symantec.contract"]._cron_renewal_run(batch_size=3)

        first_batches = list(seen.values())
        self.assertEqual(len(first_batches), 2, "both workers took a batch")
        self.assertFalse(first_batches[0] & first_batches[1], "locked rows skipped")
        self.assert_each_contract_handled_once(END - timedelta(days=100))


def odoo_registry():
    from odoo.tests.common import get_db_name

    return Registry(get_db_name())


@tagged("post_install", "-at_install")
class TestPartnerNotRewrittenByEachEmail(TransactionCase):
    """Odoo prepares the signup of the customer of every e-mail it notifies:
    a partner already prepared is not written again (two workers e-mailing
    one customer would otherwise lock it in turn and conflict)."""

    def test_signup_prepared_once(self):
        partner = self.env["res.partner"].create({"name": "Signup Once"})
        partner.signup_prepare()
        self.assertEqual(partner.sudo().signup_type, "signup")
        Partner = type(partner)
        with patch.object(
            Partner, "write", autospec=True, side_effect=Partner.write
        ) as write:
            partner.signup_prepare()
            self.assertFalse(write.called, "the same signup type is not written")
            partner.signup_prepare("reset")
            self.assertTrue(write.called)
        self.assertEqual(partner.sudo().signup_type, "reset")
