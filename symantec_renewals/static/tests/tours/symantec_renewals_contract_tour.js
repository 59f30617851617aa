import { formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A renewal rep records a maintenance contract, activates it, finds it again
 * with the search view and follows it.
 *
 * Fixtures (see tests/test_ui.py): the customer "Tour Customer Spa", the
 * covered product "Tour Endpoint Suite", the rep in the EMEA renewal team.
 * The term ends in 20 days so that the "Expiring in 30 Days" filter finds it.
 */
const CUSTOMER = "Tour Customer Spa";
const PRODUCT = "Tour Endpoint Suite";

function termDates() {
    const end = luxon.DateTime.now().plus({ days: 20 }).startOf("day");
    const start = end.minus({ years: 1 }).plus({ days: 1 });
    return { start: formatDate(start), end: formatDate(end) };
}

function pickMany2one(fieldName, search, label) {
    return [
        {
            content: `Type "${search}" in ${fieldName}`,
            trigger: `.o_field_widget[name=${fieldName}] input`,
            run: `edit ${search}`,
        },
        {
            content: `Pick ${label}`,
            trigger: `.o_field_widget[name=${fieldName}] .o-autocomplete--dropdown-item a:contains(${label})`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("symantec_renewals_contract_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Renewals app",
            trigger: ".o_app[data-menu-xmlid='symantec_renewals.symantec_renewals_menu_root']",
            run: "click",
        },
        {
            content: "Open the contracts",
            trigger: ".o_main_navbar [data-menu-xmlid='symantec_renewals.symantec_contract_menu']",
            run: "click",
        },
        {
            content: "The contract list is shown",
            trigger: ".o_breadcrumb:contains(Contracts)",
        },
        {
            content: "Create a contract",
            trigger: ".o_list_button_add",
            run: "click",
        },
        ...pickMany2one("partner_id", CUSTOMER, CUSTOMER),
        {
            content: "Open the region choices",
            trigger: ".o_field_widget[name=region] input",
            run: "click",
        },
        {
            content: "Choose EMEA",
            trigger: ".o_select_menu_item:contains(EMEA)",
            run: "click",
        },
        {
            content: "The EMEA renewal team is set from the region",
            trigger: ".o_field_widget[name=team_id] input:value(Renewals EMEA)",
        },
        ...pickMany2one("tier_id", "Essential", "Essential Support"),
        {
            content: "Set the start date",
            trigger: ".o_field_widget[name=date_start] input",
            run: `edit ${termDates().start} && press Escape`,
        },
        {
            content: "Set the end date, one year later",
            trigger: ".o_field_widget[name=date_end] input",
            run: `edit ${termDates().end} && press Escape`,
        },
        {
            content: "The term is twelve months",
            trigger: ".o_field_widget[name=term_months]:contains(12)",
        },
        {
            content: "Add a covered product",
            trigger: ".o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        ...pickMany2one("product_id", PRODUCT, PRODUCT),
        {
            content: "Enter the licence value",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_field_widget[name=license_value] input",
            run: "edit 1000",
        },
        {
            content: "Leave the line",
            trigger: ".o_form_sheet .oe_title",
            run: "click",
        },
        {
            content: "The yearly price is 22% of the licence value",
            trigger: ".o_field_widget[name=line_ids] .o_data_row .o_data_cell[name=price_subtotal]:contains(220.00)",
        },
        ...stepUtils.saveForm(),
        {
            content: "The saved draft has no number yet",
            trigger: ".o_form_saved .oe_title:contains(New Contract):not(:has(.o_field_widget[name=name]))",
        },
        {
            content: "The yearly value is computed: 22% of a 1,000 licence",
            trigger: ".o_form_sheet .o_field_widget[name=amount_total]:contains(220.00)",
        },
        {
            content: "Activate the contract",
            trigger: ".o_statusbar_buttons button[name=action_activate]",
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: ".o_statusbar_status button[data-value=active][aria-checked=true]",
        },
        {
            content: "The Activate button is gone",
            trigger: ".o_statusbar_buttons:not(:has(button[name=action_activate]))",
        },
        {
            content: "Activated, the contract has its number",
            trigger: ".oe_title .o_field_widget[name=name]:contains(MNT/)",
        },
        {
            content: "Back to the contract list",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Contracts)",
            run: "click",
        },
        {
            content: "Open the search options",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the contracts expiring in the next 30 days",
            trigger: ".o_filter_menu .o_menu_item:contains(Expiring in 30 Days)",
            run: "click",
        },
        {
            content: "Search the customer",
            trigger: ".o_searchview_input",
            run: `edit ${CUSTOMER}`,
        },
        {
            content: "Search it as the customer",
            trigger: ".o_searchview_autocomplete .o-dropdown-item:contains(Customer)",
            run: "click",
        },
        {
            content: "Both criteria are applied",
            trigger: `.o_searchview_facet:contains(Expiring in 30 Days) ~ .o_searchview_facet:contains(${CUSTOMER})`,
        },
        {
            content: "Exactly one contract is found: the customer's other term ends later",
            trigger: `.o_list_renderer .o_data_row:only:contains(${CUSTOMER})`,
        },
        {
            content: "Open it",
            trigger: `.o_data_row .o_data_cell[name=partner_id]:contains(${CUSTOMER})`,
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: ".o_statusbar_status button[data-value=active][aria-checked=true]",
        },
        {
            content: "Open the followers menu",
            trigger: ".o-mail-Chatter .o-mail-Followers-button",
            run: "click",
        },
        {
            content: "The rep follows the contract they created: stop following it",
            trigger: ".o-mail-FollowerList-unfollow",
            run: "click",
        },
        {
            content: "Nobody follows it any more",
            trigger: ".o-mail-Followers-button:not(.active)",
        },
        {
            content: "Open the followers menu again",
            trigger: ".o-mail-Chatter .o-mail-Followers-button",
            run: "click",
        },
        {
            content: "Follow the contract",
            trigger: ".o-mail-FollowerList-followBtn",
            run: "click",
        },
        {
            content: "The rep follows the contract",
            trigger: ".o-mail-Followers-button.active",
        },
    ],
});
