import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("symantec_renewals_open_menu", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Renewals app",
            trigger: ".o_app[data-menu-xmlid='symantec_renewals.symantec_renewals_menu_root']",
            run: "click",
        },
        {
            content: "The renewal pipeline is shown",
            trigger: ".o_breadcrumb:contains('Renewal Pipeline')",
        },
        {
            content: "It opens on the kanban view",
            trigger: ".o_kanban_renderer",
        },
    ],
});
