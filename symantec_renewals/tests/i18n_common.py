"""The translation checks every addon of the repository runs on itself:
its .pot holds each of its terms, and its Italian translation is complete.
A mixin, not a test case: each addon's test module collects it once."""

from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader, translation_file_reader


class ItalianTranslationChecks:
    """Mixed into a ``TransactionCase`` that sets ``MODULE``."""

    MODULE = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms = {
            row[4] for row in TranslationModuleReader(cls.env.cr, modules=[cls.MODULE])
        }

    def po_entries(self, name):
        """{msgid: msgstr} of the addon's i18n file ``name``."""
        with open(file_path(f"{self.MODULE}/i18n/{name}"), "rb") as handle:
            return {
                entry["src"]: entry["value"]
                for entry in translation_file_reader(
                    handle, fileformat="po", module=self.MODULE
                )
            }

    def test_pot_holds_every_term_of_the_addon(self):
        missing = self.terms - set(self.po_entries(f"{self.MODULE}.pot"))
        self.assertFalse(missing, "run 'setup/devtool.py i18n' to refresh the .pot")

    def test_italian_translation_is_complete(self):
        italian = self.po_entries("it.po")
        untranslated = {term for term in self.terms if not italian.get(term)}
        self.assertFalse(untranslated, "terms without an Italian translation")

    def load_italian(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["it_IT"])
