"""Two real WooCommerce stores (../shared/woocommerce) into one real Odoo 18 with two companies,
through one relay and one pool of two workers, configured by one stores file (issue 30): the
same order number in both stores, a product sold in both, one customer's e-mail in both, a
delivery signed with the other store's secret, stock from each store's own warehouse, a user of
one company who cannot read the other's events, and a third store added by SIGHUP while
deliveries arrive."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue

from relay.pipeline.queueing import MAINTENANCE_QUEUE
from tests.e2e.conftest import NO_STORE, pipeline_environment, relay_cli
from tests.e2e.test_real_store import BUYER as REAL_STORE_BUYER
from tests.odoo_server import OdooRPCError, OdooServer
from tests.processes import RelayServer, WorkerProcess
from tests.waiting import wait_for
from tests.woo import woo_delivery
from tests.woo_store import SETUP, WooStore

REDIS_URL = "redis://127.0.0.1:6379/13"
STORE_URL_PARAM = "elitaco_integration.store_url"
NAMES = ("de", "at")
SECRETS = {"de": "de-webhook-secret-e2e", "at": "at-webhook-secret-e2e", "it": "it-secret-e2e"}
BUYER = {key: value for key, value in REAL_STORE_BUYER.items() if key != "email"}

# Runs in `odoo-bin shell`: the second store's company (a German chart of accounts, a warehouse
# of its own), both stores in Odoo, the Integration User allowed in both companies, and a clerk
# of the first company only, with an API key.
SETUP_SCRIPT = """
import json
from datetime import timedelta
from odoo import fields
from odoo.addons.elitaco_integration.envelope import store_key
urls = json.loads(%(urls)r)
main = env.ref("base.main_company")
second = env["res.company"].create({"name": "Elitaco Austria", "country_id": env.ref("base.at").id,
                                     "currency_id": env.ref("base.EUR").id})
env["account.chart.template"].try_loading("de_skr03", second, install_demo=False)
# Odoo makes a new company's warehouse only in its own tests: a person creates it.
env["stock.warehouse"].create({"name": "Wien", "code": "WIEN", "company_id": second.id,
                               "partner_id": second.partner_id.id})
companies = {"de": main, "at": second}
warehouses = {name: env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
              for name, company in companies.items()}
users = env["res.users"].search([("login", "in", ["rq-worker", "integration-manager"])])
users.write({"company_ids": [(4, second.id)]})
stores = env["integration.store"].with_context(active_test=False)
for name, url in urls.items():
    values = {"name": f"Shop {name.upper()}", "url": url, "company_id": companies[name].id,
              "product_master": "woo", "warehouse_id": warehouses[name].id}
    store = stores.search([("key", "=", store_key(url))])
    store.write(values) if store else stores.create(values)
