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
