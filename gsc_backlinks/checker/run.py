"""The check of many pages: safety, robots.txt and host slots around each request, then a verdict per page.

Pages are read from the input a window at a time and queued per host; each
host with pages has one lane (an asyncio task) that checks them in turn, so
at most one request per host is in flight, and a global limit bounds the
requests in flight across hosts.  Every hop of a redirect goes through the
same steps as the first request (address vetted, robots.txt asked, the
target host's slot waited for).  A fetched page is parsed in a worker
process (see ``workers``) while its lane goes on with the host's next page;
the pages waiting for their parse are bounded in number and bytes.  Results
go to ``on_result`` as they come; nothing is kept, and a host's state
(slot, address, robots.txt rules) is let go once its pages are done.

A page's status, when several apply (the first that applies wins):

1. ``refused_address``, ``blocked_by_robots``, ``unreachable``, ``timeout``,
   ``too_large``: nothing (or nothing whole) was read;
2. ``not_found`` (404/410), ``server_error`` (5xx, 429, other 4xx, redirect
   loops or chains longer than ``max_redirects``) — also when they answer
   at the end of a redirect: the reason names the redirect;
3. ``not_html``;
4. ``redirected``: the page moved to another page (a redirect that only
   changes http/https, www or a trailing slash is the same page); the
   reason says whether the new page links to the site, and its links are
   recorded;
5. ``link_missing``: no link to the site;
6. ``noindex`` (meta robots or X-Robots-Tag), then ``canonical_elsewhere``:
   the page links, and its links are recorded;
7. ``live_nofollow`` when every link to the site is nofollow, ugc or
   sponsored, or the page says nofollow; else ``live``.

Own pages (``own=True``) skip links and main text; their statuses are 1–4,
then ``noindex``, ``canonical_elsewhere`` and ``live``, and
``redirect_to_home`` marks a page that redirects to its site's home page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from .. import urls
from . import robots as robots_txt
from .fetch import HTML_TYPES, Answer, FetchFailed, fetch, stamping_request_class
from .hosts import HostSlot, Slots
from .model import CheckInterrupted, CheckProgress, CheckSettings, CheckSummary, LinkFact, PageCheck
from .parse import PageFacts, SiteMatcher, robots_says
from .safety import Guard, LookupFailed, Refused, allowance_from, pinned_resolver, url_refusal
from .workers import Constants, ParserCrashed, ParseWorkers, auto_processes

_PROGRESS_EVERY = 0.25  # seconds between two progress calls
_POOL_MIN_PAGES = 100  # fewer pages than this are parsed in the checking process (a worker takes ~0.3 s to start)
# Pages fetched and waiting for their parse, at most: their bodies are held in memory meanwhile.
_BACKLOG_PAGES = 1000
_BACKLOG_BYTES = 32 * 1024 * 1024
# A page URL is seen once per run: canonical_url's shared cache would only fill with them (and keep
# 65,536 of them, ~30 MB, after the run).  Target URLs repeat, and go through the cache.
_canonical_page = urls.canonical_url.__wrapped__
_SWEEP_EVERY = 1.0  # seconds between two looks for hosts that are done
_ROBOTS_KEPT = 1000  # robots.txt rules of hosts that are done, kept in case they come back


class _Stop(Exception):
    """Ends one page's check early with a status and a reason."""

    def __init__(self, status: str, reason: str, http_status: int | None = None):
        self.status, self.reason, self.http_status = status, reason, http_status
        super().__init__(reason)


