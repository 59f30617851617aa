import importlib.util
from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.extras import Json

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import file_open, file_path, mute_logger
from odoo.tools.convert import convert_file

from .common import RenewalsCommon

END = date(2026, 12, 31)
SEGMENTS = ("small_business", "enterprise", "small_business", "enterprise")


class RenewalRunCommon(RenewalsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["symantec.contract"]
        cls.reminder_type = cls.env.ref(
            "symantec_renewals.mail_activity_type_renewal_reminder"
        )
        # The runs handle the tests' own contracts: the database's (demo
        # data's) count as handled for good.
        # Nor are their cards charged again (demo data's declined card).
        cls.Contract.search([]).write(
            {"renewal_checked_date": date.max, "renewal_payment_next_date": False}
        )

    @contextmanager
    def no_commit(self):
        """The run commits after each batch; a test keeps its transaction."""
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 1.0
        ):
            yield

    def migrate(self, version, stage, from_version):
        """Run the module's ``stage``-migrate script of ``version`` as an
        upgrade from ``from_version`` would."""
        name = f"symantec_renewals_{stage}_migrate_{version.replace('.', '_')}"
        spec = importlib.util.spec_from_file_location(
            name,
            file_path(f"symantec_renewals/migrations/{version}/{stage}-migrate.py"),
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.cr, from_version)

    def run_on(self, day, **kwargs):
        with freeze_time(day), self.no_commit():
            self.Contract._cron_renewal_run(**kwargs)
        self.env.invalidate_all()

    def active_contract(self, **values):
        contract = self.make_contract(**values)
        contract.action_activate()
        return contract

    def emails(self, record, subject_part=None):
        """E-mails (not notes) logged in ``record``'s chatter."""
        messages = record.message_ids.filtered(
            lambda m: (
                m.message_type in ("comment", "email_outgoing") and m.notification_ids
            )
        )
        if subject_part:
            messages = messages.filtered(lambda m: subject_part in (m.subject or ""))
        return messages

    def recipients(self, messages):
        """The partners ``messages`` are e-mailed to."""
        return messages.notification_ids.res_partner_id

    def reminders(self, contract):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", contract.renewal_lead_id.id),
                ("activity_type_id", "=", self.reminder_type.id),
            ]
        )

    def setUp(self):
        super().setUp()
        self._existing = self._count_all()

    def snapshot(self):
        """Everything the test's runs created, counted (the database's own
        records, demo data's included, left out)."""
        return {
            name: count - self._existing[name]
            for name, count in self._count_all().items()
        }

    def _count_all(self):
        return {
            "leads": self.env["crm.lead"]
            .with_context(active_test=False)
            .search_count([("is_renewal", "=", True)]),
            "orders": self.env["sale.order"].search_count(
                [("renewal_contract_id", "!=", False)]
            ),
            "activities": self.env["mail.activity"].search_count(
                [("activity_type_id", "=", self.reminder_type.id)]
            ),
            "emails": self.env["mail.message"].search_count(
                [("message_type", "=", "email_outgoing")]
            ),
            "mails": self.env["mail.mail"].search_count([]),
        }


@tagged("post_install", "-at_install")
class TestRenewalOpportunity(RenewalRunCommon):
    def test_nothing_before_the_notice_window(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=121))
        self.assertFalse(contract.renewal_lead_id)
        self.assertEqual(contract.state, "active")

    def test_opportunity_created_once_in_the_regional_pipeline(self):
        contract = self.active_contract(user_id=self.rep.id)
        self.run_on(END - timedelta(days=120))
        lead = contract.renewal_lead_id
        self.assertTrue(lead.is_renewal)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.team_id, self.team_emea)
        self.assertEqual(lead.user_id, self.rep)
        self.assertEqual(lead.partner_id, self.customer)
        self.assertEqual(lead.renewal_reseller_id, self.reseller)
        self.assertEqual(lead.renewal_due_date, END)
        self.assertEqual(lead.renewal_contract_id, contract)
        self.assertAlmostEqual(lead.expected_revenue, contract.amount_total)
        self.assertEqual(lead.renewal_status, "upcoming")
        self.assertEqual(contract.state, "expiring")
        self.run_on(END - timedelta(days=119))
        self.assertEqual(
            self.env["crm.lead"].search_count(
                [("renewal_contract_id", "=", contract.id)]
            ),
            1,
        )

    def test_second_run_the_same_day_changes_nothing(self):
        self.active_contract(customer_segment="enterprise")
        self.active_contract(customer_segment="small_business")
        day = END - timedelta(days=60)
        self.run_on(day)
        first = self.snapshot()
        self.assertEqual(first["leads"], 2)
        self.run_on(day)
        self.assertEqual(self.snapshot(), first)

    def test_drafts_and_cancelled_contracts_are_left_alone(self):
        draft = self.make_contract()
        cancelled = self.active_contract()
        cancelled.action_cancel()
        self.run_on(END)
        self.assertFalse(draft.renewal_lead_id)
        self.assertFalse(cancelled.renewal_lead_id)


