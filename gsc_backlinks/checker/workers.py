"""Parsing in worker processes: the HTML of strangers' pages parsed away from the event loop.

Lexbor, our link facts (Python) and resiliparse's main text (which holds the
GIL while it works) cost more CPU per page than fetching it.  Run in the
checking process, they take the GIL from the event loop that keeps every
host's requests on time; run here, in processes of their own, they use the
machine's other cores and the event loop keeps the GIL.  A page whose HTML
crashes the parser (C code, fed by strangers) takes down a worker, not the
check: that page is marked, a new worker takes the rest.

A worker is ``python -P -m gsc_backlinks.checker.workers FD``: it reads
pages from a socket it shares with the checking process and writes their
facts back in order, those that came together in one write.  Frames are a
4-byte length and a pickle; the checking process unpickles only the
parser's own dataclasses.  One worker starts with the check, more (up to
the most allowed) when pages wait for one; where none can start (no
``sys.executable``, no ``pass_fds`` on the platform) pages are parsed in the
checking process.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .. import urls
from ..errors import GscBacklinksError
from .parse import PageFacts, SiteMatcher, parse_page

_HEADER = struct.Struct("!I")
_READY = "ready"
#: Pages sent to a worker ahead of its answers: enough that it never waits for the next one, few
#: enough that the pages waiting stay in our queue (and go to whichever worker is free first).
#: A worker gets more only when it owes at most _REFILL: pages go (and answers come) in batches.
_PIPELINE = 16
_REFILL = 8
_GROW_AT = 64  # pages waiting for a worker: time for one more (up to the most allowed)
_DEATHS_IN_A_ROW = 5  # workers dying one after the other without an answer between: not the pages' fault
_START_TIMEOUT = 60.0  # seconds for a worker to import its parsers; a slower one is not used
_STOP_TIMEOUT = 5.0  # seconds a worker gets to finish after its input ends, before it is killed


class ParserCrashed(Exception):
    """The worker parsing a page died (the page's HTML crashed the parser, or the worker was killed)."""


class ParseWorkersFailed(GscBacklinksError):
    """The parse workers keep dying, whatever the page: the check stops (what it found so far is kept)."""

    exit_code = 70  # EX_SOFTWARE

    def __init__(self, deaths: int):
        super().__init__(
            f"the processes that parse pages stopped {deaths} times in a row (out of memory, or killed?); "
            "the pages checked so far are kept, run the check again to go on with the rest"
        )


@dataclass(frozen=True)
class Job:
    """What a worker needs to parse one page, besides the run's constants."""

    body: bytes
    charset: str | None
    url: str
    page_nofollow: bool


@dataclass(frozen=True)
class Constants:
    """What every page of a run is parsed with."""

    site: urls.Property
    own: bool
    max_main_text: int
    robots_token: str
    keep_text: bool = False  #: main text of pages that do not link to the site too (the link gap's pages)


# --- the worker process ---------------------------------------------------------------------------


def _frame(obj: object) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def serve(sock: socket.socket) -> None:
    """Parse the jobs that come in on ``sock`` until it closes; answer each with (id, PageFacts) or (id, error).

    The jobs that arrived together are answered together, in one write: each
    write wakes the checking process, and on a virtual machine a wake-up
    costs about as much as a small page's parse.
    """
    constants: Constants | None = None
    matcher: SiteMatcher | None = None
    sock.sendall(_frame(_READY))
    buffer = bytearray()
    while True:
        data = sock.recv(1 << 20)
        if not data:
            return  # the checking process is done (or gone)
        buffer += data
        answers: list[bytes] = []
        start = 0
        while len(buffer) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer, start)
            end = start + _HEADER.size + size
            if len(buffer) < end:
                break
            message = pickle.loads(buffer[start + _HEADER.size:end])
            start = end
            if isinstance(message, Constants):
                constants, matcher = message, SiteMatcher(message.site)
                continue
            ident, job = message
            assert constants is not None and matcher is not None
            try:
                answer: object = parse_page(job.body, url=job.url, header_charset=job.charset, site=matcher,
                                            own=constants.own, max_main_text=constants.max_main_text,
                                            robots_token=constants.robots_token, page_nofollow=job.page_nofollow,
                                            keep_text=constants.keep_text)
            except Exception as exc:  # a bug in our parsing: the checking process raises it
                answer = f"{type(exc).__name__}: {exc}"
            answers.append(_frame((ident, answer)))
        del buffer[:start]
        if answers:
            sock.sendall(b"".join(answers))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    # Ctrl-C goes to the whole process group: the checking process decides, and closes our input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(args[0]))
    from resiliparse.extract import html2text  # noqa: F401  (imported before "ready": the first page is not slower)
    from selectolax import lexbor  # noqa: F401

    # This file runs as __main__; what the checking process pickles names the package's module.
    from gsc_backlinks.checker import workers

    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        workers.serve(sock)