class _Run:
    """One run of the checker: its guard, slots, robots verdicts and counters."""

    def __init__(self, site: urls.Property, settings: CheckSettings, on_result: Callable[[PageCheck], None],
                 progress: Callable[[CheckProgress], None] | None, own: bool,
                 host_times: dict[str, float] | None = None, keep_text: bool = False):
        self.settings = settings
        self.guard = Guard(allowance_from(settings.testing_hosts))  # a wrong allowance fails before anything runs
        self.site = SiteMatcher(site)
        self.on_result = on_result
        self.progress = progress
        self.own = own
        self.keep_text = keep_text
        self.token = settings.robots_token
        self.slots = Slots(settings.per_host_delay, host_times)
        self.robots: dict[str, robots_txt.RobotsRules | asyncio.Future] = {}
        self.robots_keys: dict[str, set[str]] = {}  # host -> its robots.txt URLs (schemes, ports)
        # The rules of hosts that are done, in case they come back: a few, the newest.
        self.robots_kept: OrderedDict[str, robots_txt.RobotsRules] = OrderedDict()
        self.done_hosts: deque[str] = deque()  # hosts whose lane ended, to forget once idle
        self.summary = CheckSummary()
        self.lanes: dict[str, deque[str]] = {}
        self.pending = 0
        self.in_flight = 0
        self.total: int | None = None
        self.started = time.monotonic()
        self.backlog = _Room(_BACKLOG_PAGES, _BACKLOG_BYTES)  # fetched pages waiting for their parse

    # --- the run ----------------------------------------------------------------------

    async def run(self, pages: Iterable[str]) -> CheckSummary:
        import aiohttp

        self.started = time.monotonic()
        try:
            self.total = len(pages)  # type: ignore[arg-type]
        except TypeError:
            self.total = None
        self.requests = _Room(self.settings.concurrency)  # requests in flight, across hosts
        self.room = asyncio.Event()
        connector = aiohttp.TCPConnector(
            resolver=pinned_resolver(self.guard), use_dns_cache=False, limit=self.settings.concurrency,
            limit_per_host=0,
        )
        # Politeness counts from the moment a request has left, not from when its turn came: a
        # busy event loop may send it later than that (the request class notes it).
        session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False, trust_env=False,
            request_class=stamping_request_class(),
        )
        processes = self.settings.parse_processes
        if processes is None:
            processes = auto_processes(self.total, _POOL_MIN_PAGES)
        self.parser = ParseWorkers(Constants(self.site.site, self.own, 0 if self.own else self.settings.max_main_text,
                                             self.token, self.keep_text), processes)
        self.parser.start()
        ticker = asyncio.create_task(self._tick()) if self.progress else None
        sweeper = asyncio.create_task(self._sweeper())
        finished = False
        try:
            async with session:
                self.session = session
                try:
                    async with asyncio.TaskGroup() as group:
                        self.group = group
                        await self._feed(pages)
                except BaseExceptionGroup as errors:
                    # One failure (the caller's on_result, a bug) stops the run: raise it as it is.
                    first = errors.exceptions[0]
                    while isinstance(first, BaseExceptionGroup):
                        first = first.exceptions[0]
                    raise first from None
            finished = True
        finally:
            await self.parser.close(kill=not finished)
            sweeper.cancel()
            if ticker is not None:
                ticker.cancel()
            self.slots.remember()
            self.summary.hosts = len(self.slots)
            self.summary.elapsed = time.monotonic() - self.started
        if self.progress:
            self.progress(self._progress())
        return self.summary

    async def _feed(self, pages: Iterable[str]) -> None:
        """Queue the input per host, at most ``lookahead`` pages ahead of the results."""
        for n, raw in enumerate(pages):
            while self.pending >= self.settings.lookahead:
                self.room.clear()
                await self.room.wait()
            if n % 500 == 499:
                await asyncio.sleep(0)  # let lanes start while a long input is read
            url = _canonical_page(str(raw))
            try:
                host = (urlsplit(url).hostname or "").lower()
            except ValueError:
                host = ""
            why = url_refusal(url) if urls.is_web_url(url) else "is not a web page address"
            if why or not host:
                self.pending += 1
                self._deliver(self._result(url, _now(), "refused_address", f"refused: the URL {why or 'has no host'}"))
                continue
            self.pending += 1
            lane = self.lanes.get(host)
            if lane is None:
                lane = self.lanes[host] = deque()
                lane.append(url)
                self.group.create_task(self._lane(host, lane))
            else:
                lane.append(url)

    async def _lane(self, host: str, lane: deque[str]) -> None:
        """Check one host's pages in turn.

        The host's next request does not wait for the parse of the page before
        it (that runs in a task of its own), only for room in the backlog of
        pages waiting for their parse.
        """
        try:
            while lane:
                url = lane.popleft()
                outcome = await self._check(url)
                if isinstance(outcome, PageCheck):
                    self._deliver(outcome)
                    continue
                size = len(outcome[2].body or b"")
                await self.backlog.enter(size)
                self.group.create_task(self._finish(size, *outcome))
        finally:
            if self.lanes.get(host) is lane:
                del self.lanes[host]
                self.done_hosts.append(host)

    async def _finish(self, size: int, url: str, checked_at: dt.datetime, answer: Answer, hops, timing) -> None:
        """Parse a fetched page, judge it and hand the result over."""
        try:
            try:
                facts: PageFacts | str = await self.parser.parse(
                    answer.body or b"", answer.charset, url, robots_says(answer.x_robots_tag, "nofollow", self.token))
            except ParserCrashed as crash:
                facts = str(crash)
        finally:
            self.backlog.leave(size)
        self._deliver(self._judge(url, checked_at, answer, hops, timing, facts))

    def _deliver(self, page: PageCheck) -> None:
        summary = self.summary
        summary.pages += 1
        summary.by_status[page.status] = summary.by_status.get(page.status, 0) + 1
        summary.links += len(page.links)
        self.pending -= 1
        self.room.set()
        self.on_result(page)

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(_SWEEP_EVERY)
            self._sweep()

    def _sweep(self) -> None:
        """Forget the hosts that are done and idle: their slot, robots.txt rules and address.

        A run over many hosts then holds the state of the hosts it is working
        on, not of every host it has seen.  A host that comes back later in the
        input starts afresh (its delay has passed by then); its robots.txt rules
        are kept for a while (the newest few), else read again.
        """
        now = time.monotonic()
        still: deque[str] = deque()
        while self.done_hosts:
            host = self.done_hosts.popleft()
            if host in self.lanes:
                continue  # pages came back: its new lane puts it here again when it ends
            keys = self.robots_keys.get(host, ())
            if (self.guard.busy(host) or any(isinstance(self.robots.get(k), asyncio.Future) for k in keys)
                    or not self.slots.forget(host, now)):
                still.append(host)  # a redirect hop, a pause or a robots.txt under way: next time
                continue
            self.guard.forget(host)
            for key in self.robots_keys.pop(host, ()):
                rules = self.robots.pop(key, None)
                if isinstance(rules, robots_txt.RobotsRules):
                    self.robots_kept[key] = rules
            while len(self.robots_kept) > _ROBOTS_KEPT:
                self.robots_kept.popitem(last=False)
        self.done_hosts = still

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(_PROGRESS_EVERY)
            self.progress(self._progress())  # type: ignore[misc]

    def _progress(self) -> CheckProgress:
        return CheckProgress(
            pages_done=self.summary.pages, pages_total=self.total, hosts=len(self.slots),
            hosts_waiting=self.slots.waiting(), in_flight=self.in_flight, elapsed=time.monotonic() - self.started,
        )

    # --- one page ----------------------------------------------------------------------

    async def _check(self, url: str) -> PageCheck | tuple[str, dt.datetime, Answer, list, list]:
        """Fetch a page (following redirects): its PageCheck when that settles it, else what its parse needs."""
        checked_at = _now()
        hops: list[tuple[str, int]] = []
        timing = [0.0, 0]  # seconds in requests, bytes read
        current = url
        seen = {url}
        try:
            for _ in range(self.settings.max_redirects + 1):
                answer = await self._get(current, hops, timing, read_body=self._wants_body)
                hops.append((current, answer.http_status))
                if answer.location is None:
                    break
                try:
                    following = urls.canonical_url(urljoin(current, answer.location.strip()))
                except ValueError:
                    following = answer.location.strip()
                if following in seen:
                    raise _Stop("server_error", f"redirects in a loop (back to {_show(following)})", answer.http_status)
                seen.add(following)
                current = following
            else:
                raise _Stop("server_error", f"redirects more than {self.settings.max_redirects} times "
                                            f"(stopped at {_show(current)})", hops[-1][1])
        except _Stop as stop:
            return self._result(url, checked_at, stop.status, _via(url, hops, current, stop.reason),
                                http_status=stop.http_status, final_url=current, hops=hops, timing=timing)
        if 200 <= answer.http_status < 300 and answer.body is not None:
            return url, checked_at, answer, hops, timing
        return self._judge(url, checked_at, answer, hops, timing, None)

    def _wants_body(self, status: int, content_type: str) -> bool:
        return 200 <= status < 300 and content_type in HTML_TYPES

    async def _get(self, url: str, hops, timing, *, read_body, robots: bool = True) -> Answer:
        """One request to ``url`` with every check before it; raise _Stop when the page ends here."""
        try:
            parts = urlsplit(url)
        except ValueError:
            raise _Stop("refused_address", "refused: the URL is not valid") from None
        why = url_refusal(url, parts)
        if why:
            raise _Stop("refused_address", f"refused: the URL {why}")
        host = (parts.hostname or "").lower()
        slot = self.slots[host]
        if slot.given_up:
            raise _Stop(*slot.given_up)
        try:
            await self.guard.vet(host)
        except Refused as exc:
            raise _Stop("refused_address", f"refused: {exc}") from None
        except LookupFailed as exc:
            raise _Stop("unreachable", str(exc)) from None
        if robots:
            rules = await self._robots(f"{parts.scheme}://{parts.netloc}/robots.txt", slot)
            if rules.failure is not None:
                raise _Stop(*rules.failure)
            if slot.given_up:
                raise _Stop(*slot.given_up)
            if not rules.allows(url, self.token):
                raise _Stop("blocked_by_robots", rules.note)
        settings = self.settings
        for attempt in range(settings.retries_after_429 + 1):
            async with slot.turn() as ticket:
                if slot.given_up:
                    raise _Stop(*slot.given_up)
                await self.requests.enter()
                self.in_flight += 1
                self.summary.requests += 1
                began = time.monotonic()
                try:
                    answer = await fetch(self.session, url, settings=settings, read_body=read_body, ticket=ticket,
                                         max_bytes=settings.max_robots_bytes if not robots else settings.max_bytes,
                                         truncate=not robots)
                except FetchFailed as failed:
                    timing[1] += failed.size
                    if failed.status in ("timeout", "unreachable"):
                        slot.record(False, settings.give_up_after_failures, failed.reason)
                    raise _Stop(failed.status, failed.reason, failed.http_status) from None
                finally:
                    self.in_flight -= 1
                    self.requests.leave()
                    timing[0] += time.monotonic() - began
            slot.record(True, settings.give_up_after_failures, "")
            timing[1] += answer.size
            if answer.http_status in (429, 503) and answer.retry_after:
                wait = _retry_after_seconds(answer.retry_after)
                if wait is None:
                    return answer
                if wait > settings.max_retry_after:
                    slot.give_up("server_error", f"{host} asked us to wait {wait:,.0f} s (HTTP {answer.http_status} "
                                                 f"with Retry-After), more than {settings.max_retry_after:g} s; "
                                                 "given up for this run")
                    status, reason = slot.given_up or ("server_error", f"{host} was given up for this run")
                    raise _Stop(status, reason, answer.http_status)
                if attempt < settings.retries_after_429:
                    slot.pause(wait)
                    hops.append((url, answer.http_status))
                    continue
            return answer
        return answer

    async def _robots(self, key: str, slot: HostSlot) -> robots_txt.RobotsRules:
        """The verdict of the robots.txt at ``key`` (a site's robots.txt URL), fetched once per run
        (again only when its host was done and forgotten long ago)."""
        known = self.robots.get(key)
        if known is None and key in self.robots_kept:
            known = self.robots[key] = self.robots_kept.pop(key)
            self.robots_keys.setdefault(slot.host, set()).add(key)
        if isinstance(known, asyncio.Future):
            rules = await asyncio.shield(known)
        elif known is not None:
            rules = known
        else:
            future = self.robots[key] = asyncio.get_running_loop().create_future()
            self.robots_keys.setdefault(slot.host, set()).add(key)
            try:
                rules = await self._fetch_robots(key)
            except BaseException:
                del self.robots[key]
                future.cancel()
                raise
            self.robots[key] = rules
            future.set_result(rules)
        # On every call: the host's slot may be new since the rules were read (see _sweep).
        delay = rules.crawl_delay
        if delay is not None and delay > slot.delay:
            if delay > self.settings.max_crawl_delay:
                slot.give_up("blocked_by_robots", f"robots.txt asks for {delay:g} s between requests, more than "
                                                  f"the {self.settings.max_crawl_delay:g} s we wait; not checked this run")
            else:
                slot.slow_down(delay)
        return rules

    async def _fetch_robots(self, robots_url: str) -> robots_txt.RobotsRules:
        self.summary.robots_fetched += 1
        current = robots_url
        hops: list[tuple[str, int]] = []
        timing = [0.0, 0]
        try:
            for _ in range(6):  # RFC 9309: follow at least five redirects
                answer = await self._get(current, hops, timing, read_body=lambda status, _type: 200 <= status < 300,
                                         robots=False)
                if answer.location is None:
                    return robots_txt.from_answer(answer.http_status, answer.body, self.token)
                current = urls.canonical_url(urljoin(current, answer.location.strip()))
        except _Stop as stop:
            if stop.status in ("timeout", "unreachable"):
                return robots_txt.failed(stop.status, f"robots.txt: {stop.reason}; the site counts as disallowed "
                                                      "(RFC 9309)")
            if stop.status == "refused_address":
                return robots_txt.disallow_all(f"robots.txt redirects to a refused address ({stop.reason}), "
                                               "so the site counts as disallowed")
            if stop.status == "too_large":
                return robots_txt.allow_all("robots.txt is too large to read, so everything is allowed")
            return robots_txt.disallow_all(f"robots.txt: {stop.reason}; the site counts as disallowed")
        return robots_txt.disallow_all("robots.txt redirects more than 5 times, so the site counts as disallowed")

    # --- the verdict ---------------------------------------------------------------------

    def _judge(self, url: str, checked_at: dt.datetime, answer: Answer, hops, timing,
               facts: PageFacts | str | None) -> PageCheck:
        """The verdict on a fetched page; ``facts``: its parse (None when it has no HTML body, a reason
        when the parser died on it)."""
        final = answer.url
        code = answer.http_status
        moved = len(hops) > 1 and not same_page(url, final)
        to_home = moved and _is_home(final) and not _is_home(url)
        common = dict(http_status=code, final_url=final, hops=hops, timing=timing,
                      x_robots_tag=answer.x_robots_tag, redirect_to_home=to_home)
        if code in (404, 410):
            return self._result(url, checked_at, "not_found", _via(url, hops, final, f"answered {code}"), **common)
        if not 200 <= code < 300:
            return self._result(url, checked_at, "server_error",
                                _via(url, hops, final, f"answered {code}{_status_words(code)}"), **common)
        if answer.body is None or facts is None:
            what = answer.content_type or "no content type"
            return self._result(url, checked_at, "not_html", _via(url, hops, final, f"is {what}, not HTML"),
                                **common)
        if isinstance(facts, str):
            return self._result(url, checked_at, "not_html",
                                _via(url, hops, final, f"could not be read as HTML: {facts}"), **common)
        noindex = robots_says(facts.meta_robots, "noindex", self.token) or robots_says(answer.x_robots_tag, "noindex", self.token)
        elsewhere = facts.canonical is not None and not same_page(facts.canonical, final)
        links = facts.links
        page = dict(title=facts.title, lang=facts.lang, canonical=facts.canonical, meta_robots=facts.meta_robots,
                    main_text=facts.main_text, links=links)
        noindex_how = "X-Robots-Tag" if robots_says(answer.x_robots_tag, "noindex", self.token) else "meta robots"
        if moved:
            where = "the home page " + _show(final) if to_home else _show(final)
            if self.own:
                reason = f"{_first_redirect(hops)} to {where}" + (" (noindex)" if noindex else "")
            else:
                reason = (f"{_first_redirect(hops)} to {where}, which "
                          + (f"links to the site ({len(links)} link{'s' if len(links) != 1 else ''})" if links
                             else "does not link to the site")
                          + (f"; it is noindex ({noindex_how})" if noindex else ""))
            return self._result(url, checked_at, "redirected", reason, **common, **page)
        if not self.own and not links:
            extra = f"; it is also noindex ({noindex_how})" if noindex else ""
            return self._result(url, checked_at, "link_missing", "answers but no longer links to the site" + extra,
                                **common, **page)
        if noindex:
            what = f"links to the site, but asks not to be indexed ({noindex_how})" if not self.own \
                else f"asks not to be indexed ({noindex_how})"
            return self._result(url, checked_at, "noindex", what, **common, **page)
        if elsewhere:
            what = "links to the site, but names" if not self.own else "names"
            return self._result(url, checked_at, "canonical_elsewhere",
                                f"{what} {_show(facts.canonical)} as its canonical page", **common, **page)
        if self.own:
            return self._result(url, checked_at, "live", f"answers {code}", **common, **page)
        followed = [link for link in links if not (link.nofollow or link.ugc or link.sponsored)]
        if not followed:
            page_says = (robots_says(facts.meta_robots, "nofollow", self.token)
                         or robots_says(answer.x_robots_tag, "nofollow", self.token))
            why = "the page says nofollow" if page_says else \
                f"every link to the site is {_rel_words(links)}"
            return self._result(url, checked_at, "live_nofollow", f"links to the site, but {why}", **common, **page)
        return self._result(url, checked_at, "live",
                            f"links to the site ({len(links)} link{'s' if len(links) != 1 else ''}, "
                            f"{len(followed)} followed)", **common, **page)

    def _result(self, url: str, checked_at: dt.datetime, status: str, reason: str, *, timing=None, hops=(),
                **fields) -> PageCheck:
        seconds, size = timing if timing is not None else (0.0, 0)
        return PageCheck(url=url, checked_at=checked_at, status=status, reason=urls.printable(reason)[:500],
                         hops=tuple(hops), size=size, elapsed=round(seconds, 4), **fields)


