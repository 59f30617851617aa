from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRenewalsUi(HttpCase):
    def test_rep_opens_renewals_menu(self):
        """A renewal rep logs in and opens the Renewals app in a real browser."""
        new_test_user(
            self.env,
            login="tour_rep",
            name="Tour Rep",
            groups="symantec_renewals.group_renewal_user",
        )
        self.start_tour("/odoo", "symantec_renewals_open_menu", login="tour_rep")

    def test_rep_records_activates_finds_and_follows_contract(self):
        """A rep of the EMEA renewal team records a contract in the browser,
        checks its yearly value, activates it, finds it again with the search
        view and follows it."""
        rep = new_test_user(
            self.env,
            login="tour_contract_rep",
            name="Tour Contract Rep",
            groups="symantec_renewals.group_renewal_user",
        )
        emea = self.env.ref("symantec_renewals.crm_team_renewals_emea")
        # The rep is the team's only member, and it has no leader (demo data
        # gives it both): the contract's rep defaults to them.
        emea.with_context(active_test=False).crm_team_member_ids.unlink()
        emea.user_id = False
        self.env["crm.team.member"].create({"crm_team_id": emea.id, "user_id": rep.id})
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer Spa", "is_company": True}
        )
        product = self.env["product.product"].create(
            {"name": "Tour Endpoint Suite", "type": "consu", "list_price": 1000.0}
        )
        tier = self.env.ref("symantec_renewals.tier_essential_support")
        # EMEA terms the search must leave out: the same customer's term ending
        # in 200 days, and another customer's term ending as soon as the new one.
        other_customer = self.env["res.partner"].create({"name": "Other Tour Client"})
        today = fields.Date.context_today(rep)
        Contract = self.env["symantec.contract"]
        existing = Contract.browse()
        for partner, days in ((customer, 200), (other_customer, 20)):
            date_end = today + relativedelta(days=days)
            existing |= Contract.create(
                {
                    "partner_id": partner.id,
                    "region": "emea",
                    "tier_id": tier.id,
                    "date_start": date_end - relativedelta(years=1, days=-1),
                    "date_end": date_end,
                    "line_ids": [
                        Command.create({"product_id": product.id, "license_value": 500})
                    ],
                }
            )
        existing.action_activate()

        self.start_tour("/odoo", "symantec_renewals_contract_tour", login=rep.login)

        contract = Contract.search(
            [("partner_id", "=", customer.id), ("id", "not in", existing.ids)]
        )
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.region, "emea")
        self.assertEqual(contract.team_id, emea)
        self.assertEqual(contract.user_id, rep)
        self.assertEqual(contract.tier_id, tier)
        self.assertEqual(
            contract.date_end, contract.date_start + relativedelta(years=1, days=-1)
        )
        self.assertEqual(contract.term_months, 12)
        self.assertIn(contract.days_to_end, (19, 20, 21))
        self.assertEqual(contract.line_ids.product_id, product)
        self.assertAlmostEqual(contract.amount_total, 220.0)
        self.assertIn(rep.partner_id, contract.message_partner_ids)
