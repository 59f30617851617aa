import { registry } from "@web/core/registry";

// Data comes from the Python test (test_portal.py).
registry.category("web_tour.tours").add("symantec_renewals_reseller_signs_quote", {
    url: "/my",
    steps: () => [
        {
            content: "Open the Renewals tile",
            trigger: "a[href='/my/renewals']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Show what is due in 30 days",
            trigger: "#portal_searchbar_filters",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains('Due in 30 days')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The due contract is listed; open it",
            trigger: "tr.o_renewal_row a:contains('PORTAL-DUE')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Ask for the renewal quote",
            trigger: "button.o_request_quote",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Wait for the quote page",
            trigger: "body[is-ready=true]",
        },
        {
            content: "Sign the quote",
            trigger: ".o_portal_sale_sidebar .btn-primary:contains('Sign')",
            run: "click",
        },
        {
            trigger: ".modal .o_web_sign_name_and_signature input",
            run: "fill Reseller Signer",
        },
        {
            trigger: ".modal canvas.o_web_sign_signature",
            run: "canvasNotEmpty",
        },
        {
            content: "Accept and sign",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The order is confirmed",
            trigger: "#quote_content:contains('Thank You')",
        },
    ],
});

registry.category("web_tour.tours").add("symantec_renewals_customer_auto_renew_off", {
    url: "/my",
    steps: () => [
        {
            content: "Open the contracts tile",
            trigger: "a[href='/my/contracts']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "tr.o_contract_row a:contains('PORTAL-CLOUD')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Ask to turn automatic renewal off",
            trigger: "button.o_auto_renew_off",
            run: "click",
        },
        {
            content: "Confirm in the dialog",
            trigger: ".modal.show button.o_auto_renew_confirm",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "It is off, and can be turned back on",
            trigger: ".alert:contains('Automatic renewal is off')",
        },
        {
            trigger: "button.o_auto_renew_on",
        },
    ],
});

// Data comes from the Python test (test_portal_renew_together.py).
registry.category("web_tour.tours").add("symantec_renewals_reseller_renews_together", {
    url: "/my",
    steps: () => [
        {
            content: "Open the Renewals tile",
            trigger: "a[href='/my/renewals']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Renew the customer's three renewals together",
            trigger:
                ".o_renew_together_row:has(.o_renew_together_customer:contains('Scattered Dates SpA')):has(.o_renew_together_count:contains('3')) button.o_renew_together_button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "One quote, a section per contract",
            trigger: "#quote_content:contains('TOGETHER-1'):contains('TOGETHER-2'):contains('TOGETHER-3')",
        },
        {
            content: "Make it for two years",
            trigger: ".o_renewal_years button.o_renewal_years_2",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Two years are chosen",
            trigger: ".o_renewal_years button.o_renewal_years_2.btn-primary",
        },
        {
            content: "Wait for the quote page",
            trigger: "body[is-ready=true]",
        },
        {
            content: "Sign the quote",
            trigger: ".o_portal_sale_sidebar .btn-primary:contains('Sign')",
            run: "click",
        },
        {
            trigger: ".modal .o_web_sign_name_and_signature input",
            run: "fill Reseller Signer",
        },
        {
            trigger: ".modal canvas.o_web_sign_signature",
            run: "canvasNotEmpty",
        },
        {
            content: "Accept and sign",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The order is confirmed",
            trigger: "#quote_content:contains('Thank You')",
        },
    ],
});

// Data comes from the Python test (test_auto_payment_portal.py): the
// customer's cards end in 1234 and 5678, another partner's in 9999.
registry.category("web_tour.tours").add("symantec_renewals_customer_picks_renewal_card", {
    url: "/my",
    steps: () => [
        {
            content: "Open the contracts tile",
            trigger: "a[href='/my/contracts']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the online subscription that renews automatically",
            trigger: "tr.o_contract_row a:contains('CARD-TOUR')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "No card is charged yet",
            trigger: ".o_renewal_card:contains('Choose a saved card')",
        },
        {
            content: "The customer's own cards are offered, nobody else's",
            trigger:
                ".o_renewal_card_select:has(option:contains('1234')):has(option:contains('5678')):not(:has(option:contains('9999')))",
        },
        {
            content: "A new card is saved with Odoo's payment form",
            trigger: ".o_renewal_card a.o_renewal_card_new[href='/my/payment_method']",
        },
        {
            content: "Pick the card ending in 5678",
            trigger: ".o_renewal_card_select",
            run: "selectByLabel 5678",
        },
        {
            content: "Save the choice",
            trigger: "button.o_renewal_card_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page confirms it",
            trigger: ".alert-success:contains('charged to the card you chose')",
        },
        {
            content: "The card ending in 5678 is the renewal card",
            trigger: ".o_renewal_card p:contains('Automatic renewals are charged to') strong:contains('5678')",
        },
        {
            content: "and the one selected",
            trigger: ".o_renewal_card_select:has(option[selected]:contains('5678'))",
        },
    ],
});
