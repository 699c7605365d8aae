#!/usr/bin/env python
"""Benchmark: reading a large Ahrefs Backlinks export against a bare ``pandas.read_csv`` of it.

Generates (once, deterministically, cached under ``benchmarks/data/``) an Ahrefs
Site Explorer -> Backlinks export with the real 2026 header (37 columns), as
Ahrefs' "UTF-8" download writes it, named as Ahrefs names it
(``example.com-backlinks-subdomains_2026-09-01_13-28-23.csv``), and times, in
the same run, whole processes:

* bare ``python -c "import pandas; pandas.read_csv(path)"`` (and the call alone,
  for information);
* a process that reads the file as ``gsc-backlinks import`` will:
  ``exports.collect([path])`` then ``exports.thirdparty.parse_vendor_export``
  with ``--site https://www.example.com/``, with the child's peak RSS;
* ``gsc-backlinks import FILE --site https://www.example.com/`` into a fresh store
  (the file read, checked and written as link observations of a third-party
  snapshot, in one transaction): the figure held to the targets;
* the parse alone handing its Arrow table to DuckDB (``CREATE TABLE AS``, an
  in-memory database), for information.

``GSC_BACKLINKS_*`` environment variables (but the lock timeout) are cleared
first.  Every measurement runs 3 times (``--repeat``); medians are reported.
This is a report, not a test: the exit code is 0 whatever the figures,
non-zero only if something could not be run.

    python benchmarks/bench_thirdparty.py            # 1,000,000 rows
    python benchmarks/bench_thirdparty.py --quick    # 100,000 rows: smoke run
    python benchmarks/bench_thirdparty.py --form for-excel   # the UTF-16LE tab-separated form
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The import benchmark's host and path generators, word list, cache check, table and whole-process measuring.
from bench_import import (  # noqa: E402
    WORDS,
    _cum,
    _path,
    _version,
    cached_meta,
    clean_env,
    ensure_bytecode,
    gsc_backlinks_cmd,
    make_hosts,
    print_table,
    query_store,
    run_main,
    run_wrapped,
)

SITE = "https://www.example.com/"
FILENAME = "example.com-backlinks-subdomains_2026-09-01_13-28-23.csv"
GENERATOR_VERSION = 1
TARGET_RATIO = 4.0
TARGET_PEAK_MB = 1536
TARGET_PAGES = 3000

HEADER = ["Referring page title", "Referring page URL", "Language", "Platform", "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains", "Linked domains", "External links", "Page traffic", "Keywords", "Target URL", "Left context", "Anchor", "Right context", "Redirect Chain URLs", "Redirect Chain status codes", "Type", "Is spam", "Content", "Nofollow", "UGC", "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "First seen", "Last seen", "Lost", "Author", "Page type", "Page category", "Links in group"]

# The child that reads the file as the import will; prints one JSON line.
PARSE = """
import json, sys, time
t = time.perf_counter()
from gsc_backlinks import urls
from gsc_backlinks.exports.sources import Limits, collect
from gsc_backlinks.exports.thirdparty import parse_vendor_export
files = collect([sys.argv[1]], Limits(max_file_bytes=1 << 40, max_zip_total_bytes=1 << 40)).files
parsed = parse_vendor_export(files[0], site=urls.parse_property(sys.argv[2]))
seconds = time.perf_counter() - t
stored = None
if sys.argv[3] == "duckdb":
    import duckdb
    con = duckdb.connect()
    observations = parsed.table
    con.execute("CREATE TABLE links AS SELECT * FROM observations")
    stored = con.execute("SELECT count(*), count(DISTINCT linking_domain) FROM links").fetchone()
print(json.dumps({"rows": parsed.rows, "skipped": parsed.skipped_rows, "columns": parsed.table.num_columns,
                  "notes": parsed.notes, "date": parsed.snapshot_date.isoformat(), "date_source": parsed.date_source,
                  "label": parsed.label, "seconds": seconds, "stored": stored,
                  "pandas": "pandas" in sys.modules}))
