from odoo.tests import TransactionCase, tagged

from odoo.addons.symantec_renewals.tests.i18n_common import ItalianTranslationChecks


@tagged("post_install", "-at_install")
class TestItalianTranslation(ItalianTranslationChecks, TransactionCase):
    MODULE = "spreadsheet_dashboard_symantec_renewals"

    def test_the_dashboards_own_labels_are_its_terms(self):
        self.assertIn("Late", self.terms, "the dashboard's own labels")

    def test_italian_dashboard_name_loads(self):
        self.load_italian()
        dashboard = self.env.ref(f"{self.MODULE}.spreadsheet_dashboard_renewals")
        self.assertEqual(dashboard.with_context(lang="it_IT").name, "Rinnovi")
