"""Chaos soak (not a test by itself): a flash sale delivered as WooCommerce delivers it, while
the harness kills and stops the parts, then a check that nothing was lost or booked twice.

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.soak --orders 2000 --senders 20 --workers 4 --faults 3

Each order has a history of 2-4 WooCommerce states, each a second or more after the one before:
created pending, sometimes edited while pending (other quantities, another total), paid
(processing), then completed or cancelled, some cancelled unpaid. The first state is an
`order.created` delivery, the others `order.updated`. Every delivery is sent 1-3 times
(WooCommerce's retries, a double-fired hook), shuffled within a window of about `--window`
orders, so that an order's states arrive in either order, by `--senders` concurrent senders.
A delivery the relay does not answer 200 (it is down) is sent again, as the store's next
attempt or reconciliation would.

Meanwhile, at random moments, `--faults` times each: SIGKILL an RQ worker with its work horse,
SIGKILL the relay, stop Redis for 10 s (it keeps an append-only file, as docker-compose.yml
runs it), restart Odoo. A supervisor restarts whatever died, as systemd or compose would.

Then, with no manual step, it waits until the pipeline is idle and checks: one sale order per
WooCommerce order, in its last state and at its last total; one partner per customer e-mail;
no dead letters; one finished ledger row per distinct event; every delivery answered 200 in the
ledger. It prints how long that took and the peak memory of each kind of process.
tests/e2e/test_soak.py runs it with 200 orders and one fault of each kind.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from bench import odoo_installation
from tests.odoo_server import OdooRPCError, OdooServer
from tests.processes import (
    PROCESS_MARKER_VARIABLE,
    RelayServer,
    WorkerProcess,
    processes_marked,
    relay_environment,
)
from tests.redis_server import RedisServer
from tests.woo import STORE_URL, WooRequest, example_payload, woo_delivery

SECRET = "soak-secret-0123456789"
SKUS = ("SOAK-SHIRT", "SOAK-SOCKS", "SOAK-MUG")
PRICES = (12.50, 4.00, 8.25)
FAULTS = ("kill_worker", "kill_relay", "stop_redis", "restart_odoo")
ODOO_STATE = {"pending": "draft", "processing": "sale", "completed": "sale", "cancelled": "cancel"}
EVENTS_QUEUE = "woo-events"


# ---------------------------------------------------------------- the flash sale


def _state(base: dict, status: str, quantities: list[int], moment: datetime) -> dict:
    data = deepcopy(base)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S")
    for item, quantity, price in zip(data["line_items"], quantities, PRICES, strict=True):
        amount = f"{quantity * price:.2f}"
        item |= {"quantity": quantity, "subtotal": amount, "total": amount}
    data |= {
        "status": status,
        "date_modified_gmt": stamp,
        "date_modified": stamp,
        "total": f"{sum(q * p for q, p in zip(quantities, PRICES, strict=True)):.2f}",
    }
    if status in ("processing", "completed"):
        data |= {"date_paid_gmt": data["date_paid_gmt"] or stamp, "date_paid": stamp}
    if status == "completed":
        data |= {"date_completed_gmt": stamp, "date_completed": stamp}
    return data


def order_history(base: dict, rng: random.Random, start: datetime) -> list[dict]:
    """The states one order goes through in WooCommerce, oldest first."""
    quantities = [rng.randint(1, 3) for _ in SKUS]
    moment = start
    states = [_state(base, "pending", quantities, moment)]

    def then(status: str) -> None:
        nonlocal moment
        moment += timedelta(seconds=rng.randint(1, 30))
        states.append(_state(states[-1], status, quantities, moment))

    if rng.random() < 0.15:  # the customer changes the cart before paying
        quantities = [rng.randint(1, 4) for _ in SKUS]
        then("pending")
    if rng.random() < 0.1:
        then("cancelled")  # never paid
        return states
    then("processing")
    outcome = rng.random()
    if outcome < 0.6:
        then("completed")
    elif outcome < 0.7:
        then("cancelled")
    return states


def flash_sale(count: int, first_id: int, run: str, rng: random.Random) -> list[list[dict]]:
    """`count` order histories; every third order by a customer of an earlier one."""
    template = example_payload("woo.order.updated")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    histories = []
    for n in range(count):
        customer = rng.randrange(n) if n and n % 3 == 0 else n
        base = deepcopy(template) | {
            "id": first_id + n,
            "number": str(first_id + n),
            "customer_id": 0,
            "billing": template["billing"] | {"email": f"soak-{run}-{customer}@example.com"},
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
            "tax_lines": [],
            "refunds": [],
            "total_tax": "0.00",
            "shipping_total": "0.00",
            "shipping_tax": "0.00",
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "date_paid_gmt": None,
            "date_paid": None,
            "date_completed_gmt": None,
            "date_completed": None,
            "line_items": [
                {
                    "id": 10 * n + k + 1,
                    "name": sku,
                    "product_id": 0,
                    "variation_id": 0,
                    "quantity": 1,
                    "sku": sku,
                    "subtotal": "0.00",
                    "subtotal_tax": "0.00",
                    "total": "0.00",
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
                for k, sku in enumerate(SKUS)
            ],
        }
        order_start = start + timedelta(seconds=n)
        base |= {"date_created_gmt": order_start.strftime("%Y-%m-%dT%H:%M:%S")}
        histories.append(order_history(base, rng, order_start))
    return histories


def deliveries(histories: list[list[dict]], rng: random.Random, window: int) -> list[WooRequest]:
    """Every state as WooCommerce's delivery, 1-3 times, in the order the senders take them:
    by order, shuffled within about `window` orders."""
    timed = []
    for position, history in enumerate(histories):
        for number, state in enumerate(history):
            topic = "order.created" if number == 0 else "order.updated"
            request = woo_delivery(topic, state, SECRET)
            for _ in range(rng.randint(1, 3)):
                timed.append((position + number + rng.uniform(0, window), request))
    timed.sort(key=lambda pair: pair[0])
    return [delivery for _, delivery in timed]


# ---------------------------------------------------------------- the processes


@dataclass
class Peaks:
    """The largest resident set seen of each kind of process (VmHWM: the kernel's own peak)."""

    kib: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, kind: str, pid: int) -> None:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                with self.lock:
                    self.kib[kind] = max(self.kib.get(kind, 0), int(line.split()[1]))


