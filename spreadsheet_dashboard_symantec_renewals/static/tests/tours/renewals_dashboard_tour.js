import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("spreadsheet_dashboard_symantec_renewals", {
    url: "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
    steps: () => [
        {
            content: "Open the Renewals dashboard",
            trigger: ".o_search_panel_category_value[data-name='Renewals']",
            run: "click",
        },
        {
            content: "It is the active dashboard",
            trigger: ".o_search_panel_category_value.active[data-name='Renewals']",
        },
        {
            content: "Its KPIs and charts are drawn, with no loading error",
            trigger: ".o_renderer .o-figure",
            run() {
                if (document.querySelector(".dashboard-loading-status.error")) {
                    throw new Error("The dashboard failed to load");
                }
                // The ten KPI scorecards at the top (charts further down are
                // only drawn once scrolled into view).
                const figures = document.querySelectorAll(".o_renderer .o-figure");
                if (figures.length < 10) {
                    throw new Error(`Expected the 10 KPIs, found ${figures.length} figures`);
                }
            },
        },
    ],
});
