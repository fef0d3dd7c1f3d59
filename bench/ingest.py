"""Ingest benchmark (not a test): signed ~4 KB order webhooks against the relay and the ceiling.

    apt-get install wrk          # the load generator (C, so it leaves the CPU to the servers)
    .venv/bin/python -m bench.ingest --concurrency 8 16 --seconds 15
    .venv/bin/python -m bench.ingest --processes 1 2 --concurrency 16 --seconds 15

With --processes, the ceiling and the relay each run as that many processes on one port
(`python -m relay serve --processes N`), the concurrency is per process (c × N connections),
and the CPU time and peak RSS are those of all the server's processes together.

Starts, one after the other as separate processes, bench/ceiling.py (a bare aiohttp handler),
bench/relay_without_enqueue.py (the relay's real handler with only the enqueue removed: the upper
bound of any enqueue design) and `python -m relay serve` (real Redis, database 13 by default,
emptied before and after), drives each with the same wrk load (HTTP/1.1 with `Connection: close`,
as WooCommerce sends, cycling through 200 distinct signed order states) and prints requests/s,
p50/p99 latency, peak RSS, the server's CPU time per request and the ratios to the ceiling.
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from redis import Redis

from tests.redis_server import free_port
from tests.woo import example_payload, woo_delivery

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789"
DISTINCT_STATES = 200


@dataclass
class Run:
    target: str
    concurrency: int
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: str
    peak_rss_mib: float
    cpu_us_per_request: float


def lua_script(directory: Path) -> Path:
    """A wrk script that posts DISTINCT_STATES different signed order states in turn."""
    base = example_payload("woo.order.updated")
    entries = []
    for n in range(DISTINCT_STATES):
        order = dict(
            base,
            id=10_000 + n,
            number=str(10_000 + n),
            date_modified_gmt=f"2026-02-20T10:{n // 60:02d}:{n % 60:02d}",
        )
        request = woo_delivery("order.updated", order, SECRET)
        body_file = directory / f"body{n}.json"
        body_file.write_bytes(request.body)
        request.headers["Host"] = "127.0.0.1"
        headers = ", ".join(f'["{name}"] = "{value}"' for name, value in request.headers.items())
        entries.append(f'{{file = "{body_file}", headers = {{{headers}}}}}')
    script = directory / "post.lua"
    script.write_text(
        "local entries = {\n  " + ",\n  ".join(entries) + "\n}\n"
        "local requests = {}\n"
        "for i, entry in ipairs(entries) do\n"
        '  local f = io.open(entry.file, "rb"); local body = f:read("*a"); f:close()\n'
        '  requests[i] = wrk.format("POST", "/webhook/woo", entry.headers, body)\n'
        "end\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n % #requests + 1\n"
        "  return requests[n]\n"
        "end\n"
    )
    return script


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = open(Path(tempfile.gettempdir()) / f"bench-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the processes of `serve --processes`)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    tree = [pid]
    for member in tree:
        tree += [child for child, parent in parents.items() if parent == member]
    return tree


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process and its descendants have used so far."""
    total = 0.0
    for member in process_tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def peak_rss_mib(pid: int) -> float:
    total = 0
    for member in process_tree(pid):
        status = Path(f"/proc/{member}/status").read_text()
        total += int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return round(total / 1024, 1)


