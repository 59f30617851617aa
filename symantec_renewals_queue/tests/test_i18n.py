from odoo.tests import TransactionCase, tagged

from odoo.addons.symantec_renewals.tests.i18n_common import ItalianTranslationChecks


@tagged("post_install", "-at_install")
class TestItalianTranslation(ItalianTranslationChecks, TransactionCase):
    MODULE = "symantec_renewals_queue"

    def test_the_job_texts_are_its_terms(self):
        self.assertIn("Renewal run queued", self.terms)
