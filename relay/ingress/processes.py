"""`python -m relay serve --processes N`: N relay processes on one port (SO_REUSEPORT: the
kernel shares the connections among them), each with its own spool (RELAY_SPOOL_DIR/process-N),
kept running by this parent. A process that dies is started again in its place and finds its
spool; until then a live one drains that spool (relay/ingress/spool_owners.py). SIGHUP is passed
on to every process, each reading the stores again.

Not Gunicorn's aiohttp worker class: it builds its own runner, so deliveries would lose the
relay's quiet answer to malformed HTTP (relay/ingress/server.py), and it adds a dependency for
what a small loop does here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import time
from dataclasses import replace
from multiprocessing.process import BaseProcess
from types import FrameType

from aiohttp import web

from relay.config import ConfigError, Settings
from relay.ingress.served_stores import load_served_stores
from relay.logs import configure_logging
from relay.stores import Stores

logger = logging.getLogger(__name__)

RESTART_DELAY = 1.0  # seconds before a process that died is started again
STOP_TIMEOUT = 30.0  # seconds the processes get to finish their requests on SIGTERM


def serve_one(settings: Settings, stores: Stores, host: str, port: int) -> None:
    """One relay process: the app of its slot, on the shared port."""
    from relay.ingress.app import create_app
    from relay.ingress.server import serve

    configure_logging(settings.log_level)
    with contextlib.suppress(web.GracefulExit, KeyboardInterrupt):
        asyncio.run(serve(create_app(settings, stores), host, port, reuse_port=True))


def serve_processes(settings: Settings, stores: Stores, host: str, port: int) -> int:
    context = multiprocessing.get_context("spawn")  # nothing of this parent in the children
    stopping = False
    hangups = 0

    def start(slot: int) -> BaseProcess:
        child = context.Process(
            target=serve_one,
            args=(replace(settings, process_slot=slot), stores, host, port),
            name=f"relay-{slot}",
        )
        # Blocked until the process's SIGHUP handler is set (relay/ingress/server.py): a SIGHUP
        # passed on while it starts would otherwise end it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
        try:
            child.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP})
        logger.info("relay process started", extra={"slot": slot, "pid": child.pid})
        return child

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    def hang_up(signum: int, _frame: FrameType | None) -> None:
        nonlocal hangups
        hangups += 1

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, hang_up)
    children = {slot: start(slot) for slot in range(settings.processes)}
    while not stopping:
        time.sleep(0.2)
        if hangups:
            hangups = 0
            stores = _reread(stores)
            for child in children.values():
                if child.pid is not None and child.is_alive():
                    os.kill(child.pid, signal.SIGHUP)
            pids = [child.pid for child in children.values()]
            logger.info("SIGHUP passed on to the relay processes", extra={"pids": pids})
        for slot, child in list(children.items()):
            if child.is_alive() or stopping:
                continue
            logger.error(
                "relay process died; starting it again",
                extra={"slot": slot, "pid": child.pid, "exit_code": child.exitcode},
            )
            time.sleep(RESTART_DELAY)
            children[slot] = start(slot)
    for child in children.values():
        if child.is_alive():
            child.terminate()  # SIGTERM: aiohttp finishes the requests under way
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children.values():
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()
    return 0


def _reread(stores: Stores) -> Stores:
    """The stores a process started from now on gets: the file's if it can be used, else the
    ones before (each process logs why it refused the file)."""
    try:
        return load_served_stores()
    except ConfigError:
        return stores
