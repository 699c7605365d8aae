"""Parsing in worker processes: the same facts as in the checking process, and a parser that dies costs one page."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import os
import pickle
import signal
import sys
import threading
import time

import pytest
from linksites import LinkSites

from gsc_backlinks.checker import CheckSettings, check_pages, run_checks
from gsc_backlinks.checker.run import _Room
from gsc_backlinks.checker.workers import (
    Constants,
    ParserCrashed,
    ParseWorkers,
    ParseWorkersFailed,
    _Unpickler,
    auto_processes,
)
from gsc_backlinks.urls import parse_property

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="the tests look for worker processes in /proc")

SITE = parse_property("sc-domain:fernhill.test")
FAST = dict(per_host_delay=0.0, connect_timeout=2.0, response_timeout=10.0)
LINKING = '<p>Read <a href="https://www.fernhill.test/compost/?utm_source=x">the compost guide</a> today.</p>'


def doc(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A page</title>{head}</head>'
            f'<body>{body}</body></html>')


@pytest.fixture(autouse=True)
def allowance(monkeypatch):
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_TESTING", "1")
    monkeypatch.setenv("GSC_BACKLINKS_CHECK_HOSTS", "*.test=127.0.0.1")


@pytest.fixture(scope="module")
def sites():
    with LinkSites() as server:
        yield server


def worker_pids() -> list[int]:
    """This process's parse workers that are still running, or dead but not reaped."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                command = f.read()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and (fields[0] == "Z" or b"gsc_backlinks.checker.workers" in command):
            pids.append(int(entry.name))
    return pids


def check(urls, *, own=False, keep_text=False, **options):
    results = []
    summary = run_checks(list(urls), site=SITE, settings=CheckSettings(**{**FAST, **options}),
                         on_result=results.append, own=own, keep_text=keep_text)
    assert summary.pages == len(results)
    return {r.url: r for r in results}


def comparable(page):
    """A page check without what differs from one fetch to the next (when, how long)."""
    return dataclasses.replace(page, checked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), elapsed=0.0)


def test_workers_find_what_the_checking_process_finds(sites):
    """Every kind of page, parsed in worker processes and in the checking process: the same results."""
    sites.page("w-kinds.test", "/post", doc(
        '<header><a href="https://www.fernhill.test/">Fernhill</a></header>'
        f'<main><article><h1>Compost</h1><p>{"Layering green and brown material. " * 20}</p>{LINKING}'
        '<p><a rel="nofollow ugc" href="https://fernhill.test/forum">a thread</a></p>'
        '<p><a href="https://www.fernhill.test/roses"><img src="r.jpg" alt="Climbing roses"></a></p></article></main>'
        '<footer><a href="https://www.fernhill.test/about">About</a></footer>'))
    sites.page("w-base.test", "/a/b/post", doc('<p>See <a href="../../heap?x=1#top">the heap</a>.</p>',
                                               head='<base href="https://www.fernhill.test/guides/deep/">'))
    sites.page("w-sjis.test", "/p", ("<html><head><meta charset='shift_jis'></head><body>"
                                     "<a href='https://fernhill.test/'>堆肥の作り方</a></body></html>").encode("shift_jis"),
               content_type="text/html")
    sites.page("w-gone.test", "/p", doc('<a href="https://elsewhere.test/">elsewhere</a>'))
    sites.page("w-noindex.test", "/p", doc(LINKING, head='<meta name="robots" content="noindex, nofollow">'))
    sites.page("w-canonical.test", "/p", doc(LINKING, head='<link rel="canonical" href="https://w-canonical.test/q">'))
    sites.redirect("w-moved.test", "/old", "/new")
    sites.page("w-moved.test", "/new", doc(LINKING))
    sites.page("w-broken.test", "/p", b"<a href='https://fernhill.test/x'>unclosed <b><i>tags <table><td>here")
    urls = [sites.url(*hp) for hp in [("w-kinds.test", "/post"), ("w-base.test", "/a/b/post"), ("w-sjis.test", "/p"),
                                       ("w-gone.test", "/p"), ("w-noindex.test", "/p"), ("w-canonical.test", "/p"),
                                       ("w-moved.test", "/old"), ("w-broken.test", "/p"), ("w-missing.test", "/404")]]
    here = check(urls, parse_processes=0)
    there = check(urls, parse_processes=2)
    assert {u: comparable(p) for u, p in there.items()} == {u: comparable(p) for u, p in here.items()}
    statuses = {u.split("//")[1].split(".")[0]: p.status for u, p in there.items()}
    assert statuses == {"w-kinds": "live", "w-base": "live", "w-sjis": "live", "w-gone": "link_missing",
                        "w-noindex": "noindex", "w-canonical": "canonical_elsewhere", "w-moved": "redirected",
                        "w-broken": "live", "w-missing": "not_found"}
    kinds = there[sites.url("w-kinds.test", "/post")]
    assert kinds.main_text and "Layering green and brown material" in kinds.main_text
    assert there[sites.url("w-sjis.test", "/p")].links[0].anchor_text == "堆肥の作り方"
    assert there[sites.url("w-gone.test", "/p")].main_text is None  # no link to the site: no main text kept
    gap_here = check([sites.url("w-gone.test", "/p")], keep_text=True, parse_processes=0)
    gap_there = check([sites.url("w-gone.test", "/p")], keep_text=True, parse_processes=1)  # the setting reaches workers
    assert [comparable(p) for p in gap_there.values()] == [comparable(p) for p in gap_here.values()]
    assert next(iter(gap_there.values())).main_text  # a link gap page: its text is kept, links or not
    own_here = check([sites.url("w-canonical.test", "/p")], own=True, parse_processes=0)
    own_there = check([sites.url("w-canonical.test", "/p")], own=True, parse_processes=1)
    assert [comparable(p) for p in own_there.values()] == [comparable(p) for p in own_here.values()]
    assert worker_pids() == []  # the workers stopped with the check


