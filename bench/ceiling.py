"""The ceiling: a bare aiohttp handler that reads the body and answers 200, nothing more.
`python -m bench.ceiling PORT [PROCESSES]`: that many processes on the port (SO_REUSEPORT), as
`python -m relay serve --processes` runs the relay."""

from __future__ import annotations

import multiprocessing
import signal
import sys

from aiohttp import web


async def accept(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"status": "accepted"})


def serve(port: int, reuse_port: bool) -> None:
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/webhook/woo", accept)
    app.router.add_get("/health", lambda request: web.json_response({"status": "ok"}))
    web.run_app(
        app, host="127.0.0.1", port=port, access_log=None, print=None, reuse_port=reuse_port
    )


def main() -> None:
    port = int(sys.argv[1])
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if processes == 1:
        serve(port, reuse_port=False)
        return
    children = [
        multiprocessing.get_context("spawn").Process(target=serve, args=(port, True))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    signal.signal(signal.SIGTERM, lambda *_: [child.terminate() for child in children])
    for child in children:
        child.join()


if __name__ == "__main__":
    main()