clerk = env["res.users"].with_context(no_reset_password=True).create({
    "name": "Clerk", "login": "clerk-%(suffix)s", "email": "clerk@example.com",
    "company_id": main.id, "company_ids": [(6, 0, [main.id])],
    "groups_id": [(6, 0, [env.ref("base.group_user").id,
                          env.ref("sales_team.group_sale_manager").id,
                          env.ref("elitaco_integration.group_integration_user").id])],
})
expires = fields.Datetime.now() + timedelta(days=1)
key = env["res.users.apikeys"].with_user(clerk)._generate(None, "tests", expires)
env.cr.commit()
print("ELITACO_SETUP " + json.dumps({
    "companies": {name: company.id for name, company in companies.items()},
    "warehouses": {name: warehouse.id for name, warehouse in warehouses.items()},
    "clerk": clerk.id, "clerk_key": key,
}))
"""


@dataclass
class TwoStores:
    stores: dict[str, WooStore]
    odoo: OdooServer
    env: dict[str, str]
    stores_file: Path
    relay: RelayServer
    companies: dict[str, int]
    warehouses: dict[str, int]
    clerk: tuple[int, str]
    workers: list[WorkerProcess] = field(default_factory=list)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return relay_cli(self.env, *args)

    def deliver(self, name: str, topic: str, payload: dict, secret: str | None = None) -> int:
        delivery = woo_delivery(topic, payload, secret or SECRETS[name])
        response = requests.post(
            f"{self.relay.url}/webhook/woo/{name}",
            data=delivery.body,
            headers=delivery.headers,
            timeout=10,
        )
        return response.status_code


def stores_toml(stores: dict[str, WooStore], extra: str = "") -> str:
    tables = [
        f'[stores.{name}]\nurl = "{store.url}"\nwebhook_secret_env = "{name.upper()}_HOOK"\n'
        f'consumer_key_env = "{name.upper()}_CK"\nconsumer_secret_env = "{name.upper()}_CS"\n'
        f'ca_bundle = "{store.ca_bundle}"\n'
        for name, store in stores.items()
    ]
    return "\n".join(tables) + extra


@pytest.fixture(scope="module")
def two_stores(
    odoo_server: OdooServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TwoStores]:
    if not SETUP.exists():
        pytest.skip(NO_STORE)
    workdir = tmp_path_factory.mktemp("two-stores")
    stores: dict[str, WooStore] = {}
    settings_store = odoo_server.get_param(STORE_URL_PARAM)
    relay = None
    workers: list[WorkerProcess] = []
    try:
        for name in NAMES:
            stores[name] = WooStore.start(workdir / f"store-{name}")
        # Settings names the default store; the others are Odoo's stores of their own.
        if not settings_store:
            odoo_server.set_param(STORE_URL_PARAM, stores["de"].url)
        urls = json.dumps({name: store.url for name, store in stores.items()})
        setup = odoo_server._shell(SETUP_SCRIPT % {"urls": urls, "suffix": uuid.uuid4().hex[:6]})
        answer = json.loads(setup.split("ELITACO_SETUP ", 1)[1].splitlines()[0])
        stores_file = workdir / "stores.toml"
        stores_file.write_text(stores_toml(stores))
        Redis.from_url(REDIS_URL).flushdb()
        env = pipeline_environment(
            REDIS_URL,
            workdir / "spool",
            odoo_server,
            STORES_FILE=str(stores_file),
            IT_HOOK=SECRETS["it"],
        )
        for variable in ("WOO_STORE_URL", "WOO_WEBHOOK_SECRET", "WOO_CONSUMER_KEY"):
            env.pop(variable, None)
        for name, store in stores.items():
            env[f"{name.upper()}_HOOK"] = SECRETS[name]
            env[f"{name.upper()}_CK"] = store.env["WOO_CONSUMER_KEY"]
            env[f"{name.upper()}_CS"] = store.env["WOO_CONSUMER_SECRET"]
        relay = RelayServer(env, workdir / "relay.log")
        workers = [WorkerProcess(env, workdir / f"worker-{n}.log", burst=False) for n in range(2)]
        shops = TwoStores(
            stores,
            odoo_server,
            env,
            stores_file,
            relay,
            companies=answer["companies"],
            warehouses=answer["warehouses"],
            clerk=(answer["clerk"], answer["clerk_key"]),
            workers=workers,
        )
        for name in NAMES:
            done = shops.cli(
                "register-webhooks", "--store", name, "--url", f"{relay.url}/webhook/woo/{name}"
            )
            assert done.returncode == 0, done.stdout + done.stderr
        yield shops
    finally:
        for worker in workers:
            worker.stop()
        if relay is not None:
            relay.stop()
        for store in stores.values():
            store.remove()
        Redis.from_url(REDIS_URL).flushdb()
        odoo_server.set_param(STORE_URL_PARAM, settings_store or False)


def sku() -> str:
    return f"MS-{uuid.uuid4().hex[:8].upper()}"


def next_post_id(store: WooStore, at_least: int) -> None:
    """The store's next order (and post) id is `at_least`, as two shops' numbers collide."""
    subprocess.run(
        [
            "mysql",
            f"-h{store.env['DB_HOST']}",
            f"-P{store.env['DB_PORT']}",
            f"-u{store.env['DB_USER']}",
            f"-p{store.env['DB_PASSWORD']}",
            store.env["DB_NAME"],
            "-e",
            f"ALTER TABLE wp_posts AUTO_INCREMENT = {at_least}",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )


def product_in_both(shops: TwoStores, stock: int = 10) -> tuple[str, dict[str, dict]]:
    code = sku()
    created = {
        name: store.rest(
            "POST",
            "/products",
            {
                "name": f"Scarf {code}",
                "type": "simple",
                "regular_price": "20.00",
                "sku": code,
                "manage_stock": True,
                "stock_quantity": stock,
            },
        )
        for name, store in shops.stores.items()
    }
    external_ids = [product["id"] for product in created.values()]
    wait_for(
        lambda: (
            len(
                shops.odoo.search_read(
                    "integration.binding",
                    [("model", "=", "product.product"), ("external_id", "in", external_ids)],
                    ["store"],
                    context={"allowed_company_ids": list(shops.companies.values())},
                )
            )
            >= 2
        ),
        90,
        f"product {code} bound in both stores",
    )
    return code, created


def sale_orders(shops: TwoStores, woo_id: int) -> list[dict]:
    return shops.odoo.search_read(
        "sale.order",
        [("woo_order_id", "=", woo_id)],
        ["company_id", "partner_id", "woo_store", "state"],
        context={"allowed_company_ids": list(shops.companies.values())},
    )


def ledger(shops: TwoStores, woo_id: int) -> list[dict]:
    return shops.odoo.search_read(
        "integration.event",
        [("woo_resource_id", "=", woo_id)],
        ["store", "event_type", "state", "message"],
        context={"allowed_company_ids": list(shops.companies.values())},
    )


def test_same_order_number_and_email_in_two_stores_are_two_orders_in_two_companies(
    two_stores: TwoStores,
) -> None:
    shops = two_stores
    _, products = product_in_both(shops)
    email = f"same-{uuid.uuid4().hex[:6]}@example.com"
    line = {"quantity": 1}
    first = shops.stores["de"].rest(
        "POST",
        "/orders",
        {
            "status": "processing",
            "billing": BUYER | {"email": email},
            "line_items": [line | {"product_id": products["de"]["id"]}],
        },
    )
    next_post_id(shops.stores["at"], first["id"])
    second = shops.stores["at"].rest(
        "POST",
        "/orders",
        {
            "status": "processing",
            "billing": BUYER | {"email": email},
            "line_items": [line | {"product_id": products["at"]["id"]}],
        },
    )
    assert second["id"] == first["id"], "the two stores' order numbers collide"

    try:
        orders = wait_for(
            lambda: len(found := sale_orders(shops, first["id"])) == 2 and found,
            90,
            f"order {first['id']} of both stores in Odoo",
        )
    except AssertionError as exc:  # what Odoo has, to tell a lost delivery from a failed one
        raise AssertionError(f"{exc}; Odoo has {ledger(shops, first['id'])}") from exc
    companies = {order["company_id"][0] for order in orders}
    assert companies == set(shops.companies.values()), orders
    partners = shops.odoo.search_read(
        "res.partner",
        [("id", "in", [order["partner_id"][0] for order in orders])],
        ["email", "company_id"],
        context={"allowed_company_ids": list(shops.companies.values())},
    )
    assert len(partners) == 2, "one contact per company for one e-mail"
    assert {p["company_id"][0] for p in partners} == set(shops.companies.values())
    assert {p["email"] for p in partners} == {email}


def test_a_delivery_signed_with_the_other_stores_secret_is_refused(two_stores: TwoStores) -> None:
    shops = two_stores
    payload = {"id": 987654, "email": "x@example.com", "date_modified_gmt": "2026-12-07T05:00:00"}
    assert shops.deliver("de", "customer.updated", payload, secret=SECRETS["at"]) == 401
    assert shops.deliver("nowhere", "customer.updated", payload, secret=SECRETS["de"]) == 404
    metrics = requests.get(f"{shops.relay.url}/metrics", timeout=10).text
    refused = [
        line
        for line in metrics.splitlines()
        if line.startswith("relay_webhook_signature_failures_total{") and 'store="de"' in line
    ]
    assert refused and float(refused[0].rsplit(" ", 1)[1]) >= 1, metrics[-3000:]


def count_on_hand(shops: TwoStores, name: str, product_id: int, quantity: float) -> None:
    """The store's warehouse counts `quantity` of the product (an inventory adjustment)."""
    context = {"allowed_company_ids": [shops.companies[name]]}
    [warehouse] = shops.odoo.search_read(
        "stock.warehouse", [("id", "=", shops.warehouses[name])], ["lot_stock_id"], context=context
    )
    quant = shops.odoo.execute(
        "stock.quant",
        "create",
        {
            "product_id": product_id,
            "location_id": warehouse["lot_stock_id"][0],
            "inventory_quantity": quantity,
        },
        context=context,
    )
    shops.odoo.execute("stock.quant", "action_apply_inventory", [quant], context=context)


