import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const COD = '.o_data_row:has(td[name="woo_title"]:contains("Cash on delivery"))';

// A manager maps a payment method the store sent, from its own menu, knowing only its name.
registry.category("web_tour.tours").add("elitaco_map_a_payment_method", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "elitaco_integration.integration_menu_root",
            "Open the Integration app"
        ),
        {
            content: "Open Configuration",
            trigger:
                '.o-dropdown[data-menu-xmlid="elitaco_integration.integration_configuration_menu"]',
            run: "click",
        },
        {
            content: "Value maps › Payment methods",
            trigger:
                '.o-dropdown-item[data-menu-xmlid="elitaco_integration.integration_value_map_payment_method_menu"]',
            run: "click",
        },
        {
            content: "Opened on what is not mapped",
            trigger: '.o_searchview .o_facet_value:contains("Not mapped")',
        },
        {
            content: "List what the store sent",
            trigger: '.o_control_panel button:contains("Find codes the store sent")',
            run: "click",
        },
        {
            content: "The store's Cash on delivery is listed, not mapped",
            trigger: `${COD} td[name="state"]:contains("Not mapped")`,
        },
        {
            content: "Choose where its payments go",
            trigger: `${COD} td[name="payment_journal_id"]`,
            run: "click",
        },
        {
            trigger: '.o_selected_row td[name="payment_journal_id"] input',
            run: "edit Cash",
        },
        {
            trigger: '.o-autocomplete--dropdown-item a:contains("Cash")',
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Now mapped",
            trigger: `${COD} td[name="state"]:not(:contains("Not")):contains("Mapped")`,
        },
    ],
});
