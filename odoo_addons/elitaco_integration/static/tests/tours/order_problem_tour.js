/** @odoo-module **/
// A WooCommerce update of an order died (no journal for cash on delivery): the order says so
// and its buttons fix it; Sales finds such orders with a filter. Data: tests/test_ui_order_problem.py.

import { registry } from "@web/core/registry";

const BANNER = ".o_form_view .o_elitaco_integration_problem.alert-danger";

registry.category("web_tour.tours").add("elitaco_order_problem_fixed_from_the_order", {
    steps: () => [
        {
            content: "the order says what failed, in words",
            trigger: `${BANNER}:contains(Payment method cod):contains(Map the payment method cod)`,
        },
        {
            content: "open the value map that would let it apply",
            trigger: `${BANNER} button[name='action_open_integration_value_map']`,
            run: "click",
        },
        {
            content: "pick the payment journal",
            trigger: ".modal div[name='payment_journal_id'] input",
            run: "edit Bank",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Bank)",
            run: "click",
        },
        {
            content: "save the value map",
            trigger: ".modal .o_form_button_save, .modal button:contains(Save)",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "replay the order's dead event",
            trigger: `${BANNER} button[name='action_replay_integration_problems']`,
            run: "click",
        },
        {
            content: "the replay says how it went",
            trigger: ".o_notification:contains(1 replayed: 1 done, 0 failed)",
        },
        {
            content: "and the order has no problem any more",
            trigger: ".o_form_view:not(:has(.o_elitaco_integration_problem))",
        },
    ],
});

registry.category("web_tour.tours").add("elitaco_order_problem_replay_fails_again", {
    steps: () => [
        {
            trigger: `${BANNER} button[name='action_replay_integration_problems']`,
            run: "click",
        },
        {
            content: "a replay that fails says why, and the banner stays",
            trigger: ".o_notification:contains(1 replayed: 0 done, 1 failed):contains(Payment method cod)",
        },
        {
            trigger: `${BANNER}:contains(Payment method cod)`,
        },
    ],
});

registry.category("web_tour.tours").add("elitaco_sales_filter_integration_problems", {
    steps: () => [
        {
            content: "Sales' quotations: every salesperson's, not only mine",
            trigger: ".o_searchview_facet:contains(My Quotations) .o_facet_remove",
            run: "click",
        },
        {
            content: "both WooCommerce orders are there",
            trigger: ".o_list_view:not(.o_view_sample_data) .o_data_row:eq(1)",
        },
        {
            content: "open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filters: Integration problems",
            trigger: ".o_menu_item:contains(Integration problems)",
            run: "click",
        },
        {
            content: "only the order with a problem, marked by its icon",
            trigger: ".o_list_view .o_data_row:only-child:has(button[name='action_open_integration_problem'])",
        },
    ],
});