def push_outbox(shops: TwoStores) -> None:
    queue = Queue(MAINTENANCE_QUEUE, connection=Redis.from_url(REDIS_URL))
    job = queue.enqueue("relay.jobs.push_outbox")
    wait_for(lambda: job.get_status(refresh=True) == "finished", 90, "the outbox push")


def test_stock_reaches_each_store_from_its_own_warehouse(two_stores: TwoStores) -> None:
    shops = two_stores
    code, products = product_in_both(shops)
    [product] = shops.odoo.search_read("product.product", [("default_code", "=", code)], ["id"])
    count_on_hand(shops, "de", product["id"], 7)
    count_on_hand(shops, "at", product["id"], 3)

    def stock_in_stores() -> dict[str, int]:
        push_outbox(shops)
        return {
            name: store.rest("GET", f"/products/{products[name]['id']}")["stock_quantity"]
            for name, store in shops.stores.items()
        }

    wait_for(lambda: stock_in_stores() == {"de": 7, "at": 3}, 120, "each store's own stock")


def test_a_user_of_one_company_reads_only_its_stores_events(two_stores: TwoStores) -> None:
    shops = two_stores
    product_in_both(shops)
    clerk_uid, clerk_key = shops.clerk

    def as_clerk(model: str, domain: list) -> list[dict]:
        return shops.odoo._execute_kw(
            clerk_uid, clerk_key, model, "search_read", (domain,), {"fields": ["store"]}
        )

    at_key = shops.odoo.search_read(
        "integration.store", [("company_id", "=", shops.companies["at"])], ["key"]
    )[0]["key"]
    everything = shops.odoo.search_read(
        "integration.event",
        [("store", "=", at_key)],
        ["id"],
        context={"allowed_company_ids": list(shops.companies.values())},
    )
    assert everything, "the manager of both companies sees the second store's events"
    assert as_clerk("integration.event", [("store", "=", at_key)]) == []
    assert as_clerk("integration.binding", [("store", "=", at_key)]) == []
    assert as_clerk("integration.timeline", [("store", "=", at_key)]) == []
    assert as_clerk("integration.event", [("store", "!=", at_key)]), "its own store's events"
    with pytest.raises(OdooRPCError, match="AccessError|access"):
        shops.odoo._execute_kw(
            clerk_uid, clerk_key, "integration.event", "read", ([everything[0]["id"]],), {}
        )


