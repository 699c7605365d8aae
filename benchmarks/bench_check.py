#!/usr/bin/env python
"""Benchmark: the link checker on 10,000 linking pages over 500 hosts, against politeness and a plain loop.

A loopback stand-in for the linking sites runs in a process of its own
(``tests/linksites.py``: aiohttp.web on 127.0.0.1, every answer 50 ms late,
every host name ``*.bench.test`` on one port, each with a robots.txt). The
checker runs in another process through ``gsc_backlinks.checker.run_checks``
with per-host delay 0.2 s, the testing allowance mapping ``*.bench.test`` to
127.0.0.1, and its results written to a DuckDB table in a temporary file in
batches of 500 pages (as the real job will).  In the same run it measures:

* the check's wall time against the politeness bound: the busiest host's
  pages x the per-host delay, plus one answer's latency (robots.txt is the
  first request to each host, so its pages can start no sooner) — target <= 1.25x;
* a plain sequential loop over the same pages (urllib, then the same parser),
  timed on a sample and extrapolated — target: the checker >= 20x faster;
* the checking process's peak RSS — target <= 400 MiB — and, with a second
  run of ``--memory-pages`` pages (default 100,000) on the same hosts, that
  it stays within 1.2x of the first run's;
* on the server side: the most requests one host had in flight (must be 1)
  and the shortest gap between two request starts to one host (must be >= the delay).

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
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))

from bench_import import _version, clean_env, ensure_bytecode, print_table, run_main, run_wrapped  # noqa: E402

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
    """The benchmark's stand-in for 500 linking sites: a lean HTTP/1.1 server on asyncio's protocols.

    Leaner than tests/linksites.py (aiohttp.web), so that the one machine's two
    cores go to the checker being measured, not to the stand-in.  Keep-alive,
    one answer per request after ``latency`` seconds, every ``*.bench.test``
    host with a robots.txt and generated pages; ``stats.bench.test`` answers
    /__stats (what it saw) and /__reset.
    """

    ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: BadBot\nDisallow: /\n"

    def __init__(self, latency: float, seed: int):
        self.latency = latency
        self.templates = [t.encode() for t in make_templates(seed)]
        self.reset()

    def reset(self) -> None:
        self.starts: dict[str, list[float]] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight = 0
        self.requests = 0
        self.user_agents: set[str] = set()

    def answer(self, host: str, path: str) -> tuple[bytes, bytes]:
        if host == "stats." + DOMAIN:
            if path == "/__reset":
                self.reset()
                return b"application/json", b"{}"
            gaps = []
            for times in self.starts.values():
                times.sort()
                gaps.extend(b2 - a for a, b2 in zip(times, times[1:]))
            return b"application/json", json.dumps({
                "requests": self.requests, "hosts": len(self.starts), "max_in_flight": self.max_in_flight,
                "min_gap": min(gaps) if gaps else None, "user_agents": sorted(self.user_agents)}).encode()
        if path == "/robots.txt":
            return b"text/plain", self.ROBOTS
        body = self.templates[sum(map(ord, path)) % len(self.templates)]
        return b"text/html; charset=utf-8", body.replace(b"@@SITE_LINKS@@", site_links(path).encode())


def serve(latency: float, seed: int) -> None:
    """Run the benchmark's stand-in until stdin closes; print its port first."""
    import asyncio
    import threading

    sites = _Sites(latency, seed)

    class Conn(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            self.buffer = b""

        def data_received(self, data):
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
                now = loop.time()
                if host != "stats." + DOMAIN:
                    sites.requests += 1
                    sites.user_agents.add(agent)
                    sites.starts.setdefault(host, []).append(now)
                    n = sites.in_flight[host] = sites.in_flight.get(host, 0) + 1
                    sites.max_in_flight = max(sites.max_in_flight, n)
                loop.call_later(sites.latency if host != "stats." + DOMAIN else 0, self.reply, host, path)

        def reply(self, host, path):
            if host in sites.in_flight:
                sites.in_flight[host] -= 1
            kind, body = sites.answer(host, path)
            if not self.transport.is_closing():
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: " + kind + b"\r\nContent-Length: "
                                     + str(len(body)).encode() + b"\r\n\r\n" + body)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(Conn, "127.0.0.1", 0, backlog=2048))
    print(server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(loop.stop)), daemon=True).start()
    loop.run_forever()


