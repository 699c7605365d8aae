"""The check job: fetch the linking pages Search Console names (and the property's own linked pages),
politely and safely, and keep what each link is.

With ``competitors``, a third pass fetches the link gap's pages (competitors'
linking pages, :func:`analysis.thirdparty.link_gap`) for what they are about:
their main text is kept, so the gap's relevance reads it; they are stored as
``gap`` checks and never count as the property's links.

Results are written in small batches by a thread of their own while the
checker goes on, each batch a transaction of a short store session: Ctrl-C, a
crash or kill -9 keeps what was checked, and the next run goes on with the
rest (pages checked less than ``older_than`` days ago are skipped).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..checker import CheckProgress, CheckSettings, CheckSummary

BATCH = 200  #: results per write
BATCH_SECONDS = 2.0  #: … or fewer, when this long has passed
#: A check's passes: the property's linking pages, its own linked pages, the link gap's pages.
PASSES = ("linking", "own", "gap")


@dataclass(frozen=True)
class CheckPlan:
    linking: list[str]  #: linking pages to check, most useful first
    own: list[str]  #: the property's own linked pages to check
    known: int  #: linking pages known for the property
    recent: int  #: of which skipped: checked less than `older_than` days ago
    gap: list[str] = field(default_factory=list)  #: the link gap's linking pages to check (``competitors``)
    gap_known: int = 0  #: linking pages the link gap names as examples
    gap_recent: int = 0  #: of which skipped: checked less than `older_than` days ago


def plan(store_path: Path, site: str, *, older_than: float = 7, limit: int | None = None,
         domain: str | None = None, pages: tuple[str, ...] = (), own_pages: bool = True,
         competitors: bool = False, now: dt.datetime | None = None) -> CheckPlan:
    """Which pages a check fetches: never checked first, then the longest ago; higher authority first.

    ``competitors``: also the link gap's example linking pages (one per competitor of each gap domain), by the
    same rules (``limit`` pages at most, of this ``domain``), the gap's most valuable first where their age ties.
    """
    from .. import urls
    from ..analysis.authority import load_authorities
    from ..analysis.checks import known_linking_pages, own_linked_pages
    from ..analysis.snapshots import Snapshots
    from ..dates import utc_now
    from ..store import open_store
    from ..store.checks import last_checked
    from .common import held_property

    if competitors and pages:
        raise UsageError("--competitors checks the link gap's pages, --url only the pages named: give one of them")
    now = now or utc_now()
    cutoff = now - dt.timedelta(days=older_than)
    with open_store(store_path) as con:
        site = held_property(con, site)
        snaps = Snapshots.read(con, site)
        known = known_linking_pages(con, snaps)
        checked = last_checked(con, site, own=False)
        authorities = load_authorities(con)
        own = own_linked_pages(con, snaps) if own_pages and not pages and not domain else []
        own_checked = last_checked(con, site, own=True)
        gap = _gap_pages(con, snaps) if competitors else []
        gap_checked = last_checked(con, site, own=False, gap=True)
    if pages:  # the pages the user named, checked whatever their age
        named = []
        for text in pages:
            url = urls.canonical_url(text.strip(), default_scheme="https")
            if not urls.is_web_url(url):
                raise UsageError(f"--url {text!r} is not a web page address; give it like https://blog.example.org/post/")
            named.append(url)
        return CheckPlan(list(dict.fromkeys(named)), [], len(known), 0)
    if domain:  # a registrable domain, or one host of it (as links samples --domain takes it)
        name = urls.host_of(urls.canonical_url(domain, default_scheme="https")) or domain.lower()
        want = urls.registrable_domain(name)
        known = [(u, d) for u, d in known if d == want and (name == want or urls.host_of(u) == name)]
        gap = [(u, d) for u, d in gap if d == want and (name == want or urls.host_of(u) == name)]
    due = [(u, d) for u, d in known if u not in checked or checked[u] < cutoff]

    def useful(item: tuple[str, str | None]) -> tuple:
        url, dom = item
        score = authorities.of(dom).score
        return (url in checked, checked.get(url, dt.datetime.min), -(score if score is not None else -1), url)

    due.sort(key=useful)
    own_due = [u for u in own if u not in own_checked or own_checked[u] < cutoff]
    # The gap's pages by the same rule; where their age ties, in the gap's order (most valuable first).
    gap_due = sorted((u for u, _ in gap if u not in gap_checked or gap_checked[u] < cutoff),
                     key=lambda u: (u in gap_checked, gap_checked.get(u, dt.datetime.min)))
    return CheckPlan([u for u, _ in (due[:limit] if limit else due)], own_due, len(known), len(known) - len(due),
                     gap_due[:limit] if limit else gap_due, len(gap), len(gap) - len(gap_due))


def _gap_pages(con, snaps) -> list[tuple[str, str]]:
    """(URL, registrable domain) of the link gap's example linking pages, the most valuable gap domains first."""
    from ..analysis.search import topic_end
    from ..analysis.thirdparty import link_gap
    from ..analysis.value import Valuer
    from .links import no_competitor_data

    gap = link_gap(con, snaps, Valuer.for_property(con, snaps, topic_end(con, snaps.site, snaps.as_of)))
    if not gap.snapshots:
        raise no_competitor_data(snaps.site)
    return list({k.linking_url: row.linking_domain for row in gap.rows for k in row.links}.items())