def test_a_worker_that_dies_on_a_page_costs_that_page_only():
    async def go():
        pool = ParseWorkers(Constants(SITE, False, 20_000, "gsc-backlinks"), 1)
        pool.start()
        first = await pool.parse(doc(LINKING).encode(), None, "https://blog.test/1", False)
        assert first.links[0].target_url == "https://www.fernhill.test/compost/"
        (worker,) = pool.workers
        os.kill(worker.process.pid, signal.SIGSTOP)  # it cannot answer: the next page is owed when it dies
        owed = asyncio.ensure_future(pool.parse(doc(LINKING).encode(), None, "https://blog.test/2", False))
        await asyncio.sleep(0.05)
        os.kill(worker.process.pid, signal.SIGKILL)
        with pytest.raises(ParserCrashed, match="the HTML parser died on it"):
            await owed
        after = await pool.parse(doc('<a href="https://fernhill.test/after">x</a>').encode(), None,
                                 "https://blog.test/3", False)
        assert after.links[0].target_url == "https://fernhill.test/after"  # a new worker took over
        assert pool.crashes == 1
        await pool.close()

    asyncio.run(go())
    assert worker_pids() == []


DYING_WORKER = """#!{python}
import os, pickle, socket, struct, sys
sock = socket.socket(fileno=int(sys.argv[-1]))
ready = pickle.dumps("ready")
sock.sendall(struct.pack("!I", len(ready)) + ready)
reader = sock.makefile("rb")
size, = struct.unpack("!I", reader.read(4))
reader.read(size)  # the run's constants
reader.read(4)  # the first page: and it dies, as on a machine out of memory
os._exit(1)
"""


def test_workers_that_keep_dying_stop_the_check_with_one_clear_error(monkeypatch, tmp_path):
    """Workers that die on whatever page they get: not the pages' fault, so after a few the pages
    waiting fail with an error that says what happened (and nothing hangs)."""
    program = tmp_path / "dying-worker"
    program.write_text(DYING_WORKER.format(python=sys.executable))
    program.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(program))

    async def go():
        pool = ParseWorkers(Constants(SITE, False, 20_000, "gsc-backlinks"), 1)
        pool.start()
        pages = [asyncio.ensure_future(pool.parse(doc(LINKING).encode(), None, f"https://blog.test/{i}", False))
                 for i in range(20)]
        await asyncio.wait(pages, timeout=60)
        outcomes = [type(p.exception()).__name__ for p in pages]
        # The first worker died owing a batch of pages (no page to blame); then one page at a time.
        assert outcomes == ["ParserCrashed"] * 4 + ["ParseWorkersFailed"] * 16
        with pytest.raises(ParseWorkersFailed, match="stopped 5 times in a row"):
            await pool.parse(b"<p>x</p>", None, "https://blog.test/late", False)
        await pool.close()

    asyncio.run(go())
    assert worker_pids() == []


