#!/usr/bin/env python
"""Benchmark: ``gsc-backlinks report weekly --offline`` on a large store and on one a tenth its size.

Generates (once, deterministically) two stores written straight into DuckDB: a large one (1,000,000
More sample links rows over 4 snapshots, 3,000,000 search performance rows) and a small one of the
same shape with a tenth of the rows.  Then, in the same run and in fresh processes, it times

    gsc-backlinks --store <copy> report weekly --site https://www.example.com/ --offline \\
        --out <tmp> --now 2026-11-21T17:00:00Z

on both (whole process, peak RSS), and measures the report folder it writes.
Targets: time(large) / time(small) < 4x, peak RSS <= 1.5 GB, index.html <= 3 MB.
A report, not a test: exit code 0 whatever the figures, non-zero only if something could not run.

    python benchmarks/bench_report.py            # 1,000,000 links, 3,000,000 search rows (and a tenth)
    python benchmarks/bench_report.py --quick    # 100,000 links, 300,000 search rows (and a tenth)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The import benchmark's realistic hosts and paths, its table printing and whole-process measuring (wrapper + RUSAGE_CHILDREN).
from bench_import import (  # noqa: E402  (beside this file, once sys.path has it)
    WORDS,
    _path,
    _query,
    _version,
    cached_meta,
    clean_env,
    ensure_bytecode,
    gsc_backlinks_cmd,
    make_hosts,
    print_table,
    run_main,
    run_wrapped,
)

SITE = "https://www.example.com/"
NOW = "2026-11-21T17:00:00Z"  # Saturday; Pacific Time 09:00
SNAPSHOT_DATES = (dt.date(2026, 10, 20), dt.date(2026, 11, 3), dt.date(2026, 11, 10), dt.date(2026, 11, 17))
FIRST_DAY, LAST_DAY = dt.date(2025, 7, 21), dt.date(2026, 11, 20)  # 16 months of search data
FRESH_DAYS = 2  # the newest days are not final yet: 19 and 20 Nov
UI_CAP = 1000  # Search Console lists at most 1,000 rows in every Links table
SITE_PAGES = 6000  # URLs of the property that get search traffic or links
TARGET_CANDIDATES = 1200  # site pages 0..1199 compete for the 1,000 rows of Top target pages
GENERATOR_VERSION = 1  # bump when the generated data changes
TARGET_RATIO, TARGET_PEAK_MB, TARGET_INDEX_BYTES = 4.0, 1536, 3 * 2**20
TABLES = ("snapshots", "linking_pages", "target_pages", "linking_sites", "linking_text",
          "search_days", "search_pages", "search_queries")

# --- data generation ---------------------------------------------------------------------


def site_urls(rng: random.Random) -> list[str]:
    """The property's own URLs: the home page, then sections with word slugs (all canonical)."""
    sections = ("blog", "products", "guides", "category", "news", "help", "docs", "shop", "events", "stories")
    out, seen = [SITE], {SITE}
    while len(out) < SITE_PAGES:
        slug = "-".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        url = f"{SITE}{rng.choice(sections)}/{slug}/"
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def anchor_texts(rng: random.Random) -> list[str]:
    """1,000 distinct anchors, as Search Console writes them (lower case, punctuation as spaces)."""
    out = ["example", "www example com", "https www example com", "example com", "example shop",
           "click here", "here", "read more", "website", "this article", "source", "link", "more", "hier", "ici",
           "https www example com blog", "www example com products"]
    seen = set(out)
    while len(out) < UI_CAP:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def add_snapshot(con, kind: str, date: dt.date, title: str, table: str, rows) -> int:
    """One snapshot as an import would record it: its row in `snapshots`, its rows in `table`."""
    source = f"/home/analyst/Downloads/https___www.example.com_-{title}-{date}.csv"
    sid = con.execute(
        """INSERT INTO snapshots (property, kind, snapshot_date, date_source, source_name, content_hash,
               row_count, file_rows, target_url, language, imported_at)
           VALUES (?, ?, ?, 'file name', ?, ?, 0, 0, NULL, 'en', ?) RETURNING snapshot_id""",
        [SITE, kind, date, source, hashlib.sha256(f"{kind} {date}".encode()).hexdigest(),
         dt.datetime.combine(date, dt.time(9, 30))],
    ).fetchone()[0]
    if isinstance(rows, str):  # SQL that selects the rows from what is already stored; $sid is this snapshot
        con.execute(f"INSERT INTO {table} BY NAME {rows}", {"sid": sid})
    else:  # an Arrow table
        con.register("incoming", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT ?::BIGINT AS snapshot_id, * FROM incoming", [sid])
        con.unregister("incoming")
    n = con.execute(f"SELECT count(*) FROM {table} WHERE snapshot_id = ?", [sid]).fetchone()[0]
    con.execute("UPDATE snapshots SET row_count = ?, file_rows = ? WHERE snapshot_id = ?", [n, n, sid])
    return sid


def add_links(con, rng: random.Random, npr, links: int, pages: list[str]) -> None:
    """Per snapshot date: More sample links, Latest links, Top target pages (external and internal),
    Top linking sites, Top linking text."""
    import numpy as np
    import pyarrow as pa

    from gsc_backlinks.urls import registrable_domains

    # Sample sizes grow a little; each snapshot's window of URL ids slides by 6%: most links persist,
    # 6% leave Google's sample and about as many appear at each date.
    quarter = links / 4
    sizes = [round(quarter * f) for f in (0.97, 0.99, 1.01)]
    sizes.append(links - sum(sizes))
    shift = max(1, round(quarter * 0.06))
    starts = [i * shift for i in range(4)]
    n_urls = starts[-1] + sizes[-1]
    n_hosts = max(1, n_urls // 10)
    hosts, _ = make_hosts(rng, n_hosts)
    host_arr = pa.array(hosts)
    domain_arr = registrable_domains(host_arr)
    # Zipf-like hosts per URL (a few big sites, a long tail), as in bench_import.
    weights = 1.0 / np.arange(1, n_hosts + 1) ** 0.9
    url_host = npr.choice(n_hosts, size=n_urls, p=weights / weights.sum())
    urls, seen = [], set()
    for h in url_host.tolist():  # canonical URLs: lower-case punycode host, percent-encoded path
        while True:
            _, path = _path(rng)
            url = f"{'https' if rng.random() < 0.85 else 'http'}://{hosts[h]}{path}{_query(rng) if rng.random() < 0.15 else ''}"
            if url not in seen:
                break
        seen.add(url)
        urls.append(url)
    url_arr, url_host = pa.array(urls), pa.array(url_host)
    anchors = anchor_texts(rng)
    link_scale = max(50, links // 8)  # incoming links of the most linked page

    for i, date in enumerate(SNAPSHOT_DATES):  # rows in Search Console's alphabetical order
        ids = pa.array(np.arange(starts[i], starts[i] + sizes[i]))
        hs = url_host.take(ids)
        sample = pa.table({"linking_url": url_arr.take(ids), "linking_domain": domain_arr.take(hs),
                           "last_crawled": pa.nulls(len(ids), pa.date32())}).sort_by("linking_url")
        sample_id = add_snapshot(con, "sample_links", date, "More sample links", "linking_pages", sample)

        # Latest links: up to 1,000 of the newest links of the window, crawled in the 3 weeks before.
        m = min(UI_CAP, sizes[i])
        pool = np.arange(starts[i] + sizes[i] - max(m, sizes[i] // 5), starts[i] + sizes[i])
        ids = pa.array(np.sort(npr.choice(pool, size=m, replace=False)))
        hs = url_host.take(ids)
        crawled = np.datetime64(date) - npr.integers(1, 22, size=m).astype("timedelta64[D]")
        latest = pa.table({"linking_url": url_arr.take(ids), "linking_domain": domain_arr.take(hs),
                           "last_crawled": pa.array(crawled, pa.date32())})
        add_snapshot(con, "latest_links", date, "Latest links", "linking_pages",
                     latest.sort_by([("last_crawled", "descending"), ("linking_url", "ascending")]))

        # Top target pages: the 1,000 of 1,200 candidates with the most links (a few swap in and out).
        score = link_scale * np.arange(1, TARGET_CANDIDATES + 1) ** -0.8 * 1.02 ** i
        score *= npr.lognormal(0, 0.15, TARGET_CANDIDATES)
        top = np.argsort(-score)[:UI_CAP]
        incoming = np.maximum(1, np.round(score[top])).astype(np.int64)
        sites = np.clip(np.round(incoming * npr.uniform(0.05, 0.5, UI_CAP)), 1, incoming).astype(np.int64)
        add_snapshot(con, "top_target_pages", date, "Top target pages", "target_pages", pa.table({
            "target_url": [pages[j] for j in top], "incoming_links": incoming, "linking_sites": sites}))
        internal = np.sort(npr.choice(SITE_PAGES // 4, size=UI_CAP, replace=False))
        add_snapshot(con, "internal_target_pages", date, "Top target pages (1)", "target_pages", pa.table({
            "target_url": [pages[j] for j in internal],
            "internal_links": np.round(4000 / np.arange(1, UI_CAP + 1) ** 0.5).astype(np.int64)}))

        # Top linking sites: the sample's 1,000 biggest registrable domains (the sample is a part of all links).
        add_snapshot(con, "top_linking_sites", date, "Top linking sites", "linking_sites", f"""
            SELECT $sid AS snapshot_id, linking_domain AS site, linking_domain, count(*) * 4 AS linking_pages,
                   greatest(1, least(count(*), round(sqrt(count(*)) * 2)))::BIGINT AS target_pages
            FROM linking_pages WHERE snapshot_id = {sample_id} AND linking_domain IS NOT NULL
            GROUP BY linking_domain ORDER BY linking_pages DESC, linking_domain LIMIT {UI_CAP}""")

        # Top linking text: ranks only (no counts); the order shifts a little between dates.
        order = np.argsort(np.arange(UI_CAP) + npr.normal(0, 15, UI_CAP))
        add_snapshot(con, "top_linking_text", date, "Top linking text", "linking_text", pa.table({
            "rank": np.arange(1, UI_CAP + 1), "anchor_text": [anchors[j] for j in order]}))


def add_search(con, npr, perf_rows: int, pages: list[str]) -> None:
    """search_pages (a quarter of `perf_rows`) and search_queries (the rest), then search_days from them."""
    import numpy as np
    import pyarrow as pa

    days = np.arange(np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY) + 1)
    n_days = len(days)

    def per_day(total: int):  # `total` rows over the days, later days one more where it does not divide
        counts = np.full(n_days, total // n_days, dtype=np.int64)
        counts[n_days - total % n_days:] += 1
        return counts

    def insert(table: str, columns: dict) -> None:
        con.register("incoming", pa.table({k: pa.array(v, pa.date32()) if k == "day" else v for k, v in columns.items()}))
        con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS property, 'web' AS search_type, * FROM incoming", [SITE])
        con.unregister("incoming")

    # Traffic popularity: loosely follows links (low ids are the most linked) with lots of noise;
    # 15% of the target candidates get no traffic at all (linked pages nobody finds in search).
    weight = np.arange(1, SITE_PAGES + 1) ** -1.0 * npr.lognormal(0, 1.5, SITE_PAGES)
    weight[npr.choice(TARGET_CANDIDATES, size=TARGET_CANDIDATES * 15 // 100, replace=False)] = 0
    rel = weight / weight.max()
    base_impr = 5 + 3000 * rel ** 0.6
    base_pos = np.clip(3 + 30 * (1 - rel ** 0.15), 1, 80)

    # Page totals: each day its own set of distinct pages, drawn by popularity (Gumbel top-k).
    n_pages_per_day = np.minimum(per_day(perf_rows // 4), int((weight > 0).sum()))
    k = int(n_pages_per_day.max())
    with np.errstate(divide="ignore"):
        keys = np.log(weight)[None, :] + npr.gumbel(size=(n_days, SITE_PAGES))
    day_pages = np.argsort(-keys, axis=1)[:, :k]  # most popular first
    mask = np.arange(k)[None, :] < n_pages_per_day[:, None]
    p_day, p_page = np.repeat(np.arange(n_days), k).reshape(n_days, k)[mask], day_pages[mask]

    def metrics(impr_base, pos_base, noise):
        impressions = np.maximum(1, np.round(impr_base * npr.lognormal(0, noise, len(impr_base)))).astype(np.int64)
        position = np.round(np.clip(pos_base * npr.lognormal(0, 0.3, len(pos_base)), 1, 100), 2)
        clicks = npr.binomial(impressions, np.minimum(0.6, 0.35 / position ** 1.1))
        return {"clicks": clicks, "impressions": impressions, "ctr": clicks / impressions, "position": position}

    page_arr = pa.array(pages)
    insert("search_pages", {"day": days[p_day], "page": page_arr.take(pa.array(p_page)),
                                        **metrics(base_impr[p_page], base_pos[p_page], 0.4)})

    # Page x query rows: pages of that day's list (popular ones more often), each page with its own
    # pool of queries (its top queries come back day after day); drawn 1.6x over, distinct per day.
    n_query_rows = per_day(perf_rows - perf_rows // 4)
    n_queries = max(1000, int(n_query_rows.sum()) // 15)
    draws = int(n_query_rows.max() * 1.6) + 10
    d = np.repeat(np.arange(n_days), draws)
    col = np.floor(n_pages_per_day[d] * npr.random(len(d)) ** 2.5).astype(np.int64)
    page = day_pages[d, col]
    j = np.minimum(npr.geometric(0.12, len(d)) - 1, 299)
    query = (page * 7919 + j * 104729 + j * j * 31) % n_queries
    _, first = np.unique((d * SITE_PAGES + page) * n_queries + query, return_index=True)
    first.sort()  # first occurrences, day by day in drawing order
    fd = d[first]
    keep = first[(np.arange(len(first)) - np.searchsorted(fd, fd)) < n_query_rows[fd]]
    d, page, j, query = d[keep], page[keep], j[keep], query[keep]
    W = len(WORDS)  # query texts: distinct word combinations, a few with the brand in front
    texts = [("example " if q % 50 == 0 else "") + " ".join(
        [WORDS[q % W], WORDS[(q // W) % W]] + ([WORDS[q // W // W % W]] if q >= W * W else []))
        for q in range(n_queries)]
    insert("search_queries", {
        "day": days[d], "page": page_arr.take(pa.array(page)), "query": pa.array(texts).take(pa.array(query)),
        **metrics(base_impr[page] * 0.2 / (1 + j) ** 0.5, base_pos[page] * (1 + j / 20), 0.8)})

    # Property totals per day from the page totals; the last FRESH_DAYS days not final yet.
    con.execute(f"""
        INSERT INTO search_days (property, search_type, day, data_state, clicks, impressions, ctr, position,
                                 page_rows, query_rows, pages_truncated, queries_truncated, fetched_at)
        SELECT p.property, p.search_type, p.day,
               CASE WHEN p.day > DATE '{LAST_DAY}' - {FRESH_DAYS} THEN 'fresh' ELSE 'final' END,
               sum(clicks), sum(impressions), sum(clicks) / sum(impressions),
               sum(position * impressions) / sum(impressions), count(*), any_value(q.n), false, false,
               least(p.day + INTERVAL 3 DAY + INTERVAL 9 HOUR, TIMESTAMP '2026-11-21 16:55:00')
        FROM search_pages p
        LEFT JOIN (SELECT day, count(*) AS n FROM search_queries WHERE property = $site GROUP BY day) q USING (day)
        WHERE p.property = $site  -- this property's (bench_portfolio puts many in one store)
        GROUP BY p.property, p.search_type, p.day ORDER BY p.day""", {"site": SITE})


def build_store(path: Path, links: int, perf_rows: int, seed: int) -> dict:
    """A fresh store (created and migrated by the package) holding the generated data; its row counts."""
    import numpy as np

    from gsc_backlinks.store import open_store, transaction

    rng, npr = random.Random(seed), np.random.default_rng(seed)
    pages = site_urls(rng)
    with open_store(path, write=True) as con:
        with transaction(con):
            add_links(con, rng, npr, links, pages)
            add_search(con, npr, perf_rows, pages)
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def ensure_store(data_dir: Path, links: int, perf_rows: int, seed: int) -> tuple[Path, dict, float | None]:
    """The store for these parameters, generated unless an identical one is cached."""
    from gsc_backlinks.store.migrations import SCHEMA_VERSION

    folder = data_dir / f"report-links{links}-perf{perf_rows}-seed{seed}"
    path, meta_path = folder / "store.duckdb", folder / "meta.json"
    wanted = {"generator": GENERATOR_VERSION, "schema": SCHEMA_VERSION, "links": links, "perf_rows": perf_rows, "seed": seed}
    meta = cached_meta(path, meta_path, wanted)
    if meta:
        return path, meta, None
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "store.duckdb.tmp"
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    t = time.perf_counter()
    counts = build_store(tmp, links, perf_rows, seed)
    elapsed = time.perf_counter() - t
    os.replace(tmp, path)
    meta = {**wanted, "rows": counts, "bytes": path.stat().st_size, "seconds": round(elapsed, 1)}
    meta_path.write_text(json.dumps(meta, indent=1))
    return path, meta, elapsed


# --- measuring ------------------------------------------------------------------------------


def measure_report(store: Path, tmp_dir: Path) -> dict:
    """One `report weekly --offline` in a fresh process, into a fresh folder: its figures."""
    out = Path(tempfile.mkdtemp(prefix="report-", dir=tmp_dir))
    try:
        cmd = [*gsc_backlinks_cmd(), "--store", str(store), "report", "weekly", "--site", SITE, "--offline",
               "--out", str(out), "--now", NOW]
        wall, peak, cpu, _, _ = run_wrapped(cmd)
        index = list(out.rglob("index.html"))  # out/<property>/<end date>/index.html
        if len(index) != 1:
            raise RuntimeError(f"expected one index.html under {out}, found {len(index)}")
        folder = index[0].parent
        files = {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
        largest = max(files, key=files.get)
        return {"wall": wall, "peak": peak, "cpu": cpu, "index": files["index.html"], "files": len(files),
                "html": sum(name.endswith(".html") for name in files), "bytes": sum(files.values()),
                "drill": sum(name.startswith("pages/") for name in files), "largest": files[largest],
                "largest_name": largest}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def profile(store: Path, tmp_dir: Path, top: int = 30) -> None:
    """cProfile around gsc_backlinks.jobs.weekly.write_weekly, in this process: where the time goes.
    cProfile does not list DuckDB's methods: a query's time is the tottime of the function running it."""
    import cProfile
    import pstats

    from gsc_backlinks.jobs.weekly import write_weekly

    out = Path(tempfile.mkdtemp(prefix="profile-", dir=tmp_dir))
    now = dt.datetime.fromisoformat(NOW)
    prof = cProfile.Profile()
    try:
        prof.runcall(write_weekly, store, SITE, out, now=now, notices=("Built with --offline",))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    stats = pstats.Stats(prof).sort_stats("cumulative")
    print(f"\nprofile of write_weekly on the large store: top {top} gsc_backlinks functions by cumulative time")
    stats.print_stats(r"gsc_backlinks", top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=None,
                        help="More sample links rows of the large store, over 4 snapshots (default 1,000,000; --quick 100,000)")
    parser.add_argument("--perf-rows", type=int, default=None,
                        help="search_pages + search_queries rows of the large store (default 3 per link)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100,000 links and 300,000 search rows (and a tenth)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported (default 3)")
    parser.add_argument("--seed", type=int, default=20261121, help="random seed of the generated data")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data", help="where stores are generated (default benchmarks/data/)")
    parser.add_argument("--tmp-dir", type=Path, default=None,
                        help="where the stores are copied and the reports written (default: the system temp folder; "
                             "/dev/shm leaves the disk out)")
    parser.add_argument("--profile", action="store_true", help="also profile write_weekly in-process on the large store")
    args = parser.parse_args(argv)
    large = args.links or (100_000 if args.quick else 1_000_000)
    perf = args.perf_rows or 3 * large
    sizes = {"1x": (large // 10, perf // 10), "10x": (large, perf)}
    # Nothing from the environment may change what the report does (GSC_BACKLINKS_EXPORTS would import files).
    clean_env()
    print(ensure_bytecode())
    started = time.perf_counter()

    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, duckdb {_version('duckdb')}, "
          f"pyarrow {_version('pyarrow')}, jinja2 {_version('jinja2')}; {os.cpu_count()} CPUs, {platform.machine()}")
    tmp_root = Path(tempfile.mkdtemp(prefix="gsc-bench-report-", dir=args.tmp_dir))
    try:
        stores, metas, gens = {}, {}, {}
        for name, (links, rows) in sizes.items():
            path, meta, gens[name] = ensure_store(args.data_dir, links, rows, args.seed)
            how = f"generated in {gens[name]:.1f} s" if gens[name] is not None else f"reused; generated in {meta['seconds']} s"
            r = meta["rows"]
            print(f"store {name}: {path} ({how}), {meta['bytes'] / 2**20:.0f} MiB")
            print(f"  linking_pages {r['linking_pages']:,} (4 sample snapshots + Latest links), "
                  f"search_pages {r['search_pages']:,} + search_queries {r['search_queries']:,} = "
                  f"{r['search_pages'] + r['search_queries']:,}, search_days {r['search_days']:,}, snapshots {r['snapshots']}")
            stores[name] = tmp_root / f"{name}.duckdb"  # a copy: the cached store is never opened by the report
            shutil.copyfile(path, stores[name])
            metas[name] = meta
        print(f"reports: fresh folder per run under {tmp_root}; command: gsc-backlinks --store <copy> report weekly "
              f"--site {SITE} --offline --out <tmp> --now {NOW}")

        runs: dict[str, list[dict]] = {name: [] for name in sizes}
        for i in range(args.repeat):  # the two sizes in turn, so drift on the machine hits both alike
            for name in sizes:
                f = measure_report(stores[name], tmp_root)
                runs[name].append(f)
                print(f"  run {i + 1}/{args.repeat} {name:>3}: {f['wall']:.2f} s (CPU {f['cpu']:.2f} s), peak {f['peak']:.0f} MiB, "
                      f"index.html {f['index']:,} B, {f['html']} HTML files, {f['bytes'] / 2**20:.1f} MiB", flush=True)

        med = {name: {k: statistics.median(f[k] for f in fs) for k in fs[0] if k != "largest_name"}
               for name, fs in runs.items()}
        small, big = med["1x"], med["10x"]
        ratio = big["wall"] / small["wall"]
        print()
        print(f"medians of {args.repeat} runs")
        table = [("", *(f"{n} ({sizes[n][0]:,} links, {sizes[n][1]:,} rows)" for n in sizes))]
        table += [
            ("report weekly (process)", *(f"{med[n]['wall']:.2f} s" for n in sizes)),
            ("CPU (user+sys)", *(f"{med[n]['cpu']:.2f} s" for n in sizes)),
            ("peak RSS", *(f"{med[n]['peak']:.0f} MiB" for n in sizes)),
            ("index.html", *(f"{med[n]['index']:,.0f} B" for n in sizes)),
            ("HTML files written", *(f"{med[n]['html']:.0f} ({med[n]['drill']:.0f} drill-down)" for n in sizes)),
            ("report folder", *(f"{med[n]['bytes'] / 2**20:.1f} MiB in {med[n]['files']:.0f} files" for n in sizes)),
            ("largest file", *(f"{runs[n][-1]['largest_name']} {med[n]['largest'] / 2**20:.1f} MiB" for n in sizes)),
            ("store generation (info)", *(f"{gens[n] if gens[n] is not None else metas[n]['seconds']:.1f} s" for n in sizes)),
        ]
        print_table(table)
        print("  (drill-down pages are bounded by Search Console's 1,000-row cap on Top target pages, at both sizes)")
        print()
        peak = max(small["peak"], big["peak"])
        index = max(small["index"], big["index"])
        print(f"{'PASS' if ratio < TARGET_RATIO else 'FAIL'} time grows {ratio:.2f}x for 10x the data "
              f"({big['wall']:.2f} s vs {small['wall']:.2f} s; target < {TARGET_RATIO:.0f}x)")
        print(f"     CPU time grows {big['cpu'] / small['cpu']:.2f}x (for information: less sensitive to other load on the machine)")
        print(f"{'PASS' if peak <= TARGET_PEAK_MB else 'FAIL'} peak RSS: {peak:.0f} MiB (target <= {TARGET_PEAK_MB} MiB)")
        print(f"{'PASS' if index <= TARGET_INDEX_BYTES else 'FAIL'} index.html: {index:,.0f} bytes at most "
              f"(target <= {TARGET_INDEX_BYTES:,} bytes at every size)")
        if args.profile:
            profile(stores["10x"], tmp_root)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_main(main)
