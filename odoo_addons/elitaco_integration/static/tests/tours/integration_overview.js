import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const CARD = '.o_elitaco_overview .o_kanban_record:contains("shop.example.com")';

// The Integration app opens on its overview: the store's card counts its dead letters, and
// the count opens them (data from TestIntegrationOverviewTour).
registry.category("web_tour.tours").add("elitaco_integration_overview", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "elitaco_integration.integration_menu_root",
            "Open the Integration app"
        ),
        {
            content: "The first screen is the overview, the store's card says 2 dead letters",
            trigger: `${CARD} button.o_elitaco_dead:contains("2 Dead letters")`,
        },
        {
            content: "Its webhooks were found wrong by the workers",
            trigger: `${CARD} .o_elitaco_webhooks:contains("1 problem(s)")`,
        },
        {
            content: "Open the dead letters",
            trigger: `${CARD} button.o_elitaco_dead`,
            run: "click",
        },
        {
            content: "The store's two dead letters, nothing else",
            trigger: ".o_list_view:has(.o_data_row:nth-child(2)):not(:has(.o_data_row:nth-child(3)))",
        },
    ],
});
