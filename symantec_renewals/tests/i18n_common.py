"""The translation checks every addon of the repository runs on itself:
its .pot holds each of its terms, and its Italian translation is complete
and speaks to the user as Odoo's own Italian does. A mixin, not a test case:
each addon's test module collects it once."""

import re

from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader, translation_file_reader

# The formal register ("Lei"): its possessives and courtesy phrases. Odoo's
# Italian (the portal, sale, the e-mails of both) says "tu" to the reader.
FORMAL_ITALIAN = re.compile(
    r"\b(?:Lei|Suo|Sua|Suoi|Sue|La preghiamo|La ringraziamo|Le invi\w+"
    r"|Richieda|ci contatti|non esiti)\b"
)
INFORMAL_ITALIAN = re.compile(r"\b(?:tuo|tua|tuoi|tue)\b")
# Odoo's modules whose register the translation follows.
ODOO_REGISTER_MODULES = ("portal", "sale")


class ItalianTranslationChecks:
    """Mixed into a ``TransactionCase`` that sets ``MODULE``."""

    MODULE = None
    # Terms whose Italian is the English (brand names, acronyms, words
    # Italian borrows): the OCA layout of the .po leaves their msgstr empty,
    # and Odoo shows the source.
    SAME_IN_ITALIAN = frozenset()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.terms = {
            row[4] for row in TranslationModuleReader(cls.env.cr, modules=[cls.MODULE])
        }

    def po_entries(self, name, module=None):
        """{msgid: msgstr} of the i18n file ``name`` of ``module`` (the addon
        by default)."""
        module = module or self.MODULE
        with open(file_path(f"{module}/i18n/{name}"), "rb") as handle:
            return {
                entry["src"]: entry["value"]
                for entry in translation_file_reader(
                    handle, fileformat="po", module=module
                )
            }

    def test_pot_holds_every_term_of_the_addon(self):
        missing = self.terms - set(self.po_entries(f"{self.MODULE}.pot"))
        self.assertFalse(missing, "run 'setup/devtool.py i18n' to refresh the .pot")

    def test_italian_translation_is_complete(self):
        italian = self.po_entries("it.po")
        untranslated = {term for term in self.terms if not italian.get(term)}
        self.assertFalse(
            untranslated - self.SAME_IN_ITALIAN, "terms without an Italian translation"
        )
        self.assertFalse(
            self.SAME_IN_ITALIAN - set(self.po_entries(f"{self.MODULE}.pot")),
            "no longer terms of the addon",
        )

    def test_italian_says_tu_as_odoo_does(self):
        """One register on a page: the addon's text sits beside Odoo's (the
        portal home, the quote page, the e-mail layout), which says "tu"."""
        for module in ODOO_REGISTER_MODULES:
            odoo = self.po_entries("it.po", module).values()
            self.assertTrue(any(INFORMAL_ITALIAN.search(text) for text in odoo))
            self.assertFalse(
                [text for text in odoo if FORMAL_ITALIAN.search(text)],
                f"{module}'s Italian is no longer informal: review the register",
            )
        formal = {
            source: FORMAL_ITALIAN.search(text).group()
            for source, text in self.po_entries("it.po").items()
            if FORMAL_ITALIAN.search(text)
        }
        self.assertFalse(formal, 'formal "Lei" forms: write "tu" as Odoo does')

    def load_italian(self):
        """The addon's Italian as its it.po has it, whatever the database
        held before (a demo database keeps the terms it was installed with)."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            [self.MODULE], ["it_IT"], overwrite=True
        )