class Pipeline:
    """Redis, the relay and the workers of one soak, kept running by a supervisor thread."""

    def __init__(self, odoo: OdooServer, workers: int, workdir: Path) -> None:
        self.odoo = odoo
        self.workdir = workdir
        self.redis_server = RedisServer(workdir, persistent=True)
        self.redis_server.start()
        self.redis = Redis.from_url(self.redis_server.url)
        self.env = relay_environment(
            self.redis_server.url,
            workdir / "spool",
            WOO_WEBHOOK_SECRET=SECRET,
            ODOO_URL=odoo.url,
            ODOO_API_KEY=odoo.worker_key,
            ODOO_READ_API_KEY=odoo.reader_key,
            ODOO_OUTAGE_BACKOFF_MAX="2",
            LOG_LEVEL="WARNING",
        )
        self.lock = threading.RLock()
        self.restarts: Counter[str] = Counter()
        self.relay = RelayServer(self.env, workdir / "relay.log")
        self.workers = [self._worker(n) for n in range(workers)]
        self.peaks = Peaks()
        self._stopping = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def _worker(self, number: int) -> WorkerProcess:
        return WorkerProcess(
            self.env, self.workdir / f"worker-{number}.log", queues=(EVENTS_QUEUE,), burst=False
        )

    def _supervise(self) -> None:
        """Restart what died, as a supervisor would; note each process's peak memory."""
        while not self._stopping.wait(0.5):
            with self.lock:
                for number, worker in enumerate(self.workers):
                    for pid in processes_marked(PROCESS_MARKER_VARIABLE, worker.marker):
                        self.peaks.sample("RQ worker" if pid == worker.pid else "work horse", pid)
                    if not worker.alive():
                        self.restarts["worker exited by itself"] += 1
                        worker.kill()
                        self.workers[number] = self._worker(number)
                if self.relay.alive():
                    self.peaks.sample("relay", self.relay.pid)
                else:
                    self.restarts["relay exited by itself"] += 1
                    self.restart_relay()
                if self.redis_server.process is not None:
                    self.peaks.sample("redis", self.redis_server.process.pid)
                if self.odoo.process is not None:
                    self.peaks.sample("odoo", self.odoo.process.pid)

    # The faults. Each leaves the pipeline running again when it returns.

    def kill_worker(self, rng: random.Random) -> str:
        with self.lock:
            number = rng.randrange(len(self.workers))
            self.workers[number].kill()  # the worker and its work horse, SIGKILL
            self.workers[number] = self._worker(number)
        return f"SIGKILLed worker {number} (and its work horse), started again"

    def kill_relay(self, rng: random.Random) -> str:
        with self.lock:
            self.relay.kill()
            time.sleep(rng.uniform(0.5, 2))  # the supervisor's restart delay
            self.restart_relay()
        return "SIGKILLed the relay, started again"

    def restart_relay(self) -> None:
        port = self.relay.port
        self.relay.kill()
        self.relay = RelayServer(self.env, self.workdir / "relay.log", port=port)

    def stop_redis(self, rng: random.Random) -> str:
        self.redis_server.stop()
        time.sleep(10)
        self.redis_server.start()
        return "stopped Redis for 10 s"

    def restart_odoo(self, rng: random.Random) -> str:
        self.odoo.stop()
        time.sleep(rng.uniform(0, 2))
        self.odoo.start()
        return "restarted Odoo"

    def idle(self) -> bool:
        """Nothing queued, running, waiting for a retry or spooled in the relay."""
        try:
            events = Queue(EVENTS_QUEUE, connection=self.redis)
            busy = (
                events.count
                + StartedJobRegistry(EVENTS_QUEUE, connection=self.redis).count
                + ScheduledJobRegistry(EVENTS_QUEUE, connection=self.redis).count
            )
            health = requests.get(f"{self.relay.url}/health", timeout=5).json()
        except (RedisError, requests.RequestException, ValueError):
            return False
        return busy == 0 and health["spool"]["depth"] == 0

    def failed_jobs(self) -> int:
        return FailedJobRegistry(EVENTS_QUEUE, connection=self.redis).count

    def stop(self) -> None:
        self._stopping.set()
        self._supervisor.join(timeout=10)
        with self.lock:
            self.relay.stop()
            for worker in self.workers:
                worker.stop()
        self.redis_server.stop()


