#!/usr/bin/env python3
"""Write the Renewals spreadsheet dashboard of the bridge addon.

The dashboard is data
(spreadsheet_dashboard_symantec_renewals/data/files/renewals_dashboard.json)
that Odoo's Dashboards app opens; this script is its source, so a change to
the KPIs or the layout is a change here, reviewed as code:

    python3 setup/build_dashboard.py

The layout follows Odoo's own Sales dashboard: scorecards of about 210 x 100
pixels in rows, charts below them, everything inside a grid about 1,100
pixels wide (so that it reads whole at 1,400 pixels and on a laptop, beside
the Dashboards app's side panel). A figure's place is its anchor cell's
corner (``col``, ``row``) plus its ``offset`` in pixels: every figure is
anchored in A1 and placed by its offset alone.
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BRIDGE = "spreadsheet_dashboard_symantec_renewals"
TARGET = os.path.join(ROOT, BRIDGE, "data", "files", "renewals_dashboard.json")

ANALYSIS = "symantec.renewal.analysis"
LEAD = "crm.lead"
PERIOD = "b7a1c0de-0001-4a6e-9d2f-renewalperiod"
REGION = "b7a1c0de-0002-4a6e-9d2f-renewalregion"
MENU = "symantec_renewals.symantec_renewal_analysis_menu"

ANALYSIS_MATCHING = {
    PERIOD: {"chain": "date_due", "type": "date", "offset": 0},
    REGION: {"chain": "region", "type": "selection"},
}
LEAD_MATCHING = {
    PERIOD: {"chain": "renewal_due_date", "type": "date", "offset": 0},
    REGION: {"chain": "renewal_region", "type": "selection"},
}


def dimension(spec):
    """A pivot's row or column: a field, a date field with its granularity."""
    field_name, _colon, granularity = spec.partition(":")
    if granularity:
        return {"fieldName": field_name, "granularity": granularity, "order": "asc"}
    return {"fieldName": field_name}


def pivot(
    pivot_id,
    name,
    model,
    measures,
    *,
    rows=(),
    columns=(),
    domain=(),
    matching=None,
    context=None,
):
    return {
        "type": "ODOO",
        "id": pivot_id,
        "formulaId": pivot_id,
        "name": name,
        "model": model,
        "domain": list(domain),
        "context": context or {},
        "measures": [{"id": measure, "fieldName": measure} for measure in measures],
        "rows": [dimension(row) for row in rows],
        "columns": [dimension(column) for column in columns],
        "sortedColumn": None,
        "fieldMatching": matching or ANALYSIS_MATCHING,
    }


# The scorecards, one row of cards after the other: label, value, format of
# the card's text, and what the card shows apart below its value (a value
# and its description), if anything. A value is a pivot value plus 0: the
# pivot gives an empty value, not 0, when no record matches (no late renewal
# in the period), and adding 0 turns that into 0 while a real error (or
# "Loading...") still shows.
#
# Pivot 1 holds the terms of the period whose due date has passed, as the
# renewal rates count them; the terms of the period still ahead of their due
# date (pivot 4) are shown apart, below the value and the count due.
NOT_YET_DUE = "not yet due"
KPI_ROWS = [
    [
        (
            "Value due",
            'PIVOT.VALUE(1,"amount_due")',
            "money",
            ('PIVOT.VALUE(4,"amount_due")', NOT_YET_DUE),
        ),
        ("Value renewed", 'PIVOT.VALUE(1,"amount_renewed")', "money", None),
        (
            "Renewal rate by value",
            'PIVOT.VALUE(1,"renewal_rate_value")/100',
            "percent",
            None,
        ),
        (
            "Renewal rate by count",
            'PIVOT.VALUE(1,"renewal_rate_count")/100',
            "percent",
            None,
        ),
        (
            "Reinstatement fees",
            'PIVOT.VALUE(1,"reinstatement_fee_amount")',
            "money",
            None,
        ),
    ],
    [
        (
            "Terms due",
            'PIVOT.VALUE(1,"__count")',
            "number",
            ('PIVOT.VALUE(4,"__count")', NOT_YET_DUE),
        ),
        ("Late", 'PIVOT.VALUE(2,"__count","outcome","late")', "number", None),
        (
            "Reinstated",
            'PIVOT.VALUE(2,"__count","outcome","reinstated")',
            "number",
            None,
        ),
        ("Lapsed", 'PIVOT.VALUE(2,"__count","outcome","lapsed")', "number", None),
        # Due in 30 days with no quote sent (crm.lead.renewal_at_risk).
        ("At risk (no quote sent)", 'PIVOT.VALUE(3,"__count")', "number", None),
    ],
    # Automatic renewals charged to the customer's card (SPEC §11).
    [
        (
            "Card renewals paid at the first charge",
            'PIVOT.VALUE(8,"__count","auto_payment_outcome","first_charge")',
            "number",
            None,
        ),
        (
            "Card renewals recovered by dunning",
            'PIVOT.VALUE(8,"__count","auto_payment_outcome","recovered")',
            "number",
            None,
        ),
        (
            "Card renewals in dunning",
            'PIVOT.VALUE(8,"__count","auto_payment_outcome","dunning")',
            "number",
            None,
        ),
        (
            "Card renewals lost",
            'PIVOT.VALUE(8,"__count","auto_payment_outcome","lost")',
            "number",
            None,
        ),
    ],
]
KPIS = [kpi for row in KPI_ROWS for kpi in row]
FORMATS = {"money": 1, "percent": 2, "number": 3}
DUE = [["due_status", "=", "due"]]
NOT_DUE = [["due_status", "=", "not_due"]]


