from datetime import date

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class RenewalsCommon(TransactionCase):
    """Users of each renewal group, partners, tiers and a contract factory,
    shared by the addon's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.team_emea = cls.env.ref("symantec_renewals.crm_team_renewals_emea")
        cls.team_jp = cls.env.ref("symantec_renewals.crm_team_renewals_jp")
        cls.rep = new_test_user(
            cls.env,
            login="renewal_rep",
            name="Renewal Rep",
            groups="symantec_renewals.group_renewal_user",
        )
        cls.rep_jp = new_test_user(
            cls.env,
            login="renewal_rep_jp",
            name="Renewal Rep Japan",
            groups="symantec_renewals.group_renewal_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="renewal_manager",
            name="Renewal Manager",
            groups="symantec_renewals.group_renewal_manager",
        )
        cls.employee = new_test_user(
            cls.env,
            login="plain_employee",
            name="Plain Employee",
            groups="base.group_user",
        )
        # The regional teams hold only the users below: demo data gives them
        # leaders and members of its own.
        teams = cls.env["crm.team"].search([("renewal_region", "!=", False)])
        teams.with_context(active_test=False).crm_team_member_ids.unlink()
        teams.user_id = False
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team_emea.id, "user_id": cls.rep.id},
                {"crm_team_id": cls.team_jp.id, "user_id": cls.rep_jp.id},
            ]
        )
        cls.team_emea.user_id = cls.manager
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Acme Industrie S.p.A.",
                "is_company": True,
                "email": "it@acme.example.com",
            }
        )
        cls.reseller = cls.env["res.partner"].create(
            {
                "name": "Channel Partner Srl",
                "is_company": True,
                "is_reseller": True,
                "email": "renewals@channel.example.com",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Endpoint Protection", "type": "service"}
        )
        cls.tier_software = cls.env.ref("symantec_renewals.tier_essential_support")
        cls.tier_online = cls.env.ref("symantec_renewals.tier_cloud_support")
        cls.tier_hardware = cls.env.ref("symantec_renewals.tier_hardware_support_4h")

    @classmethod
    def add_groups(cls, user, *xmlids):
        user.group_ids = [Command.link(cls.env.ref(xmlid).id) for xmlid in xmlids]

    @classmethod
    def make_contract(cls, lines=None, **values):
        """A contract of one year for the EMEA customer, with one line of
        10 units at a licence value of 1,000 unless told otherwise."""
        vals = {
            "partner_id": cls.customer.id,
            "reseller_id": cls.reseller.id,
            "region": "emea",
            "tier_id": cls.tier_software.id,
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "line_ids": [
                Command.create({"product_id": cls.product.id, **line})
                for line in (
                    [{"quantity": 10, "license_value": 1000.0}]
                    if lines is None
                    else lines
                )
            ],
        }
        vals.update(values)
        return cls.env["symantec.contract"].create(vals)
