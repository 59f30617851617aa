"""Installed-base migration: contracts and their lines imported in one file
through Odoo's importer (SPEC §9): a good file creates everything, a bad file
is reported row by row and saves nothing."""

import csv
import io
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_open
from odoo.tools.translate import code_translations

from .common import RenewalsCommon

MODULE = "symantec_renewals"
SAMPLE = f"{MODULE}/demo/symantec_contract_import_sample.csv"
# What the import dialog sends for a comma-separated file with a header row.
CSV_OPTIONS = {
    "has_headers": True,
    "separator": ",",
    "quoting": '"',
    "encoding": "utf-8",
    "date_format": "%Y-%m-%d",
    "datetime_format": "",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "import_skip_records": [],
    "import_set_empty_fields": [],
    "fallback_values": {},
    "name_create_enabled_fields": {},
}
HEADER = [
    "name",
    "partner_id",
    "reseller_id",
    "customer_segment",
    "region",
    "tier_id",
    "date_start",
    "date_end",
    "state",
    "line_ids/product_id",
    "line_ids/quantity",
    "line_ids/license_value",
]


def contract_row(name, customer, reseller, tier, *, dates, line, region="ams"):
    """The row of an active enterprise contract and its first covered product
    (product, quantity, licence value)."""
    return [
        name,
        customer,
        reseller,
        "enterprise",
        region,
        tier,
        *dates,
        "active",
        *line,
    ]


def continuation(product, quantity, license_value=""):
    """A row that only adds a covered product to the contract above it."""
    return [""] * (len(HEADER) - 3) + [product, quantity, license_value]