def kpi_formula(value):
    """The Data sheet's formula of a KPI: 0 when the pivot has no value."""
    if value.endswith("/100"):
        return f"=({value[: -len('/100')]}+0)/100"
    return f"={value}+0"


# Geometry, in pixels (Odoo's Sales dashboard: cards 211-218 x 101, 10 apart,
# charts 1,095 wide, columns 1,097 wide in all).
COLUMNS = 5
COLUMN_WIDTH = 221
SHEET_WIDTH = COLUMNS * COLUMN_WIDTH
TOP = 11
GAP = 10
CARD_WIDTH = COLUMN_WIDTH - GAP
CARD_HEIGHT = 101
CHART_WIDTH = SHEET_WIDTH - GAP
HALF_CHART_WIDTH = (CHART_WIDTH - GAP) // 2
CHART_HEIGHT = 344
ROW_HEIGHT = 23  # o-spreadsheet's default row height


def scorecard(figure_id, label, cell, *, x, y, apart=None):
    """A KPI card; ``apart`` is the cell and the description of what the
    card shows apart, below its value."""
    data = {
        "type": "scorecard",
        "title": {"text": label, "bold": True, "color": "#434343"},
        "background": "#EFF6FF",
        "keyValue": cell,
        "baselineMode": "difference",
        "baselineColorUp": "#00A04A",
        "baselineColorDown": "#DC6965",
        "humanize": False,
        "chartId": figure_id,
    }
    if apart:
        apart_cell, description = apart
        data.update(
            {
                "baseline": apart_cell,
                "baselineMode": "text",
                "baselineDescr": {"text": description},
            }
        )
    return {
        "id": figure_id,
        "width": CARD_WIDTH,
        "height": CARD_HEIGHT,
        "tag": "chart",
        "col": 0,
        "row": 0,
        "offset": {"x": x, "y": y},
        "data": data,
    }


# The colours of the renewal outcomes and statuses, as the addon's graphs
# (symantec_renewals/static/src/views/renewal_status_graph.js) and lists'
# badges draw them: Odoo's success, warning, danger, info and primary.
SUCCESS = "#28a745"
WARNING = "#ffac00"
WARNING_DARK = "#e07b00"
DANGER = "#dc3545"
INFO = "#17a2b8"
PRIMARY = "#714b67"
OUTCOME_COLORS = [
    ("on_time", SUCCESS),
    ("late", WARNING),
    ("reinstated", WARNING_DARK),
    ("lapsed", DANGER),
    ("open", INFO),
]
RENEWAL_STATUS_COLORS = [
    ("upcoming", INFO),
    ("quoted", PRIMARY),
    ("late", WARNING),
    ("reinstatement", WARNING_DARK),
    ("won", SUCCESS),
    ("lapsed", DANGER),
]


