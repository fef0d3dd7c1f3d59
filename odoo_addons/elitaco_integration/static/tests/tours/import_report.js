import { registry } from "@web/core/registry";

// An import whose reading finished with a record that failed (data from TestImportFormUI):
// its state says so, its smart buttons show only what is there, and a failed record opens
// its event, where a manager replays it.
registry.category("web_tour.tours").add("elitaco_import_report", {
    steps: () => [
        {
            content: "The statusbar ends in Done with errors, without a Done before it",
            trigger:
                ".o_form_view .o_statusbar_status:not(:has([data-value='done'])) " +
                "button[aria-checked='true'][data-value='done_errors']",
        },
        {
            content: "A warning says what to do",
            trigger: ".o_form_view .alert-warning:contains(could not be applied)",
        },
        {
            content: "The smart buttons count what is there, no zeros",
            trigger: ".o_form_view .oe_stat_button:contains(Failed)",
            run() {
                const buttons = [...document.querySelectorAll(".o_form_view .oe_stat_button")]
                    .map((button) => button.innerText.replace(/\s+/g, " ").trim());
                const expected = ["1 Failed", "1 Waiting", "1 Created", "1 Matched", "4 Records"];
                if (JSON.stringify(buttons) !== JSON.stringify(expected)) {
                    throw new Error(`smart buttons: ${JSON.stringify(buttons)}`);
                }
            },
        },
        {
            content: "Open the failed records",
            trigger: ".o_form_view .oe_stat_button:contains(Failed)",
            run: "click",
        },
        {
            content: "The failed order's line",
            trigger: ".o_list_view .o_data_row:contains(4711) td[name='message']",
            run: "click",
        },
        {
            content: "Its event opens, with Replay",
            trigger: ".o_form_view button[name='action_replay']:contains(Replay)",
        },
        {
            content: "The event is the order's",
            trigger: ".o_form_view .o_statusbar_status button[aria-checked='true'][data-value='dead']",
        },
    ],
});
