from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..models.res_company import RENEWAL_POLICY_FIELDS
from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestContractConstraints(RenewalsCommon):
    def test_end_must_be_after_start(self):
        with self.assertRaisesRegex(ValidationError, "end date must be after"):
            self.make_contract(date_start=date(2026, 6, 1), date_end=date(2026, 5, 31))

    def test_term_of_eleven_months_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "at least 12 months"):
            self.make_contract(date_start=date(2026, 1, 1), date_end=date(2026, 11, 30))

    def test_term_of_twelve_months_is_accepted(self):
        contract = self.make_contract(
            date_start=date(2026, 3, 1), date_end=date(2027, 2, 28)
        )
        self.assertEqual(contract.term_months, 12)

    def test_tier_minimum_term_applies(self):
        self.tier_hardware.min_term_months = 24
        with self.assertRaisesRegex(ValidationError, "at least 24 months"):
            self.make_contract(tier_id=self.tier_hardware.id)
        contract = self.make_contract(
            tier_id=self.tier_hardware.id, date_end=date(2027, 12, 31)
        )
        self.assertEqual(contract.term_months, 24)

    def test_tier_minimum_term_cannot_go_below_twelve(self):
        with self.assertRaises(ValidationError):
            self.tier_software.min_term_months = 6

    def test_quantity_must_be_positive(self):
        for quantity in (0, -1):
            with (
                self.subTest(quantity=quantity),
                self.assertRaisesRegex(ValidationError, "greater than zero"),
            ):
                self.make_contract(lines=[{"quantity": quantity}])

    def test_licence_value_and_price_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.make_contract(lines=[{"quantity": 1, "license_value": -5.0}])
        contract = self.make_contract()
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            contract.line_ids.price_unit = -1.0

    def test_tier_prices_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.tier_online.unit_price = -1.0
        with self.assertRaises(ValidationError):
            self.tier_software.renewal_uplift_percent = -3.0

    def test_auto_renew_only_for_online_services(self):
        with self.assertRaisesRegex(ValidationError, "only available for online"):
            self.make_contract(auto_renew=True)
        contract = self.make_contract(tier_id=self.tier_online.id, auto_renew=True)
        self.assertTrue(contract.auto_renew)

    def test_tier_switch_clears_what_no_longer_applies(self):
        contract = self.make_contract(tier_id=self.tier_online.id, auto_renew=True)
        contract.tier_id = self.tier_software
        self.assertFalse(contract.auto_renew, "automatic renewal: online only")
        self.assertAlmostEqual(
            contract.line_ids.price_unit, 1000.0 * 22 / 100, msg="re-priced"
        )

    def test_tier_switch_warns_when_a_price_needs_a_licence_value(self):
        contract = self.make_contract(
            tier_id=self.tier_online.id, lines=[{"quantity": 5}]
        )
        form = Form(contract.with_user(self.manager))
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form.tier_id = self.tier_software
        self.assertIn("licence value", logs.output[0])

    def test_percent_of_licence_line_without_licence_value_cannot_activate(self):
        contract = self.make_contract(lines=[{"quantity": 5}])
        with self.assertRaisesRegex(UserError, "licence value"):
            contract.action_activate()
        self.assertEqual(contract.state, "draft")
        contract.line_ids.license_value = 100.0
        contract.action_activate()
        self.assertEqual(contract.state, "active")

    def test_reseller_must_be_a_reseller(self):
        with self.assertRaisesRegex(ValidationError, "is not a reseller"):
            self.make_contract(reseller_id=self.customer.id)

    def test_reseller_contact_counts_as_its_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Sales desk", "parent_id": self.reseller.id}
        )
        contract = self.make_contract(reseller_id=contact.id)
        self.assertEqual(contract.reseller_id, contact)

    @mute_logger("odoo.sql_db")
    def test_tier_code_unique_per_company(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["symantec.maintenance.tier"].create(
                {"name": "Copy", "code": self.tier_software.code}
            )
        other_company = self.env["res.company"].create({"name": "Other Co"})
        tier = self.env["symantec.maintenance.tier"].create(
            {
                "name": "Copy",
                "code": self.tier_software.code,
                "company_id": other_company.id,
            }
        )
        self.assertEqual(tier.code, self.tier_software.code)

    def test_company_policy_is_validated(self):
        with self.assertRaisesRegex(ValidationError, "whole numbers of days"):
            self.company.renewal_reminder_offsets = "-30, soon"
        with self.assertRaises(ValidationError):
            self.company.late_uplift_percent = -1
        with self.assertRaisesRegex(ValidationError, "shorter than the grace"):
            self.company.write({"renewal_grace_days": 60, "max_reinstatement_days": 30})

    def test_company_policy_defaults(self):
        company = self.env["res.company"].create({"name": "Fresh Co"})
        self.assertEqual(company.renewal_notice_days, 120)
        self.assertEqual(
            company.renewal_reminder_offset_list(), (-120, -90, -60, -30, -7, 0, 7, 30)
        )
        self.assertEqual(company.renewal_grace_days, 0)
        self.assertEqual(company.late_uplift_percent, 10)
        self.assertEqual(company.reinstatement_fee_percent, 20)
        self.assertEqual(company.reinstatement_fee_min, 100)
        self.assertEqual(company.max_reinstatement_days, 365)
        self.assertEqual(company.auto_renew_lead_days, 7)


@tagged("post_install", "-at_install")
class TestRenewalPolicyForManagers(RenewalsCommon):
    def test_manager_edits_the_policy_without_being_administrator(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        Wizard = self.env["symantec.renewal.policy.wizard"].with_user(self.manager)
        wizard = Wizard.create({})
        self.assertEqual(wizard.renewal_notice_days, 120)
        wizard.write({"renewal_grace_days": 30, "reinstatement_fee_min": 150.0})
        done = wizard.action_apply()
        self.assertIn(self.company.name, done["params"]["message"], "not silent")
        self.assertEqual(self.company.renewal_grace_days, 30)
        self.assertEqual(self.company.reinstatement_fee_min, 150.0)

    def test_policy_is_still_validated(self):
        wizard = (
            self.env["symantec.renewal.policy.wizard"]
            .with_user(self.manager)
            .create({})
        )
        # Refused as soon as it is entered, not only when applied.
        with self.assertRaises(ValidationError):
            wizard.renewal_reminder_offsets = "soon"
        wizard.action_apply()
        self.assertNotEqual(self.env.company.renewal_reminder_offsets, "soon")

    def test_reps_cannot_change_the_policy(self):
        with self.assertRaises(AccessError):
            self.env["symantec.renewal.policy.wizard"].with_user(self.rep).create({})

    def test_settings_show_the_policy_and_lead_to_the_dialog(self):
        """The policy is changed in one place, the Renewal Policy dialog:
        Settings (for administrators only) shows it read-only, with a
        button to that dialog."""
        names = list(RENEWAL_POLICY_FIELDS)
        Settings = self.env["res.config.settings"]
        readonly = Settings.fields_get(names, ["readonly"])
        self.assertEqual(
            {name: info["readonly"] for name, info in readonly.items()},
            dict.fromkeys(names, True),
        )
        self.company.renewal_notice_days = 90
        self.assertEqual(Settings.create({}).renewal_notice_days, 90, "shown")
        before = self.company.read(names)
        Settings.create(
            {
                "renewal_notice_days": 30,
                "renewal_grace_days": 60,
                "renewal_reminder_offsets": "-10",
                "reinstatement_fee_min": 5.0,
            }
        ).execute()
        self.company.invalidate_recordset()
        self.assertEqual(self.company.read(names), before, "saving Settings keeps it")
        action = self.env.ref("symantec_renewals.symantec_renewal_policy_wizard_action")
        arch = Settings.get_view(view_type="form")["arch"]
        self.assertIn(f'name="{action.id}"', arch)