class StatusChart:
    """A stacked bar chart of a measure by a dimension (the bars) and an
    outcome or status (the series, each always in its own colour).

    Odoo's charts over a model colour their series by position, and the
    series come in the order the data first holds them: "On time" came out
    red whenever no late renewal came first. So the chart is drawn from a
    table of the Data sheet instead, one column per outcome in a fixed
    order: row ``i`` is the ``i``-th group of the dimension in the pivot
    (``#dimension``, ``i``), and the rows past the last group are empty,
    which the chart leaves out (as it leaves out a series without data)."""

    def __init__(
        self,
        figure_id,
        title,
        pivot_id,
        *,
        column,
        rows,
        dimension,
        series_field,
        series,
        measure,
    ):
        self.figure_id = figure_id
        self.title = title
        self.pivot_id = pivot_id
        self.column = column  # the Data sheet's column of the bars' labels
        self.rows = rows  # how many groups of the dimension the chart holds
        self.dimension = dimension
        self.series_field = series_field
        self.series = series
        self.measure = measure

    def columns(self):
        return [
            column_name(self.column + offset) for offset in range(len(self.series) + 1)
        ]

    def cells(self):
        label_column, *series_columns = self.columns()
        cells = {}
        for (value, _color), column in zip(self.series, series_columns, strict=True):
            cells[f"{column}1"] = (
                f'=PIVOT.HEADER({self.pivot_id},"{self.series_field}","{value}")'
            )
        for index in range(1, self.rows + 1):
            row = index + 1
            position = f'"#{self.dimension}",{index}'
            # Past the last group, the position is an error: an empty row.
            cells[f"{label_column}{row}"] = (
                f'=IFERROR(PIVOT.HEADER({self.pivot_id},{position}),"")'
            )
            for (value, _color), column in zip(
                self.series, series_columns, strict=True
            ):
                cells[f"{column}{row}"] = (
                    f'=IFERROR(PIVOT.VALUE({self.pivot_id},"{self.measure}",'
                    f'{position},"{self.series_field}","{value}"),"")'
                )
        return cells

    def figure(self, x, y, width):
        label_column, *series_columns = self.columns()
        last = self.rows + 1
        return {
            "id": self.figure_id,
            "width": width,
            "height": CHART_HEIGHT,
            "tag": "chart",
            "col": 0,
            "row": 0,
            "offset": {"x": x, "y": y},
            "data": {
                "type": "bar",
                "chartId": self.figure_id,
                "title": {"text": self.title},
                "background": "#FFFFFF",
                "legendPosition": "top",
                "stacked": True,
                "aggregated": False,
                "horizontal": False,
                "dataSetsHaveTitle": True,
                "labelRange": f"Data!{label_column}2:{label_column}{last}",
                "dataSets": [
                    {
                        "dataRange": f"Data!{column}1:{column}{last}",
                        "backgroundColor": color,
                    }
                    for (_value, color), column in zip(
                        self.series, series_columns, strict=True
                    )
                ],
            },
        }


