import ast
import itertools
import json
import operator
import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.symantec_renewals.tests.test_renewal_run import RenewalRunCommon

XMLID = "spreadsheet_dashboard_symantec_renewals.spreadsheet_dashboard_renewals"
# o-spreadsheet's sizes of a column and a row without a size of their own.
DEFAULT_COLUMN_WIDTH = 96
DEFAULT_ROW_HEIGHT = 23
# What of the sheet a 1,400-pixel-wide window shows beside the Dashboards
# app's side panel (about 230 pixels) without scrolling sideways. Odoo's own
# Sales dashboard is 1,097 pixels wide.
VISIBLE_WIDTH = 1150


def sizes(headers, count, default):
    return [headers.get(str(index), {}).get("size", default) for index in range(count)]


def figure_boxes(sheet):
    """{figure id: (left, top, right, bottom)} in pixels: the corner of the
    figure's anchor cell plus its offset."""
    widths = sizes(sheet["cols"], sheet["colNumber"], DEFAULT_COLUMN_WIDTH)
    heights = sizes(sheet["rows"], sheet["rowNumber"], DEFAULT_ROW_HEIGHT)
    boxes = {}
    for figure in sheet["figures"]:
        left = sum(widths[: figure["col"]]) + figure["offset"]["x"]
        top = sum(heights[: figure["row"]]) + figure["offset"]["y"]
        boxes[figure["id"]] = (
            left,
            top,
            left + figure["width"],
            top + figure["height"],
        )
    return boxes


class Empty:
    """What PIVOT.VALUE gives when no record matches: an empty value, which a
    scorecard shows as an empty card."""


