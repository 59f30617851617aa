from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestRecordRules(RenewalsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_emea = cls.make_contract(region="emea")
        cls.contract_jp = cls.make_contract(region="jp")
        cls.other_company = cls.env["res.company"].create({"name": "Other Vendor"})
        other_tier = cls.env["symantec.maintenance.tier"].create(
            {"name": "ESS", "code": "ESS", "company_id": cls.other_company.id}
        )
        cls.contract_other = cls.env["symantec.contract"].create(
            {
                "partner_id": cls.customer.id,
                "region": "emea",
                "tier_id": other_tier.id,
                "company_id": cls.other_company.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
            }
        )
        cls.Contract = cls.env["symantec.contract"]

    def visible(self, user):
        return self.Contract.with_user(user).search([])

    def test_emea_rep_cannot_read_a_japan_contract(self):
        self.assertIn(self.contract_emea, self.visible(self.rep))
        self.assertNotIn(self.contract_jp, self.visible(self.rep))
        with self.assertRaises(AccessError):
            self.contract_jp.with_user(self.rep).read(["name"])
        with self.assertRaises(AccessError):
            self.contract_jp.line_ids.with_user(self.rep).read(["price_unit"])

    def test_japan_rep_sees_only_japan(self):
        visible = self.visible(self.rep_jp)
        self.assertIn(self.contract_jp, visible)
        self.assertNotIn(self.contract_emea, visible)

    def test_rep_sees_contracts_assigned_to_them_in_other_teams(self):
        self.contract_jp.user_id = self.rep
        self.assertIn(self.contract_jp, self.visible(self.rep))

    def test_manager_sees_every_team(self):
        visible = self.visible(self.manager)
        self.assertIn(self.contract_emea, visible)
        self.assertIn(self.contract_jp, visible)

    def test_other_company_contract_is_invisible(self):
        for user in (self.manager, self.rep):
            with self.subTest(user=user.login):
                self.assertNotIn(self.contract_other, self.visible(user))
                with self.assertRaises(AccessError):
                    self.contract_other.with_user(user).read(["name"])

    def test_other_company_contract_visible_once_allowed(self):
        self.manager.company_ids |= self.other_company
        contracts = self.Contract.with_user(self.manager).with_context(
            allowed_company_ids=[self.company.id, self.other_company.id]
        )
        self.assertIn(self.contract_other, contracts.search([]))

    def test_employees_without_the_group_have_no_access(self):
        with self.assertRaises(AccessError):
            self.Contract.with_user(self.employee).search([])

    def test_rep_reads_tiers_but_only_managers_edit_them(self):
        tier = self.tier_software
        self.assertTrue(tier.with_user(self.rep).name)
        with self.assertRaises(AccessError):
            tier.with_user(self.rep).license_percent = 10
        tier.with_user(self.manager).license_percent = 21
        self.assertEqual(tier.license_percent, 21)

    def test_only_managers_delete_contracts(self):
        draft = self.make_contract(region="emea")
        with self.assertRaises(AccessError):
            draft.with_user(self.rep).unlink()
        draft.with_user(self.manager).unlink()
        self.assertFalse(draft.exists())
