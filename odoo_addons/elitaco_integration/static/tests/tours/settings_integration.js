import { registry } from "@web/core/registry";

// Settings › Integration: the sync's health, and a choice that cannot work refused at save,
// saying what to set.
registry.category("web_tour.tours").add("elitaco_settings_integration", {
    steps: () => [
        {
            content: "The app is named as its menu",
            trigger: '.settings_tab .tab[data-key="elitaco_integration"]:contains("Integration")',
        },
        {
            content: "What Odoo knows of the sync",
            trigger: '#elitaco_health:contains("Dead letters"):contains("Events not finished")',
        },
        {
            trigger: '#elitaco_health div[name="elitaco_dead_count"]:contains("1")',
        },
        {
            content: "Invoice and register the payment…",
            trigger:
                'div[name="elitaco_invoice_policy"] .o_radio_item:contains("register the payment") input',
            run: "click",
        },
        {
            content: "…without a default payment journal",
            trigger: 'div[name="elitaco_payment_journal_id"] input',
            run: "clear",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Refused, saying what to set",
            trigger: '.modal:contains("Default payment journal"):contains("Cash on delivery")',
        },
        {
            trigger: ".modal .btn-primary",
            run: "click",
        },
    ],
});
