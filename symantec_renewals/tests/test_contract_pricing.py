from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestContractPricing(RenewalsCommon):
    def test_percent_of_licence_value_per_unit(self):
        """Yearly price = licence value x licence % / 100, per unit."""
        contract = self.make_contract(lines=[{"quantity": 10, "license_value": 1000.0}])
        line = contract.line_ids
        self.assertEqual(self.tier_software.license_percent, 22.0)
        self.assertAlmostEqual(line.price_unit, 220.0)
        self.assertAlmostEqual(line.price_subtotal, 2200.0)
        self.assertAlmostEqual(contract.amount_total, 2200.0)

    def test_per_unit_price_from_tier(self):
        contract = self.make_contract(
            tier_id=self.tier_online.id, lines=[{"quantity": 25}]
        )
        self.assertAlmostEqual(
            contract.line_ids.price_unit, self.tier_online.unit_price
        )
        self.assertAlmostEqual(contract.amount_total, 25 * self.tier_online.unit_price)

    def test_yearly_value_sums_the_lines(self):
        contract = self.make_contract(
            lines=[
                {"quantity": 10, "license_value": 1000.0},
                {"quantity": 3, "license_value": 500.0},
            ]
        )
        self.assertAlmostEqual(contract.amount_total, 2200.0 + 3 * 110.0)

    def test_per_unit_price_converted_to_contract_currency(self):
        company_currency = self.company.currency_id
        other = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search(
                [("id", "!=", company_currency.id), ("name", "in", ("EUR", "USD"))],
                limit=1,
            )
        )
        other.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": other.id, "rate": 0.5, "name": "2025-01-01"}
        )
        company_currency.rate_ids.unlink()
        contract = self.make_contract(
            tier_id=self.tier_online.id, currency_id=other.id, lines=[{"quantity": 2}]
        )
        self.assertAlmostEqual(
            contract.line_ids.price_unit, self.tier_online.unit_price * 0.5
        )
        self.assertEqual(contract.line_ids.currency_id, other)

    def test_tier_change_reprices_lines(self):
        contract = self.make_contract()
        contract.tier_id = self.tier_online
        self.assertAlmostEqual(
            contract.line_ids.price_unit, self.tier_online.unit_price
        )

    def test_licence_value_change_reprices_line(self):
        contract = self.make_contract()
        contract.line_ids.license_value = 2000.0
        self.assertAlmostEqual(contract.line_ids.price_unit, 440.0)

    def test_manager_may_set_another_price(self):
        contract = self.make_contract()
        contract.line_ids.with_user(self.manager).price_unit = 150.0
        self.assertAlmostEqual(contract.amount_total, 1500.0)

    def test_rep_may_not_set_another_price(self):
        contract = self.make_contract()
        with self.assertRaises(AccessError):
            contract.line_ids.with_user(self.rep).price_unit = 150.0
        with self.assertRaises(AccessError):
            contract.with_user(self.rep).write(
                {
                    "line_ids": [
                        Command.create(
                            {"product_id": self.product.id, "price_unit": 1.0}
                        )
                    ]
                }
            )

    def test_rep_edits_licence_value_in_the_form(self):
        """The form sends the recomputed price with the licence value: allowed."""
        contract = self.make_contract()
        with (
            Form(contract.with_user(self.rep)) as form,
            form.line_ids.edit(0) as line,
        ):
            line.license_value = 500.0
        self.assertAlmostEqual(contract.line_ids.price_unit, 110.0)

    def test_tier_without_product_gets_a_service_product(self):
        tier = self.env["symantec.maintenance.tier"].create(
            {"name": "Gold Support", "code": "GLD", "offering_type": "service"}
        )
        self.assertEqual(tier.product_id.name, "Gold Support")
        self.assertEqual(tier.product_id.type, "service")
        self.assertEqual(tier.pricing_method, "per_unit")

    def test_software_tier_defaults_to_percent_of_licence(self):
        tier = self.env["symantec.maintenance.tier"].create(
            {"name": "Basic", "code": "BAS", "offering_type": "software"}
        )
        self.assertEqual(tier.pricing_method, "percent_of_license")
        self.assertEqual(tier.min_term_months, 12)
