import { registry } from "@web/core/registry";

// A manager binds WooCommerce order 4711 to the order PHONE-42 instead (data from
// TestBindingsUI): read-only screens, the record shown by name, Re-bind through its wizard.
registry.category("web_tour.tours").add("elitaco_binding_rebind", {
    steps: () => [
        {
            content: "The list has no New button",
            trigger: ".o_list_view:not(:has(.o_list_button_add))",
        },
        {
            content: "Order 4711 is shown by its Odoo name",
            trigger: ".o_data_row:contains(4711) td[name='record_ref']:contains(S0)",
            run: "click",
        },
        {
            content: "Its form: read-only, Re-bind in the header",
            trigger: ".o_form_view .o_form_readonly, .o_form_view:not(:has(.o_form_button_save))",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_open_rebind']",
            run: "click",
        },
        {
            content: "Choose the order to bind it to",
            trigger: ".modal .o_field_widget[name='res_id'] input",
            run: "edit PHONE-42",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(PHONE-42)",
            run: "click",
        },
        {
            trigger: ".modal footer button[name='action_rebind']",
            run: "click",
        },
        {
            content: "The binding now names PHONE-42",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name='record_ref']:contains(PHONE-42)",
        },
    ],
});