class _Room:
    """Room for so many things (requests in flight, pages waiting for their parse) and, optionally, so many
    bytes of them; those that do not fit wait in turn.  One always fits when the room is empty.

    Cheaper than asyncio.Semaphore with hundreds of lanes waiting (Python 3.11's looks at every
    waiter on each acquire), and a page leaving wakes only those that now fit.
    """

    def __init__(self, count: int, size: float = float("inf")):
        self.max_count, self.max_bytes = count, size
        self.count = 0
        self.bytes = 0
        self.waiting: deque[tuple[int, asyncio.Future]] = deque()

    def _fits(self, size: int) -> bool:
        return self.count == 0 or (self.count < self.max_count and self.bytes + size <= self.max_bytes)

    async def enter(self, size: int = 0) -> None:
        if self.waiting or not self._fits(size):
            future = asyncio.get_running_loop().create_future()
            self.waiting.append((size, future))
            try:
                await future
            except BaseException:
                if future.done() and not future.cancelled():
                    self.leave(size)  # let in just as it was cancelled: give the room back
                else:
                    self.waiting = deque(w for w in self.waiting if w[1] is not future)
                    self._wake()
                raise
            return  # _wake() counted it in
        self.count += 1
        self.bytes += size

    def leave(self, size: int = 0) -> None:
        self.count -= 1
        self.bytes -= size
        self._wake()

    def _wake(self) -> None:
        while self.waiting and self._fits(self.waiting[0][0]):
            size, future = self.waiting.popleft()
            if not future.done():
                self.count += 1
                self.bytes += size
                future.set_result(None)