@tagged("post_install", "-at_install")
class TestSmallBusinessFlow(RenewalRunCommon):
    def test_walk_from_notice_to_lapse_day_by_day(self):
        """From 120 days before the end to 400 days after: one notification
        then one reminder per milestone, each with an activity for the rep;
        expiry, reinstatement, then lapse."""
        contract = self.active_contract(user_id=self.rep.id)
        fired = {}
        day = END - timedelta(days=121)
        while day <= END + timedelta(days=400):
            before = self.snapshot()
            self.run_on(day)
            after = self.snapshot()
            if after["activities"] != before["activities"]:
                fired[(day - END).days] = after["activities"] - before["activities"]
            self.assertEqual(
                after["activities"] - before["activities"],
                after["emails"] - before["emails"],
                f"one e-mail per activity on {day}",
            )
            self.assertEqual(after["orders"], 0, "small business: quote on request")
            day += timedelta(days=1)
        self.assertEqual(fired, dict.fromkeys((-120, -90, -60, -30, -7, 0, 7, 30), 1))
        emails = self.emails(contract)
        self.assertEqual(len(emails), 8)
        self.assertTrue(all(self.recipients(m) == self.customer for m in emails))
        first = emails.sorted("id")[0]
        self.assertIn("ends on", first.subject)
        self.assertNotIn("Reminder", first.subject, "the first e-mail notifies")
        self.assertEqual(len(self.emails(contract, "Reminder")), 7)
        summaries = self.reminders(contract).mapped("summary")
        self.assertIn("Renewal reminder: 120 days before the end", summaries)
        self.assertIn("Renewal reminder: maintenance ends today", summaries)
        self.assertIn("Renewal reminder: 30 days after the end", summaries)
        deadlines = sorted(self.reminders(contract).mapped("date_deadline"))
        self.assertEqual(deadlines[0], END - timedelta(days=120))
        self.assertEqual(deadlines[-1], END + timedelta(days=30))
        self.assertTrue(all(a.user_id == self.rep for a in self.reminders(contract)))
        lead = contract.renewal_lead_id.with_context(active_test=False)
        self.assertEqual(contract.state, "expired")
        self.assertEqual(contract.renewal_case, "lapsed")
        self.assertEqual(lead.renewal_status, "lapsed")
        self.assertFalse(lead.active)
        self.assertEqual(
            lead.lost_reason_id,
            self.env.ref("symantec_renewals.crm_lost_reason_lapsed"),
        )

    def test_expiry_late_then_reinstatement(self):
        self.company.renewal_grace_days = 30
        contract = self.active_contract()
        self.run_on(END)
        self.assertEqual(contract.state, "expiring")
        self.assertEqual(contract.renewal_lead_id.renewal_status, "upcoming")
        self.run_on(END + timedelta(days=1))
        self.assertEqual(contract.state, "expired")
        self.assertEqual(contract.renewal_lead_id.renewal_status, "late")
        self.run_on(END + timedelta(days=30))
        self.assertEqual(contract.renewal_lead_id.renewal_status, "late")
        self.run_on(END + timedelta(days=31))
        self.assertEqual(contract.renewal_lead_id.renewal_status, "reinstatement")
        self.run_on(END + timedelta(days=365))
        self.assertEqual(contract.renewal_lead_id.renewal_status, "reinstatement")
        self.assertTrue(contract.renewal_lead_id.active)
        self.run_on(END + timedelta(days=366))
        lead = contract.renewal_lead_id.with_context(active_test=False)
        self.assertEqual(lead.renewal_status, "lapsed")
        self.assertFalse(lead.active)

    def test_missed_runs_catch_up_with_the_latest_milestone_only(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=55))  # -120, -90 and -60 are all due
        reminder = self.reminders(contract)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.summary, "Renewal reminder: 60 days before the end")
        self.assertEqual(
            reminder.date_deadline, END - timedelta(days=55), "due today, not overdue"
        )
        self.assertEqual(len(self.emails(contract)), 1)
        self.run_on(END - timedelta(days=40))
        self.assertEqual(len(self.reminders(contract)), 1, "nothing new is due")
        self.run_on(END - timedelta(days=30))
        self.assertEqual(len(self.reminders(contract)), 2)

    def test_notification_names_reseller_and_regional_mailbox(self):
        domain = self.env["mail.alias.domain"].create({"name": "vendor.example.com"})
        self.company.alias_domain_id = domain
        self.team_emea.alias_id.alias_domain_id = domain
        contract = self.active_contract()
        self.run_on(END - timedelta(days=120))
        mail = self.emails(contract)
        self.assertEqual(len(mail), 1)
        self.assertIn(self.reseller.name, mail.body)
        self.assertIn("emea_renewals@vendor.example.com", mail.body)
        self.assertEqual(mail.reply_to, "emea_renewals@vendor.example.com")
        outgoing = self.env["mail.mail"].search([("mail_message_id", "=", mail.id)])
        self.assertTrue(outgoing, "queued for sending")
        self.assertEqual(outgoing.recipient_ids, self.customer)

    def test_notification_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["symantec_renewals"], ["it_IT"]
        )
        self.customer.lang = "it_IT"
        contract = self.active_contract()
        self.run_on(END - timedelta(days=120))
        mail = self.emails(contract)
        self.assertIn("Gentile", mail.body)
        self.assertNotIn("Dear", mail.body)


