import re
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestContractDefaults(RenewalsCommon):
    def number(self, contract):
        """The sequence number of ``contract``'s reference."""
        return int(re.fullmatch(r"MNT/\d{4}/(\d{5})", contract.name)[1])

    def test_number_taken_at_activation(self):
        contract = self.make_contract()
        self.assertFalse(contract.name, "a draft has no number yet")
        self.assertEqual(contract.display_name, "New Contract")
        contract.action_activate()
        self.assertRegex(contract.name, r"^MNT/\d{4}/\d{5}$")
        self.assertEqual(contract.display_name, contract.name)
        other = self.make_contract()
        other.action_activate()
        self.assertEqual(self.number(other), self.number(contract) + 1)
        contract.action_cancel()
        contract.action_draft()
        contract.action_activate()
        self.assertEqual(self.number(contract), self.number(other) - 1, "kept")

    def test_failed_saves_take_no_number(self):
        """A new contract saved with an error (rolled back, as the web
        client's save is, to its savepoint) takes no number, and the error
        names none: the next contract activated gets the next number."""
        first = self.make_contract()
        first.action_activate()
        for values in (
            {"date_end": date(2026, 6, 30)},
            {"reseller_id": self.customer.id},
            {"lines": [{"quantity": 0, "license_value": 1000.0}]},
            # A running term, as an import of the installed base makes one.
            {"state": "active", "date_end": date(2026, 3, 31)},
        ):
            with self.subTest(values=values):
                with self.assertRaises(ValidationError) as caught:
                    self.make_contract(**values)
                self.assertNotIn("MNT/", str(caught.exception))
                self.assertIn("Contract (new)", str(caught.exception))
        # An activation refused (nothing covered) takes none either.
        empty = self.make_contract(lines=[])
        with self.assertRaises(UserError) as caught:
            empty.action_activate()
        self.assertNotIn("MNT/", str(caught.exception))
        self.assertFalse(empty.name)
        second = self.make_contract()
        second.action_activate()
        self.assertEqual(self.number(second), self.number(first) + 1)

    def test_running_contract_is_numbered_when_made(self):
        contract = self.make_contract(state="active")
        self.assertRegex(contract.name, r"^MNT/\d{4}/\d{5}$")
        cancelled = self.make_contract(state="cancelled")
        self.assertFalse(cancelled.name)

    def test_legacy_reference_is_kept(self):
        contract = self.make_contract(name="LEGACY-0042")
        self.assertEqual(contract.name, "LEGACY-0042")

    def test_team_and_rep_default_from_region(self):
        emea = self.make_contract(region="emea")
        self.assertEqual(emea.team_id, self.team_emea)
        self.assertEqual(emea.user_id, self.manager, "the team leader first")
        jp = self.make_contract(region="jp")
        self.assertEqual(jp.team_id, self.team_jp)
        self.assertEqual(jp.user_id, self.rep_jp, "else a member of the team")

    def test_region_change_moves_team_and_rep(self):
        contract = self.make_contract(region="emea")
        with Form(contract) as form:
            form.region = "jp"
        self.assertEqual(contract.team_id, self.team_jp)
        self.assertEqual(contract.user_id, self.rep_jp)

    def test_explicit_rep_of_the_team_is_kept(self):
        contract = self.make_contract(region="emea", user_id=self.rep.id)
        self.assertEqual(contract.user_id, self.rep)

    def test_company_team_preferred(self):
        other_company = self.env["res.company"].create({"name": "Renewals Japan KK"})
        own_team = self.env["crm.team"].create(
            {
                "name": "Renewals Japan KK",
                "renewal_region": "jp",
                "company_id": other_company.id,
            }
        )
        self.env.user.company_ids |= other_company
        tier = self.env["symantec.maintenance.tier"].create(
            {"name": "ESS", "code": "ESS-JP", "company_id": other_company.id}
        )
        contract = (
            self.env["symantec.contract"]
            .with_company(other_company)
            .create(
                {
                    "partner_id": self.customer.id,
                    "region": "jp",
                    "tier_id": tier.id,
                    "company_id": other_company.id,
                    "date_start": date(2026, 1, 1),
                    "date_end": date(2026, 12, 31),
                }
            )
        )
        self.assertEqual(contract.team_id, own_team)
        self.assertEqual(contract.currency_id, other_company.currency_id)

    def test_term_months_computed(self):
        contract = self.make_contract(
            date_start=date(2026, 2, 1), date_end=date(2028, 1, 31)
        )
        self.assertEqual(contract.term_months, 24)

    def test_activate_needs_covered_products(self):
        contract = self.make_contract(lines=[])
        with self.assertRaisesRegex(UserError, "covers no product"):
            contract.action_activate()
        contract = self.make_contract()
        contract.action_activate()
        self.assertEqual(contract.state, "active")
        with self.assertRaises(UserError):
            contract.action_activate()

    def test_cancel_and_back_to_draft(self):
        contract = self.make_contract()
        contract.action_activate()
        contract.action_cancel()
        self.assertEqual(contract.state, "cancelled")
        contract.action_draft()
        self.assertEqual(contract.state, "draft")

    def test_only_drafts_are_deleted(self):
        contract = self.make_contract()
        contract.action_activate()
        with self.assertRaises(UserError):
            contract.unlink()
        contract.action_cancel()
        contract.unlink()
        self.assertFalse(contract.exists())

    def test_auto_renew_opt_out_date_follows_the_switch(self):
        contract = self.make_contract(tier_id=self.tier_online.id, auto_renew=True)
        self.assertFalse(contract.auto_renew_opt_out_date)
        with freeze_time("2026-05-04"):
            contract.auto_renew = False
        self.assertEqual(contract.auto_renew_opt_out_date, date(2026, 5, 4))
        contract.auto_renew = True
        self.assertFalse(contract.auto_renew_opt_out_date)

    def test_state_changes_are_tracked(self):
        contract = self.make_contract().with_context(tracking_disable=False)
        self.cr.flush()  # a new record's changes are not tracked in its transaction
        contract.action_activate()
        self.env.flush_all()
        self.cr.flush()  # runs the tracking, as a commit would
        contract.invalidate_recordset(["message_ids"])
        tracked = contract.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(tracked[:1].new_value_char, "Active")
