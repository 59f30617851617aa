from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader, translation_file_reader

MODULE = "spreadsheet_dashboard_symantec_renewals"


def po_entries(name):
    """{msgid: msgstr} of the addon's i18n file ``name``."""
    with open(file_path(f"{MODULE}/i18n/{name}"), "rb") as handle:
        return {
            entry["src"]: entry["value"]
            for entry in translation_file_reader(handle, fileformat="po", module=MODULE)
        }


@tagged("post_install", "-at_install")
class TestItalianTranslation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms = {
            row[4] for row in TranslationModuleReader(cls.env.cr, modules=[MODULE])
        }

    def test_pot_holds_every_term_of_the_addon(self):
        self.assertIn("Late", self.terms, "the dashboard's own labels")
        missing = self.terms - set(po_entries(f"{MODULE}.pot"))
        self.assertFalse(missing, "run 'setup/devtool.py i18n' to refresh the .pot")

    def test_italian_translation_is_complete(self):
        italian = po_entries("it.po")
        untranslated = {term for term in self.terms if not italian.get(term)}
        self.assertFalse(untranslated, "terms without an Italian translation")

    def test_italian_dashboard_name_loads(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms([MODULE], ["it_IT"])
        dashboard = self.env.ref(f"{MODULE}.spreadsheet_dashboard_renewals")
        self.assertEqual(dashboard.with_context(lang="it_IT").name, "Rinnovi")