@tagged("post_install", "-at_install")
class TestEnterpriseFlow(RenewalRunCommon):
    def test_quote_sent_to_the_reseller_at_notice(self):
        contract = self.active_contract(customer_segment="enterprise")
        self.run_on(END - timedelta(days=120))
        order = contract.renewal_order_id
        self.assertTrue(order)
        self.assertEqual(order.state, "sent")
        self.assertEqual(order.partner_id, self.reseller)
        self.assertEqual(order.renewal_end_customer_id, self.customer)
        self.assertEqual(order.opportunity_id, contract.renewal_lead_id)
        self.assertEqual(order.origin, contract.name)
        self.assertEqual(order.validity_date, END)
        self.assertTrue(order.require_signature)
        self.assertEqual(contract.renewal_lead_id.renewal_status, "quoted")
        quote_mail = self.emails(order, "Renewal quote")
        self.assertEqual(len(quote_mail), 1)
        self.assertEqual(self.recipients(quote_mail), self.reseller)
        # The reminder goes to the customer, and to the reseller (on the
        # quote, in an e-mail of its own) while the quote is unsigned.
        reminder = self.emails(contract)
        self.assertEqual(len(reminder), 1)
        self.assertIn("Reminder", reminder.subject)
        self.assertEqual(self.recipients(reminder), self.customer)
        self.assertFalse(
            self.emails(order, "waiting for signature"), "the quote itself is new"
        )
        self.run_on(END - timedelta(days=90))
        self.assertEqual(len(self.emails(contract, "Reminder")), 2)
        copy = self.emails(order, "waiting for signature")
        self.assertEqual(len(copy), 1)
        self.assertEqual(self.recipients(copy), self.reseller)

    def test_quote_created_once_over_the_whole_walk(self):
        contract = self.active_contract(customer_segment="enterprise")
        for offset in (-120, -119, -90, -30, 0, 1, 30, 200):
            self.run_on(END + timedelta(days=offset))
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("renewal_contract_id", "=", contract.id)]
            ),
            1,
        )
        self.assertEqual(
            len(self.emails(contract.renewal_order_id, "Renewal quote")),
            1,
            "the quote is sent once",
        )

    def test_lapse_cancels_the_open_quote(self):
        contract = self.active_contract(customer_segment="enterprise")
        self.run_on(END - timedelta(days=10))
        order = contract.renewal_order_id
        self.run_on(END + timedelta(days=366))
        self.assertEqual(order.state, "cancel")
        self.assertFalse(contract.renewal_lead_id.active)

    def test_failing_contract_does_not_stop_the_batch(self):
        good_1 = self.active_contract(customer_segment="enterprise")
        broken_tier = self.env["symantec.maintenance.tier"].create(
            {"name": "Broken", "code": "BRK", "offering_type": "software"}
        )
        broken = self.active_contract(
            customer_segment="enterprise", tier_id=broken_tier.id
        )
        broken_tier.product_id = False  # its quote cannot be made
        good_2 = self.active_contract(customer_segment="enterprise")
        with mute_logger(
            "odoo.addons.symantec_renewals.models.symantec_contract_renewal"
        ):
            self.run_on(END - timedelta(days=100))
        self.assertTrue(good_1.renewal_order_id)
        self.assertTrue(good_2.renewal_order_id)
        self.assertFalse(broken.renewal_order_id)
        self.assertFalse(broken.renewal_checked_date, "retried on the next run")
        self.assertEqual(good_1.renewal_checked_date, END - timedelta(days=100))

    def test_restart_after_a_crash_between_batches(self):
        contracts = (
            self.active_contract() | self.active_contract() | self.active_contract()
        )

        class Crash(Exception):
            pass

        def die_after_first_batch(*args, **kwargs):
            raise Crash

        day = END - timedelta(days=100)
        # Not assertRaises: Odoo's rolls back what happened inside it.
        crashed = False
        with (
            freeze_time(day),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", die_after_first_batch
            ),
        ):
            try:
                self.Contract._cron_renewal_run(batch_size=1)
            except Crash:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(len(contracts.filtered("renewal_lead_id")), 1)
        self.run_on(day, batch_size=1)
        self.assertEqual(len(contracts.filtered("renewal_lead_id")), 3)
        self.assertEqual(self.snapshot()["leads"], 3)
        self.assertEqual(self.snapshot()["activities"], 3)


