#!/usr/bin/env python
"""Benchmark: the link checker on 10,000 linking pages over 500 hosts, against politeness and a plain loop.

A loopback stand-in for the linking sites runs in a process of its own
(``serve`` below: plain non-blocking sockets on 127.0.0.1, every answer 50 ms
late, every host name ``*.bench.test`` on one port, each with a
robots.txt; the same page bodies as always). The checker runs in another
process through ``gsc_backlinks.checker.run_checks`` with per-host delay
0.2 s, the testing allowance mapping ``*.bench.test`` to 127.0.0.1, its
parse workers as it chooses them (``--parse-processes``), and its results
written to a DuckDB table in a temporary file by a writer thread, 500 pages
a batch (as the check job does).  In the same run it measures:

* the check's wall time against the politeness bound: the busiest host's
  pages x the per-host delay, plus one answer's latency (robots.txt is the
  first request to each host, so its pages can start no sooner) — target <= 1.25x;
* the CPU of every part (the checking process, its sink thread, its parse
  workers, the stand-in) and the floor it sets: all of it / the cores — no
  run can be faster on this machine;
* a plain sequential loop over the same pages (urllib, then the same parser),
  timed on a sample and extrapolated — target: the checker >= 20x faster;
* peak memory: the checking process and its parse workers together, sampled
  every 50 ms — target <= 400 MiB — and, with a second run of
  ``--memory-pages`` pages (default 100,000) on the same hosts, that it
  stays within 1.2x of the first run's;
* on the server side: the most requests one host had in flight (must be 1)
  and the shortest gap between two request starts to one host, by the
  kernel's receive times (must be >= the delay).

This is a report, not a test: the exit code is 0 whatever the figures,
non-zero only if something could not be run.

    python benchmarks/bench_check.py                  # 10,000 pages, then 100,000 for memory (about 2 minutes)
    python benchmarks/bench_check.py --memory-pages 0 # 10,000 pages only
    python benchmarks/bench_check.py --pages 2000 --memory-pages 20000 --hosts 100   # a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))

from bench_import import WRAPPER, _version, clean_env, ensure_bytecode, print_table, run_main  # noqa: E402

SITE = "https://www.example.com/"
DOMAIN = "bench.test"
TARGET_POLITENESS = 1.25
TARGET_SPEEDUP = 20.0
TARGET_PEAK_MB = 400
TARGET_MEMORY_GROWTH = 1.2
BATCH = 500
TEMPLATES = 200  # distinct page bodies; each page picks one and gets its own links to the site

WORDS = ["garden", "compost", "soil", "plant", "seed", "water", "tree", "flower", "leaf", "root", "grow", "green", "spring", "autumn", "harvest", "bed", "pot", "mulch", "prune", "rose", "tomato", "bean", "pea", "herb", "basil", "mint", "lawn", "hedge", "shrub", "bulb", "tulip", "daffodil", "orchard", "apple", "pear", "plum", "cherry", "berry", "fence", "path", "shed", "tool", "spade", "fork", "hoe", "rake", "hose", "bucket", "season", "weather", "frost", "rain"]


# --- the pages -------------------------------------------------------------------------------


def host_name(i: int) -> str:
    return f"site{i}.{DOMAIN}"


def page_list(pages: int, hosts: int, seed: int) -> list[str]:
    """``pages`` linking page URLs (without the port) spread over ``hosts`` hosts, interleaved as a
    job ordering by usefulness would give them (hosts mixed, a few hosts with more pages)."""
    rng = random.Random(seed)
    per_host = [pages // hosts + (1 if i < pages % hosts else 0) for i in range(hosts)]
    urls = [f"{host_name(h)}/articles/{k}/{rng.choice(WORDS)}-{rng.choice(WORDS)}"
            for h in range(hosts) for k in range(per_host[h])]
    rng.shuffle(urls)
    return urls


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_templates(seed: int) -> list[str]:
    """Page bodies of about 14 KB: head with scripts and styles, a header with a nav menu, an article
    with external links and a marker where its links to the site go, an aside and a footer."""
    rng = random.Random(seed)
    out = []
    for _ in range(TEMPLATES):
        nav = "".join(f'<li><a href="/category/{rng.choice(WORDS)}">{rng.choice(WORDS).title()}</a></li>' for _ in range(15))
        paragraphs = []
        for _ in range(9):
            text = " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(4))
            ext = f'<a href="https://{rng.choice(WORDS)}{rng.randint(1, 999)}.example.org/{rng.choice(WORDS)}">{rng.choice(WORDS)} {rng.choice(WORDS)}</a>'
            paragraphs.append(f"<p>{text} {ext} {_sentence(rng, 10)}</p>")
        paragraphs.insert(rng.randint(2, 7), "@@SITE_LINKS@@")
        side = "".join(f'<li><a href="/tag/{rng.choice(WORDS)}">{rng.choice(WORDS)}</a></li>' for _ in range(12))
        foot = "".join(f'<a href="/page/{rng.choice(WORDS)}">{rng.choice(WORDS).title()}</a> ' for _ in range(12))
        out.append(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_sentence(rng, 6)}</title>'
            f'<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/s.css">'
            f'<script>{"window.dataLayer=window.dataLayer||[];" * 30}</script><style>{".c{margin:0 auto;color:#333}" * 40}</style>'
            f'</head><body><header class="site-header"><a href="/"><img src="/logo.png" alt="logo"></a>'
            f'<nav class="main-nav"><ul>{nav}</ul></nav></header><main><article><h1>{_sentence(rng, 7)}</h1>'
            f'{"".join(paragraphs)}</article></main><aside class="sidebar"><ul>{side}</ul></aside>'
            f'<footer class="site-footer"><p>{foot}</p><p>{_sentence(rng, 12)}</p></footer>'
            f'<script src="/app.js"></script></body></html>'
        )
    return out


def site_links(path: str) -> str:
    """The links to the site on one page: one in the text, some nofollow, some with an image."""
    n = sum(map(ord, path))
    target = f"https://www.example.com/{WORDS[n % len(WORDS)]}/{WORDS[(n // 7) % len(WORDS)]}/?utm_source=blog"
    rel = ' rel="nofollow"' if n % 5 == 0 else ""
    html = f'<p>We followed <a href="{target}"{rel}>the {WORDS[n % len(WORDS)]} guide</a> step by step this year.</p>'
    if n % 3 == 0:
        html += '<p><a href="https://example.com/"><img src="/b.png" alt="Example garden shop"></a></p>'
    return html


# --- the server process -------------------------------------------------------------------------


SERVER = r"""
import sys
sys.path.insert(0, sys.argv[1])
import bench_check as b
b.serve(float(sys.argv[2]), int(sys.argv[3]))
"""


class _Sites:
    """The benchmark's stand-in for 500 linking sites: what they answer and what they saw.

    Keep-alive HTTP/1.1, one answer per request after ``latency`` seconds,
    every ``*.bench.test`` host with a robots.txt and generated pages;
    ``stats.bench.test`` answers /__stats (what it saw) and /__reset.
    """

    ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: BadBot\nDisallow: /\n"

    def __init__(self, latency: float, seed: int):
        self.latency = latency
        # Each template split once at its marker: a page is the two halves and its own links.
        self.halves = [tuple(t.encode().split(b"@@SITE_LINKS@@", 1)) for t in make_templates(seed)]
        self.reset()

    def reset(self) -> None:
        self.starts: dict[str, list[float]] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight = 0
        self.requests = 0
        self.user_agents: set[str] = set()

    def answer(self, host: str, path: str) -> list[bytes]:
        """The whole HTTP response, in pieces."""
        if host == "stats." + DOMAIN:
            if path == "/__reset":
                self.reset()
                return _response(b"application/json", [b"{}"])
            gaps = []
            for times in self.starts.values():
                times.sort()
                gaps.extend(b2 - a for a, b2 in zip(times, times[1:]))
            return _response(b"application/json", [json.dumps({
                "requests": self.requests, "hosts": len(self.starts), "max_in_flight": self.max_in_flight,
                "min_gap": min(gaps) if gaps else None, "user_agents": sorted(self.user_agents)}).encode()])
        if path == "/robots.txt":
            return _response(b"text/plain", [self.ROBOTS])
        before, after = self.halves[sum(map(ord, path)) % len(self.halves)]
        return _response(b"text/html; charset=utf-8", [before, site_links(path).encode(), after])


def _response(kind: bytes, body: list[bytes]) -> list[bytes]:
    length = sum(map(len, body))
    return [b"HTTP/1.1 200 OK\r\nContent-Type: " + kind + b"\r\nContent-Length: " + str(length).encode()
            + b"\r\n\r\n", *body]


def serve(latency: float, seed: int) -> None:
    """Run the benchmark's stand-in until stdin closes; print its port first.

    Plain non-blocking sockets on an asyncio loop (no transports, no
    protocols: the stand-in shares the machine's two cores with the checker
    being measured, so it should cost little).  A request's start is the
    time the kernel received it (SO_TIMESTAMPNS), not when this busy loop got
    round to it: the shortest gap between two requests to one host is then
    measured as the sites would see it.
    """
    import asyncio
    import socket
    import struct
    import threading

    sites = _Sites(latency, seed)
    loop = asyncio.new_event_loop()
    stamps = getattr(socket, "SO_TIMESTAMPNS", 35)  # 35 on Linux; the kernel's receive time of a segment
    stamp_space = socket.CMSG_SPACE(16)
    listener = socket.create_server(("127.0.0.1", 0), backlog=2048)
    listener.setblocking(False)

    class Conn:
        __slots__ = ("sock", "buffer", "outgoing")

        def __init__(self, sock: socket.socket):
            self.sock, self.buffer, self.outgoing = sock, b"", b""
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                sock.setsockopt(socket.SOL_SOCKET, stamps, 1)
            except OSError:
                pass
            loop.add_reader(sock, self.readable)

        def readable(self) -> None:
            try:
                data, ancillary, _flags, _addr = self.sock.recvmsg(65536, stamp_space)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data, ancillary = b"", []
            if not data:
                self.close()
                return
            arrived = time.time()
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == stamps and len(value) >= 16:
                    seconds, nanoseconds = struct.unpack("qq", value[:16])
                    arrived = seconds + nanoseconds / 1e9
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1].decode("latin-1")
                host = agent = ""
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"host":
                        host = value.strip().decode("latin-1").rsplit(":", 1)[0].lower()
                    elif name == b"user-agent":
                        agent = value.strip().decode("latin-1")
                if host != "stats." + DOMAIN:
                    sites.requests += 1
                    sites.user_agents.add(agent)
                    sites.starts.setdefault(host, []).append(arrived)
                    n = sites.in_flight[host] = sites.in_flight.get(host, 0) + 1
                    sites.max_in_flight = max(sites.max_in_flight, n)
                loop.call_later(sites.latency if host != "stats." + DOMAIN else 0, self.reply, host, path)

        def reply(self, host: str, path: str) -> None:
            if host in sites.in_flight:
                sites.in_flight[host] -= 1
            if self.sock.fileno() < 0:
                return
            data = b"".join(sites.answer(host, path))
            if self.outgoing:
                self.outgoing += data
                return
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self.close()
                return
            if sent < len(data):
                self.outgoing = data[sent:]
                loop.add_writer(self.sock, self.writable)

        def writable(self) -> None:
            try:
                sent = self.sock.send(self.outgoing)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.close()
                return
            self.outgoing = self.outgoing[sent:]
            if not self.outgoing:
                loop.remove_writer(self.sock)

        def close(self) -> None:
            loop.remove_reader(self.sock)
            loop.remove_writer(self.sock)
            self.sock.close()

    def accept() -> None:
        while True:
            try:
                sock, _addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            Conn(sock)

    loop.add_reader(listener, accept)
    print(listener.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(loop.stop)), daemon=True).start()
    loop.run_forever()


CHECKER = r"""
import json, os, resource, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
import bench_check as b
port, pages, hosts, seed, delay, concurrency, store = (int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
    int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), sys.argv[8])
