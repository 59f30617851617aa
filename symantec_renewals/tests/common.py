from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class RenewalsCommon(TransactionCase):
    """Users of each renewal group, shared by the addon's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.rep = new_test_user(
            cls.env,
            login="renewal_rep",
            name="Renewal Rep",
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

    @classmethod
    def add_groups(cls, user, *xmlids):
        user.group_ids = [Command.link(cls.env.ref(xmlid).id) for xmlid in xmlids]
