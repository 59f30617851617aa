from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

from .i18n_common import ItalianTranslationChecks

MODULE = "symantec_renewals"
# The demo users who work in Italian (README's demo logins).
ITALIAN_DEMO_USERS = (
    "res_users_renewal_rep",
    "res_users_portal_reseller",
    "res_users_portal_customer",
)
# The longest filter label Odoo's filter menu shows whole, in characters
# (checked in the browser: "In periodo di tolleranza" fits, "In scadenza
# entro 30 giorni" was cut).
FILTER_MENU_CHARS = 24


@tagged("post_install", "-at_install")
class TestItalianTranslation(ItalianTranslationChecks, TransactionCase):
    MODULE = MODULE
    SAME_IN_ITALIAN = frozenset(
        {
            # The vendor's offerings and products, sold under these names.
            "Essential Support",
            "Cloud Support",
            "Premium Support",
            "Data Loss Prevention",
            "Email Security.cloud",
            "Endpoint Protection",
            "Messaging Gateway",
            "Messaging Gateway 8380 Appliance",
            "Web Security Appliance S200",
            "Web Security Service",
            # Words Odoo's Italian keeps ("Lead", "Team di vendita", "ID").
            "EMEA",
            "ID",
            "Lead",
            "Team",
            '<span class="ms-1">%</span>',
        }
    )

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

    def test_italian_filter_labels_fit_the_filter_menu(self):
        self.load_italian()
        view_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", MODULE), ("model", "=", "ir.ui.view")])
            .mapped("res_id")
        )
        views = (
            self.env["ir.ui.view"]
            .browse(view_ids)
            .filtered(lambda view: view.type == "search")
        )
        self.assertTrue(views)
        labels = {
            label
            for view in views.with_context(lang="it_IT")
            for label in etree.fromstring(view.arch_db).xpath("//filter/@string")
        }
        self.assertIn("Scade entro 30 giorni", labels)
        too_long = sorted(label for label in labels if len(label) > FILTER_MENU_CHARS)
        self.assertFalse(too_long, "cut in the filter menu: shorten their Italian")


@tagged("post_install", "-at_install")
class TestItalianDemo(TransactionCase):
    """The demo loads Italian for its Italian users: the language, with the
    terms of Odoo's modules and of the addon."""

    def italian_names(self):
        """The names, in Italian, of a menu of Odoo's and of the addon's."""
        italian = self.env(context={"lang": "it_IT"})
        return (
            italian.ref("sale.sale_menu_root").name,
            italian.ref(f"{MODULE}.symantec_renewals_menu_root").name,
        )

    def test_demo_language_file_loads_italian_with_odoo_and_addon_terms(self):
        """demo/res_lang_demo.xml, loaded as the demo install loads it."""
        if not self.env.ref(f"base.module_{MODULE}").demo:
            # Without demo data nothing has loaded Italian yet: the file does.
            self.assertNotIn("it_IT", dict(self.env["res.lang"].get_installed()))
        convert_file(
            self.env, MODULE, "demo/res_lang_demo.xml", {}, mode="init", noupdate=True
        )
        self.assertIn("it_IT", dict(self.env["res.lang"].get_installed()))
        self.assertEqual(self.italian_names(), ("Vendite", "Rinnovi"))

    def test_italian_demo_users_work_and_are_written_to_in_italian(self):
        if not self.env.ref(f"base.module_{MODULE}").demo:
            self.skipTest("demo data is not loaded")
        for xmlid in ITALIAN_DEMO_USERS:
            with self.subTest(user=xmlid):
                self.assertEqual(self.env.ref(f"{MODULE}.{xmlid}").lang, "it_IT")
        self.assertEqual(self.italian_names(), ("Vendite", "Rinnovi"))
        # The demo's renewal run e-mailed the Italian customer in Italian.
        contract = self.env.ref(f"{MODULE}.symantec_contract_demo_rossi_meccanica_ess")
        sent = contract.message_ids.filtered(
            lambda message: message.message_type == "email_outgoing"
        )
        self.assertTrue(sent)
        templates = self.env["mail.template"].search([("model", "=", contract._name)])

        def subjects(templates, **render):
            """The templates' subjects for the contract, rendered as asked."""
            return {
                template._render_field("subject", contract.ids, **render)[contract.id]
                for template in templates
            }

        # In the customer's language, and in English.
        italian_subjects = subjects(templates, compute_lang=True)
        english_subjects = subjects(templates.with_context(lang="en_US"))
        self.assertFalse(italian_subjects & english_subjects)
        self.assertLessEqual(set(sent.mapped("subject")), italian_subjects)