# ---------------------------------------------------------------- the run


@dataclass
class Answers:
    """What the relay answered the senders."""

    accepted: list[dict] = field(default_factory=list)  # the 200 answers
    refused: Counter[str] = field(default_factory=Counter)  # what made a delivery be re-sent
    unexpected: list[str] = field(default_factory=list)  # answered, but neither 200 nor 5xx
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_all(
    pipeline: Pipeline, planned: list[WooRequest], senders: int, rate: float, answers: Answers
) -> None:
    """`senders` threads post the deliveries in their order, `rate` a second in all."""
    work: queue.Queue[tuple[float, WooRequest]] = queue.Queue()
    started = time.monotonic()
    for number, delivery in enumerate(planned):
        work.put((started + number / rate, delivery))

    def sender() -> None:
        session = requests.Session()
        while True:
            try:
                due, delivery = work.get_nowait()
            except queue.Empty:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            while True:
                try:
                    response = session.post(
                        f"{pipeline.relay.url}/webhook/woo",
                        data=delivery.body,
                        headers=delivery.headers,
                        timeout=30,
                    )
                except requests.RequestException as exc:
                    reason = type(exc).__name__
                else:
                    if response.status_code == 200:
                        with answers.lock:
                            answers.accepted.append(response.json())
                        break
                    if response.status_code < 500:
                        with answers.lock:
                            answers.unexpected.append(f"{response.status_code} {response.text}")
                        break
                    reason = f"HTTP {response.status_code}"
                with answers.lock:
                    answers.refused[reason] += 1
                session = requests.Session()
                time.sleep(0.5)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def chaos(
    pipeline: Pipeline, faults: int, spread: float, rng: random.Random, log: Callable[[str], None]
) -> None:
    """Each fault `faults` times, in random order, at random moments over `spread` seconds."""
    plan = [fault for fault in FAULTS for _ in range(faults)]
    rng.shuffle(plan)
    started = time.monotonic()
    for number, fault in enumerate(plan):
        at = spread * (number + rng.uniform(0.2, 0.8)) / len(plan)
        time.sleep(max(0.0, started + at - time.monotonic()))
        log(f"{time.monotonic() - started:6.1f} s  {getattr(pipeline, fault)(rng)}")