class _Writer(threading.Thread):
    """Writes page checks in small batches, a transaction each, while the checker goes on."""

    def __init__(self, store_path: Path, site: str):
        super().__init__(name="gsc-check-writer", daemon=True)
        self.store_path, self.site = store_path, site
        self.inbox: SimpleQueue = SimpleQueue()
        self.written = 0
        self.error: BaseException | None = None

    def add(self, result: Any, kind: str) -> None:
        """Queue one result of a pass (one of :data:`PASSES`)."""
        self.inbox.put((result, kind))

    def run(self) -> None:
        import queue
        import time

        finished = False
        while not finished:
            batch: list = []
            deadline = time.monotonic() + BATCH_SECONDS
            while len(batch) < BATCH:
                try:
                    item = self.inbox.get(timeout=max(0.05, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    finished = True
                    break
                batch.append(item)
            if batch and self.error is None:
                try:
                    self._write(batch)
                except BaseException as exc:  # noqa: BLE001  (handed to the main thread, which raises it)
                    self.error = exc

    def _write(self, batch: list) -> None:
        from ..store import open_store
        from ..store.checks import save_checks

        with open_store(self.store_path, write=True) as con:
            # DuckDB's buffer pool otherwise keeps what was written and grows with the check.
            con.execute("SET memory_limit = '64MB'")
            for kind in PASSES:
                part = [r for r, k in batch if k == kind]
                if part:
                    save_checks(con, self.site, part, own=kind == "own", gap=kind == "gap")
        self.written += len(batch)

    def finish(self) -> None:
        if self.is_alive():
            self.inbox.put(None)
            self.join()


@dataclass
class CheckReport:
    site: str
    plan: CheckPlan
    linking: CheckSummary | None = None
    own: CheckSummary | None = None
    gap: CheckSummary | None = None  #: the link gap's pages (``competitors``)
    written: int = 0
    broken_targets: list = field(default_factory=list)  #: analysis.checks.BrokenTarget of this property
    gap_read: int = 0  #: the gap's pages whose main text was read
    gap_linking: list[str] = field(default_factory=list)  #: the gap's pages found linking to the property (not kept)


def check(store_path: Path, site: str, plan_: CheckPlan, settings: CheckSettings | None = None,
          progress: Callable[[CheckProgress], None] | None = None,
          host_times: dict[str, float] | None = None) -> CheckReport:
    """Check the planned pages; every result is kept as it comes.

    Checks that share ``host_times`` (those of several properties, one after another) keep each host's
    delay across them.
    """
    from ..analysis.checks import broken_targets
    from ..analysis.snapshots import Snapshots
    from ..checker import CheckInterrupted, run_checks
    from ..store import open_store
    from ..urls import parse_property

    prop = parse_property(site)
    report = CheckReport(prop.site, plan_)
    writer = _Writer(store_path, prop.site)
    # One host's delay holds across the passes too (a gap page may share a host with a linking page).
    host_times = {} if host_times is None else host_times

    def after(done: int) -> Callable[[CheckProgress], None] | None:
        """The progress of a later pass, counted on from the pages the passes before it did."""
        return (lambda p: progress(dataclasses.replace(p, pages_done=done + p.pages_done))) if progress else None

    def on_gap(result: Any) -> None:
        report.gap_read += bool(result.main_text)
        if result.links:
            report.gap_linking.append(result.url)
        writer.add(result, "gap")

    writer.start()
    try:
        if plan_.linking:
            report.linking = run_checks(plan_.linking, site=prop, settings=settings,
                                        on_result=lambda r: writer.add(r, "linking"), progress=progress,
                                        host_times=host_times)
        if plan_.own:
            report.own = run_checks(plan_.own, site=prop, settings=settings, on_result=lambda r: writer.add(r, "own"),
                                    progress=after(len(plan_.linking)), own=True, host_times=host_times)
        if plan_.gap:
            report.gap = run_checks(plan_.gap, site=prop, settings=settings, on_result=on_gap,
                                    progress=after(len(plan_.linking) + len(plan_.own)), host_times=host_times,
                                    keep_text=True)
    except CheckInterrupted:
        writer.finish()  # what was checked is kept
        raise
    finally:
        writer.finish()
    if writer.error is not None:
        raise writer.error
    report.written = writer.written
    with open_store(store_path) as con:
        report.broken_targets = broken_targets(con, Snapshots.read(con, prop.site))
    return report