@tagged("post_install", "-at_install")
class TestContractImport(RenewalsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        customers = {
            "Europa Bank AG": "base.de",
            "Atlas Logistics Corp.": "base.us",
            "Maple Leaf Dental Clinic": "base.ca",
            "Tanaka Printing Co. Ltd.": "base.jp",
            "Lion Bay Telecom Pte. Ltd.": "base.sg",
            "Yangtze River Logistics Co. Ltd.": "base.cn",
        }

        def partner(name, **values):
            # The files name partners as a user would: the importer must find
            # one partner by each name. Demo data has the sample's partners:
            # those are used, set as the tests need them.
            existing = Partner.search([("name", "=", name)])
            if existing:
                existing.write(values)
                return existing
            return Partner.create({"name": name, **values})

        cls.customers = {
            name: partner(
                name,
                is_company=True,
                is_reseller=False,
                country_id=cls.env.ref(country).id,
                child_ids=[
                    Command.create(
                        {"name": f"IT Manager of {name}", "email": "it@example.com"}
                    )
                ],
            )
            for name, country in customers.items()
        }
        cls.resellers = {
            name: partner(name, is_company=True, is_reseller=True)
            for name in (
                "Northwind Security Partners",
                "Pacific Rim Systems Inc.",
                "Sakura IT Solutions K.K.",
                "Lion City Integrators Pte. Ltd.",
                "Huaxin Network Services Co. Ltd.",
            )
        }
        cls.products = {
            name: cls.env["product.product"].create(
                {"name": name, "default_code": code, "type": "service"}
            )
            for name, code in (
                ("Data Loss Prevention", "DLP-16"),
                ("Messaging Gateway", "SMG-10"),
                ("Web Security Appliance S200", "WSA-S200"),
                ("Email Security.cloud", "ESS-CLOUD"),
            )
        }
        cls.products["Endpoint Protection"] = cls.product
        # Demo data's products of the same names are archived, out of the
        # importer's sight.
        cls.env["product.product"].search(
            [
                ("name", "in", list(cls.products)),
                ("id", "not in", [p.id for p in cls.products.values()]),
            ]
        ).action_archive()
        cls.tier_essential = cls.env.ref("symantec_renewals.tier_essential_support")
        cls.tier_cloud = cls.env.ref("symantec_renewals.tier_cloud_support")
        cls.tier_hardware = cls.env.ref("symantec_renewals.tier_hardware_support_4h")
        cls.tier_premium = cls.env.ref("symantec_renewals.tier_premium_support")
        # The common fixture's teams: the manager leads EMEA, the Japanese rep
        # is the only member of Japan; a contract's rep comes from the team of
        # its region (its leader, else a member).
        cls.team_ams = cls.env.ref("symantec_renewals.crm_team_renewals_ams")
        cls.Contract = cls.env["symantec.contract"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _importer(self, content, lang="en_US"):
        return (
            self.env["base_import.import"]
            .with_user(self.manager)
            .with_context(lang=lang)
            .create(
                {
                    "res_model": "symantec.contract",
                    "file": content,
                    "file_name": "contracts.csv",
                    "file_type": "text/csv",
                }
            )
        )

    def _import(self, content, dryrun=False, lang="en_US"):
        """Import a CSV file as a renewal manager, each column mapped to the
        field its header names; return the importer's answer."""
        importer = self._importer(content, lang=lang)
        header = next(csv.reader(io.StringIO(content.decode())))
        return importer.execute_import(header, header, dict(CSV_OPTIONS), dryrun=dryrun)

    @staticmethod
    def _csv(*rows):
        output = io.StringIO()
        csv.writer(output, lineterminator="\n").writerows([HEADER, *rows])
        return output.getvalue().encode()

    def _errors_by_record(self, messages):
        """The error messages grouped by the index of the record (contract)
        they concern."""
        errors = {}
        for message in messages:
            if message["type"] == "error":
                errors.setdefault(message.get("record"), []).append(message)
        return errors

    def _assert_error(self, errors, record, first_row, last_row, text):
        """Record ``record`` (0-based, in file order) spanning data rows
        ``first_row`` to ``last_row`` (0-based, header excluded) has an error
        that says ``text``."""
        self.assertIn(record, errors, f"no error reported for record {record}")
        messages = errors[record]
        for message in messages:
            self.assertEqual(
                message["rows"],
                {"from": first_row, "to": last_row},
                f"error of record {record} points to the wrong rows",
            )
        self.assertTrue(
            any(text in message["message"] for message in messages),
            f"record {record}: {text!r} not in {[m['message'] for m in messages]}",
        )

    # ------------------------------------------------------------------
    # A good file
    # ------------------------------------------------------------------

    def test_sample_columns_are_recognised_by_the_import_dialog(self):
        """The import dialog maps the sample's columns to the contract fields
        without the user having to choose them."""
        content = file_open(SAMPLE, "rb").read()
        preview = self._importer(content).parse_preview(dict(CSV_OPTIONS))
        self.assertFalse(preview.get("error"))
        matches = {
            preview["headers"][index]: "/".join(path)
            for index, path in preview["matches"].items()
            if path
        }
        for header, field_path in matches.items():
            self.assertEqual(header, field_path)
        # The legacy reference too: the installed base keeps its references.
        self.assertLessEqual(set(preview["headers"]), set(matches))

    def test_sample_file_creates_contracts_with_their_lines(self):
        content = file_open(SAMPLE, "rb").read()
        result = self._import(content)

        self.assertEqual(result["messages"], [])
        contracts = self.Contract.browse(result["ids"])
        self.assertEqual(
            contracts.mapped("name"),
            [
                "LEG-2019-00417",
                "LEG-2020-01033",
                "LEG-2021-00250",
                "LEG-2018-00982",
                "LEG-2022-00077",
                "LEG-2023-00561",
            ],
            "the legacy references are kept, in file order",
        )
        by_name = {contract.name: contract for contract in contracts}

        # Several covered products on continuation rows, prices from the
        # tier: Essential Support is 22 % of the licence value per unit.
        bank = by_name["LEG-2019-00417"]
        self.assertEqual(bank.partner_id, self.customers["Europa Bank AG"])
        self.assertEqual(
            bank.reseller_id, self.resellers["Northwind Security Partners"]
        )
        self.assertEqual(bank.customer_segment, "enterprise")
        self.assertEqual(bank.tier_id, self.tier_essential)
        self.assertEqual(bank.state, "active")
        self.assertEqual(bank.term_months, 12)
        self.assertEqual(
            [
                (
                    line.product_id.name,
                    line.quantity,
                    line.license_value,
                    line.price_unit,
                )
                for line in bank.line_ids
            ],
            [
                ("Endpoint Protection", 1500, 45.0, 9.9),
                ("Data Loss Prevention", 1500, 120.0, 26.4),
                ("Messaging Gateway", 4, 6500.0, 1430.0),
            ],
        )
        self.assertAlmostEqual(bank.amount_total, 14850.0 + 39600.0 + 5720.0)

        # Per-unit tiers: the tier's yearly unit price.
        atlas = by_name["LEG-2020-01033"]
        self.assertEqual(atlas.tier_id, self.tier_hardware)
        self.assertEqual(atlas.line_ids.price_unit, 1800.0)
        self.assertEqual(atlas.amount_total, 4 * 1800.0)
        premium = by_name["LEG-2022-00077"]
        self.assertEqual(premium.tier_id, self.tier_premium)
        self.assertEqual(premium.amount_total, 4500.0)

        # An auto-renewing online service.
        dental = by_name["LEG-2021-00250"]
        self.assertEqual(dental.tier_id, self.tier_cloud)
        self.assertTrue(dental.auto_renew)
        self.assertTrue(dental.auto_invoice)
        self.assertEqual(dental.amount_total, 15 * 60.0)

        # A past term keeps its state; a three-year term its length.
        self.assertEqual(by_name["LEG-2018-00982"].state, "expired")
        self.assertEqual(by_name["LEG-2018-00982"].term_months, 24)
        yangtze = by_name["LEG-2023-00561"]
        self.assertEqual(yangtze.term_months, 36)
        self.assertEqual(len(yangtze.line_ids), 2)
        self.assertEqual(yangtze.amount_total, 800 * 26.4 + 800 * 9.9)

        # Team from the region, rep from the team (member, or leader).
        teams = {name: contract.team_id for name, contract in by_name.items()}
        self.assertEqual(teams["LEG-2019-00417"], self.team_emea)
        self.assertEqual(teams["LEG-2020-01033"], self.team_ams)
        self.assertEqual(teams["LEG-2018-00982"], self.team_jp)
        self.assertEqual(
            teams["LEG-2023-00561"],
            self.env.ref("symantec_renewals.crm_team_renewals_cn"),
        )
        self.assertEqual(
            teams["LEG-2022-00077"],
            self.env.ref("symantec_renewals.crm_team_renewals_apac"),
        )
        self.assertEqual(bank.user_id, self.manager, "EMEA's leader")
        self.assertEqual(by_name["LEG-2018-00982"].user_id, self.rep_jp, "JP's member")
        self.assertFalse(atlas.user_id, "the Americas team has nobody yet")

    def test_contract_without_line_columns_imports(self):
        """Lines are optional in the file: a contract row alone is enough."""
        content = (
            b"name,partner_id,region,tier_id,date_start,date_end\n"
            b"LEG-2017-00001,Europa Bank AG,emea,Essential Support,"
            b"2026-01-01,2026-12-31\n"
        )
        result = self._import(content)
        self.assertEqual(result["messages"], [])
        contract = self.Contract.browse(result["ids"])
        self.assertEqual(contract.name, "LEG-2017-00001")
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.customer_segment, "small_business")
        self.assertEqual(contract.team_id, self.team_emea)

    # ------------------------------------------------------------------
    # A bad file
    # ------------------------------------------------------------------

    def _bad_file(self):
        """Six contracts on eight data rows: two good ones around four bad."""
        bank, atlas = "Europa Bank AG", "Atlas Logistics Corp."
        northwind, pacific = "Northwind Security Partners", "Pacific Rim Systems Inc."
        essential, one_year = "Essential Support", ("2026-01-01", "2026-12-31")
        return self._csv(
            # record 0, row 0: good
            contract_row(
                "LEG-GOOD-1",
                bank,
                northwind,
                essential,
                region="emea",
                dates=("2026-03-01", "2027-02-28"),
                line=("Endpoint Protection", "100", "45"),
            ),
            # record 1, row 1: a six-month term
            contract_row(
                "LEG-SHORT",
                bank,
                northwind,
                essential,
                region="emea",
                dates=("2026-01-01", "2026-06-30"),
                line=("Endpoint Protection", "100", "45"),
            ),
            # record 2, rows 2-3: a negative quantity on its second product
            contract_row(
                "LEG-NEGATIVE",
                atlas,
                pacific,
                essential,
                dates=one_year,
                line=("Endpoint Protection", "10", "45"),
            ),
            continuation("Data Loss Prevention", "-5", "120"),
            # record 3, row 4: a customer given as the reseller
            contract_row(
                "LEG-NOT-RESELLER",
                atlas,
                bank,
                essential,
                dates=one_year,
                line=("Endpoint Protection", "10", "45"),
            ),
            # record 4, row 5: a tier that does not exist
            contract_row(
                "LEG-NO-TIER",
                atlas,
                pacific,
                "Platinum Support",
                dates=one_year,
                line=("Endpoint Protection", "10", "45"),
            ),
            # record 5, rows 6-7: good, two covered appliances
            contract_row(
                "LEG-GOOD-2",
                atlas,
                pacific,
                "Hardware Support - 4 hour on-site",
                dates=one_year,
                line=("Web Security Appliance S200", "2", ""),
            ),
            continuation("Messaging Gateway", "1"),
        )

    def _assert_bad_file_errors(self, result):
        self.assertFalse(result["ids"])
        errors = self._errors_by_record(result["messages"])
        self.assertEqual(
            set(errors), {1, 2, 3, 4}, "exactly the bad contracts are reported"
        )
        self._assert_error(
            errors,
            1,
            1,
            1,
            "Contract LEG-SHORT: a maintenance term lasts at least 12 months",
        )
        self._assert_error(
            errors,
            2,
            2,
            3,
            "Contract LEG-NEGATIVE: the quantity of [DLP-16] Data Loss Prevention "
            "must be greater than zero.",
        )
        self._assert_error(
            errors,
            3,
            4,
            4,
            "Contract LEG-NOT-RESELLER: Europa Bank AG is not a reseller.",
        )
        self._assert_error(
            errors,
            4,
            5,
            5,
            "No matching record found for name 'Platinum Support' in field "
            "'Maintenance Tier'",
        )
        unknown_tier = next(m for m in errors[4] if "Platinum" in m["message"])
        self.assertEqual(unknown_tier["field"], "tier_id")

    def _assert_nothing_saved(self, contracts_before, lines_before):
        self.assertFalse(self.Contract.search([("name", "=like", "LEG-%")]))
        self.assertEqual(self.Contract.search_count([]), contracts_before)
        self.assertEqual(
            self.env["symantec.contract.line"].search_count([]), lines_before
        )

    def test_bad_rows_are_reported_and_nothing_is_saved(self):
        contracts_before = self.Contract.search_count([])
        lines_before = self.env["symantec.contract.line"].search_count([])

        # The unknown tier also fails the NOT NULL of the column: Odoo's SQL
        # layer logs it while the importer turns it into a message.
        with mute_logger("odoo.sql_db"):
            result = self._import(self._bad_file())

        self._assert_bad_file_errors(result)
        # Not even the good contracts (records 0 and 5) are kept.
        self._assert_nothing_saved(contracts_before, lines_before)

    def test_reports_use_the_validation_messages_not_sql_errors(self):
        """The user reads the model's explanations, not database errors."""
        with mute_logger("odoo.sql_db"):
            result = self._import(self._bad_file())
        messages = [message["message"] for message in result["messages"]]
        for message in messages:
            self.assertNotIn("violates", message)
            self.assertNotIn("Unknown error during import", message)
        self.assertTrue(
            any("from 2026-01-01 to 2026-06-30 is 6 months" in m for m in messages)
        )

    def test_errors_come_in_the_language_of_the_importing_user(self):
        """The validation messages are translatable and reach an Italian
        manager in Italian: it.po's translation, or a stand-in for a message
        it.po does not translate yet."""
        self.env["res.lang"]._activate_lang("it_IT")
        short_term = (
            "Contract %(name)s: a maintenance term lasts at least %(months)s "
            "months (from %(start)s to %(end)s is %(term)s months)."
        )
        quantity = (
            "Contract %(contract)s: the quantity of %(product)s must be greater "
            "than zero."
        )
        not_reseller = "Contract %(name)s: %(partner)s is not a reseller."
        italian = dict(code_translations.get_python_translations(MODULE, "it_IT"))
        for source in (short_term, quantity, not_reseller):
            italian[source] = italian.get(source) or f"[it] {source}"
        contracts_before = self.Contract.search_count([])
        lines_before = self.env["symantec.contract.line"].search_count([])

        with (
            patch.dict(
                code_translations.python_translations, {(MODULE, "it_IT"): italian}
            ),
            mute_logger("odoo.sql_db"),
        ):
            result = self._import(self._bad_file(), lang="it_IT")

        errors = self._errors_by_record(result["messages"])
        self._assert_error(
            errors,
            1,
            1,
            1,
            italian[short_term]
            % {
                "name": "LEG-SHORT",
                "months": 12,
                "start": "2026-01-01",
                "end": "2026-06-30",
                "term": 6,
            },
        )
        self._assert_error(
            errors,
            2,
            2,
            3,
            italian[quantity]
            % {"contract": "LEG-NEGATIVE", "product": "[DLP-16] Data Loss Prevention"},
        )
        self._assert_error(
            errors,
            3,
            4,
            4,
            italian[not_reseller]
            % {"name": "LEG-NOT-RESELLER", "partner": "Europa Bank AG"},
        )
        self._assert_nothing_saved(contracts_before, lines_before)

    # ------------------------------------------------------------------
    # Testing a file first
    # ------------------------------------------------------------------

    def test_dry_run_checks_the_file_without_saving(self):
        contracts_before = self.Contract.search_count([])
        lines_before = self.env["symantec.contract.line"].search_count([])

        content = file_open(SAMPLE, "rb").read()
        result = self._import(content, dryrun=True)
        self.assertEqual(result["messages"], [])
        self.assertEqual(len(result["ids"]), 6, "the test made every contract")
        self._assert_nothing_saved(contracts_before, lines_before)

        with mute_logger("odoo.sql_db"):
            result = self._import(self._bad_file(), dryrun=True)
        self._assert_bad_file_errors(result)
        self._assert_nothing_saved(contracts_before, lines_before)

        # After the test, the real import of the good file still works.
        result = self._import(content)
        self.assertEqual(result["messages"], [])
        self.assertEqual(self.Contract.search_count([("name", "=like", "LEG-%")]), 6)
