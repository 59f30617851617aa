from datetime import timedelta
from itertools import product

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .test_renewal_run import END, RenewalRunCommon

LIFECYCLE = ["upcoming", "quoted", "late", "reinstatement", "won", "lapsed"]


@tagged("post_install", "-at_install")
class TestRenewalStages(RenewalRunCommon):
    """The renewal pipeline's stages: one per renewal status, the renewal in
    the stage of its status, and a drag that does what the stage means."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stages = cls.env["crm.stage"]._renewal_stages()

    def renewal(self, **values):
        contract = self.active_contract(user_id=self.rep.id, **values)
        self.run_on(END - timedelta(days=120))
        return contract, contract.renewal_lead_id

    def assertInStage(self, lead, status):
        self.assertEqual(lead.renewal_status, status)
        self.assertEqual(lead.stage_id, self.stages[status])

    def test_pipeline_columns_are_the_renewal_stages_in_lifecycle_order(self):
        """The renewal pipeline's kanban shows every renewal stage in the
        lifecycle's order, and none of the sales stages."""
        self.renewal()
        groups = (
            self.env["crm.lead"]
            .with_context(read_group_expand=True, default_is_renewal=True)
            .formatted_read_group(
                [("is_renewal", "=", True)], ["stage_id"], ["__count"]
            )
        )
        stages = self.env["crm.stage"].browse([g["stage_id"][0] for g in groups])
        self.assertEqual(stages.mapped("renewal_status"), LIFECYCLE)

    def test_sales_pipeline_shows_no_renewal_stage(self):
        self.renewal()
        groups = (
            self.env["crm.lead"]
            .with_context(read_group_expand=True)
            .formatted_read_group(
                [("is_renewal", "=", False)], ["stage_id"], ["__count"]
            )
        )
        stages = self.env["crm.stage"].browse([g["stage_id"][0] for g in groups])
        self.assertTrue(stages, "the sales stages are shown")
        self.assertFalse(any(stages.mapped("renewal_status")))

    def test_sales_opportunity_never_enters_a_renewal_stage(self):
        lead = self.env["crm.lead"].create({"name": "New deal", "type": "opportunity"})
        self.assertTrue(lead.stage_id)
        self.assertFalse(lead.stage_id.renewal_status)
        with self.assertRaises(UserError):
            lead.with_user(self.manager).write({"stage_id": self.stages["quoted"].id})
        self.assertFalse(lead.stage_id.renewal_status)

    def test_stage_follows_the_status_through_the_lifecycle(self):
        self.company.renewal_grace_days = 30
        _contract, lead = self.renewal()
        self.assertInStage(lead, "upcoming")
        self.run_on(END + timedelta(days=1))
        self.assertInStage(lead, "late")
        self.run_on(END + timedelta(days=31))
        self.assertInStage(lead, "reinstatement")
        self.run_on(END + timedelta(days=366))
        lead = lead.with_context(active_test=False)
        self.assertInStage(lead, "lapsed")
        self.assertEqual(lead.won_status, "lost")

    def test_confirmed_quote_wins_in_the_won_stage(self):
        contract, lead = self.renewal()
        with freeze_time(END - timedelta(days=10)):
            contract.action_generate_renewal_quote()
        self.assertInStage(lead, "quoted")
        with freeze_time(END - timedelta(days=5)):
            contract.renewal_order_id.action_confirm()
        self.assertInStage(lead, "won")
        self.assertEqual(lead.won_status, "won")
        self.assertEqual(lead.probability, 100)

    def test_drag_to_quoted_makes_the_reseller_quote(self):
        contract, lead = self.renewal()
        self.assertFalse(contract.renewal_order_id)
        with freeze_time(END - timedelta(days=100)):
            lead.with_user(self.rep).write({"stage_id": self.stages["quoted"].id})
        self.assertTrue(contract.renewal_order_id)
        self.assertEqual(contract.renewal_order_id.opportunity_id, lead)
        self.assertInStage(lead, "quoted")

    def test_drag_to_won_points_to_the_quote_and_changes_nothing(self):
        contract, lead = self.renewal()
        with freeze_time(END - timedelta(days=100)):
            contract.action_generate_renewal_quote()
        order = contract.renewal_order_id
        with self.assertRaises(RedirectWarning) as caught:
            lead.with_user(self.rep).write({"stage_id": self.stages["won"].id})
        self.assertIn(order.name, caught.exception.args[2])
        self.assertEqual(caught.exception.args[1]["res_id"], order.id)
        self.assertInStage(lead, "quoted")
        self.assertEqual(lead.won_status, "pending")
        self.assertEqual(order.state, "draft")

    def test_mark_won_by_hand_is_refused_before_the_renewal(self):
        """CRM's "Won" button writes the won stage: refused alike."""
        _contract, lead = self.renewal()
        with self.assertRaises(UserError):
            lead.with_user(self.rep).action_set_won()
        self.assertInStage(lead, "upcoming")
        self.assertNotEqual(lead.won_status, "won")

    def test_date_driven_stages_cannot_be_dragged_to(self):
        contract, lead = self.renewal()
        for status in ("late", "reinstatement", "lapsed", "upcoming"):
            target = self.stages[status]
            if status == "upcoming":
                with freeze_time(END - timedelta(days=100)):
                    contract.action_generate_renewal_quote()
            with self.subTest(status=status), self.assertRaises(UserError):
                lead.with_user(self.rep).write({"stage_id": target.id})
        self.assertInStage(lead, "quoted")

    def test_renewal_cannot_leave_for_a_sales_stage(self):
        _contract, lead = self.renewal()
        sales_stage = self.env["crm.stage"].search(
            [("renewal_status", "=", False)], limit=1
        )
        with self.assertRaises(UserError):
            lead.with_user(self.manager).write({"stage_id": sales_stage.id})
        self.assertInStage(lead, "upcoming")

    def test_drag_by_another_team_makes_no_quote(self):
        contract, lead = self.renewal()
        with self.assertRaises(AccessError):
            lead.with_user(self.rep_jp).write({"stage_id": self.stages["quoted"].id})
        self.assertFalse(contract.renewal_order_id)
        self.assertInStage(lead, "upcoming")

    def test_stage_bar_offers_renewal_stages_to_renewals_only(self):
        """The opportunity form's stage bar and the stage field's own domain
        (the stage picker), evaluated as the web client does: the renewal
        stages for a renewal, the sales stages otherwise."""
        arch = self.env["crm.lead"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        statusbar = etree.fromstring(arch).xpath("//header//field[@name='stage_id']")
        self.assertEqual(len(statusbar), 1)
        domains = {
            "form": statusbar[0].get("domain"),
            "field": self.env["crm.lead"]._fields["stage_id"].domain,
        }
        renewal_stages = set(self.stages.values())
        for (where, domain), is_renewal in product(domains.items(), (True, False)):
            with self.subTest(where=where, is_renewal=is_renewal):
                offered = self.env["crm.stage"].search(
                    safe_eval(
                        domain, {"is_renewal": is_renewal, "team_id": self.team_emea.id}
                    )
                )
                self.assertTrue(offered)
                if is_renewal:
                    self.assertEqual(set(offered), renewal_stages)
                else:
                    self.assertFalse(set(offered) & renewal_stages)

    def test_renewal_status_of_a_stage_is_the_module_s(self):
        """A sales manager may edit the stages, not which status one shows."""
        sales_manager = new_test_user(
            self.env,
            login="sales_manager_stages",
            groups="sales_team.group_sale_manager",
        )
        stage = self.stages["quoted"].with_user(sales_manager)
        stage.name = "Quote sent"
        with self.assertRaises(AccessError):
            stage.write({"renewal_status": False})
        with self.assertRaises(AccessError):
            self.env["crm.stage"].with_user(sales_manager).create(
                {"name": "Second quoted", "renewal_status": "won"}
            )
        self.assertEqual(self.stages["quoted"].renewal_status, "quoted")

    def test_upgrade_moves_the_renewals_to_the_stage_of_their_status(self):
        """Before 19.0.1.3.0 every renewal stayed in the first sales stage."""
        contract, lead = self.renewal()
        with freeze_time(END - timedelta(days=100)):
            contract.action_generate_renewal_quote()
        sales_stage = self.env["crm.stage"].search(
            [("renewal_status", "=", False)], limit=1
        )
        self.env.flush_all()
        self.cr.execute(
            "UPDATE crm_lead SET stage_id = %s WHERE id = %s", [sales_stage.id, lead.id]
        )
        self.env.invalidate_all()
        self.assertEqual(lead.stage_id, sales_stage)
        self.migrate("19.0.1.3.0", "post", from_version="19.0.1.2.0")
        self.env.invalidate_all()
        self.assertInStage(lead, "quoted")

    def test_renewal_quote_button_opens_the_one_reseller_quote(self):
        contract, lead = self.renewal()
        with freeze_time(END - timedelta(days=100)):
            first = lead.with_user(self.rep).action_renewal_quote()
            second = lead.with_user(self.rep).action_renewal_quote()
        order = contract.renewal_order_id
        self.assertTrue(order)
        self.assertEqual(
            (first["res_model"], first["res_id"]), ("sale.order", order.id)
        )
        self.assertEqual(second["res_id"], order.id, "the open quote, not a second")
        self.assertInStage(lead, "quoted")
