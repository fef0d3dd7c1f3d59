import re
from functools import partial

from odoo import http
from odoo.exceptions import AccessDenied, ValidationError
from odoo.http import request

from ..envelope import store_key
from ..models.integration_event_batch import MAX_BATCH
from ..models.integration_event_states import MAX_REFERENCES

INTEGRATION_GROUP = "elitaco_integration.group_integration_user"
READER_GROUP = "elitaco_integration.group_integration_reader"

# The workers' JSON-RPC routes: an API key as bearer token, no session, no CSRF token.
worker_route = partial(
    http.route, type="json", auth="bearer", methods=["POST"], csrf=False, save_session=False
)


def _integration_env(group: str = INTEGRATION_GROUP):
    """The caller authenticated with an API key; only integration users may go on (timeline
    readers, to the timeline alone)."""
    if not request.env.user.has_group(group):
        name = request.env.ref(group).sudo().name
        raise AccessDenied(f"{request.env.user.login} is not in the group {name}")
    # Events are applied with the Integration User's own rights (see security/), never as
    # superuser; `elitaco_from_woo` keeps those changes from echoing back to WooCommerce.
    return request.env(context=dict(request.env.context, elitaco_from_woo=True))


class ElitacoController(http.Controller):
    @worker_route("/elitaco/v1/events")
    def process_event(self, envelope=None, **unexpected):
        return _integration_env()["integration.event"].process_envelope(envelope)

    @worker_route("/elitaco/v1/events/batch")
    def process_events(self, envelopes=None, **unexpected):
        """A backlog's events in one request, each applied and committed as if it came alone
        (integration.event.process_envelopes)."""
        env = _integration_env()
        if not isinstance(envelopes, list) or not 1 <= len(envelopes) <= MAX_BATCH:
            raise ValidationError(f"envelopes must be a list of 1 to {MAX_BATCH} envelopes")
        return {"answers": env["integration.event"].process_envelopes(envelopes)}

    @worker_route("/elitaco/v1/events/dead")
    def mark_dead(self, event_id, error=None, **unexpected):
        return _integration_env()["integration.event"].mark_dead(event_id, error)

    @worker_route("/elitaco/v1/events/states")
    def event_states(self, event_ids=None, **unexpected):
        """The ledger state of each event id (or idempotency key): which of RQ's dead letters
        Odoo has done meanwhile."""
        env = _integration_env()
        if (
            not isinstance(event_ids, list)
            or len(event_ids) > MAX_REFERENCES
            or not all(isinstance(reference, str) for reference in event_ids)
        ):
            raise ValidationError(
                f"event_ids must be a list of at most {MAX_REFERENCES} event ids or "
                "idempotency keys"
            )
        return {"states": env["integration.event"]._states_of(event_ids)}

    @worker_route("/elitaco/v1/access")
    def access(self, **unexpected):
        """Who the workers are in Odoo and when their API key expires (checked by the relay)."""
        env = _integration_env()
        authorization = request.httprequest.headers.get("Authorization", "")
        bearer = re.match(r"^bearer\s+(.+)$", authorization, re.IGNORECASE)
        if not bearer:
            raise AccessDenied("call /elitaco/v1/access with the workers' API key as bearer token")
        expires = env["res.users.apikeys"]._expiration_of(bearer.group(1))
        return {
            "user": env.user.login,
            "api_key_expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ") if expires else None,
        }

    @http.route(
        "/elitaco/v1/orders/<int:woo_order_id>/timeline",
        type="http",
        auth="bearer",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def order_timeline(self, woo_order_id, store=None, **unexpected):
        try:
            env = _integration_env(READER_GROUP)
        except AccessDenied as exc:
            return request.make_json_response(
                {"error": "forbidden", "message": str(exc)}, status=403
            )
        timeline = env["integration.timeline"]._for_woo_order(woo_order_id, store_key(store))
        if timeline is None:
            return request.make_json_response(
                {
                    "error": "unknown_order",
                    "message": f"WooCommerce order {woo_order_id} is not known to Odoo",
                },
                status=404,
            )
        return request.make_json_response(timeline)

    @worker_route("/elitaco/v1/outbox/claim")
    def claim_outbox(self, worker, limit=100, lease_seconds=300, store=None, **unexpected):
        env = _integration_env()
        if store:
            env["integration.store"]._check_worker_company(store_key(store))
        events = env["integration.outbox"].claim(
            worker, int(limit), int(lease_seconds), store_key(store) or None
        )
        return {"events": events}

    @worker_route("/elitaco/v1/outbox/ack")
    def acknowledge_outbox(
        self, event_id, ok, response=None, error=None, worker=None, **unexpected
    ):
        return _integration_env()["integration.outbox"].acknowledge(
            event_id, bool(ok), response, error, worker
        )

    @worker_route("/elitaco/v1/imports/begin")
    def begin_import(self, import_id, **unexpected):
        env = _integration_env()
        run = env["integration.import"].sudo().browse(int(import_id)).exists()
        if run:
            env["integration.store"]._check_worker_company(run.store)
        return env["integration.import"]._begin(int(import_id))

    @worker_route("/elitaco/v1/imports/progress")
    def import_progress(
        self, import_id, resource, events=(), read_up_to=None, done=False, **unexpected
    ):
        return _integration_env()["integration.import"]._progress(
            int(import_id), resource, list(events), read_up_to, bool(done)
        )

    @worker_route("/elitaco/v1/imports/failed")
    def import_failed(self, import_id, error, final=False, **unexpected):
        return _integration_env()["integration.import"]._failed(
            int(import_id), str(error), bool(final)
        )

    @worker_route("/elitaco/v1/stores/tax-rounding")
    def tax_rounding(self, store=None, round_at_subtotal=None, **unexpected):
        """The workers read the store's tax rounding: Odoo says whether it rounds the same."""
        rounding = _integration_env()["integration.woo.tax.rounding"]
        return rounding._report(store, round_at_subtotal)

    @worker_route("/elitaco/v1/imports/preview/begin")
    def begin_preview(self, store_url, resources, since=None, **unexpected):
        """A preview the command line reads for (`python -m relay import ... --dry-run`)."""
        env = _integration_env()
        env["integration.store"]._check_worker_company(store_key(str(store_url)))
        return env["integration.import.preview"]._begin_cli(str(store_url), list(resources), since)

    @worker_route("/elitaco/v1/imports/preview/page")
    def preview_page(self, preview_id, resource, records=(), **unexpected):
        return _integration_env()["integration.import.preview"]._page(
            int(preview_id), str(resource), list(records)
        )

    @worker_route("/elitaco/v1/imports/preview/done")
    def preview_done(self, preview_id, error=None, **unexpected):
        return _integration_env()["integration.import.preview"]._done(
            int(preview_id), str(error) if error else None
        )

    @worker_route("/elitaco/v1/alerts")
    def report_alerts(self, **params):
        """The workers' checks (webhooks, their API key, the backlog): each kind raised as an
        alert with a To-Do for the Integration Managers, or cleared."""
        return _integration_env()["integration.alert"]._report(params)