processes = None if sys.argv[9] == "auto" else int(sys.argv[9])
from gsc_backlinks.checker import CheckSettings, run_checks
from gsc_backlinks.urls import parse_property
sink = b.DuckSink(store)
urls = (f"http://{u.replace('/', f':{port}/', 1)}" for u in b.page_list(pages, hosts, seed))
settings = CheckSettings(per_host_delay=delay, concurrency=concurrency, parse_processes=processes)
t = time.perf_counter()
summary = run_checks(urls, site=parse_property(b.SITE), settings=settings, on_result=sink.add)
sink.finish()
wall = time.perf_counter() - t
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "pages": summary.pages, "requests": summary.requests, "links": summary.links,
                  "by_status": summary.by_status, "stored": sink.count(), "stored_links": sink.count("links"),
                  "cpu_checker": me.ru_utime + me.ru_stime, "cpu_workers": workers.ru_utime + workers.ru_stime,
                  "cpu_sink": sink.cpu}))
"""


class DuckSink:
    """Writes page checks to a DuckDB file in batches, from a writer thread, as the check job does.

    DuckDB lets go of the GIL while it inserts, so the writes cost the event
    loop only the hand-over of each result (and a second core does the rest).
    """

    def __init__(self, path: str):
        import queue
        import threading

        import duckdb

        # DuckDB keeps what was written in its buffer pool up to its memory limit (80% of RAM
        # unless told): the sink, not the checker, would grow with the pages.  Measured, the sink
        # alone writing 10,000 then 100,000 pages: no limit 846 MiB at 100,000; 128 MB 206 ->
        # 317 MiB (1.54x); 32 MB 205 -> 221 MiB (1.08x), for ~60% more CPU in its writer thread.
        self.con = duckdb.connect(path, config={"memory_limit": "32MB"})
        self.con.execute("CREATE TABLE pages (url VARCHAR, checked_at TIMESTAMPTZ, status VARCHAR, reason VARCHAR, "
                         "http_status INTEGER, final_url VARCHAR, title VARCHAR, lang VARCHAR, canonical VARCHAR, "
                         "size BIGINT, elapsed DOUBLE, main_text VARCHAR)")
        self.con.execute("CREATE TABLE links (linking_url VARCHAR, target_url VARCHAR, anchor_text VARCHAR, "
                         "image BOOLEAN, nofollow BOOLEAN, ugc BOOLEAN, sponsored BOOLEAN, placement VARCHAR, "
                         "context_before VARCHAR, context_after VARCHAR)")
        self.batch: list = []
        self.cpu = 0.0  #: CPU seconds of the writer thread
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.writer = threading.Thread(target=self._write_all, name="bench-sink", daemon=True)
        self.writer.start()

    def add(self, page) -> None:
        self.batch.append(page)
        if len(self.batch) >= BATCH:
            self.inbox.put(self.batch)
            self.batch = []

    def finish(self) -> None:
        """Write what is left and wait for the writer; raise what it failed with."""
        if self.batch:
            self.inbox.put(self.batch)
            self.batch = []
        self.inbox.put(None)
        self.writer.join()
        if self.error is not None:
            raise self.error

    def _write_all(self) -> None:
        started = time.thread_time()
        while (batch := self.inbox.get()) is not None:
            if self.error is None:
                try:
                    self.flush(batch)
                except BaseException as exc:  # handed to finish(), which raises it
                    self.error = exc
        self.cpu = time.thread_time() - started

    def flush(self, batch: list) -> None:
        """Write one batch of page checks and their links, in one transaction."""
        import pyarrow as pa

        if not batch:
            return
        pages = pa.table({
            "url": [p.url for p in batch], "checked_at": [p.checked_at for p in batch],
            "status": [p.status for p in batch], "reason": [p.reason for p in batch],
            "http_status": pa.array([p.http_status for p in batch], pa.int32()),
            "final_url": [p.final_url for p in batch], "title": [p.title for p in batch],
            "lang": [p.lang for p in batch], "canonical": [p.canonical for p in batch],
            "size": pa.array([p.size for p in batch], pa.int64()),
            "elapsed": pa.array([p.elapsed for p in batch], pa.float64()),
            "main_text": pa.array([p.main_text for p in batch], pa.string()),
        })
        links = [link for p in batch for link in p.links]
        fields = ("linking_url", "target_url", "anchor_text", "image", "nofollow", "ugc", "sponsored", "placement",
                  "context_before", "context_after")
        link_table = pa.table({f: pa.array([getattr(link, f) for link in links],
                                           pa.bool_() if f in ("image", "nofollow", "ugc", "sponsored") else pa.string())
                               for f in fields})
        self.con.execute("BEGIN")
        self.con.register("pages_batch", pages)
        self.con.register("links_batch", link_table)
        self.con.execute("INSERT INTO pages SELECT * FROM pages_batch")
        self.con.execute("INSERT INTO links SELECT * FROM links_batch")
        self.con.execute("COMMIT")
        self.con.unregister("pages_batch")
        self.con.unregister("links_batch")

    def count(self, table: str = "pages") -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the measurements ------------------------------------------------------------------------------


def start_server(latency: float, seed: int) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(HERE), str(latency), str(seed)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.isdigit():
        proc.kill()
        raise RuntimeError("the link sites stand-in did not start")
    return proc, int(line)


def server_call(port: int, path: str) -> dict:
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": f"stats.{DOMAIN}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@dataclass
class CheckRun:
    """One check in a fresh process, as measured from outside."""

    report: dict  #: what the checking process printed (its wall time in run_checks, counts, CPU split)
    wall: float  #: the whole process, start-up included
    peak_tree: float  #: MiB: the most the checking process and its parse workers held at once (sampled)
    peak_process: float  #: MiB: the largest single process's peak RSS (getrusage)
    cpu: float  #: seconds: the checking process and its workers
    cpu_server: float  #: seconds: the stand-in, meanwhile


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def tree_rss(pid: int) -> float:
    """MiB resident in ``pid`` and all its descendants now (0 where /proc cannot tell)."""
    kids, todo, total = _children(), [pid], 0
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, ()))
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total / 1048576


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one running process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_checker(port: int, pages: int, hosts: int, seed: int, delay: float, concurrency: int, processes: str,
                tmp: Path, server_pid: int) -> CheckRun:
    """One check in a fresh process (in the wrapper of bench_import.py), its memory sampled every 50 ms."""
    import threading

    store = tmp / f"check-{pages}.duckdb"
    env = dict(os.environ, GSC_BACKLINKS_CHECK_TESTING="1", GSC_BACKLINKS_CHECK_HOSTS=f"*.{DOMAIN}=127.0.0.1")
    cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-c", CHECKER, str(HERE), str(port), str(pages), str(hosts),
           str(seed), str(delay), str(concurrency), str(store), processes]
    server_before = cpu_seconds(server_pid)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    cpu_server = cpu_seconds(server_pid) - server_before
    if proc.returncode != 0:
        raise RuntimeError(f"wrapper failed ({proc.returncode}): {err.strip()}")
    lines = out.rstrip("\n").split("\n")
    wall, maxrss_kb, rc, cpu = lines[-1].split()
    if int(rc) != 0:
        raise RuntimeError(f"the check exited {rc}:\n{err.strip()}")
    return CheckRun(json.loads(lines[-2]), float(wall), peak, int(maxrss_kb) / 1024, float(cpu), cpu_server)


def sequential_sample(port: int, pages: list[str], sample: int) -> tuple[float, int, int]:
    """A plain loop: urllib GET then the same parser, page after page. (seconds, pages, links found)."""
    import urllib.request

    from gsc_backlinks.checker.parse import SiteMatcher, parse_page
    from gsc_backlinks.urls import parse_property

    matcher = SiteMatcher(parse_property(SITE))
    step = max(1, len(pages) // sample)
    chosen = pages[::step][:sample]
    links = 0
    t = time.perf_counter()
    for page in chosen:
        host, _, path = page.partition("/")
        req = urllib.request.Request(f"http://127.0.0.1:{port}/{path}", headers={"Host": host})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
            charset = resp.headers.get_content_charset()
        facts = parse_page(body, url=f"http://{host}/{path}", header_charset=charset, site=matcher)
        links += len(facts.links)
    return time.perf_counter() - t, len(chosen), links


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000, help="linking pages checked (default 10,000)")
    parser.add_argument("--hosts", type=int, default=500, help="host names they are spread over (default 500)")
    parser.add_argument("--memory-pages", type=int, default=100_000,
                        help="pages of the second run, for memory growth (default 100,000; 0 skips it)")
    parser.add_argument("--delay", type=float, default=0.2, help="per-host delay in seconds (default 0.2)")
    parser.add_argument("--latency", type=float, default=0.05, help="the stand-in's latency per answer (default 0.05 s)")
    parser.add_argument("--concurrency", type=int, default=200,
                        help="requests in flight across hosts (default 200: a host needs a slot for 50 ms of every "
                             "200 ms, so 500 hosts keep about 125 busy; each in-flight connection costs ~0.7 MB)")
    parser.add_argument("--sample", type=int, default=200, help="pages of the sequential loop actually timed (default 200)")
    parser.add_argument("--parse-processes", default="auto",
                        help="worker processes parsing pages (default auto: the checker's own choice; 0: in the "
                             "checking process)")
    parser.add_argument("--seed", type=int, default=20261119)
    args = parser.parse_args(argv)
    concurrency = args.concurrency
    cores = os.cpu_count() or 1
    clean_env()
    started = time.perf_counter()
    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, aiohttp {_version('aiohttp')}, "
          f"selectolax {_version('selectolax')}, resiliparse {_version('resiliparse')}, protego {_version('protego')}; "
          f"{cores} CPUs, {platform.machine()}")
    print(ensure_bytecode())
    print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine slows the check)")
    print(f"pages: {args.pages:,} on {args.hosts:,} hosts; per-host delay {args.delay:g} s; latency {args.latency * 1000:g} ms; "
          f"concurrency {concurrency}; parse processes {args.parse_processes}")
    server, port = start_server(args.latency, args.seed)
    try:
        with tempfile.TemporaryDirectory(prefix="gsc-bench-check-") as tmp:
            pages = page_list(args.pages, args.hosts, args.seed)
            busiest = max(args.pages // args.hosts + (1 if args.pages % args.hosts else 0), 1)
            bound = busiest * args.delay + args.latency
            run = run_checker(port, args.pages, args.hosts, args.seed, args.delay, concurrency, args.parse_processes,
                              Path(tmp), server.pid)
            report = run.report
            server_stats = server_call(port, "/__stats")
            print(f"check: {report['wall']:.2f} s in run_checks ({run.wall:.2f} s whole process), peak memory "
                  f"{run.peak_tree:.0f} MiB (checking process and parse workers together; largest single process "
                  f"{run.peak_process:.0f} MiB); {report['requests']:,} requests, {report['links']:,} links found")
            print(f"       statuses {report['by_status']}; stored {report['stored']:,} pages and "
                  f"{report['stored_links']:,} links in DuckDB")
            print(f"server: {server_stats['requests']:,} requests on {server_stats['hosts']:,} hosts; at most "
                  f"{server_stats['max_in_flight']} in flight per host; shortest gap between two starts to one host "
                  f"{(server_stats['min_gap'] or 0) * 1000:.1f} ms (kernel receive times); user agents "
                  f"{server_stats['user_agents']}")
            cpu_total = run.cpu + run.cpu_server
            floor = cpu_total / cores
            print(f"CPU: {run.cpu:.2f} s checking ({report['cpu_checker']:.2f} s the checking process, of which "
                  f"{report['cpu_sink']:.2f} s the sink's writer thread; {report['cpu_workers']:.2f} s its parse "
                  f"workers) + {run.cpu_server:.2f} s the stand-in = {cpu_total / args.pages * 1e6:.0f} us a page; "
                  f"on {cores} cores no run can take less than {floor:.2f} s ({floor / bound:.2f}x the bound)")

            seq_seconds, seq_pages, seq_links = sequential_sample(port, pages, args.sample)
            per_page = seq_seconds / seq_pages
            seq_total = per_page * args.pages
            print(f"sequential loop: {seq_pages} pages in {seq_seconds:.2f} s ({per_page * 1000:.1f} ms a page, "
                  f"{seq_links} links); extrapolated to {args.pages:,} pages: {seq_total:.0f} s")

            big = None
            if args.memory_pages:
                server_call(port, "/__reset")
                big = run_checker(port, args.memory_pages, args.hosts, args.seed, args.delay, concurrency,
                                  args.parse_processes, Path(tmp), server.pid)
                big_stats = server_call(port, "/__stats")
                print(f"check of {args.memory_pages:,} pages: {big.report['wall']:.2f} s, peak memory "
                      f"{big.peak_tree:.0f} MiB (largest single process {big.peak_process:.0f} MiB), CPU "
                      f"{big.cpu:.2f} s; stored {big.report['stored']:,} pages; server saw at most "
                      f"{big_stats['max_in_flight']} in flight per host, shortest gap "
                      f"{(big_stats['min_gap'] or 0) * 1000:.1f} ms")
    finally:
        server.stdin.close()
        server.wait(30)

    ratio = report["wall"] / bound
    speedup = seq_total / report["wall"]
    peak = run.peak_tree
    print()
    rows = [
        ("politeness bound", f"{bound:.2f} s", f"{busiest} pages on the busiest host x {args.delay:g} s + {args.latency * 1000:g} ms"),
        ("check (run_checks)", f"{report['wall']:.2f} s", f"{args.pages:,} pages, {report['pages'] / report['wall']:.0f} pages/s"),
        ("ratio check / bound", f"{ratio:.2f}x", f"target <= {TARGET_POLITENESS}x"),
        ("CPU floor on this machine", f"{floor:.2f} s", f"all CPU of the run / {cores} cores = {floor / bound:.2f}x the bound"),
        ("sequential loop (extrapolated)", f"{seq_total:.0f} s", f"from {seq_pages} pages timed"),
        ("speed-up over the loop", f"{speedup:.0f}x", f"target >= {TARGET_SPEEDUP:g}x"),
        ("peak memory", f"{peak:.0f} MiB", f"checking process + parse workers; target <= {TARGET_PEAK_MB} MiB"),
    ]
    if big:
        rows.append((f"peak memory at {args.memory_pages:,} pages", f"{big.peak_tree:.0f} MiB",
                     f"{big.peak_tree / peak:.2f}x of {args.pages:,} pages' (target <= {TARGET_MEMORY_GROWTH}x)"))
    print_table(rows, notes=True)
    print()
    polite = server_stats["max_in_flight"] <= 1 and (server_stats["min_gap"] or args.delay) >= args.delay * 0.99
    print(f"{'PASS' if ratio <= TARGET_POLITENESS else 'FAIL'} wall time: {ratio:.2f}x the politeness bound (target <= {TARGET_POLITENESS}x)")
    print(f"{'PASS' if speedup >= TARGET_SPEEDUP else 'FAIL'} speed-up: {speedup:.0f}x the sequential loop (target >= {TARGET_SPEEDUP:g}x)")
    print(f"{'PASS' if peak <= TARGET_PEAK_MB else 'FAIL'} peak memory: {peak:.0f} MiB (target <= {TARGET_PEAK_MB} MiB)")
    if big:
        growth = big.peak_tree / peak
        print(f"{'PASS' if growth <= TARGET_MEMORY_GROWTH else 'FAIL'} memory growth: {growth:.2f}x from {args.pages:,} "
              f"to {args.memory_pages:,} pages (target <= {TARGET_MEMORY_GROWTH}x)")
    print(f"{'PASS' if polite else 'FAIL'} politeness on the server side: at most {server_stats['max_in_flight']} "
          f"request in flight per host, shortest gap {(server_stats['min_gap'] or 0) * 1000:.1f} ms")
    print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_main(main)