EMPTY = Empty()
PIVOT_VALUE = re.compile(r"PIVOT\.VALUE\((\d+),[^()]*\)")
OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def evaluate(node):
    """The arithmetic of a formula as o-spreadsheet computes it: an empty
    operand counts as 0 (its toNumber reads "" as 0), a lone empty value
    stays empty."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id == "EMPTY":
        return EMPTY
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left, right = (evaluate(side) for side in (node.left, node.right))
        return OPERATORS[type(node.op)](
            0 if left is EMPTY else left, 0 if right is EMPTY else right
        )
    raise AssertionError(f"not a KPI formula's arithmetic: {ast.dump(node)}")


def value_without_data(formula):
    """The value of a KPI formula when every pivot value in it is empty."""
    assert formula.startswith("="), formula
    expression = PIVOT_VALUE.sub("EMPTY", formula[1:])
    return evaluate(ast.parse(expression, mode="eval").body)


@tagged("post_install", "-at_install")
class TestRenewalsDashboardLayout(TransactionCase):
    """The figures of the dashboard as Odoo draws them: scorecards in rows,
    charts below, nothing overlapping, nothing past the visible width."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(XMLID)
        cls.data = json.loads(cls.dashboard.spreadsheet_data)
        cls.sheet = cls.data["sheets"][0]
        cls.cells = {sheet["name"]: sheet["cells"] for sheet in cls.data["sheets"]}
        cls.boxes = figure_boxes(cls.sheet)
        cls.scorecards = [
            figure
            for figure in cls.sheet["figures"]
            if figure["data"]["type"] == "scorecard"
        ]

    def test_scorecards_stand_in_rows(self):
        rows = {}
        for card in self.scorecards:
            rows.setdefault(self.boxes[card["id"]][1], []).append(card)
        # Two rows of the renewals' KPIs, one of the card payments' (issue 17).
        self.assertEqual(len(self.scorecards), 14)
        self.assertEqual(sorted(len(cards) for cards in rows.values()), [4, 5, 5])
        for cards in rows.values():
            lefts = sorted(self.boxes[card["id"]][0] for card in cards)
            self.assertEqual(lefts[0], 0, "a row starts at the left edge")
            self.assertEqual(len({card["height"] for card in cards}), 1)
            self.assertEqual(len({card["width"] for card in cards}), 1)
            steps = {right - left for left, right in itertools.pairwise(lefts)}
            self.assertEqual(len(steps), 1, "cards evenly spaced in a row")
        tops = sorted(rows)
        self.assertGreater(tops[1], tops[0] + self.scorecards[0]["height"])

    def test_charts_stand_below_the_scorecards(self):
        cards_bottom = max(self.boxes[card["id"]][3] for card in self.scorecards)
        charts = [
            figure
            for figure in self.sheet["figures"]
            if figure["data"]["type"] != "scorecard"
        ]
        self.assertEqual(len(charts), 3)
        for chart in charts:
            self.assertGreater(self.boxes[chart["id"]][1], cards_bottom)

    def test_no_figure_overlaps_another(self):
        boxes = sorted(self.boxes.items())
        for index, (first, (left, top, right, bottom)) in enumerate(boxes):
            for second, (left2, top2, right2, bottom2) in boxes[index + 1 :]:
                overlap = left < right2 and left2 < right
                overlap = overlap and top < bottom2 and top2 < bottom
                self.assertFalse(overlap, f"{first} overlaps {second}")

    def test_every_figure_is_inside_the_visible_sheet(self):
        sheet = self.sheet
        widths = sizes(sheet["cols"], sheet["colNumber"], DEFAULT_COLUMN_WIDTH)
        heights = sizes(sheet["rows"], sheet["rowNumber"], DEFAULT_ROW_HEIGHT)
        sheet_width = sum(widths)
        self.assertLessEqual(sheet_width, VISIBLE_WIDTH)
        for figure_id, (left, top, right, bottom) in self.boxes.items():
            self.assertGreaterEqual(left, 0, figure_id)
            self.assertGreaterEqual(top, 0, figure_id)
            self.assertLessEqual(right, sheet_width, f"{figure_id} is cut off")
            self.assertLessEqual(bottom, sum(heights), f"{figure_id} is cut off")

    def test_kpis_show_zero_without_data(self):
        for card in self.scorecards:
            sheet, cell = card["data"]["keyValue"].split("!")
            formula = self.cells[sheet][cell]
            self.assertIn("PIVOT.VALUE", formula)
            for pivot_id in PIVOT_VALUE.findall(formula):
                self.assertIn(pivot_id, self.data["pivots"])
            self.assertEqual(
                value_without_data(formula),
                0,
                f"{card['data']['title']['text']}: {formula}",
            )

    def test_outcomes_and_statuses_keep_their_colours(self):
        """Each series of a chart is one outcome (or pipeline status) in its
        own colour, whatever the data holds: on time green, late and
        reinstated amber, lapsed red."""
        expected = {
            "on_time": "#28a745",
            "late": "#ffac00",
            "reinstated": "#e07b00",
            "lapsed": "#dc3545",
            "won": "#28a745",
            "reinstatement": "#e07b00",
        }
        header = re.compile(
            r'=PIVOT\.HEADER\((\d+),"(outcome|renewal_status)","(\w+)"\)'
        )
        charts = [
            figure
            for figure in self.sheet["figures"]
            if figure["data"]["type"] != "scorecard"
        ]
        seen = set()
        for chart in charts:
            for dataset in chart["data"]["dataSets"]:
                sheet, cells = dataset["dataRange"].split("!")
                title_cell = cells.split(":")[0]
                pivot_id, field, value = header.fullmatch(
                    self.cells[sheet][title_cell]
                ).groups()
                self.assertIn(pivot_id, self.data["pivots"])
                if value in expected:
                    self.assertEqual(
                        dataset["backgroundColor"],
                        expected[value],
                        f"{chart['data']['title']['text']}: {field} {value}",
                    )
                    seen.add(value)
        self.assertEqual(seen, set(expected))

    def test_charts_rows_past_the_data_are_empty(self):
        """A chart's rows are the groups of its pivot by position; a position
        past the last group gives an empty row, which the chart leaves out,
        never an error bar."""
        for figure in self.sheet["figures"]:
            if figure["data"]["type"] == "scorecard":
                continue
            sheet, cells = figure["data"]["labelRange"].split("!")
            first, last = cells.split(":")
            column = first.rstrip("0123456789")
            for row in range(int(first[len(column) :]), int(last[len(column) :]) + 1):
                formula = self.cells[sheet][f"{column}{row}"]
                self.assertRegex(formula, r'^=IFERROR\(PIVOT\.HEADER\(\d+,"#')
                self.assertTrue(formula.endswith(',"")'), formula)

    def test_zero_check_tells_an_empty_value_from_zero(self):
        # Guards the check above: a bare pivot value stays empty.
        self.assertIs(
            value_without_data('=PIVOT.VALUE(2,"__count","outcome","late")'), EMPTY
        )
        self.assertEqual(value_without_data('=PIVOT.VALUE(1,"x")/100'), 0)


