from odoo.tests import tagged

from .common import RenewalsCommon


@tagged("post_install", "-at_install")
class TestSecurityGroups(RenewalsCommon):
    def test_manager_implies_user(self):
        self.assertTrue(self.manager.has_group("symantec_renewals.group_renewal_user"))
        self.assertFalse(self.rep.has_group("symantec_renewals.group_renewal_manager"))

    def test_rep_can_work_the_crm_pipeline(self):
        """A rep needs the sales rights to work opportunities and quotes."""
        self.assertTrue(self.rep.has_group("sales_team.group_sale_salesman"))
        self.assertTrue(self.manager.has_group("sales_team.group_sale_manager"))
        self.assertTrue(self.env["crm.lead"].with_user(self.rep).has_access("create"))

    def test_administrator_is_renewal_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("symantec_renewals.group_renewal_manager"))

    def test_renewals_menu_visible_to_renewal_groups_only(self):
        root = self.env.ref("symantec_renewals.symantec_renewals_menu_root")
        for user, visible in (
            (self.rep, True),
            (self.manager, True),
            (self.employee, False),
        ):
            with self.subTest(user=user.login):
                menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
                self.assertEqual(root.id in menus, visible)
                if visible:
                    action = self.env.ref("symantec_renewals.crm_lead_action_renewal")
                    child_ids = menus[root.id]["children"]
                    actions = {menus[child]["action_id"] for child in child_ids}
                    self.assertIn(action.id, actions)
