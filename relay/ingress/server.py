"""Serving the relay: aiohttp's runner, with requests that are not HTTP answered without
echoing them, and SIGHUP reading the stores again."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from relay.ingress.keys import STORES
from relay.ingress.served_stores import reload_stores

logger = logging.getLogger(__name__)


class QuietRequestHandler(RequestHandler):
    """aiohttp answers bytes it cannot parse as HTTP (say, the rest of a body longer than its
    Content-Length) with a 400 quoting them, and logs them with a traceback: a customer's
    email and address in an answer and in the logs. Here: a plain 400 and one WARNING line."""

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status != 400:
            return super().handle_error(request, status, exc, message)
        logger.warning(
            "request that is not valid HTTP answered 400",
            extra={"peer": request.remote, "error": type(exc).__name__ if exc else None},
        )
        if request.writer.output_size > 0:
            raise ConnectionError("an answer was sent already; the connection is closed")
        response = web.Response(status=400, text="400 Bad Request: not a valid HTTP/1.1 request\n")
        response.force_close()
        return response


class QuietServer(web.Server):
    def __call__(self) -> RequestHandler:
        return QuietRequestHandler(self, loop=self._loop, **self._kwargs)


class RelayRunner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = QuietServer  # the same server, handing out the quiet handler
        return server


async def serve(app: web.Application, host: str, port: int, reuse_port: bool = False) -> None:
    """Serve until SIGTERM or SIGINT, then shut down cleanly (as web.run_app does); on SIGHUP
    read the stores again. With `reuse_port`, several processes listen on the port and the
    kernel shares the connections."""
    runner = RelayRunner(app, access_log=None, handle_signals=True)
    await runner.setup()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, reload_stores, app[STORES])
    # `serve --processes` starts its processes with SIGHUP blocked, so that one sent before
    # this handler existed waits for it instead of ending the process.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP})
    stores = app[STORES].stores
    logger.info(
        "relay serves the stores",
        extra={"source": stores.source, "stores": list(stores.names), "pid": os.getpid()},
    )
    try:
        await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
        await asyncio.Event().wait()
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
        await runner.cleanup()