def test_a_page_that_kills_its_parser_is_marked_and_the_check_goes_on(sites):
    """The worker dies while it parses one page (as a parser crash on hostile HTML would end it):
    that page says so, every other page is checked as usual."""
    huge = doc("<div><p>" + "<a href='https://fernhill.test/deep'>deep</a> text " * 30_000 + "</p></div>").encode()
    done = threading.Event()

    async def serve_and_kill(request):
        from aiohttp import web

        def kill_when_parsing():  # the only page a worker spends seconds of CPU on is this one (its
            # start, imports included, takes a fraction of that)
            deadline = time.monotonic() + 20
            start: dict[int, int] = {}
            while time.monotonic() < deadline and not done.is_set():
                for pid in worker_pids():
                    try:
                        with open(f"/proc/{pid}/stat") as f:
                            ticks = int(f.read().rsplit(")", 1)[1].split()[11])
                    except OSError:
                        continue
                    if ticks - start.setdefault(pid, ticks) >= 150:  # 1.5 s of CPU
                        os.kill(pid, signal.SIGKILL)  # (its successor may get the page again: it dies too)
                time.sleep(0.01)

        threading.Thread(target=kill_when_parsing, daemon=True).start()
        return web.Response(body=huge, content_type="text/html")

    sites.route("w-crash.test", "/huge", serve_and_kill)
    for i in range(3):
        sites.page(f"w-after{i}.test", "/p", doc(LINKING))
    urls = [sites.url("w-crash.test", "/huge")] + [sites.url(f"w-after{i}.test", "/p") for i in range(3)]
    try:
        pages = check(urls, parse_processes=1, max_bytes=len(huge) + 1, max_decompressed=len(huge) + 1)
    finally:
        done.set()
    crashed = pages[sites.url("w-crash.test", "/huge")]
    assert crashed.status == "not_html" and crashed.links == ()
    assert crashed.reason.startswith("could not be read as HTML: the HTML parser died on it")
    assert [pages[u].status for u in urls[1:]] == ["live", "live", "live"]
    assert worker_pids() == []


@pytest.mark.parametrize("python", ["/nonexistent/python3", "/bin/false"])
def test_without_workers_the_check_parses_in_its_own_process(sites, monkeypatch, python):
    """No worker can start (no such program, or one that exits at once): the pages are still parsed."""
    sites.page("w-alone.test", "/p", doc(LINKING))
    monkeypatch.setattr(sys, "executable", python)
    page = check([sites.url("w-alone.test", "/p")], parse_processes=2)[sites.url("w-alone.test", "/p")]
    assert page.status == "live" and page.links[0].anchor_text == "the compost guide"


def test_a_cancelled_check_leaves_no_worker_behind(sites):
    for i in range(40):
        sites.page(f"w-slow{i}.test", "/p", doc(LINKING))

    async def go():
        results = []
        task = asyncio.ensure_future(check_pages(
            [sites.url(f"w-slow{i}.test", "/p") for i in range(40)] * 5, site=SITE,
            settings=CheckSettings(**{**FAST, "per_host_delay": 0.5}, parse_processes=1), on_result=results.append))
        while not results:
            await asyncio.sleep(0.02)
        assert worker_pids()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert worker_pids() == []


def test_a_second_worker_only_when_pages_wait_for_one():
    async def go():
        pool = ParseWorkers(Constants(SITE, False, 20_000, "gsc-backlinks"), 2)
        pool.start()
        for i in range(30):  # one page at a time, as a polite check over few hosts gives them
            await pool.parse(doc(LINKING).encode(), None, f"https://blog.test/{i}", False)
        assert len(pool.workers) == 1
        pages = [pool.parse(doc(LINKING).encode(), None, f"https://blog.test/many/{i}", False) for i in range(300)]
        facts = await asyncio.gather(*pages)
        assert all(f.links for f in facts)
        if pool._starting is not None:
            await pool._starting  # (the first worker may have parsed them all before the second was up)
        assert len(pool.workers) == 2
        await pool.close()

    asyncio.run(go())
    assert worker_pids() == []


