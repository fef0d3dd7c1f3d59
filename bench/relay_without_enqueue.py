"""The relay with one step removed: `accept_envelope` answers "enqueued" without touching Redis.

Everything else is the real webhook handler (read, verify, parse, build and validate the
envelope, metrics, the JSON log line, the answer), so its rate is the upper bound of any way
of enqueueing: a relay that enqueues cannot be faster than this. Only bench/ingest.py runs it.
"""

from __future__ import annotations

import sys

from aiohttp import web

from relay import cli
from relay.ingress import handlers
from relay.ingress.intake import Destination
from relay.pipeline.envelope import Envelope


async def accept_without_enqueue(app: web.Application, envelope: Envelope) -> Destination:
    return "enqueued"


if __name__ == "__main__":
    handlers.accept_envelope = accept_without_enqueue
    sys.exit(cli.main(sys.argv[1:]))
