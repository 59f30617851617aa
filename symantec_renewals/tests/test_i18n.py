from odoo.tests import TransactionCase, tagged

from .i18n_common import ItalianTranslationChecks


@tagged("post_install", "-at_install")
class TestItalianTranslation(ItalianTranslationChecks, TransactionCase):
    MODULE = "symantec_renewals"

    def test_italian_labels_load(self):
        self.load_italian()
        menu = self.env.ref(f"{self.MODULE}.symantec_renewals_menu_root")
        self.assertEqual(menu.with_context(lang="it_IT").name, "Rinnovi")
        self.assertEqual(menu.with_context(lang="en_US").name, "Renewals")