def _rows(odoo: OdooServer, model: str, domain: list, fields: list[str]) -> list[dict]:
    while True:
        try:
            return odoo.search_read(model, domain, fields)
        except (requests.RequestException, OdooRPCError):
            time.sleep(1)  # Odoo is being restarted


def check(odoo: OdooServer, histories: list[list[dict]], accepted: set[str], run: str) -> list[str]:
    """What is wrong in Odoo; [] when nothing was lost or booked twice. `accepted`: the
    idempotency keys of the deliveries answered 200; `run`: the customers' e-mail tag."""
    problems = []
    last = {history[-1]["id"]: history[-1] for history in histories}
    orders = _rows(
        odoo,
        "sale.order",
        [("woo_order_id", "in", list(last))],
        ["woo_order_id", "state", "woo_status", "amount_total"],
    )
    counted = Counter(order["woo_order_id"] for order in orders)
    problems += [f"order {woo_id}: {n} sale orders" for woo_id, n in counted.items() if n > 1]
    missing = set(last) - set(counted)
    if missing:
        problems.append(f"{len(missing)} orders have no sale order, e.g. {sorted(missing)[:5]}")
    for order in orders:
        state = last[order["woo_order_id"]]
        expected = (state["status"], ODOO_STATE[state["status"]], float(state["total"]))
        found = (order["woo_status"], order["state"], order["amount_total"])
        if found[:2] != expected[:2] or abs(found[2] - expected[2]) > 0.005:
            problems.append(f"order {order['woo_order_id']}: {found}, expected {expected}")
    partners = _rows(
        odoo,
        "res.partner",
        [("email", "=like", f"soak-{run}-%"), ("parent_id", "=", False)],
        ["email"],
    )
    twice = [email for email, n in Counter(p["email"] for p in partners).items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} customers have several partners, e.g. {twice[:3]}")
    ledger = _rows(
        odoo,
        "integration.event",
        [("woo_resource_id", "in", list(last)), ("event_type", "like", "woo.order.%")],
        ["idempotency_key", "state"],
    )
    per_key = Counter(row["idempotency_key"] for row in ledger)
    problems += [f"ledger: {n} rows for {key}" for key, n in per_key.items() if n > 1][:5]
    unfinished = Counter(row["state"] for row in ledger if row["state"] not in ("done", "ignored"))
    if unfinished:
        problems.append(f"ledger rows not finished: {dict(unfinished)}")
    lost = accepted - set(per_key)
    if lost:
        problems.append(
            f"{len(lost)} deliveries answered 200 are not in the ledger: {list(lost)[:3]}"
        )
    events = sum(len(history) for history in histories)
    if len(per_key) != events:
        problems.append(f"ledger holds {len(per_key)} distinct events, the sale made {events}")
    return problems


@dataclass
class Report:
    orders: int
    deliveries: int
    events: int
    accepted: int
    refused: dict[str, int]
    faults: list[str]
    restarts: dict[str, int]
    send_seconds: float
    converge_seconds: float
    total_seconds: float
    peak_mib: dict[str, float]
    problems: list[str]
    # What check() needs to look again (tests/e2e/test_soak.py), left out of text().
    histories: list[list[dict]] = field(repr=False)
    accepted_keys: set[str] = field(repr=False)
    run: str = field(repr=False)

    def text(self) -> str:
        hidden = {"histories", "accepted_keys", "run"}
        return json.dumps({k: v for k, v in self.__dict__.items() if k not in hidden}, indent=2)