def column_name(index):
    """The spreadsheet's name of the column at ``index`` (0 is A)."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


# The charts' tables stand on the Data sheet right of the KPIs (columns A to
# C). Periods longer than three years show their first 36 months.
MONTHS = 36
CHARTS = {
    "by_month": StatusChart(
        "renewals-by-month",
        "Value due by month and outcome",
        "5",
        column=4,
        rows=MONTHS,
        dimension="date_due:month",
        series_field="outcome",
        series=OUTCOME_COLORS,
        measure="amount_due",
    ),
    "by_region": StatusChart(
        "renewals-by-region",
        "Value renewed by region and outcome",
        "6",
        column=11,
        rows=5,
        dimension="region",
        series_field="outcome",
        series=OUTCOME_COLORS,
        measure="amount_renewed",
    ),
    "pipeline": StatusChart(
        "renewals-pipeline",
        "Renewal pipeline by due month and status",
        "7",
        column=18,
        rows=MONTHS,
        dimension="renewal_due_date:month",
        series_field="renewal_status",
        series=RENEWAL_STATUS_COLORS,
        measure="expected_revenue",
    ),
}


def build_figures():
    figures = []
    y = TOP
    number = 0
    for kpis in KPI_ROWS:
        for position, (label, _value, _kind, apart) in enumerate(kpis):
            number += 1
            figures.append(
                scorecard(
                    f"renewals-kpi-{number}",
                    label,
                    f"Data!B{number}",
                    x=position * COLUMN_WIDTH,
                    y=y,
                    apart=apart and (f"Data!C{number}", apart[1]),
                )
            )
        y += CARD_HEIGHT + GAP
    y += GAP
    figures.append(CHARTS["by_month"].figure(x=0, y=y, width=CHART_WIDTH))
    y += CHART_HEIGHT + 2 * GAP
    figures.append(CHARTS["by_region"].figure(x=0, y=y, width=HALF_CHART_WIDTH))
    figures.append(
        CHARTS["pipeline"].figure(
            x=CHART_WIDTH - HALF_CHART_WIDTH, y=y, width=HALF_CHART_WIDTH
        )
    )
    return figures


def build():
    data_cells = {}
    data_formats = {}
    for index, (label, value, kind, apart) in enumerate(KPIS, start=1):
        data_cells[f"A{index}"] = f'=_t("{label}")'
        data_cells[f"B{index}"] = kpi_formula(value)
        data_formats[f"B{index}"] = FORMATS[kind]
        if apart:
            data_cells[f"C{index}"] = kpi_formula(apart[0])
            data_formats[f"C{index}"] = FORMATS[kind]
    for chart in CHARTS.values():
        data_cells.update(chart.cells())
    figures = build_figures()
    bottom = max(figure["offset"]["y"] + figure["height"] for figure in figures)
    return {
        "version": "18.5.10",
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "styles": {},
        "formats": {"1": "#,##0", "2": "0.0%", "3": "0"},
        "borders": {},
        "customTableStyles": {},
        "sheets": [
            {
                "id": "renewals-dashboard",
                "name": "Dashboard",
                "colNumber": COLUMNS,
                "rowNumber": -(-(bottom + GAP) // ROW_HEIGHT),
                "rows": {},
                "cols": {
                    str(column): {"size": COLUMN_WIDTH} for column in range(COLUMNS)
                },
                "merges": [],
                "cells": {},
                "styles": {},
                "formats": {},
                "borders": {},
                "conditionalFormats": [],
                "dataValidationRules": [],
                "figures": figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "comments": {},
            },
            {
                "id": "renewals-data",
                "name": "Data",
                "colNumber": 26,
                "rowNumber": MONTHS + 4,
                "rows": {},
                "cols": {"0": {"size": 300}},
                "merges": [],
                "cells": data_cells,
                "styles": {},
                "formats": data_formats,
                "borders": {},
                "conditionalFormats": [],
                "dataValidationRules": [],
                "figures": [],
                "tables": [],
                "areGridLinesVisible": True,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "comments": {},
            },
        ],
        "pivots": {
            "1": pivot(
                "1",
                "Renewals",
                ANALYSIS,
                [
                    "amount_due",
                    "amount_renewed",
                    "renewal_rate_value",
                    "renewal_rate_count",
                    "reinstatement_fee_amount",
                    "__count",
                ],
                domain=DUE,
            ),
            "2": pivot(
                "2", "Outcomes", ANALYSIS, ["__count", "amount_due"], rows=["outcome"]
            ),
            "3": pivot(
                "3",
                "At risk",
                LEAD,
                ["__count", "expected_revenue"],
                domain=[["is_renewal", "=", True], ["renewal_at_risk", "=", True]],
                matching={REGION: LEAD_MATCHING[REGION]},
            ),
            "4": pivot(
                "4",
                "Not yet due",
                ANALYSIS,
                ["__count", "amount_due"],
                domain=NOT_DUE,
            ),
            "5": pivot(
                "5",
                "Value due by month and outcome",
                ANALYSIS,
                ["amount_due"],
                rows=["date_due:month"],
                columns=["outcome"],
            ),
            "6": pivot(
                "6",
                "Value renewed by region and outcome",
                ANALYSIS,
                ["amount_renewed"],
                rows=["region"],
                columns=["outcome"],
            ),
            # The lapsed renewals are lost opportunities, archived.
            "7": pivot(
                "7",
                "Renewal pipeline by due month and status",
                LEAD,
                ["expected_revenue"],
                rows=["renewal_due_date:month"],
                columns=["renewal_status"],
                domain=[["is_renewal", "=", True], ["type", "=", "opportunity"]],
                matching=LEAD_MATCHING,
                context={"active_test": False},
            ),
            "8": pivot(
                "8",
                "Card payments",
                ANALYSIS,
                ["__count", "amount_due"],
                rows=["auto_payment_outcome"],
            ),
        },
        "pivotNextId": 9,
        "lists": {},
        "listNextId": 1,
        "globalFilters": [
            {
                "id": PERIOD,
                "type": "date",
                "label": "Due period",
                "defaultValue": "this_year",
            },
            {
                "id": REGION,
                "type": "selection",
                "label": "Region",
                "resModel": ANALYSIS,
                "selectionField": "region",
            },
        ],
        "chartOdooMenusReferences": {figure["id"]: MENU for figure in figures},
    }


def main():
    os.makedirs(os.path.dirname(TARGET), exist_ok=True)
    with open(TARGET, "w", encoding="utf-8") as handle:
        json.dump(build(), handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(TARGET)


if __name__ == "__main__":
    main()