CHECKER = r"""
import json, os, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
import bench_check as b
port, pages, hosts, seed, delay, concurrency, store = (int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]),
    int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), sys.argv[8])
from gsc_backlinks.checker import CheckSettings, run_checks
from gsc_backlinks.urls import parse_property
sink = b.DuckSink(store)
urls = (f"http://{u.replace('/', f':{port}/', 1)}" for u in b.page_list(pages, hosts, seed))
settings = CheckSettings(per_host_delay=delay, concurrency=concurrency)
t = time.perf_counter()
summary = run_checks(urls, site=parse_property(b.SITE), settings=settings, on_result=sink.add)
sink.flush()
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "pages": summary.pages, "requests": summary.requests, "links": summary.links,
                  "by_status": summary.by_status, "stored": sink.count(), "stored_links": sink.count("links")}))
"""


class DuckSink:
    """Writes page checks to a DuckDB file in batches, as the check job will."""

    def __init__(self, path: str):
        import duckdb

        # DuckDB keeps what was written in its buffer pool up to 80% of RAM: without a limit the
        # sink, not the checker, would grow with the pages (846 MiB at 100,000 pages).
        self.con = duckdb.connect(path, config={"memory_limit": "128MB"})
        self.con.execute("CREATE TABLE pages (url VARCHAR, checked_at TIMESTAMPTZ, status VARCHAR, reason VARCHAR, "
                         "http_status INTEGER, final_url VARCHAR, title VARCHAR, lang VARCHAR, canonical VARCHAR, "
                         "size BIGINT, elapsed DOUBLE, main_text VARCHAR)")
        self.con.execute("CREATE TABLE links (linking_url VARCHAR, target_url VARCHAR, anchor_text VARCHAR, "
                         "image BOOLEAN, nofollow BOOLEAN, ugc BOOLEAN, sponsored BOOLEAN, placement VARCHAR, "
                         "context_before VARCHAR, context_after VARCHAR)")
        self.batch: list = []

    def add(self, page) -> None:
        self.batch.append(page)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if not self.batch:
            return
        pages = pa.table({
            "url": [p.url for p in self.batch], "checked_at": [p.checked_at for p in self.batch],
            "status": [p.status for p in self.batch], "reason": [p.reason for p in self.batch],
            "http_status": pa.array([p.http_status for p in self.batch], pa.int32()),
            "final_url": [p.final_url for p in self.batch], "title": [p.title for p in self.batch],
            "lang": [p.lang for p in self.batch], "canonical": [p.canonical for p in self.batch],
            "size": pa.array([p.size for p in self.batch], pa.int64()),
            "elapsed": pa.array([p.elapsed for p in self.batch], pa.float64()),
            "main_text": pa.array([p.main_text for p in self.batch], pa.string()),
        })
        links = [link for p in self.batch for link in p.links]
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
        self.batch = []

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