@tagged("post_install", "-at_install")
class TestGenerateQuote(RenewalRunCommon):
    def test_button_creates_opportunity_and_quote_then_reuses_it(self):
        contract = self.active_contract()
        with freeze_time(END - timedelta(days=200)):
            action = contract.action_generate_renewal_quote()
            order = self.env["sale.order"].browse(action["res_id"])
            self.assertTrue(contract.renewal_lead_id)
            self.assertEqual(order.opportunity_id, contract.renewal_lead_id)
            self.assertEqual(order.state, "draft")
            again = contract.action_generate_renewal_quote()
        self.assertEqual(again["res_id"], order.id)

    def test_quote_lines_at_standard_renewal_price(self):
        """10 units at 1,000 licence value, 22 %: 220 a year each; uplift 3 %."""
        contract = self.active_contract()
        with freeze_time(END - timedelta(days=30)):
            contract.action_generate_renewal_quote()
        order = contract.renewal_order_id
        lines = order.order_line.filtered(lambda line: not line.display_type)
        main = lines.filtered(lambda line: line.product_uom_qty)
        self.assertEqual(main.product_id, self.tier_software.product_id)
        self.assertEqual(main.product_uom_qty, 10)
        self.assertAlmostEqual(main.price_unit, 226.6)
        self.assertIn("Endpoint Protection", main.name)
        self.assertIn("01/01/2027 - 12/31/2027", main.name, "in the reader's format")
        self.assertAlmostEqual(order.amount_untaxed, 2266.0)
        premium = lines - main
        self.assertEqual(
            premium.product_id,
            self.env.ref("symantec_renewals.tier_premium_support").product_id,
        )
        self.assertEqual(premium.product_uom_qty, 0)
        self.assertTrue(order.order_line.filtered("is_optional"))

    def test_analytic_distribution_models_apply_to_renewal_lines(self):
        """The run skips the per-line lookup only where no distribution
        model exists: one that does still sets the lines' analytic
        distribution."""
        without = self.active_contract()
        with freeze_time(END - timedelta(days=30)):
            without.action_generate_renewal_quote()
        self.assertFalse(
            without.renewal_order_id.order_line.filtered("analytic_distribution")
        )
        plan = self.env["account.analytic.plan"].create({"name": "Maintenance"})
        account = self.env["account.analytic.account"].create(
            {"name": "Software maintenance", "plan_id": plan.id}
        )
        self.env["account.analytic.distribution.model"].create(
            {
                "product_id": self.tier_software.product_id.id,
                "analytic_distribution": {str(account.id): 100},
            }
        )
        contract = self.active_contract()
        with freeze_time(END - timedelta(days=30)):
            contract.action_generate_renewal_quote()
        lines = contract.renewal_order_id.order_line
        main = lines.filtered(
            lambda line: line.product_id == self.tier_software.product_id
        )
        self.assertEqual(main.analytic_distribution, {str(account.id): 100})
        self.assertFalse((lines - main).filtered("analytic_distribution"))

    def test_addon_tiers_offered_follow_the_catalogue(self):
        premium = self.env.ref("symantec_renewals.tier_premium_support")
        first, second, third = (self.active_contract() for _i in range(3))
        with freeze_time(END - timedelta(days=60)):
            first.action_generate_renewal_quote()  # the add-ons are read
            onsite = self.env["symantec.maintenance.tier"].create(
                {
                    "name": "Onsite Engineer",
                    "code": "ONS",
                    "offering_type": "service",
                    "pricing_method": "per_unit",
                    "unit_price": 900.0,
                    "is_addon": True,
                }
            )
            second.action_generate_renewal_quote()
            premium.active = False
            third.action_generate_renewal_quote()

        def offered(contract):
            return contract.renewal_order_id.order_line.filtered(
                lambda line: line.renewal_line_kind == "addon"
            ).product_id

        self.assertEqual(offered(first), premium.product_id)
        self.assertEqual(offered(second), (premium | onsite).product_id)
        self.assertEqual(offered(third), onsite.product_id)

    def test_two_year_term_priced_for_two_years(self):
        # Without a multi-year discount (the demo data gives the tier one).
        self.tier_software.multi_year_discount_percent = 0.0
        contract = self.active_contract(date_end=date(2027, 12, 31))
        with freeze_time("2027-11-01"):
            contract.action_generate_renewal_quote()
        main = contract.renewal_order_id.order_line.filtered("product_uom_qty")
        self.assertAlmostEqual(main.price_unit, 453.2)
        self.assertIn("01/01/2028 - 12/31/2029", main.name)

    def test_lapsed_contract_cannot_be_quoted(self):
        contract = self.active_contract()
        with (
            freeze_time(END + timedelta(days=366)),
            self.assertRaisesRegex(Exception, "new licence"),
        ):
            contract.action_generate_renewal_quote()

    def test_validity_never_in_the_past(self):
        self.company.renewal_grace_days = 30
        contract = self.active_contract()
        with freeze_time(END + timedelta(days=10)):
            contract.action_generate_renewal_quote()
        self.assertEqual(
            contract.renewal_order_id.validity_date, END + timedelta(days=30)
        )
        contract.renewal_order_id._action_cancel()
        with freeze_time(END + timedelta(days=40)):
            contract.action_generate_renewal_quote()
        self.assertEqual(
            contract.renewal_order_id.validity_date, END + timedelta(days=365)
        )