@tagged("post_install", "-at_install")
class TestRenewalsDashboardRates(RenewalRunCommon):
    """The dashboard's KPIs read the renewal analysis as the rates count
    terms: those whose due date has passed; the terms still ahead of their
    due date are shown apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        data = json.loads(cls.env.ref(XMLID).spreadsheet_data)
        cls.pivots = data["pivots"]
        cls.cards = {
            figure["data"]["title"]["text"]: figure["data"]
            for figure in data["sheets"][0]["figures"]
            if figure["data"]["type"] == "scorecard"
        }
        cls.cells = {sheet["name"]: sheet["cells"] for sheet in data["sheets"]}

    def pivot_values(self, pivot_id, contracts):
        """What a pivot of the dashboard reads for ``contracts``."""
        definition = self.pivots[pivot_id]
        measures = [
            "__count"
            if m["fieldName"] == "__count"
            else f"{m['fieldName']}:"
            + self.env[definition["model"]]._fields[m["fieldName"]].aggregator
            for m in definition["measures"]
        ]
        [group] = self.env[definition["model"]].formatted_read_group(
            definition["domain"] + [("contract_id", "in", contracts.ids)],
            [],
            measures,
        )
        return group

    def test_rates_over_due_terms_and_not_yet_due_apart(self):
        day = date(2026, 6, 15)
        with freeze_time(day):
            due = self.make_contract(
                date_start=day - timedelta(days=380), date_end=day - timedelta(days=15)
            )
            ahead = self.make_contract(
                date_start=day - timedelta(days=335), date_end=day + timedelta(days=30)
            )
            (due | ahead).action_activate()
            contracts = due | ahead
            renewals = self.pivot_values("1", contracts)
            not_yet_due = self.pivot_values("4", contracts)
        self.assertEqual(renewals["__count"], 1, "the due term only")
        self.assertEqual(renewals["renewal_rate_count:avg"], 0.0)
        self.assertAlmostEqual(renewals["amount_due:sum"], due.amount_total)
        self.assertEqual(not_yet_due["__count"], 1)
        self.assertAlmostEqual(not_yet_due["amount_due:sum"], ahead.amount_total)
        for label, measure in (("Value due", "amount_due"), ("Terms due", "__count")):
            card = self.cards[label]
            self.assertEqual(card["baselineMode"], "text")
            self.assertEqual(card["baselineDescr"]["text"], "not yet due")
            sheet, cell = card["baseline"].split("!")
            self.assertIn(f'PIVOT.VALUE(4,"{measure}")', self.cells[sheet][cell])
        for label in ("Renewal rate by value", "Renewal rate by count"):
            sheet, cell = self.cards[label]["keyValue"].split("!")
            self.assertIn("PIVOT.VALUE(1,", self.cells[sheet][cell])


@tagged("post_install", "-at_install")
class TestRenewalsDashboard(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(XMLID)
        cls.manager = new_test_user(
            cls.env,
            login="dashboard_manager",
            groups="symantec_renewals.group_renewal_manager",
        )
        cls.rep = new_test_user(
            cls.env,
            login="dashboard_rep",
            groups="symantec_renewals.group_renewal_user",
        )

    def test_one_renewals_dashboard(self):
        dashboards = self.env["spreadsheet.dashboard"].search(
            [("name", "=", "Renewals")]
        )
        self.assertEqual(dashboards, self.dashboard)

    def test_dashboard_reads_existing_fields_and_is_for_managers(self):
        data = json.loads(self.dashboard.spreadsheet_data)
        for pivot in data["pivots"].values():
            fields_info = self.env[pivot["model"]].fields_get()
            for measure in pivot["measures"]:
                if measure["fieldName"] != "__count":
                    self.assertIn(measure["fieldName"], fields_info)
            for row in pivot["rows"]:
                self.assertIn(row["fieldName"], fields_info)
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertIn(self.dashboard, Dashboard.with_user(self.manager).search([]))
        self.assertNotIn(self.dashboard, Dashboard.with_user(self.rep).search([]))

    def test_dashboard_loads_in_the_browser(self):
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "spreadsheet_dashboard_symantec_renewals",
            login="dashboard_manager",
        )
