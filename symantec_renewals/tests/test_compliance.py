from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestCompliance(RenewalsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.make_contract()  # 2026-01-01 .. 2026-12-31
        cls.contract.action_activate()

    def status(self, contract=None):
        contract = contract or self.contract
        contract.invalidate_recordset(["compliance_status"])
        return contract.compliance_status

    def assert_search_finds(self, status, contract=None):
        contract = contract or self.contract
        found = self.env["symantec.contract"].search(
            [("compliance_status", "=", status)]
        )
        self.assertIn(contract, found)
        others = self.env["symantec.contract"].search(
            [("compliance_status", "!=", status)]
        )
        self.assertNotIn(contract, others)

    def test_covered_term_is_compliant(self):
        with freeze_time("2026-12-31"):
            self.assertEqual(self.status(), "compliant")
            self.assert_search_finds("compliant")

    def test_past_end_without_grace_is_non_compliant(self):
        with freeze_time("2027-01-01"):
            self.assertEqual(self.status(), "non_compliant")
            self.assert_search_finds("non_compliant")

    def test_grace_period(self):
        self.company.renewal_grace_days = 30
        self.contract.state = "expired"
        with freeze_time("2027-01-30"):
            self.assertEqual(self.status(), "grace")
            self.assert_search_finds("grace")
        with freeze_time("2027-01-31"):
            self.assertEqual(self.status(), "non_compliant")
            self.assert_search_finds("non_compliant")

    def test_renewed_term_follows_its_active_successor(self):
        successor = self.make_contract(
            date_start=date(2027, 1, 1),
            date_end=date(2027, 12, 31),
            predecessor_id=self.contract.id,
        )
        with freeze_time("2027-03-01"):
            # A draft successor (waiting for payment) covers nothing yet.
            self.assertEqual(self.status(), "non_compliant")
            successor.action_activate()
            self.contract.state = "renewed"
            self.assertEqual(self.contract.successor_id, successor)
            self.assertEqual(self.contract.latest_term_id, successor)
            self.assertEqual(self.status(), "compliant")
            self.assert_search_finds("compliant")
        with freeze_time("2028-02-01"):
            self.assertEqual(self.status(), "non_compliant")

    def test_drafts_and_cancelled_have_no_status(self):
        draft = self.make_contract()
        self.assertFalse(self.status(draft))
        self.assertNotIn(
            draft,
            self.env["symantec.contract"].search(
                [("compliance_status", "in", ("compliant", "grace", "non_compliant"))]
            ),
        )

    def test_partner_out_of_compliance_filter(self):
        Partner = self.env["res.partner"]
        with freeze_time("2026-06-01"):
            self.assertNotIn(
                self.customer,
                Partner.search([("renewal_out_of_compliance", "=", True)]),
            )
            self.customer.invalidate_recordset(["renewal_out_of_compliance"])
            self.assertFalse(self.customer.renewal_out_of_compliance)
        with freeze_time("2027-06-01"):
            self.assertIn(
                self.customer,
                Partner.search([("renewal_out_of_compliance", "=", True)]),
            )
            self.customer.invalidate_recordset(["renewal_out_of_compliance"])
            self.assertTrue(self.customer.renewal_out_of_compliance)

    def test_partner_contract_count_includes_resold_contracts(self):
        self.assertEqual(self.customer.symantec_contract_count, 1)
        self.assertEqual(self.reseller.symantec_contract_count, 1)
        action = self.reseller.action_view_symantec_contracts()
        self.assertEqual(
            self.env["symantec.contract"].search(action["domain"]), self.contract
        )