def wrk(
    url: str, script: Path, concurrency: int, seconds: int, threads: int = 1
) -> dict[str, float | str]:
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def millis(label: str) -> float:
        value, unit = re.search(
            rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE
        ).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": millis("50%"),
        "p99": millis("99%"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def measure(
    name: str,
    command: list[str],
    env: dict[str, str],
    port: int,
    script: Path,
    concurrency: int,
    seconds: int,
    processes: int = 1,
) -> Run:
    process = start(command, env, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wrk(url, script, concurrency, 2, processes)  # warm-up
        cpu_before = cpu_seconds(process.pid)
        result = wrk(url, script, concurrency, seconds, processes)
        cpu_used = cpu_seconds(process.pid) - cpu_before
        rss = peak_rss_mib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    return Run(
        name,
        concurrency,
        int(result["requests"]),
        float(result["rps"]),
        float(result["p50"]),
        float(result["p99"]),
        int(result["non_2xx"]),
        str(result["socket_errors"]),
        rss,
        round(cpu_used / max(int(result["requests"]), 1) * 1e6),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--log-level", default="INFO", help="the relay's LOG_LEVEL")
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        help="measure the ceiling and the relay with each number of processes instead",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    redis = Redis.from_url(args.redis_url)
    with tempfile.TemporaryDirectory() as workdir:
        script = lua_script(Path(workdir))
        relay_env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            WOO_WEBHOOK_SECRET=SECRET,
            WOO_STORE_URL="https://shop.example.com",
            REDIS_URL=args.redis_url,
            LOG_LEVEL=args.log_level,
            RELAY_SPOOL_DIR=str(Path(workdir) / "spool"),
        )
        serve = ["serve", "--host", "127.0.0.1", "--port"]
        targets = {
            "ceiling": ([sys.executable, "-m", "bench.ceiling"], dict(os.environ)),
            "relay without enqueue": (
                [sys.executable, "-m", "bench.relay_without_enqueue", *serve],
                relay_env,
            ),
            "relay": ([sys.executable, "-m", "relay", *serve], relay_env),
        }
        if args.processes:
            measure_processes(args, script, relay_env, redis)
            redis.flushdb()
            return
        print(
            "| concurrency | target | requests | req/s | p50 ms | p99 ms | non-2xx | "
            "socket errors | peak RSS MiB | server CPU µs/request |\n"
            "|---|---|---|---|---|---|---|---|---|---|"
        )
        for concurrency in args.concurrency:
            runs = {}
            for name, (command, env) in targets.items():
                redis.flushdb()
                port = free_port()
                runs[name] = measure(
                    name,
                    [*command, str(port)],
                    dict(env, PYTHONPATH=str(ROOT)),
                    port,
                    script,
                    concurrency,
                    args.seconds,
                )
            enqueued = redis.llen("rq:queue:woo-events")
            if enqueued < runs["relay"].requests:
                sys.exit(
                    f"relay answered {runs['relay'].requests} deliveries but enqueued {enqueued}"
                )
            for run in runs.values():
                print(
                    f"| {concurrency} | {run.target} | {run.requests} | "
                    f"{run.requests_per_second:.0f} | {run.p50_ms} | {run.p99_ms} | "
                    f"{run.non_2xx} | {run.socket_errors} | {run.peak_rss_mib} | "
                    f"{run.cpu_us_per_request} |"
                )
            ceiling = runs["ceiling"].requests_per_second
            for name in ("relay without enqueue", "relay"):
                ratio = runs[name].requests_per_second / ceiling
                print(f"| {concurrency} | {name} / ceiling | | {ratio:.2f} | | | | | | |")
    redis.flushdb()


def measure_processes(
    args: argparse.Namespace, script: Path, relay_env: dict[str, str], redis: Redis
) -> None:
    """The ceiling and the relay with 1, 2, … processes, c connections per process."""
    print(
        "| processes | connections | target | requests | req/s | p50 ms | p99 ms | "
        "non-2xx | peak RSS MiB | server CPU µs/request |\n"
        "|---|---|---|---|---|---|---|---|---|---|"
    )
    for processes in args.processes:
        connections = args.concurrency[0] * processes
        for name in ("ceiling", "relay"):
            redis.flushdb()
            port = free_port()
            if name == "ceiling":
                command = [sys.executable, "-m", "bench.ceiling", str(port), str(processes)]
            else:
                command = [
                    sys.executable,
                    "-m",
                    "relay",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--processes",
                    str(processes),
                ]
            run = measure(
                name,
                command,
                dict(relay_env, PYTHONPATH=str(ROOT)),
                port,
                script,
                connections,
                args.seconds,
                processes,
            )
            if name == "relay" and redis.llen("rq:queue:woo-events") < run.requests:
                sys.exit("the relay answered more deliveries than it enqueued")
            print(
                f"| {processes} | {connections} | {name} | {run.requests} | "
                f"{run.requests_per_second:.0f} | {run.p50_ms} | {run.p99_ms} | {run.non_2xx} | "
                f"{run.peak_rss_mib} | {run.cpu_us_per_request} |"
            )


if __name__ == "__main__":
    main()
