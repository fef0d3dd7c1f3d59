/** @odoo-module **/
// A salesperson reads what happened to a WooCommerce order on its Integration tab: one row per
// event, its warnings first and in full, a repeat counted, the invoice it posted one click
// away, and none of the plumbing. Data: tests/test_ui.py.

import { registry } from "@web/core/registry";

const TIMELINE = "div[name='integration_timeline_ids']";

registry.category("web_tour.tours").add("elitaco_order_timeline_salesperson", {
    steps: () => [
        {
            content: "open the order's Integration tab",
            trigger: ".o_form_view .o_notebook_headers a:contains(Integration)",
            run: "click",
        },
        {
            content: "one row for the event and its repeat: it says what happened, in words",
            trigger: `${TIMELINE} .o_data_row:contains(Delivered again once)`,
            run() {
                const rows = document.querySelectorAll(`${TIMELINE} .o_data_row`);
                if (rows.length !== 1) {
                    throw new Error(`one row per event expected, got ${rows.length}`);
                }
                const story = this.anchor.querySelector("td[name='story']").innerText.trim();
                const warning = story.indexOf("Gift wrapping (handmade) created (unknown SKU");
                if (warning < 0 || warning > story.indexOf("WooCommerce order 4711")) {
                    throw new Error(`the warning does not come first, in full: ${story}`);
                }
                for (const said of ["is S", "posted: 67.55 EUR", "registered in"]) {
                    if (!story.includes(said)) {
                        throw new Error(`'${said}' missing from the story: ${story}`);
                    }
                }
            },
        },
        {
            content: "no event types or trace ids for a salesperson, only the documents",
            trigger: `${TIMELINE} .o_optional_columns_dropdown_toggle`,
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Documents)",
            run() {
                const menu = this.anchor.closest(".o-dropdown--menu").innerText;
                for (const plumbing of ["Event type", "Trace", "Event state"]) {
                    if (menu.includes(plumbing)) {
                        throw new Error(`a salesperson is offered the column ${plumbing}`);
                    }
                }
            },
        },
        {
            content: "the invoice the event posted is one click away",
            trigger: `${TIMELINE} .o_data_row button[name='action_open_documents']`,
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains(INV/)",
        },
    ],
});