# --- the checking process's side -------------------------------------------------------------------------


class _Unpickler(pickle.Unpickler):
    """Only what a worker sends: page facts and the link facts in them."""

    _ALLOWED = {("gsc_backlinks.checker.parse", "PageFacts"), ("gsc_backlinks.checker.model", "LinkFact")}

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"a parse worker sent {module}.{name}, which it never should")
        return super().find_class(module, name)


class _Worker(asyncio.Protocol):
    """One worker process and the jobs sent to it, oldest first (it answers in order)."""

    def __init__(self, pool: ParseWorkers, process: subprocess.Popen):
        self.pool = pool
        self.process = process
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.ready = asyncio.get_running_loop().create_future()
        self.sent: deque[tuple[int, Job, asyncio.Future]] = deque()
        self.outbox: list[bytes] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start = 0
        while len(buffer) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer, start)
            end = start + _HEADER.size + size
            if len(buffer) < end:
                break
            message = _Unpickler(io.BytesIO(bytes(buffer[start + _HEADER.size:end]))).load()
            start = end
            if message == _READY:
                if not self.ready.done():
                    self.ready.set_result(True)
                continue
            ident, answer = message
            self.pool.deaths_in_a_row = 0
            self.pool.careful = max(0, self.pool.careful - 1)
            sent_ident, _job, future = self.sent.popleft()
            assert sent_ident == ident, "a parse worker answered out of order"
            if future.done():
                continue
            if isinstance(answer, PageFacts):
                future.set_result(answer)
            else:
                future.set_exception(RuntimeError(f"parsing a page failed in a worker: {answer}"))
        del buffer[:start]
        self.pool._pump()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_result(False)
        self.pool._lost(self)

    def send(self, frame: bytes) -> None:
        """Send a frame with the others of this turn of the event loop: one system call for them all."""
        self.outbox.append(frame)
        if len(self.outbox) == 1:
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(b"".join(self.outbox))
        self.outbox.clear()