def run_checker(port: int, pages: int, hosts: int, seed: int, delay: float, concurrency: int, tmp: Path) -> tuple[dict, float, float, float]:
    """(the checker's report, process wall s, peak RSS MiB, CPU s) of one check in a fresh process."""
    store = tmp / f"check-{pages}.duckdb"
    env = dict(os.environ, GSC_BACKLINKS_CHECK_TESTING="1", GSC_BACKLINKS_CHECK_HOSTS=f"*.{DOMAIN}=127.0.0.1")
    cmd = [sys.executable, "-c", CHECKER, str(HERE), str(port), str(pages), str(hosts), str(seed), str(delay),
           str(concurrency), str(store)]
    wall, peak, cpu, out, _err = run_wrapped(cmd, env=env)
    return json.loads(out.strip().splitlines()[-1]), wall, peak, cpu


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
    parser.add_argument("--seed", type=int, default=20261119)
    args = parser.parse_args(argv)
    concurrency = args.concurrency
    clean_env()
    started = time.perf_counter()
    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, aiohttp {_version('aiohttp')}, "
          f"selectolax {_version('selectolax')}, resiliparse {_version('resiliparse')}, protego {_version('protego')}; "
          f"{os.cpu_count()} CPUs, {platform.machine()}")
    print(ensure_bytecode())
    print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine slows the check)")
    print(f"pages: {args.pages:,} on {args.hosts:,} hosts; per-host delay {args.delay:g} s; latency {args.latency * 1000:g} ms; "
          f"concurrency {concurrency}")
    server, port = start_server(args.latency, args.seed)
    try:
        with tempfile.TemporaryDirectory(prefix="gsc-bench-check-") as tmp:
            pages = page_list(args.pages, args.hosts, args.seed)
            busiest = max(args.pages // args.hosts + (1 if args.pages % args.hosts else 0), 1)
            bound = busiest * args.delay + args.latency
            report, proc_wall, peak, cpu = run_checker(port, args.pages, args.hosts, args.seed, args.delay,
                                                       concurrency, Path(tmp))
            server_stats = server_call(port, "/__stats")
            print(f"check: {report['wall']:.2f} s in run_checks ({proc_wall:.2f} s whole process, CPU {cpu:.2f} s), "
                  f"peak RSS {peak:.0f} MiB; {report['requests']:,} requests, {report['links']:,} links found")
            print(f"       statuses {report['by_status']}; stored {report['stored']:,} pages and "
                  f"{report['stored_links']:,} links in DuckDB")
            print(f"server: {server_stats['requests']:,} requests on {server_stats['hosts']:,} hosts; at most "
                  f"{server_stats['max_in_flight']} in flight per host; shortest gap between two starts to one host "
                  f"{(server_stats['min_gap'] or 0) * 1000:.1f} ms; user agents {server_stats['user_agents']}")

            seq_seconds, seq_pages, seq_links = sequential_sample(port, pages, args.sample)
            per_page = seq_seconds / seq_pages
            seq_total = per_page * args.pages
            print(f"sequential loop: {seq_pages} pages in {seq_seconds:.2f} s ({per_page * 1000:.1f} ms a page, "
                  f"{seq_links} links); extrapolated to {args.pages:,} pages: {seq_total:.0f} s")

            big = None
            if args.memory_pages:
                server_call(port, "/__reset")
                big = run_checker(port, args.memory_pages, args.hosts, args.seed, args.delay, concurrency, Path(tmp))
                big_stats = server_call(port, "/__stats")
                print(f"check of {args.memory_pages:,} pages: {big[0]['wall']:.2f} s, peak RSS {big[2]:.0f} MiB, "
                      f"CPU {big[3]:.2f} s; stored {big[0]['stored']:,} pages; server saw at most "
                      f"{big_stats['max_in_flight']} in flight per host, shortest gap "
                      f"{(big_stats['min_gap'] or 0) * 1000:.1f} ms")
    finally:
        server.stdin.close()
        server.wait(30)

    ratio = report["wall"] / bound
    speedup = seq_total / report["wall"]
    print()
    rows = [
        ("politeness bound", f"{bound:.2f} s", f"{busiest} pages on the busiest host x {args.delay:g} s + {args.latency * 1000:g} ms"),
        ("check (run_checks)", f"{report['wall']:.2f} s", f"{args.pages:,} pages, {report['pages'] / report['wall']:.0f} pages/s"),
        ("ratio check / bound", f"{ratio:.2f}x", f"target <= {TARGET_POLITENESS}x"),
        ("sequential loop (extrapolated)", f"{seq_total:.0f} s", f"from {seq_pages} pages timed"),
        ("speed-up over the loop", f"{speedup:.0f}x", f"target >= {TARGET_SPEEDUP:g}x"),
        ("peak RSS", f"{peak:.0f} MiB", f"target <= {TARGET_PEAK_MB} MiB"),
    ]
    if big:
        rows.append((f"peak RSS at {args.memory_pages:,} pages", f"{big[2]:.0f} MiB",
                     f"{big[2] / peak:.2f}x of {args.pages:,} pages' (target <= {TARGET_MEMORY_GROWTH}x)"))
    print_table(rows, notes=True)
    print()
    polite = server_stats["max_in_flight"] <= 1 and (server_stats["min_gap"] or args.delay) >= args.delay * 0.99
    print(f"{'PASS' if ratio <= TARGET_POLITENESS else 'FAIL'} wall time: {ratio:.2f}x the politeness bound (target <= {TARGET_POLITENESS}x)")
    print(f"{'PASS' if speedup >= TARGET_SPEEDUP else 'FAIL'} speed-up: {speedup:.0f}x the sequential loop (target >= {TARGET_SPEEDUP:g}x)")
    print(f"{'PASS' if peak <= TARGET_PEAK_MB else 'FAIL'} peak RSS: {peak:.0f} MiB (target <= {TARGET_PEAK_MB} MiB)")
    if big:
        growth = big[2] / peak
        print(f"{'PASS' if growth <= TARGET_MEMORY_GROWTH else 'FAIL'} memory growth: {growth:.2f}x from {args.pages:,} "
              f"to {args.memory_pages:,} pages (target <= {TARGET_MEMORY_GROWTH}x)")
    print(f"{'PASS' if polite else 'FAIL'} politeness on the server side: at most {server_stats['max_in_flight']} "
          f"request in flight per host, shortest gap {(server_stats['min_gap'] or 0) * 1000:.1f} ms")
    print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_main(main)