@tagged("post_install", "-at_install")
class TestRenewalAliases(RenewalRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "vendor.example.com"}
        )
        cls.team_emea.alias_id.alias_domain_id = cls.alias_domain

    def receive(self, subject):
        raw = (
            "From: Mario Rossi <mario@acme.example.com>\r\n"
            "To: emea_renewals@vendor.example.com\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <{abs(hash(subject))}@acme.example.com>\r\n"
            "Content-Type: text/plain\r\n\r\nPlease send us the renewal quote.\r\n"
        )
        return self.env["mail.thread"].message_process(False, raw)

    def test_alias_mail_creates_a_renewal_in_that_team(self):
        lead = self.env["crm.lead"].browse(self.receive("Renewal question"))
        self.assertTrue(lead.is_renewal)
        self.assertEqual(lead.team_id, self.team_emea)
        self.assertEqual(lead.type, "opportunity")

    def test_contract_reference_links_to_its_renewal(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=100))
        lead_id = self.receive(f"Re: renewal of {contract.name} please")
        self.assertEqual(lead_id, contract.renewal_lead_id.id)
        self.assertIn(
            "Please send us the renewal quote.",
            contract.renewal_lead_id.message_ids[0].body,
        )

    def test_contract_reference_without_renewal_yet_creates_it(self):
        contract = self.active_contract()
        lead = self.env["crm.lead"].browse(self.receive(f"About {contract.name}"))
        self.assertEqual(contract.renewal_lead_id, lead)
        self.assertEqual(lead.renewal_contract_id, contract)

    def test_generated_texts_in_the_reader_language(self):
        """Quote lines read in the reseller's language, the opportunity and
        its reminder in the rep's."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["symantec_renewals"], ["it_IT"]
        )
        self.reseller.lang = "it_IT"
        self.rep.lang = "it_IT"
        contract = self.active_contract(
            customer_segment="enterprise", user_id=self.rep.id
        )
        self.run_on(END - timedelta(days=120))
        main = contract.renewal_order_id.order_line.filtered("product_uom_qty")[:1]
        self.assertIn("Periodo: 01/01/2027 - 31/12/2027", main.name)
        self.assertNotIn("Term:", main.name)
        self.assertTrue(contract.renewal_lead_id.name.startswith("Rinnovo "))
        self.assertEqual(
            self.reminders(contract).summary,
            "Sollecito di rinnovo: 120 giorni prima della scadenza",
        )


@tagged("post_install", "-at_install")
class TestQuoteDocument(RenewalRunCommon):
    def test_quote_pdf_names_the_end_customer_and_new_term(self):
        contract = self.active_contract()
        with freeze_time(END - timedelta(days=30)):
            contract.action_generate_renewal_quote()
        order = contract.renewal_order_id
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "sale.action_report_saleorder", order.ids
        )
        html = html.decode()
        self.assertIn("End Customer", html)
        self.assertIn(self.customer.name, html)
        self.assertIn(contract.name, html)
        self.assertIn("01/01/2027 - 12/31/2027", html)

    def test_upgrades_not_taken_are_left_off_the_pdf(self):
        """The optional upgrades at quantity 0 are the portal's offer, not a
        line of the printed quote or signed order; once taken, they print."""
        contract = self.active_contract()
        with freeze_time(END - timedelta(days=30)):
            contract.action_generate_renewal_quote()
        order = contract.renewal_order_id
        premium = self.env.ref("symantec_renewals.tier_premium_support")
        addon = order.order_line.filtered(
            lambda line: line.renewal_line_kind == "addon"
        )
        self.assertTrue(addon, "the upgrade is offered on the quote")

        def pdf_html():
            html, _type = self.env["ir.actions.report"]._render_qweb_html(
                "sale.action_report_saleorder", order.ids
            )
            return html.decode()

        html = pdf_html()
        self.assertNotIn("Upgrade your coverage", html)
        self.assertNotIn(premium.name, html)
        self.assertIn(self.tier_software.name, html, "the renewal line prints")
        addon.product_uom_qty = 1
        html = pdf_html()
        self.assertIn("Upgrade your coverage", html)
        self.assertIn(premium.name, html)


@tagged("post_install", "-at_install")
class TestExpectedRevenue(RenewalRunCommon):
    def test_expected_revenue_follows_the_quote(self):
        contract = self.active_contract()
        self.run_on(END - timedelta(days=100))
        lead = contract.renewal_lead_id
        self.assertAlmostEqual(lead.expected_revenue, 2200.0, msg="contract value")
        with freeze_time(END - timedelta(days=90)):
            contract.action_generate_renewal_quote()
        self.assertAlmostEqual(lead.expected_revenue, 2266.0, msg="quote value")
        order = contract.renewal_order_id
        order.order_line.filtered("product_uom_qty")[:1].product_uom_qty = 20
        self.assertAlmostEqual(lead.expected_revenue, 4532.0)

    def test_run_now_is_for_managers(self):
        calls = []
        with patch.object(
            type(self.env["ir.cron"]),
            "method_direct_trigger",
            lambda cron: calls.append(cron.id),
        ):
            with self.assertRaises(UserError):
                self.Contract.with_user(self.rep).action_run_renewal_now()
            action = self.Contract.with_user(self.manager).action_run_renewal_now()
        cron = self.env.ref("symantec_renewals.ir_cron_renewal_run")
        self.assertEqual(calls, [cron.id])
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            action["params"]["message"],
            "Nothing new: the contracts due were already handled today.",
        )
        self.assertEqual(cron.code.strip(), "model._cron_renewal_run()")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))

    def test_run_now_says_what_it_made(self):
        """The button's answer counts the opportunities, quotes, reminders
        and e-mails of the run it started."""
        small = self.active_contract(customer_segment="small_business")
        big = self.active_contract(customer_segment="enterprise")
        day = END - timedelta(days=90)

        def run(cron):
            # The scheduled action, without its commits.
            self.Contract.with_context(tracking_disable=True)._renewal_run()

        with (
            freeze_time(day),
            patch.object(type(self.env["ir.cron"]), "method_direct_trigger", run),
        ):
            before = self.snapshot()
            action = self.Contract.with_user(self.manager).action_run_renewal_now()
            after = self.snapshot()
        made = {key: after[key] - before[key] for key in before}
        self.assertEqual(made["leads"], 2)
        self.assertEqual(made["orders"], 1, "the enterprise reseller quote")
        self.assertEqual(made["activities"], 2)
        self.assertTrue(small.renewal_lead_id and big.renewal_order_id)
        self.assertEqual(
            action["params"]["message"],
            f"New opportunities: 2, new quotes: 1, reminders: 2, "
            f"e-mails: {made['emails']}.",
        )
        self.assertTrue(made["emails"], "the notification and the quote e-mails")

    def test_run_now_button_on_the_contract_list_for_managers(self):
        """A button always shown above the list, not an action hidden behind
        a ticked row, and only for managers."""
        for user, shown in ((self.manager, True), (self.rep, False)):
            arch = self.Contract.with_user(user).get_views([(False, "list")])["views"][
                "list"
            ]["arch"]
            self.assertEqual('name="action_run_renewal_now"' in arch, shown, user.login)
            if shown:
                self.assertIn('display="always"', arch)


@tagged("post_install", "-at_install")
class TestRunChatter(RenewalRunCommon):
    """The run creates its records in batches (tracking notes, followers):
    the chatter must read as if they had been made one by one."""

    def test_each_state_change_of_the_run_is_tracked(self):
        contracts = self.Contract.concat(
            *(self.active_contract(customer_segment=s) for s in SEGMENTS)
        )
        self.cr.flush()  # the activation's own tracking, as a commit would
        Contract = self.Contract.with_context(tracking_disable=False)
        with freeze_time(END - timedelta(days=60)), self.no_commit():
            Contract._cron_renewal_run()
        self.env.flush_all()
        self.cr.flush()  # runs the tracking, as the run's commit would
        self.env.invalidate_all()
        for contract in contracts:
            notes = contract.message_ids.filtered(
                lambda m: any(
                    t.field_id.name == "state" and t.new_value_char == "Expiring"
                    for t in m.tracking_value_ids
                )
            )
            self.assertEqual(len(notes), 1, contract.name)
            self.assertEqual(notes.tracking_value_ids.old_value_char, "Active")
            self.assertEqual(notes.message_type, "notification")

    def test_the_rep_follows_the_opportunity_and_the_quote(self):
        contracts = self.Contract.concat(
            *(self.active_contract(customer_segment=s) for s in SEGMENTS)
        )
        contracts.write({"user_id": self.rep.id})
        Contract = self.Contract.with_context(tracking_disable=False)
        with freeze_time(END - timedelta(days=60)), self.no_commit():
            Contract._cron_renewal_run()
        self.env.invalidate_all()
        for contract in contracts:
            self.assertIn(
                self.rep.partner_id,
                contract.renewal_lead_id.message_partner_ids,
                contract.customer_segment,
            )
        quoted = contracts.filtered(lambda c: c.customer_segment == "enterprise")
        self.assertTrue(quoted.renewal_order_id)
        self.assertIn(self.rep.partner_id, quoted.renewal_order_id.message_partner_ids)


@tagged("post_install", "-at_install")
class TestRenewalTemplates(RenewalRunCommon):
    TEMPLATES = (
        "mail_template_renewal_notification",
        "mail_template_renewal_reminder",
        "mail_template_renewal_quote",
        "mail_template_auto_renewal_notice",
        "mail_template_renewal_activation",
        "mail_template_auto_renewal_unpaid",
        "mail_template_auto_renewal_order",
    )

    def test_headers_are_plain_field_placeholders(self):
        """Subjects, addresses and language are read from fields, not
        evaluated as code for each e-mail of the run."""
        for xmlid in self.TEMPLATES:
            template = self.env.ref(f"symantec_renewals.{xmlid}")
            for field in ("subject", "email_from", "reply_to", "lang", "partner_to"):
                self.assertFalse(
                    template._has_unsafe_expression_template_inline_template(
                        template[field], template.model
                    ),
                    f"{xmlid}.{field}: {template[field]}",
                )

    def test_subject_dates_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.customer.lang = "it_IT"
        contract = self.active_contract()
        self.run_on(END - timedelta(days=120))
        mail = self.emails(contract)
        self.assertIn("31/12/2026", mail.subject)
        self.assertEqual(mail.email_from, self.company.email_formatted)

    def test_upgrade_rewrites_the_two_secured_templates_only(self):
        """On an upgrade to 19.0.1.2.0 the activation and automatic-renewal
        templates are made again from the module's data (their old text put
        a secret in a chatter the reseller reads); a customised subject of
        another template stays."""
        activation = self.env.ref("symantec_renewals.mail_template_renewal_activation")
        activation.body_html = "<p>Code: <t t-out='object.activation_code'/></p>"
        order_mail = self.env.ref("symantec_renewals.mail_template_auto_renewal_order")
        order_mail.subject = "Renewed: pay {{ object.name }} with the link"
        reminder = self.env.ref("symantec_renewals.mail_template_renewal_reminder")
        reminder.subject = "Our own subject"
        self.env.flush_all()
        self.migrate("19.0.1.2.0", "pre", from_version="19.0.1.1.0")
        self.assertFalse(activation.exists())
        convert_file(
            self.env,
            "symantec_renewals",
            "data/mail_template_data.xml",
            {},
            mode="update",
            noupdate=True,
        )
        activation = self.env.ref("symantec_renewals.mail_template_renewal_activation")
        self.assertNotIn("activation_code", activation.body_html)
        order_mail = self.env.ref("symantec_renewals.mail_template_auto_renewal_order")
        self.assertEqual(order_mail.model, "sale.order")
        self.assertNotIn("with the link", order_mail.subject)
        self.assertEqual(reminder.subject, "Our own subject")

    def old_auto_renewal_email(self, **values):
        """The automatic-renewal template as 19.0.1.3.0 installed it, with
        its Italian (``it_IT``: one of the texts it.po gave it), and
        ``values`` changed by the user."""
        template = self.env.ref("symantec_renewals.mail_template_auto_renewal_order")
        self.env["res.lang"]._activate_lang("it_IT")
        body = {
            "en_US": self.old_body("en_US.html"),
            "it_IT": self.old_body(values.pop("it_IT", "it_IT.html")),
        }
        body.update(values.pop("body_html", {}))
        self.env.flush_all()
        self.cr.execute(
            "UPDATE mail_template SET body_html = %s WHERE id = %s",
            [Json(body), template.id],
        )
        self.env.invalidate_all()
        template.write(values)
        self.env.flush_all()
        return template

    def old_body(self, name):
        """A text this module shipped before 19.0.1.4.0, or ``name`` itself."""
        if not name.endswith(".html"):
            return name
        path = f"symantec_renewals/migrations/19.0.1.4.0/old_bodies/{name}"
        with file_open(path) as old:
            return old.read()

    def upgrade_to_1_4(self):
        """What an upgrade to 19.0.1.4.0 does to the template: its
        post-migration, then the translation load of every upgrade."""
        self.migrate("19.0.1.4.0", "post", from_version="19.0.1.3.0")
        self.env["ir.module.module"]._load_module_terms(
            ["symantec_renewals"], ["it_IT"]
        )
        self.env.invalidate_all()

    def bodies(self, template):
        return {
            lang: template.with_context(lang=lang).body_html
            for lang in ("en_US", "it_IT")
        }

    def test_upgrade_gives_the_shipped_auto_renewal_email_its_new_body(self):
        """19.0.1.4.0's automatic-renewal e-mail says when the invoice is
        charged to the saved card: a template still as shipped gets the new
        body in English and in Italian (from it.po, whichever Italian text
        it had), and stays noupdate."""
        template = self.env.ref("symantec_renewals.mail_template_auto_renewal_order")
        new_english = template.body_html
        for italian in ("it_IT.html", "it_IT.formal.html", "it_IT.contract.html"):
            with self.subTest(italian=italian):
                self.old_auto_renewal_email(it_IT=italian)
                self.assertNotIn("payment_token_id", template.body_html)
                self.upgrade_to_1_4()
                english, italian_body = self.bodies(template).values()
                self.assertEqual(english, new_english)
                self.assertIn("is charged to", english)
                self.assertIn("viene addebitata oggi su", italian_body)
                self.assertIn("puoi scrivere al nostro team", italian_body)
                data = self.env["ir.model.data"].search(
                    [
                        ("module", "=", "symantec_renewals"),
                        ("name", "=", "mail_template_auto_renewal_order"),
                    ]
                )
                self.assertTrue(data.noupdate)

    def test_upgrade_leaves_a_changed_auto_renewal_email_alone(self):
        """A template the user changed keeps its text: its English body, or
        another field that loading the template again would overwrite."""
        changes = {
            "English body": {"body_html": {"en_US": "<p>Our own text</p>"}},
            "reply-to": {"reply_to": "sales@example.com"},
            "subject": {"subject": "Renewed: {{ object.name }}"},
        }
        for change, values in changes.items():
            with self.subTest(change=change):
                template = self.old_auto_renewal_email(**values)
                before = self.bodies(template)
                self.upgrade_to_1_4()
                self.assertEqual(self.bodies(template), before)
                self.assertNotIn("viene addebitata", before["it_IT"])
                for field, value in values.items():
                    if field != "body_html":
                        self.assertEqual(template[field], value)

    def test_upgrade_keeps_the_users_translation_of_the_auto_renewal_email(self):
        """The English body as shipped is replaced; an Italian the user wrote
        stays."""
        template = self.old_auto_renewal_email(it_IT="<p>Il nostro testo</p>")
        self.upgrade_to_1_4()
        english, italian = self.bodies(template).values()
        self.assertIn("is charged to", english)
        self.assertEqual(italian, "<p>Il nostro testo</p>")

    def test_upgrade_gives_the_shared_teams_to_the_main_company(self):
        """Teams shared by all companies until 19.0.1.2.0 become the main
        company's, except one another company's contracts already use."""
        main = self.env.ref("base.main_company")
        emea = self.env.ref("symantec_renewals.crm_team_renewals_emea")
        japan = self.env.ref("symantec_renewals.crm_team_renewals_jp")
        (emea | japan).company_id = False
        other = self.env["res.company"].create({"name": "Renewals Second Co"})
        self.env.user.company_ids |= other
        tier = self.tier_software.copy(
            {"company_id": other.id, "code": "ES-2", "product_id": False}
        )
        customer = self.customer.copy({"company_id": other.id})
        self.env["symantec.contract"].create(
            {
                "partner_id": customer.id,
                "company_id": other.id,
                "region": "jp",
                "team_id": japan.id,
                "tier_id": tier.id,
                "date_start": date(2026, 1, 1),
                "date_end": END,
            }
        )
        self.migrate("19.0.1.2.0", "post", from_version="19.0.1.1.0")
        self.assertEqual(emea.company_id, main)
        self.assertFalse(japan.company_id, "kept shared: company 2 uses it")

    def test_migration_rewrites_the_old_placeholders(self):
        template = self.env.ref("symantec_renewals.mail_template_renewal_reminder")
        template.write(
            {
                "subject": "Renew {{ object.name }} (ends "
                "{{ format_date(object.date_end) }})",
                "email_from": "{{ object.company_id.email_formatted or "
                "user.email_formatted }}",
                "reply_to": "{{ object.renewal_contact_email or '' }}",
            }
        )
        self.env.flush_all()
        self.migrate("19.0.1.1.0", "post", from_version="19.0.1.0.0")
        template.invalidate_recordset()
        self.assertEqual(
            template.subject,
            "Renew {{ object.name }} (ends {{ object.date_end_text }})",
        )
        self.assertEqual(template.email_from, "{{ object.company_id.email_formatted }}")
        self.assertEqual(template.reply_to, "{{ object.renewal_contact_email }}")