class ParseWorkers:
    """A few worker processes that parse pages; ``parse()`` from the event loop, in any number at once.

    One worker to begin with; another (up to ``processes``) whenever pages
    pile up waiting for one: a polite check of a few pages a second never
    needs a second, a fast one over many hosts keeps every core parsing.
    """

    def __init__(self, constants: Constants, processes: int):
        self.constants = constants
        self.processes = processes  #: at most
        self.workers: list[_Worker] = []
        self.crashes = 0  #: pages the parser died on
        self.deaths_in_a_row = 0  #: workers lost (or that would not start) since the last answer
        self.careful = 0  #: pages to send one at a time, to find which one a worker died on
        self._failed: ParseWorkersFailed | None = None
        self._ids = 0
        self._inline = processes <= 0
        self._closing = False
        self._starting: asyncio.Task | None = None
        self._queue: deque[tuple[int, Job, asyncio.Future]] = deque()  # pages not yet sent to a worker
        self._matcher = SiteMatcher(constants.site)

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers in the background: pages fetched meanwhile wait for them."""
        if not self._inline:
            self._starting = asyncio.get_running_loop().create_task(self._start(1))

    async def _start(self, count: int) -> None:
        started = await asyncio.gather(*(self._spawn() for _ in range(count)))
        if not any(started) and not self.workers:
            if self.crashes == 0 and self.deaths_in_a_row == 0:
                # No worker would start at all (no room for a process, a broken install): parse here instead.
                self._inline = True
            else:
                self._died()  # a worker that did run has no successor
        # Once this task is done, so that _pump may start another when this one started none.
        asyncio.get_running_loop().call_soon(self._pump)

    async def _spawn(self) -> _Worker | None:
        loop = asyncio.get_running_loop()
        if not sys.executable:  # an embedded Python that cannot start another
            return None
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-P", "-m", __name__, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError):  # ValueError: no pass_fds on this platform
            ours.close()
            return None
        finally:
            theirs.close()
        worker = _Worker(self, process)
        await loop.create_connection(lambda: worker, sock=ours)
        worker.send(_frame(self.constants))
        try:
            ok = await asyncio.wait_for(asyncio.shield(worker.ready), _START_TIMEOUT)
        except TimeoutError:
            ok = False
        if not ok or worker.closed or self._closing:
            self._stop(worker, kill=True)
            await loop.run_in_executor(None, _reap, process)
            return None
        self.workers.append(worker)
        return worker

    async def close(self, *, kill: bool = False) -> None:
        """Stop the workers (at once with ``kill``: the check was cancelled)."""
        self._closing = True
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        for _ident, _job, future in self._queue:
            future.cancel()
        self._queue.clear()
        workers, self.workers = self.workers, []
        for worker in workers:
            self._stop(worker, kill=kill)
        loop = asyncio.get_running_loop()
        for worker in workers:
            await loop.run_in_executor(None, _reap, worker.process)

    def _stop(self, worker: _Worker, *, kill: bool) -> None:
        if worker.transport is not None:
            worker.transport.close()  # the worker reads the end of its input and exits
        if kill:
            with contextlib.suppress(OSError):
                worker.process.kill()
        if worker in self.workers:
            self.workers.remove(worker)

    # --- parsing ---------------------------------------------------------------------------------

    async def parse(self, body: bytes, charset: str | None, url: str, page_nofollow: bool) -> PageFacts:
        """The facts of one page; raise ParserCrashed when parsing it killed its worker."""
        if self._failed is not None:
            raise self._failed
        job = Job(body, charset, url, page_nofollow)
        if self._inline:
            return self._parse_here(job)
        self._ids += 1
        future = asyncio.get_running_loop().create_future()
        self._queue.append((self._ids, job, future))
        self._pump()
        return await future

    def _parse_here(self, job: Job) -> PageFacts:
        c = self.constants
        return parse_page(job.body, url=job.url, header_charset=job.charset, site=self._matcher, own=c.own,
                          max_main_text=c.max_main_text, robots_token=c.robots_token,
                          page_nofollow=job.page_nofollow, keep_text=c.keep_text)

    def _pump(self) -> None:
        """Send waiting pages to the workers with room for them (or parse them here, when there is none)."""
        queue = self._queue
        live = [w for w in self.workers if not w.closed]
        if not live:
            if self._inline or self._closing:
                while queue:
                    _ident, job, future = queue.popleft()
                    self._settle_here(job, future)
            elif queue and (self._starting is None or self._starting.done()):
                self._starting = asyncio.get_running_loop().create_task(self._start(1))
            return
        if (len(queue) > _GROW_AT and len(live) < self.processes and not self._closing and self._failed is None
                and (self._starting is None or self._starting.done())):
            self._starting = asyncio.get_running_loop().create_task(self._start(1))
        # Careful: one page at a time to one worker, until the pages a worker died on are through.
        pipeline, refill = (1, 0) if self.careful else (_PIPELINE, _REFILL)
        for worker in live[:1] if self.careful else live:
            if len(worker.sent) > refill:
                continue
            while queue and len(worker.sent) < pipeline:
                ident, job, future = queue.popleft()
                if future.done():  # its check was cancelled
                    continue
                worker.sent.append((ident, job, future))
                worker.send(_frame((ident, job)))

    def _settle_here(self, job: Job, future: asyncio.Future) -> None:
        if future.done():
            return
        try:
            future.set_result(self._parse_here(job))
        except Exception as exc:
            future.set_exception(exc)

    def _lost(self, worker: _Worker) -> None:
        """A worker's connection ended: when it still owed answers, it died on the first of them."""
        started = worker in self.workers  # (one that never started is _spawn's to deal with)
        if started:
            self.workers.remove(worker)
        owed = list(worker.sent)
        worker.sent.clear()
        if self._closing or not started:
            for _ident, _job, future in owed:
                future.cancel()
            return  # close() or _spawn reaps it
        if len(owed) == 1:  # the page it died on
            _ident, _job, future = owed[0]
            if not future.done():
                self.crashes += 1
                code = worker.process.poll()
                how = f" (signal {-code})" if code is not None and code < 0 else ""
                future.set_exception(ParserCrashed(f"the HTML parser died on it{how}"))
        elif owed:
            # It died on one of several (a worker answers a batch at once): they go first to the
            # next worker, one at a time, so that a death then names its page.
            self._queue.extendleft(reversed(owed))
            self.careful = max(self.careful, len(owed))
        with contextlib.suppress(OSError):
            worker.process.kill()
        asyncio.get_running_loop().run_in_executor(None, _reap, worker.process)
        self._died()
        self._pump()

    def _died(self) -> None:
        """One more worker lost: after a few in a row, every page waiting (and to come) fails with the reason."""
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row < _DEATHS_IN_A_ROW or self._failed is not None:
            return
        self._failed = ParseWorkersFailed(self.deaths_in_a_row)
        while self._queue:
            _ident, _job, future = self._queue.popleft()
            if not future.done():
                future.set_exception(self._failed)


def _reap(process: subprocess.Popen) -> None:
    """Wait for a worker to exit; kill it when it does not within a few seconds."""
    try:
        process.wait(_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def auto_processes(pages: int | None, minimum_pages: int, cpu_count: Callable[[], int | None] = os.cpu_count) -> int:
    """The most worker processes for a run of ``pages`` pages (None: unknown): none for a few pages, else
    one per core (at most 4).

    One per core, not one per core but the checking process's: parsing is the
    larger part of a page's CPU, and a worker only runs when there is a page
    to parse, so the cores the event loop leaves idle go to parsing.
    """
    if pages is not None and pages < minimum_pages:
        return 0
    return max(1, min(4, cpu_count() or 1))


if __name__ == "__main__":
    main()
