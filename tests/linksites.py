"""A loopback stand-in for the web sites that link to a property: many host names on one port.

Tests and the checker benchmark start a :class:`LinkSites` on 127.0.0.1 (an
aiohttp.web server in a thread of its own) and point the checker at host
names such as ``blog.test``, which the checker's testing allowance
(``GSC_BACKLINKS_CHECK_TESTING=1``, ``GSC_BACKLINKS_CHECK_HOSTS=*.test=127.0.0.1``)
maps to this server.  The ``Host`` header says which site is asked.

It records every request (host, path, user agent, when it started and
ended) and the most requests one host ever had in flight at once, so tests
assert politeness on the server side.  Unknown paths answer 404, an unknown
``/robots.txt`` too (which allows everything).
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it."""

    host: str
    path: str  #: with its query string
    user_agent: str
    headers: dict
    started: float  #: time.monotonic() when the request arrived
    ended: float  #: when its handler returned (for streams: when the last byte was written)


Handler = Callable[..., Awaitable]  # async (request) -> web.StreamResponse


class LinkSites:
    """Loopback web sites: ``page()`` and ``route()`` say what each host answers."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency  #: seconds every answer waits before it is sent
        self.routes: dict[tuple[str, str], Handler] = {}
        self.hits: list[Hit] = []
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.port = 0

    # --- what the sites answer --------------------------------------------------------

    def page(self, host: str, path: str, body: str | bytes = "", *, status: int = 200,
             content_type: str = "text/html; charset=utf-8", headers: dict | None = None) -> None:
        """A fixed answer."""
        from aiohttp import web

        data = body.encode("utf-8") if isinstance(body, str) else body

        async def handler(request):
            hdrs = dict(headers or {})
            if content_type:
                hdrs.setdefault("Content-Type", content_type)
            return web.Response(body=data, status=status, headers=hdrs)

        self.routes[(host, path)] = handler

    def redirect(self, host: str, path: str, location: str, status: int = 301) -> None:
        self.page(host, path, b"", status=status, content_type="", headers={"Location": location})

    def robots(self, host: str, text: str | None = None, *, status: int = 200) -> None:
        self.page(host, "/robots.txt", text or "", status=status, content_type="text/plain")

    def route(self, host: str, path: str, handler: Handler) -> None:
        """An answer made by ``handler(request)`` (slow, streamed, changing…)."""
        self.routes[(host, path)] = handler

    def gzip_page(self, host: str, path: str, raw: bytes) -> None:
        """A page sent gzip-compressed (Content-Encoding: gzip)."""
        self.page(host, path, gzip.compress(raw, 9), headers={"Content-Encoding": "gzip"})

    # --- what the server saw ---------------------------------------------------------------

    def requests_to(self, host: str, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.host == host and (path is None or h.path == path)]

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    # --- running -------------------------------------------------------------------------

    async def _handle(self, request):
        from aiohttp import web

        host = (request.host or "").rsplit(":", 1)[0].lower()
        path = request.path_qs
        started = time.monotonic()
        with self._lock:
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            handler = self.routes.get((host, path)) or self.routes.get((host, request.path))
            if handler is None:
                handler = self.routes.get(("*", request.path))
            if handler is None:
                return web.Response(status=404, text="not found", content_type="text/plain")
            return await handler(request)
        finally:
            with self._lock:
                self.in_flight[host] -= 1
                self.hits.append(Hit(host, path, request.headers.get("User-Agent", ""), dict(request.headers),
                                     started, time.monotonic()))

    def start(self, port: int = 0) -> LinkSites:
        self._thread = threading.Thread(target=self._serve, args=(port,), name="linksites", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the link sites stand-in did not start")
        return self

    def _serve(self, port: int) -> None:
        from aiohttp import web

        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        loop.run_until_complete(runner.setup())
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(runner, sock, backlog=1024)
        loop.run_until_complete(site.start())
        self._runner = runner
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> LinkSites:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
