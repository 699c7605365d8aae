"""Per-host slots: one request in flight per host, a delay between two, pauses and giving up.

The run asks a host's slot for its turn before every request to that host
(robots.txt and redirect hops included) and tells it how the request went;
the slot knows nothing about pages, parsing or HTTP.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostSlot:
    """The politeness state of one host for one run."""

    __slots__ = ("host", "delay", "next_start", "failures", "given_up", "waiting", "_lock")

    def __init__(self, host: str, delay: float):
        self.host = host
        self.delay = delay  #: seconds from one request's start to the next one's
        self.next_start = 0.0  #: monotonic time before which no request may start
        self.failures = 0  #: timeouts / connection failures in a row
        self.given_up: tuple[str, str] | None = None  #: (status, reason) for the host's remaining pages
        self.waiting = 0  #: requests waiting for the delay or a pause to pass
        self._lock = asyncio.Lock()

    def slow_down(self, delay: float) -> None:
        """Use a longer delay from now on (robots.txt Crawl-delay)."""
        if delay > self.delay:
            self.next_start += delay - self.delay
            self.delay = delay

    def pause(self, seconds: float) -> None:
        """Send nothing to this host for ``seconds`` (Retry-After)."""
        self.next_start = max(self.next_start, time.monotonic() + seconds)

    def idle(self, now: float) -> bool:
        """True when nothing is under way or waiting here and the delay since the last request has passed."""
        return not self._lock.locked() and not self.waiting and self.next_start <= now

    def give_up(self, status: str, reason: str) -> None:
        if self.given_up is None:
            self.given_up = (status, reason)

    def record(self, ok: bool, limit: int, what: str) -> None:
        """Count an answer (ok) or a timeout / connection failure; give up after ``limit`` failures in a row."""
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= limit:
            self.give_up("unreachable", f"{self.host} was given up for this run after {self.failures} "
                                        f"failures in a row (the last: {what})")

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Ticket]:
        """Wait until this host may get a request, and hold it while the request runs.

        The delay counts from when the request was sent (the ticket's ``sent``,
        set by the HTTP layer), or from when its turn came if it never was.
        """
        async with self._lock:
            wait = self.next_start - time.monotonic()
            if wait > 0:
                self.waiting += 1
                try:
                    await asyncio.sleep(wait)
                finally:
                    self.waiting -= 1
            ticket = Ticket(time.monotonic())
            try:
                yield ticket
            finally:
                # Start to start: the next request may begin `delay` after this one began
                # (and never before it ended: the lock is held until then).
                self.next_start = max(self.next_start, (ticket.sent or ticket.began) + self.delay)


class Ticket:
    """One request's turn at a host."""

    __slots__ = ("began", "sent")

    def __init__(self, began: float):
        self.began = began
        self.sent: float | None = None


class Slots:
    """Every host's slot, made on first use, and forgotten when its host is done.

    ``memory`` (host -> monotonic time before which no request may start) carries politeness from one run
    to the next: runs that share it (the checks of several properties, one after another) never ask a
    host sooner than one run alone would.
    """

    def __init__(self, delay: float, memory: dict[str, float] | None = None):
        self.delay = delay
        self.memory = memory
        self._slots: dict[str, HostSlot] = {}
        self._given_up: dict[str, tuple[str, str]] = {}  #: of hosts forgotten: all a new slot must know
        self.seen: set[str] = set()  #: every host that had a slot this run

    def __getitem__(self, host: str) -> HostSlot:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = HostSlot(host, self.delay)
            slot.given_up = self._given_up.get(host)
            if self.memory:
                slot.next_start = self.memory.get(host, 0.0)
            self.seen.add(host)
        return slot

    def forget(self, host: str, now: float) -> bool:
        """Drop an idle host's slot (a new one would start as free as this one is); False when it is not idle.

        A host given up stays given up: only that verdict is kept.
        """
        slot = self._slots.get(host)
        if slot is None:
            return True
        if not slot.idle(now):
            return False
        if slot.given_up:
            self._given_up[host] = slot.given_up
        del self._slots[host]
        return True

    def remember(self) -> None:
        """Note in ``memory`` when each host may next be asked (the hosts whose delay has not passed yet)."""
        if self.memory is None:
            return
        now = time.monotonic()
        for host in [h for h, t in self.memory.items() if t <= now]:
            del self.memory[host]
        for host, slot in self._slots.items():
            if slot.next_start > now:
                self.memory[host] = max(self.memory.get(host, 0.0), slot.next_start)

    def __len__(self) -> int:
        """Hosts that had a slot this run."""
        return len(self.seen)

    def waiting(self) -> int:
        """Hosts with a request waiting on politeness (of those not forgotten: a forgotten host has none)."""
        return sum(1 for s in self._slots.values() if s.waiting)
