from lxml import etree

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

    def test_settings_offer_to_load_italian_until_it_is(self):
        """Users cannot pick Italian before an administrator loads it:
        Settings → Renewals offers Odoo's own Add Languages dialog with
        Italian chosen, and no longer once it is loaded."""
        italian = (
            self.env["res.lang"]
            .with_context(active_test=False)
            .search([("code", "=", "it_IT")])
        )
        if italian.active:
            # Loaded already (demo data): its users and contacts set aside.
            self.env["res.partner"].with_context(active_test=False).search(
                [("lang", "=", "it_IT")]
            ).lang = "en_US"
            italian.active = False
        Settings = self.env["res.config.settings"]
        settings = Settings.create({})
        self.assertFalse(settings.renewal_italian_active)
        action = settings.action_load_italian()
        self.assertEqual(action["res_model"], "base.language.install")
        self.assertEqual(action["target"], "new")
        dialog = (
            self.env[action["res_model"]].with_context(**action["context"]).create({})
        )
        self.assertEqual(dialog.lang_ids, italian)
        self.load_italian()  # as the dialog's Add does
        self.assertTrue(Settings.create({}).renewal_italian_active)
        arch = etree.fromstring(Settings.get_view(view_type="form")["arch"])
        [button] = arch.xpath("//button[@name='action_load_italian']")
        self.assertEqual(button.get("invisible"), "renewal_italian_active")