def test_only_page_facts_come_back_from_a_worker():
    """What a worker sends is unpickled with only the parser's own classes allowed."""
    with pytest.raises(pickle.UnpicklingError, match="never should"):
        _Unpickler(io.BytesIO(pickle.dumps((1, os.system)))).load()


def test_how_many_workers():
    assert auto_processes(50, 100, lambda: 8) == 0  # a few pages: parsed in the checking process
    assert auto_processes(None, 100, lambda: 2) == 2  # a long input of unknown length
    assert auto_processes(10_000, 100, lambda: 16) == 4
    assert auto_processes(10_000, 100, lambda: 1) == 1
    assert auto_processes(10_000, 100, lambda: None) == 1
    with pytest.raises(Exception, match="parse-processes must not be negative"):
        CheckSettings(parse_processes=-1)


def test_the_backlog_lets_pages_in_turn():
    async def go():
        backlog = _Room(2, 100)
        await backlog.enter(60)
        await backlog.enter(30)  # 2 pages, 90 bytes
        third = asyncio.ensure_future(backlog.enter(20))  # no room for a third page
        fourth = asyncio.ensure_future(backlog.enter(10))
        await asyncio.sleep(0)
        assert not third.done() and not fourth.done()
        backlog.leave(60)  # room for one: the first in line
        await asyncio.sleep(0)
        assert third.done() and not fourth.done()
        backlog.leave(30)
        backlog.leave(20)
        await asyncio.sleep(0)
        assert fourth.done() and (backlog.count, backlog.bytes) == (1, 10)
        backlog.leave(10)
        await backlog.enter(500)  # one page always fits, however big
        assert backlog.count == 1
        waiting = asyncio.ensure_future(backlog.enter(1))
        behind = asyncio.ensure_future(backlog.enter(1))
        await asyncio.sleep(0)
        waiting.cancel()  # one that gives up its place: the one behind it moves up
        backlog.leave(500)
        await asyncio.sleep(0)
        assert waiting.cancelled() and behind.done() and (backlog.count, backlog.bytes) == (1, 1)

    asyncio.run(go())


def test_hosts_that_are_done_are_forgotten_but_stay_polite(sites):
    """A long run forgets the hosts it is done with (slot, address, robots.txt rules aside), so its memory
    follows the hosts under way, not all it has seen; a host that comes back keeps its crawl delay and
    its robots.txt is not read again."""
    from gsc_backlinks.checker.run import _Run

    sites.robots("w-again.test", "User-agent: *\nCrawl-delay: 0.5\n")
    for i in range(3):
        sites.page("w-again.test", f"/p{i}", doc(LINKING))
    for i in range(5):
        sites.page(f"w-once{i}.test", "/p", doc(LINKING))
    results: list = []
    run = _Run(SITE, CheckSettings(**FAST), results.append, None, False)
    asyncio.run(run.run([sites.url("w-again.test", "/p0")] + [sites.url(f"w-once{i}.test", "/p") for i in range(5)]))
    run._sweep()
    assert set(run.slots._slots) == {"w-again.test"}  # its crawl delay has not passed yet: kept
    time.sleep(0.6)
    run._sweep()
    assert run.slots._slots == {} and run.guard._verdicts == {} and run.robots == {}
    assert len(run.slots) == 6  # the hosts seen, for the summary
    asyncio.run(run.run([sites.url("w-again.test", "/p1"), sites.url("w-again.test", "/p2")]))
    assert [r.status for r in results] == ["live"] * 8
    assert len(sites.requests_to("w-again.test", "/robots.txt")) == 1  # its rules were kept
    starts = [h.started for h in sites.requests_to("w-again.test") if h.path in ("/p1", "/p2")]
    assert starts[1] - starts[0] >= 0.5  # the crawl delay holds on its new slot
