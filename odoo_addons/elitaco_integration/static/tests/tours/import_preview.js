import { registry } from "@web/core/registry";

// A preview whose orders use a tax rate and a payment method Odoo has no map for (data from
// TestImportPreviewUI): the form says so, each code has Map, and starting the import asks
// first, naming them, with Import anyway.
registry.category("web_tour.tours").add("elitaco_import_preview", {
    steps: () => [
        {
            content: "The preview is done and says the orders use codes with no map",
            trigger:
                ".o_form_view .o_statusbar_status button[aria-checked='true'][data-value='done']",
        },
        {
            content: "A warning says what to do",
            trigger: ".o_form_view .alert-warning:contains(no map for)",
        },
        {
            content: "The tax rate, with the orders it touches",
            trigger:
                ".o_form_view .o_field_widget[name='code_line_ids'] " +
                ".o_data_row:contains(TVA (19.6 %)):contains(Tax rate) td[name='order_count']:contains(1)",
        },
        {
            content: "Map it",
            trigger:
                ".o_form_view .o_field_widget[name='code_line_ids'] " +
                ".o_data_row:contains(TVA) button[name='action_map']",
            run: "click",
        },
        {
            content: "The value map opens filled in with the rate's code",
            trigger: ".modal .o_form_view .o_field_widget[name='woo_value'] input:value(9)",
        },
        {
            content: "Close it without mapping",
            trigger: ".modal .o_form_button_cancel, .modal .btn-close",
            run: "click",
        },
        {
            content: "Start the import from the preview",
            trigger: ".o_form_view button[name='action_start_import']",
            run: "click",
        },
        {
            content: "Starting asks first, naming the rate and the payment method",
            trigger: ".modal:contains(Not mapped yet) .o_field_widget[name='unmapped']:contains(TVA (19.6 %)):contains(cod)",
        },
        {
            content: "Import anyway",
            trigger: ".modal button[name='action_import_anyway']",
            run: "click",
        },
        {
            content: "The dialog is gone",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
