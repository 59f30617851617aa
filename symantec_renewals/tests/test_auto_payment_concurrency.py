"""No invoice is charged twice when two workers run the charge of the same
automatic renewal together, each on its own cursor and committing for real
(SPEC §11)."""

from datetime import date, timedelta
from unittest import SkipTest
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.symantec_contract_renewal_payment import SymantecContract
from .test_renewal_concurrency import CommittingCase

END = date(2026, 12, 31)
DAY = END - timedelta(days=7)
MARK = "Concurrent charge test customer"


@tagged("post_install", "-at_install")
class TestConcurrentCharges(CommittingCase):
    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            if "demo_simulated_state" not in env["payment.token"]:
                raise SkipTest("payment_demo is not installed")
            if not env.company.chart_template:
                raise SkipTest("the company has no chart of accounts")
        self.addCleanup(self.cleanup)
        with self.registry.cursor() as cr, freeze_time(DAY):
            env = self.env_of(cr)
            customer = env["res.partner"].create(
                {"name": MARK, "email": "it@charge.example.com", "is_company": True}
            )
            product = env["product.product"].create({"name": MARK, "type": "service"})
            provider = env.ref("payment.payment_provider_demo")
            # A card whose charges wait for the provider: a second charge
            # would stand beside the first, pending.
            token = env["payment.token"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
                    "partner_id": customer.id,
                    "payment_details": "1111",
                    "provider_ref": MARK,
                    "demo_simulated_state": "pending",
                }
            )
            contract = env["symantec.contract"].create(
                {
                    "partner_id": customer.id,
                    "region": "emea",
                    "tier_id": env.ref("symantec_renewals.tier_cloud_support").id,
                    "auto_renew": True,
                    "auto_invoice": True,
                    "payment_token_id": token.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": END,
                    "line_ids": [
                        Command.create({"product_id": product.id, "quantity": 5})
                    ],
                }
            )
            contract.action_activate()
            contract._auto_renew(DAY)
            self.contract_id = contract.id
            self.invoice_id = contract.renewal_order_id.invoice_ids.id

    def cleanup(self):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            contract = env["symantec.contract"].browse(self.contract_id)
            invoice = env["account.move"].browse(self.invoice_id)
            contract.write({"renewal_payment_tx_id": False, "payment_token_id": False})
            invoice.transaction_ids.unlink()
            invoice.button_draft()
            invoice.button_cancel()
            order = contract.renewal_order_id
            env["mail.mail"].search(
                [("model", "=", "sale.order"), ("res_id", "=", order.id)]
            ).unlink()
            order._action_cancel()
            contract.write({"renewal_order_id": False})
            order.unlink()
            terms = contract | contract.successor_ids
            terms.write({"state": "cancelled"})
            terms.unlink()
            env["payment.token"].search([("provider_ref", "=", MARK)]).unlink()
            env["product.product"].search([("name", "=", MARK)]).active = False
            env["res.partner"].search([("name", "=", MARK)]).active = False

    @mute_logger("odoo.sql_db")  # the second worker's lock, refused
    def test_two_workers_charge_one_invoice_once(self):
        with (
            freeze_time(DAY),
            self.registry.cursor() as cr_a,
            self.registry.cursor() as cr_b,
        ):
            env_a, env_b = self.env_of(cr_a), self.env_of(cr_b)
            # Both workers start together: each has read the due contract.
            due_a = env_a["symantec.contract"].search(
                env_a["symantec.contract"]._get_renewal_charge_domain(DAY)
            )
            due_b = env_b["symantec.contract"].search(
                env_b["symantec.contract"]._get_renewal_charge_domain(DAY)
            )
            self.assertIn(self.contract_id, due_a.ids)
            self.assertIn(self.contract_id, due_b.ids)
            contract_a = env_a["symantec.contract"].browse(self.contract_id)
            contract_b = env_b["symantec.contract"].browse(self.contract_id)
            charge_a = contract_a._renewal_charge(DAY, commit=cr_a.commit)
            self.assertEqual(charge_a.state, "pending")
            # The other worker, whose transaction began before the first
            # charge was committed, does not charge it again.
            charge_b = contract_b._renewal_charge(DAY, commit=cr_b.commit)
            self.assertFalse(charge_b)
            cr_b.commit()
            # Nor a whole charge phase afterwards, on either cursor (on this
            # test's contract only: the phases commit, the database's other
            # contracts, demo data's, are left alone).
            domain = SymantecContract._get_renewal_charge_domain
            with patch.object(
                SymantecContract,
                "_get_renewal_charge_domain",
                lambda model, day: [
                    *domain(model, day),
                    ("id", "=", self.contract_id),
                ],
            ):
                env_b["symantec.contract"]._renewal_charge_run(DAY, commit=cr_b.commit)
                env_a["symantec.contract"]._renewal_charge_run(DAY, commit=cr_a.commit)
        with self.registry.cursor() as cr:
            invoice = self.env_of(cr)["account.move"].browse(self.invoice_id)
            self.assertEqual(len(invoice.transaction_ids), 1, "one charge")
            contract = self.env_of(cr)["symantec.contract"].browse(self.contract_id)
            self.assertEqual(contract.renewal_payment_state, "charging")
            self.assertEqual(contract.renewal_payment_attempts, 1)

    def test_a_worker_holding_the_contract_is_skipped(self):
        with (
            freeze_time(DAY),
            self.registry.cursor() as cr_a,
            self.registry.cursor() as cr_b,
        ):
            env_a, env_b = self.env_of(cr_a), self.env_of(cr_b)
            contract_a = env_a["symantec.contract"].browse(self.contract_id)
            # Worker A prepares the charge and holds the row, uncommitted.
            self.assertTrue(contract_a._lock_for_charge(DAY))
            contract_a._prepare_renewal_charges(DAY)
            charge_b = (
                env_b["symantec.contract"]
                .browse(self.contract_id)
                ._renewal_charge(DAY, commit=cr_b.commit)
            )
            self.assertFalse(charge_b, "locked rows are skipped, not waited on")
            cr_a.commit()
        with self.registry.cursor() as cr:
            invoice = self.env_of(cr)["account.move"].browse(self.invoice_id)
            self.assertEqual(len(invoice.transaction_ids), 1)
