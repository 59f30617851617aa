from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestRenewalForms(RenewalsCommon):
    """How the renewal screens are laid out and what they answer."""

    def arch(self, model, view_type="form", user=None):
        records = self.env[model].with_user(user or self.rep)
        views = records.get_views([(False, view_type)])["views"]
        return etree.fromstring(views[view_type]["arch"])

    def test_opportunity_renewal_block_has_its_own_row(self):
        """Not in the properties' flex row, where it is squeezed to letters."""
        arch = self.arch("crm.lead")
        block = arch.xpath("//group[@name='renewal']")
        self.assertEqual(len(block), 1)
        self.assertFalse(
            block[0].xpath("ancestor::div[field[@name='lead_properties']]")
        )
        labels = {
            field.get("name"): field.get("string") for field in block[0].iter("field")
        }
        self.assertEqual(labels["renewal_contract_id"], "Contract")
        self.assertEqual(labels["renewal_due_date"], "Due Date")

    def test_contract_form_has_one_renewal_tab(self):
        arch = self.arch("symantec.contract")
        pages = [page.get("string") for page in arch.iter("page")]
        self.assertEqual(pages.count("Renewal"), 1, pages)
        renewal = arch.xpath("//page[@name='renewal']")[0]
        for name in ("renewal_lead_id", "renewal_case", "renewal_checked_date"):
            self.assertTrue(renewal.xpath(f".//field[@name='{name}']"), name)

    def test_teammate_prepares_the_renewal_quote(self):
        """A rep of the team makes the quote of a teammate's contract."""
        teammate = new_test_user(
            self.env,
            login="renewal_teammate",
            name="Renewal Teammate",
            groups="symantec_renewals.group_renewal_user",
        )
        self.env["crm.team.member"].create(
            {"crm_team_id": self.team_emea.id, "user_id": teammate.id}
        )
        contract = self.make_contract(user_id=teammate.id)
        contract.action_activate()
        with freeze_time(date(2026, 11, 1)):
            action = contract.with_user(self.rep).action_generate_renewal_quote()
        self.assertEqual(action["res_id"], contract.renewal_order_id.id)
        self.assertEqual(contract.renewal_order_id.user_id, teammate)

    def test_quote_refused_by_the_rules_says_why(self):
        """Where the record rules refuse the quote, the rep reads which
        contract and whom to ask, not the raw access error."""
        contract = self.make_contract(user_id=self.rep.id)
        contract.action_activate()
        Contract = type(self.env["symantec.contract"])
        with (
            patch.object(
                Contract,
                "_generate_renewal_quotes",
                side_effect=AccessError("raw access error"),
                autospec=True,
            ),
            self.assertRaisesRegex(UserError, contract.name) as caught,
        ):
            contract.with_user(self.rep).action_generate_renewal_quote()
        self.assertNotIsInstance(caught.exception, AccessError)
        self.assertIn("Renewal Rep", str(caught.exception))
        self.assertNotIn("raw access error", str(caught.exception))