# --- helpers ----------------------------------------------------------------------------


def _via(url: str, hops, final: str, what: str) -> str:
    """"answered 404", or "301 to https://x/, which answered 404" at the end of a redirect."""
    if final != url:
        return f"{_first_redirect(hops)} to {_show(final)}, which {'is ' if what.startswith('refused:') else ''}{what}"
    return what


def _first_redirect(hops) -> str:
    return str(next((code for _, code in hops if code in (301, 302, 303, 307, 308)), "redirect"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _show(url: str | None) -> str:
    return urls.printable(url or "")[:200]


def same_page(a: str, b: str) -> bool:
    """Two URLs of one page: equal but for http/https, a leading www., a trailing slash or tracking parameters."""
    if a == b:
        return True

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(urls.strip_tracking(url))
        host = (parts.hostname or "").removeprefix("www.")
        return host, parts.path.rstrip("/"), parts.query

    try:
        return key(a) == key(b)
    except ValueError:
        return False


def _is_home(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.path in ("", "/") and not parts.query


def _rel_words(links: tuple[LinkFact, ...]) -> str:
    kinds = [name for name in ("nofollow", "ugc", "sponsored") if any(getattr(link, name) for link in links)]
    return "/".join(kinds) or "nofollow"


_STATUS_WORDS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 405: "Method Not Allowed",
                 406: "Not Acceptable", 429: "Too Many Requests", 451: "Unavailable For Legal Reasons",
                 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                 504: "Gateway Timeout"}


def _status_words(code: int) -> str:
    words = _STATUS_WORDS.get(code)
    return f" {words}" if words else ""


def _retry_after_seconds(value: str) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date; None if neither."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - _now()).total_seconds())


# --- the public API -------------------------------------------------------------------------


async def check_pages(pages: Iterable[str], *, site: urls.Property, settings: CheckSettings | None = None,
                      on_result: Callable[[PageCheck], None],
                      progress: Callable[[CheckProgress], None] | None = None, own: bool = False,
                      host_times: dict[str, float] | None = None, keep_text: bool = False) -> CheckSummary:
    """Check every page (linking pages, or the property's ``own`` pages) and hand each result to ``on_result``.

    Results come in the order checks finish; nothing is kept in memory.  A
    cancelled task (Ctrl-C) stops at once; the results handed over stay with
    the caller.  Runs that share ``host_times`` keep each host's delay across
    them (see ``hosts.Slots``).  ``keep_text``: keep the main text of pages
    that do not link to the site too (the link gap's pages, checked for what
    they are about).
    """
    run = _Run(site, settings or CheckSettings(), on_result, progress, own, host_times, keep_text)
    return await run.run(pages)


def run_checks(pages: Iterable[str], *, site: urls.Property, settings: CheckSettings | None = None,
               on_result: Callable[[PageCheck], None],
               progress: Callable[[CheckProgress], None] | None = None, own: bool = False,
               host_times: dict[str, float] | None = None, keep_text: bool = False) -> CheckSummary:
    """check_pages in an event loop of its own; Ctrl-C raises CheckInterrupted with the counts so far."""
    run = _Run(site, settings or CheckSettings(), on_result, progress, own, host_times, keep_text)
    try:
        return asyncio.run(run.run(pages))
    except KeyboardInterrupt:
        run.summary.interrupted = True
        raise CheckInterrupted(run.summary) from None