def test_sighup_adds_a_store_while_deliveries_arrive(two_stores: TwoStores) -> None:
    shops = two_stores
    answers: list[tuple[str, int, int]] = []
    stop = threading.Event()

    def deliver_continuously() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            for name in NAMES:
                payload = {
                    "id": 700000 + n,
                    "email": f"hup-{n}@example.com",
                    "first_name": "Hup",
                    "last_name": str(n),
                    "date_modified_gmt": "2026-12-07T05:00:00",
                }
                answers.append((name, n, shops.deliver(name, "customer.updated", payload)))

    sender = threading.Thread(target=deliver_continuously)
    sender.start()
    try:
        wait_for(lambda: len(answers) >= 20, 30, "deliveries before the reload")
        shops.stores_file.write_text(
            stores_toml(shops.stores)
            + '\n[stores.it]\nurl = "https://shop.example.it"\nwebhook_secret_env = "IT_HOOK"\n'
        )
        shops.relay.process.send_signal(signal.SIGHUP)
        it_payload = {"id": 424242, "email": "it@example.com", "first_name": "Ita"}
        wait_for(
            lambda: shops.deliver("it", "customer.updated", it_payload) == 200,
            30,
            "the third store's deliveries accepted after SIGHUP",
        )
        wait_for(lambda: len(answers) >= 60, 30, "deliveries after the reload")
    finally:
        stop.set()
        sender.join(timeout=30)
        shops.stores_file.write_text(stores_toml(shops.stores))
    assert {status for _, _, status in answers} == {200}, [a for a in answers if a[2] != 200]
    sent = len(answers)
    wait_for(
        lambda: (
            shops.odoo.execute(
                "integration.event",
                "search_count",
                [("event_type", "=", "woo.customer.updated"), ("woo_resource_id", ">", 700000)],
                context={"allowed_company_ids": list(shops.companies.values())},
            )
            >= sent
        ),
        120,
        f"all {sent} deliveries in Odoo's ledger",
    )
