import { registry } from "@web/core/registry";

// The product form of a WooCommerce variable product: its variants, its WooCommerce ids and its
// events, where an Odoo user looks for them.
registry.category("web_tour.tours").add("elitaco_product_woocommerce_side", {
    steps: () => [
        {
            content: "Odoo shows the variants the store made",
            trigger: '.o_notebook_headers a:contains("Attributes & Variants")',
        },
        {
            content: "Open the WooCommerce tab",
            trigger: '.o_notebook_headers a:contains("WooCommerce")',
            run: "click",
        },
        {
            content: "The store and the ids of the product and of its variations",
            trigger:
                'div[name="woo_binding_ids"] .o_data_row:contains("shop.example.com"):contains("120")',
        },
        {
            trigger: 'div[name="woo_binding_ids"] .o_data_row:contains("122")',
        },
        {
            trigger: 'div[name="woo_binding_ids"] .o_data_row:contains("123")',
        },
        {
            content: "When it was last synced",
            trigger: 'div[name="woo_last_sync"] span:not(:empty)',
        },
        {
            content: "Sold in WooCommerce, as the store sells it",
            trigger: 'div[name="woo_publish"] input:checked',
        },
        {
            content: "Its events",
            trigger: '.oe_stat_button[name="action_open_woo_events"]:contains("3")',
            run: "click",
        },
        {
            content: "The product's and its variations' events",
            trigger: ".o_list_view .o_data_row:nth-child(3)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(4)))",
        },
    ],
});
