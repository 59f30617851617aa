import { registry } from "@web/core/registry";

// Odoo's success and danger colours, as the analysis graph draws them.
const GREEN = "#28a745";
const RED = "#dc3545";

registry.category("web_tour.tours").add("symantec_renewals_analysis_tour", {
    url: "/odoo/renewal-analysis",
    steps: () => [
        {
            content: "The analysis opens on its pivot, the rates among its columns",
            trigger: ".o_pivot th:contains('Renewal Rate by Value')",
        },
        {
            content: "The pivot fits the window: no column past its right edge",
            trigger: ".o_pivot table",
            run() {
                const table = document.querySelector(".o_pivot table");
                const right = table.getBoundingClientRect().right;
                if (right > window.innerWidth) {
                    throw new Error(`The pivot is ${right}px wide in ${window.innerWidth}px`);
                }
                const headers = table.querySelectorAll("thead th.o_pivot_measure_row");
                if (headers.length > 6) {
                    throw new Error(`${headers.length} columns`);
                }
            },
        },
        {
            content: "Open the graph",
            trigger: "button.o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "On time is drawn in green, lapsed in red",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(
                    document.querySelector(".o_graph_renderer canvas")
                );
                const colors = Object.fromEntries(
                    chart.data.datasets.map((dataset) => [dataset.label, dataset.backgroundColor])
                );
                if (colors["On time"] !== GREEN || colors["Lapsed"] !== RED) {
                    throw new Error(`Colours: ${JSON.stringify(colors)}`);
                }
            },
        },
    ],
});