"""
READ_CSV_CALL = (
    "import sys,time,pandas; p=sys.argv[1]; t=time.perf_counter(); "
    "df=pandas.read_csv(p, encoding=sys.argv[2], sep=sys.argv[3]); print(time.perf_counter()-t, len(df))"
)
READ_CSV_PROCESS = "import pandas,sys; pandas.read_csv(sys.argv[1], encoding=sys.argv[2], sep=sys.argv[3])"

# --- data generation ---------------------------------------------------------------

LANGUAGES = [("en", 60), ("de", 8), ("fr", 6), ("es", 6), ("ja", 4), ("it", 3), ("nl", 3), ("pt", 3), ("", 7)]
PLATFORMS = [("", 40), ("blog", 25), ("wordpress", 15), ("ecommerce", 8), ("forum", 6), ("wiki", 3), ("news", 3)]
TYPES = [("text", 86), ("image", 8), ("redirect", 3), ("frame", 1), ("form", 1), ("canonical", 1)]
LOST_STATUS = ["removed from page", "page not found", "page redirected", "noindex", "crawl error", "not canonical"]
DROP_REASONS = ["Link removed", "Page dropped from index", "Page has noindex", "Page redirected", "Page not found"]
DISCOVERED = [("", 55), ("new page", 20), ("link added", 20), ("link restored", 5)]
PAGE_TYPES = ["article", "homepage", "category", "product", "profile", "forum thread", "directory", "other"]
CATEGORIES = ["", "/Home & Garden", "/Home & Garden/Gardening & Landscaping", "/Shopping", "/News", "/Hobbies & Leisure"]


def _weighted(rng: random.Random, pairs):
    names = [p for p, _ in pairs]
    return rng.choices(names, cum_weights=_cum([w for _, w in pairs]))[0]


def _words(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def _stamp(rng: random.Random, start: dt.datetime, days: int) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.randrange(days * 86400))


def generate(path: Path, rows: int, n_hosts: int, seed: int, form: str) -> dict:
    """Write the export; return its metadata."""
    rng = random.Random(seed)
    hosts, shown = make_hosts(rng, n_hosts)
    weights = _cum([1.0 / (rank + 1) ** 0.9 for rank in range(n_hosts)])
    targets = ["https://www.example.com/"] + [
        "https://www.example.com" + _path(rng)[1] for _ in range(TARGET_PAGES - 1)]
    target_weights = _cum([1.0 / (rank + 1) for rank in range(TARGET_PAGES)])
    crawl_end = dt.datetime(2026, 9, 1, 13, 0, 0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", delimiter="\t" if form == "for-excel" else ",",
                        quoting=csv.QUOTE_ALL if form == "for-excel" else csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    rand = rng.random
    lost_rows = 0
    for h in rng.choices(range(n_hosts), cum_weights=weights, k=rows):
        p, _ = _path(rng)
        scheme = "https" if rand() < 0.9 else "http"
        url = f"{scheme}://{shown[h]}{p}"
        target = targets[rng.choices(range(TARGET_PAGES), cum_weights=target_weights)[0]]
        if rand() < 0.02:
            target += "?utm_source=" + rng.choice(WORDS) + "&utm_medium=referral"
        first = _stamp(rng, dt.datetime(2016, 1, 1), 3700)
        last = min(crawl_end, first + dt.timedelta(days=rng.randrange(1, 1200), seconds=rng.randrange(86400)))
        lost = rand() < 0.12
        lost_rows += lost
        title = _words(rng, 3, 10).title()
        if rand() < 0.1:
            title += ', "' + _words(rng, 1, 3) + '"'
        dr = rng.randint(0, 92)
        writer.writerow([
            title, url, _weighted(rng, LANGUAGES), _weighted(rng, PLATFORMS), 200 if not lost or rand() < 0.5 else 404,
            dr, rng.randint(0, 40), int(rng.paretovariate(1.2) * 50) if dr > 10 else 0, rng.randint(0, 5000),
            rng.randint(0, 800), rng.randint(0, 300), int(rng.paretovariate(1.5)) - 1, rng.randint(0, 200),
            target, _words(rng, 4, 14), _words(rng, 1, 5), _words(rng, 4, 14),
            "", "", _weighted(rng, TYPES), "true" if rand() < 0.03 else "false",
            "true" if rand() < 0.6 else "false", "true" if rand() < 0.25 else "false",
            "true" if rand() < 0.03 else "false", "true" if rand() < 0.02 else "false",
            "true" if rand() < 0.3 else "false", "true",
            rng.choice(LOST_STATUS) if lost else "", rng.choice(DROP_REASONS) if lost and rand() < 0.6 else "",
            _weighted(rng, DISCOVERED), first.strftime("%Y-%m-%d %H:%M:%S"), last.strftime("%Y-%m-%d %H:%M:%S"),
            (last + dt.timedelta(days=rng.randrange(1, 30))).strftime("%Y-%m-%d %H:%M:%S") if lost else "",
            _words(rng, 2, 2).title() if rand() < 0.2 else "", rng.choice(PAGE_TYPES), rng.choice(CATEGORIES),
            rng.choices((1, 2, 3, 5), cum_weights=(85, 93, 97, 100))[0],
        ])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    text = out.getvalue()
    with open(tmp, "wb") as f:
        if form == "for-excel":
            f.write(b"\xff\xfe" + text.encode("utf-16-le"))
        else:
            f.write(text.encode("utf-8"))
    os.replace(tmp, path)
    return {"generator": GENERATOR_VERSION, "rows": rows, "hosts": n_hosts, "seed": seed, "form": form,
            "lost_rows": lost_rows, "bytes": path.stat().st_size}


def ensure_data(data_dir: Path, rows: int, n_hosts: int, seed: int, form: str) -> tuple[Path, dict, float | None]:
    folder = data_dir / f"ahrefs-{form}-rows{rows}-hosts{n_hosts}-seed{seed}"
    path = folder / FILENAME
    meta_path = folder / "meta.json"
    wanted = {"generator": GENERATOR_VERSION, "rows": rows, "hosts": n_hosts, "seed": seed, "form": form}
    meta = cached_meta(path, meta_path, wanted)
    if meta:
        return path, meta, None
    t = time.perf_counter()
    meta = generate(path, rows, n_hosts, seed, form)
    elapsed = time.perf_counter() - t
    meta_path.write_text(json.dumps(meta, indent=1))
    return path, meta, elapsed


# --- measuring -----------------------------------------------------------------------


def pandas_args(form: str) -> list[str]:
    return ["utf-16", "\t"] if form == "for-excel" else ["utf-8", ","]


def measure_parse(path: Path, then: str) -> tuple[float, float, float, dict]:
    wall, peak, cpu, out, _ = run_wrapped([sys.executable, "-c", PARSE, str(path), SITE, then])
    return wall, peak, cpu, json.loads(out.strip().splitlines()[-1])


def measure_bare_process(path: Path, form: str) -> tuple[float, float, float]:
    wall, peak, cpu, _, _ = run_wrapped([sys.executable, "-c", READ_CSV_PROCESS, str(path), *pandas_args(form)])
    return wall, peak, cpu


def measure_bare_call(path: Path, form: str) -> tuple[float, int]:
    p = subprocess.run([sys.executable, "-c", READ_CSV_CALL, str(path), *pandas_args(form)],
                       capture_output=True, text=True, check=True)
    seconds, rows = p.stdout.split()
    return float(seconds), int(rows)


def measure_import(path: Path, tmp_dir: Path | None) -> tuple[float, float, float, int, str]:
    """``gsc-backlinks import`` into a fresh store: (wall s, peak RSS MiB, CPU s, rows stored, its output)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="gsc-bench-", dir=tmp_dir) as tmp:
        store = Path(tmp) / "bench.duckdb"
        wall, peak, cpu, out, err = run_wrapped([*gsc_backlinks_cmd(), "--store", str(store), "import", str(path),
                                                 "--site", SITE])
        rows = query_store(store, "select count(*) from link_observations")[0][0]
    return wall, peak, cpu, rows, (out + err).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=None, help="rows in the export (default 1,000,000; --quick 100,000)")
    parser.add_argument("--hosts", type=int, default=None, help="distinct linking hosts (default 100,000; --quick 10,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100,000 rows over 10,000 hosts")
    parser.add_argument("--form", choices=("utf-8", "for-excel"), default="utf-8",
                        help="Ahrefs' UTF-8 CSV (default) or its UTF-16LE tab-separated 'for Excel' form")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported (default 3)")
    parser.add_argument("--seed", type=int, default=20260901, help="random seed of the generated data")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data", help="where exports are generated (default benchmarks/data/)")
    parser.add_argument("--no-duckdb", action="store_true", help="skip the (informative) parse + DuckDB insert runs")
    parser.add_argument("--tmp-dir", type=Path, default=None, help="where the import's store is made (default: the system's)")
    args = parser.parse_args(argv)
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    n_hosts = max(1, min(args.hosts or (10_000 if args.quick else 100_000), rows))
    clean_env()
    started = time.perf_counter()
    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, pandas {_version('pandas')}, "
          f"pyarrow {_version('pyarrow')}, duckdb {_version('duckdb')}; {os.cpu_count()} CPUs, {platform.machine()}")
    path, meta, gen_seconds = ensure_data(args.data_dir, rows, n_hosts, args.seed, args.form)
    how = f"generated in {gen_seconds:.1f} s" if gen_seconds is not None else "reused"
    print(f"data: {path} ({how})")
    print(f"      {meta['rows']:,} rows ({meta['lost_rows']:,} lost links), {meta['hosts']:,} linking hosts, "
          f"{len(HEADER)} columns, {meta['bytes'] / 2**20:.1f} MiB, form {args.form}")
    print(ensure_bytecode())
    bare, bare_rss, bare_cpu, call, parse, parse_rss, parse_cpu, duck, duck_rss = ([] for _ in range(9))
    imp: list[float] = []
    imp_rss: list[float] = []
    imp_cpu: list[float] = []
    imp_rows, imp_out = 0, ""
    said: dict = {}
    for i in range(args.repeat):
        wall, peak, cpu = measure_bare_process(path, args.form)
        bare.append(wall)
        bare_rss.append(peak)
        bare_cpu.append(cpu)
        seconds, df_rows = measure_bare_call(path, args.form)
        call.append(seconds)
        wall, peak, cpu, said = measure_parse(path, "none")
        parse.append(wall)
        parse_rss.append(peak)
        parse_cpu.append(cpu)
        line = (f"  run {i + 1}/{args.repeat}: bare process {bare[-1]:.2f} s (peak {bare_rss[-1]:.0f} MiB), "
                f"read_csv call {seconds:.2f} s ({df_rows:,} rows), parse {wall:.2f} s (CPU {cpu:.2f} s, peak {peak:.0f} MiB)")
        wall, peak, cpu, imp_rows, imp_out = measure_import(path, args.tmp_dir)
        imp.append(wall)
        imp_rss.append(peak)
        imp_cpu.append(cpu)
        line += f", import {wall:.2f} s (CPU {cpu:.2f} s, peak {peak:.0f} MiB)"
        if not args.no_duckdb:
            wall, peak, _, duck_said = measure_parse(path, "duckdb")
            duck.append(wall)
            duck_rss.append(peak)
            line += f", parse + DuckDB {wall:.2f} s (peak {peak:.0f} MiB; {duck_said['stored'][0]:,} rows stored)"
        print(line, flush=True)
    print(f"parse said: {said['label']}, {said['rows']:,} rows, {said['columns']} columns, snapshot {said['date']} "
          f"(from the {said['date_source']}), {said['skipped']} lines skipped; notes: {said['notes'] or 'none'}"
          f"; pandas imported: {said['pandas']}")
    print(f"import said: {imp_out.splitlines()[0] if imp_out else '(nothing)'}")
    med = statistics.median
    m_bare, m_call, m_parse, m_rss = med(bare), med(call), med(parse), med(parse_rss)
    m_imp, m_imp_rss = med(imp), med(imp_rss)
    ratio, ratio_call, ratio_parse = m_imp / m_bare, m_imp / m_call, m_parse / m_bare
    print()
    print(f"medians of {args.repeat} runs, {rows:,} rows")
    table = [
        ("bare pandas.read_csv call", f"{m_call:.2f} s", ""),
        ("bare read_csv whole process", f"{m_bare:.2f} s", f"peak {med(bare_rss):.0f} MiB, CPU {med(bare_cpu):.2f} s"),
        ("collect + parse_vendor_export (process)", f"{m_parse:.2f} s", f"peak {m_rss:.0f} MiB, CPU {med(parse_cpu):.2f} s"),
        ("gsc-backlinks import (process)", f"{m_imp:.2f} s", f"peak {m_imp_rss:.0f} MiB, CPU {med(imp_cpu):.2f} s"),
    ]
    if duck:
        table.append(("  ... + DuckDB CREATE TABLE AS", f"{med(duck):.2f} s", f"peak {med(duck_rss):.0f} MiB (for information)"))
    table += [
        ("ratio import / bare process", f"{ratio:.2f}x", f"target <= {TARGET_RATIO:.1f}x"),
        ("ratio import / bare call", f"{ratio_call:.2f}x", "(for information)"),
        ("ratio parse / bare process", f"{ratio_parse:.2f}x", "(for information)"),
    ]
    print_table(table, notes=True)
    print()
    print(f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'} import time: {ratio:.2f}x the bare read_csv process (target <= {TARGET_RATIO:.1f}x)")
    print(f"{'PASS' if m_imp_rss <= TARGET_PEAK_MB else 'FAIL'} import peak RSS: {m_imp_rss:.0f} MiB (target <= {TARGET_PEAK_MB} MiB)")
    ok_rows = said["rows"] == rows and said["skipped"] == 0 and imp_rows == rows
    print(f"rows read: {said['rows']:,}, stored: {imp_rows:,} ({'all' if ok_rows else 'NOT all'} of the {rows:,} rows written)")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_main(main)
