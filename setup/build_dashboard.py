#!/usr/bin/env python3
"""Write the Renewals spreadsheet dashboard of the addon.

The dashboard is data (symantec_renewals/data/files/renewals_dashboard.json)
that Odoo's Dashboards app opens; this script is its source, so a change to
the KPIs is a change here, reviewed as code:

    python3 setup/build_dashboard.py
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(
    ROOT, "symantec_renewals", "data", "files", "renewals_dashboard.json"
)

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


# KPI rows of the Data sheet: label, formula of the value, format of the
# scorecard's text.
KPIS = [
    ("Value due", '=PIVOT.VALUE(1,"amount_due")', "money"),
    ("Value renewed", '=PIVOT.VALUE(1,"amount_renewed")', "money"),
    ("Renewal rate by value", '=PIVOT.VALUE(1,"renewal_rate_value")/100', "percent"),
    ("Renewal rate by count", '=PIVOT.VALUE(1,"renewal_rate_count")/100', "percent"),
    ("Terms due", '=PIVOT.VALUE(1,"__count")', "number"),
    ("Late", '=PIVOT.VALUE(2,"__count","outcome","late")', "number"),
    ("Reinstated", '=PIVOT.VALUE(2,"__count","outcome","reinstated")', "number"),
    ("Lapsed", '=PIVOT.VALUE(2,"__count","outcome","lapsed")', "number"),
    ("Reinstatement fees", '=PIVOT.VALUE(1,"reinstatement_fee_amount")', "money"),
    ("At risk (due in 30 days, no quote sent)", '=PIVOT.VALUE(3,"__count")', "number"),
]
FORMATS = {"money": 1, "percent": 2, "number": 3}


def scorecard(figure_id, row, col, x, y):
    return {
        "id": figure_id,
        "width": 230,
        "height": 106,
        "tag": "chart",
        "col": col,
        "row": row,
        "offset": {"x": x, "y": y},
        "data": {
            "type": "scorecard",
            "title": {"text": "", "bold": True, "color": "#434343"},
            "background": "#EFF6FF",
            "keyValue": f"Data!B{row + 1}",
            "baselineMode": "difference",
            "baselineColorUp": "#00A04A",
            "baselineColorDown": "#DC6965",
            "humanize": False,
            "chartId": figure_id,
        },
    }


def bar_chart(figure_id, title, *, model, group_by, measure, matching, y):
    return {
        "id": figure_id,
        "width": 1000,
        "height": 340,
        "tag": "chart",
        "col": 0,
        "row": 0,
        "offset": {"x": 0, "y": y},
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


def build():
    data_cells = {}
    for index, (label, formula, _kind) in enumerate(KPIS, start=1):
        data_cells[f"A{index}"] = f'=_t("{label}")'
        data_cells[f"B{index}"] = formula
    figures = []
    for index, (label, _formula, _kind) in enumerate(KPIS):
        figure = scorecard(f"renewals-kpi-{index + 1}", index, 0, 0, 0)
        figure["data"]["title"]["text"] = label
        figure["offset"] = {"x": 240 * (index % 4), "y": 12 + 116 * (index // 4)}
        figures.append(figure)
    charts_top = 12 + 116 * ((len(KPIS) + 3) // 4) + 20
    figures.append(
        bar_chart(
            "renewals-by-month",
            "Value due by month and outcome",
            model=ANALYSIS,
            group_by=["date_due:month", "outcome"],
            measure="amount_due",
            matching=ANALYSIS_MATCHING,
            y=charts_top,
        )
    )
    figures.append(
        bar_chart(
            "renewals-by-region",
            "Value renewed by region and outcome",
            model=ANALYSIS,
            group_by=["region", "outcome"],
            measure="amount_renewed",
            matching=ANALYSIS_MATCHING,
            y=charts_top + 360,
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
            y=charts_top + 720,
        )
    )
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
                "colNumber": 8,
                "rowNumber": 60,
                "rows": {},
                "cols": {},
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
        },
        "pivotNextId": 4,
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