def soak(
    odoo: OdooServer,
    workdir: Path,
    *,
    orders: int,
    senders: int = 20,
    rate: float = 40,
    workers: int = 4,
    faults: int = 1,
    window: int = 40,
    seed: int = 0,
    timeout: float = 1200,
    log: Callable[[str], None] = print,
) -> Report:
    rng = random.Random(seed)
    run = f"{seed}-{int(time.time())}"
    first_id = 5_000_000 + (int(time.time()) % 100_000) * 10
    for sku, price in zip(SKUS, PRICES, strict=True):
        if not odoo.search_read("product.product", [("default_code", "=", sku)], ["id"]):
            odoo.execute(
                "product.product", "create", {"name": sku, "default_code": sku, "list_price": price}
            )
    store_param = "elitaco_integration.store_url"
    store_before = odoo.get_param(store_param)
    odoo.set_param(store_param, STORE_URL)
    histories = flash_sale(orders, first_id, run, rng)
    planned = deliveries(histories, rng, window)
    log(f"{orders} orders, {sum(map(len, histories))} states, {len(planned)} deliveries")
    pipeline = Pipeline(odoo, workers, workdir)
    answers = Answers()
    fault_log: list[str] = []
    try:
        started = time.monotonic()
        spread = len(planned) / rate  # the faults fall while the deliveries come in
        troublemaker = threading.Thread(
            target=chaos,
            args=(pipeline, faults, spread, rng, lambda line: (fault_log.append(line), log(line))),
        )
        troublemaker.start()
        send_all(pipeline, planned, senders, rate, answers)
        sent = time.monotonic()
        log(f"sent in {sent - started:.1f} s; {len(answers.accepted)} answered 200")
        troublemaker.join()
        deadline = time.monotonic() + timeout
        accepted = {answer["idempotency_key"] for answer in answers.accepted}
        problems = [f"not answered 200 or 5xx: {text}" for text in answers.unexpected[:5]]
        found: list[str] = []
        while time.monotonic() < deadline:
            if pipeline.idle():
                found = check(odoo, histories, accepted, run)
                if not found:
                    break
            else:
                found = ["the pipeline is not idle: events queued, running or spooled"]
            time.sleep(2)
        problems += found
        if pipeline.failed_jobs():
            problems.append(f"{pipeline.failed_jobs()} jobs in RQ's failed registry")
        converged = time.monotonic()
    finally:
        pipeline.stop()
        if odoo.process is None:
            odoo.start()
        odoo.set_param(store_param, store_before or "")
    return Report(
        orders=orders,
        deliveries=len(planned),
        events=sum(map(len, histories)),
        accepted=len(answers.accepted),
        refused=dict(answers.refused),
        faults=fault_log,
        restarts=dict(pipeline.restarts),
        send_seconds=round(sent - started, 1),
        converge_seconds=round(converged - max(sent, started + spread), 1),
        total_seconds=round(converged - started, 1),
        peak_mib={kind: round(kib / 1024, 1) for kind, kib in sorted(pipeline.peaks.kib.items())},
        problems=problems,
        histories=histories,
        accepted_keys=accepted,
        run=run,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--rate", type=float, default=40, help="deliveries a second, in all")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--faults", type=int, default=3, help="times each fault happens")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    installation = odoo_installation()
    workdir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    odoo = OdooServer(installation, workdir)
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        odoo.start()
        report = soak(
            odoo,
            workdir,
            orders=args.orders,
            senders=args.senders,
            rate=args.rate,
            workers=args.workers,
            faults=args.faults,
            seed=args.seed,
            log=lambda line: print(line, flush=True),
        )
    finally:
        odoo.stop()
        odoo.drop_database()
    print(report.text())
    print(f"seed {args.seed}; logs in {workdir}")
    raise SystemExit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
