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


def pivot(pivot_id, name, model, measures, *, rows=(), domain=(), matching=None):
    return {
        "type": "ODOO",
        "id": pivot_id,
        "formulaId": pivot_id,
        "name": name,
        "model": model,
        "domain": list(domain),
        "context": {},
        "measures": [{"id": measure, "fieldName": measure} for measure in measures],
        "rows": [{"fieldName": row} for row in rows],
        "columns": [],
        "sortedColumn": None,
        "fieldMatching": matching or ANALYSIS_MATCHING,
    }


# The scorecards, one row of cards after the other: label, value, format of
# the card's text. A value is a pivot value plus 0: the pivot gives an empty
# value, not 0, when no record matches (no late renewal in the period), and
# adding 0 turns that into 0 while a real error (or "Loading...") still shows.
KPI_ROWS = [
    [
        ("Value due", 'PIVOT.VALUE(1,"amount_due")', "money"),
        ("Value renewed", 'PIVOT.VALUE(1,"amount_renewed")', "money"),
        ("Renewal rate by value", 'PIVOT.VALUE(1,"renewal_rate_value")/100', "percent"),
        ("Renewal rate by count", 'PIVOT.VALUE(1,"renewal_rate_count")/100', "percent"),
        ("Reinstatement fees", 'PIVOT.VALUE(1,"reinstatement_fee_amount")', "money"),
    ],
    [
        ("Terms due", 'PIVOT.VALUE(1,"__count")', "number"),
        ("Late", 'PIVOT.VALUE(2,"__count","outcome","late")', "number"),
        ("Reinstated", 'PIVOT.VALUE(2,"__count","outcome","reinstated")', "number"),
        ("Lapsed", 'PIVOT.VALUE(2,"__count","outcome","lapsed")', "number"),
        # Due in 30 days with no quote sent (crm.lead.renewal_at_risk).
        ("At risk (no quote sent)", 'PIVOT.VALUE(3,"__count")', "number"),
    ],
    # Automatic renewals charged to the customer's card (SPEC §11).
    [
        (
            "Card renewals paid at the first charge",
            'PIVOT.VALUE(4,"__count","auto_payment_outcome","first_charge")',
            "number",
        ),
        (
            "Card renewals recovered by dunning",
            'PIVOT.VALUE(4,"__count","auto_payment_outcome","recovered")',
            "number",
        ),
        (
            "Card renewals in dunning",
            'PIVOT.VALUE(4,"__count","auto_payment_outcome","dunning")',
            "number",
        ),
        (
            "Card renewals lost",
            'PIVOT.VALUE(4,"__count","auto_payment_outcome","lost")',
            "number",
        ),
    ],
]
KPIS = [kpi for row in KPI_ROWS for kpi in row]
FORMATS = {"money": 1, "percent": 2, "number": 3}


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


def scorecard(figure_id, label, cell, x, y):
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


def bar_chart(figure_id, title, *, model, group_by, measure, matching, x, y, width):
    return {
        "id": figure_id,
        "width": width,
        "height": CHART_HEIGHT,
        "tag": "chart",
        "col": 0,
        "row": 0,
        "offset": {"x": x, "y": y},
        "data": {
            "type": "odoo_bar",
            "title": {"text": title},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "stacked": True,
            "verticalAxisPosition": "left",
            "dataSets": [{}, {}],
            "metaData": {
                "groupBy": group_by,
                "measure": measure,
                "order": None,
                "resModel": model,
                "mode": "bar",
            },
            "searchParams": {
                "comparison": None,
                "context": {},
                "domain": [],
                "groupBy": group_by,
                "orderBy": [],
            },
            "fieldMatching": matching,
            "chartId": figure_id,
        },
    }


def build_figures():
    figures = []
    y = TOP
    number = 0
    for kpis in KPI_ROWS:
        for position, (label, _value, _kind) in enumerate(kpis):
            number += 1
            figures.append(
                scorecard(
                    f"renewals-kpi-{number}",
                    label,
                    f"Data!B{number}",
                    x=position * COLUMN_WIDTH,
                    y=y,
                )
            )
        y += CARD_HEIGHT + GAP
    y += GAP
    figures.append(
        bar_chart(
            "renewals-by-month",
            "Value due by month and outcome",
            model=ANALYSIS,
            group_by=["date_due:month", "outcome"],
            measure="amount_due",
            matching=ANALYSIS_MATCHING,
            x=0,
            y=y,
            width=CHART_WIDTH,
        )
    )
    y += CHART_HEIGHT + 2 * GAP
    figures.append(
        bar_chart(
            "renewals-by-region",
            "Value renewed by region and outcome",
            model=ANALYSIS,
            group_by=["region", "outcome"],
            measure="amount_renewed",
            matching=ANALYSIS_MATCHING,
            x=0,
            y=y,
            width=HALF_CHART_WIDTH,
        )
    )
    figures.append(
        bar_chart(
            "renewals-pipeline",
            "Renewal pipeline by due month and status",
            model=LEAD,
            group_by=["renewal_due_date:month", "renewal_status"],
            measure="expected_revenue",
            matching=LEAD_MATCHING,
            x=CHART_WIDTH - HALF_CHART_WIDTH,
            y=y,
            width=HALF_CHART_WIDTH,
        )
    )
    return figures


def build():
    data_cells = {}
    for index, (label, value, _kind) in enumerate(KPIS, start=1):
        data_cells[f"A{index}"] = f'=_t("{label}")'
        data_cells[f"B{index}"] = kpi_formula(value)
    figures = build_figures()
    bottom = max(figure["offset"]["y"] + figure["height"] for figure in figures)
    data_formats = {
        f"B{index}": FORMATS[kind] for index, (_l, _f, kind) in enumerate(KPIS, 1)
    }
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
                "colNumber": 4,
                "rowNumber": 40,
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
                "Card payments",
                ANALYSIS,
                ["__count", "amount_due"],
                rows=["auto_payment_outcome"],
            ),
        },
        "pivotNextId": 5,
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
