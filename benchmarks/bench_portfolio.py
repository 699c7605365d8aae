#!/usr/bin/env python
"""Benchmark: ``gsc-backlinks report weekly --all --offline`` over many properties vs one process per property.

Generates (once, deterministically) one store holding N properties (default 50), each with its own data
made by the report benchmark's generator (bench_report: 4 snapshots of More sample links, Latest links,
Top target pages, Top linking sites and Top linking text; 16 months of search data), by default 20,000
sample links and 300,000 search rows per property, and a configuration file listing them.  Then, in the
same run and in fresh processes, on a copy of that store:

* one property: ``gsc-backlinks --store S report weekly --site P --offline --out T --now NOW`` for a few
  properties (whole process; the median is one property's time, and N times it the baseline);
* all of them: ``gsc-backlinks --store S --config C report weekly --all --offline --out T --now NOW``
  (whole process, peak RSS);
* the first N/5 of them the same way, to show that the peak does not grow with the number of properties.

The store is warmed first by one ``--all`` run (the relevance ratings it computes are kept in the store), so
every measured run reads the same store.
Targets: time(--all) <= 0.6 x N x time(one), peak RSS <= 1.5 GB, and no more at N than at N/5 (+10%).
A report, not a test: exit code 0 whatever the figures, non-zero only if something could not run.

    python benchmarks/bench_portfolio.py            # 50 properties x (20,000 links, 300,000 search rows); 10 vs 50
    python benchmarks/bench_portfolio.py --quick    # 10 properties x (5,000 links, 60,000 search rows); 2 vs 10
"""

from __future__ import annotations

import argparse
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
import bench_report  # noqa: E402  (beside this file, once sys.path has it: its generator makes each property)
from bench_import import (  # noqa: E402
    _version,
    cached_meta,
    clean_env,
    ensure_bytecode,
    gsc_backlinks_cmd,
    print_table,
    run_main,
    run_wrapped,
)

NOW = bench_report.NOW
GENERATOR_VERSION = 1  # bump when the generated data changes
TARGET_RATIO, TARGET_PEAK_MB, TARGET_GROWTH = 0.6, 1536, 1.10


def site_of(i: int) -> str:
    return f"https://www.client{i:03d}.example/"


def build_store(path: Path, properties: int, links: int, perf_rows: int, seed: int) -> dict:
    """A fresh store holding every property's generated data (bench_report's generator, one seed each)."""
    import numpy as np

    from gsc_backlinks.store import open_store, transaction

    with open_store(path, write=True) as con:
        for i in range(properties):
            # The generator writes for bench_report.SITE: point it at this property while it runs.
            bench_report.SITE = site_of(i)
            rng, npr = random.Random(seed + i), np.random.default_rng(seed + i)
            pages = bench_report.site_urls(rng)
            with transaction(con):
                bench_report.add_links(con, rng, npr, links, pages)
                bench_report.add_search(con, npr, perf_rows, pages)
            print(f"  generated property {i + 1}/{properties}", end="\r", flush=True)
        print()
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in bench_report.TABLES}


def ensure_store(data_dir: Path, properties: int, links: int, perf_rows: int, seed: int) -> tuple[Path, dict, float | None]:
    from gsc_backlinks.store.migrations import SCHEMA_VERSION

    folder = data_dir / f"portfolio-p{properties}-links{links}-perf{perf_rows}-seed{seed}"
    path, meta_path = folder / "store.duckdb", folder / "meta.json"
    wanted = {"generator": GENERATOR_VERSION, "report_generator": bench_report.GENERATOR_VERSION,
              "schema": SCHEMA_VERSION, "properties": properties, "links": links, "perf_rows": perf_rows, "seed": seed}
    meta = cached_meta(path, meta_path, wanted)
    if meta:
        return path, meta, None
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "store.duckdb.tmp"
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    t = time.perf_counter()
    counts = build_store(tmp, properties, links, perf_rows, seed)
    elapsed = time.perf_counter() - t
    os.replace(tmp, path)
    meta = {**wanted, "rows": counts, "bytes": path.stat().st_size, "seconds": round(elapsed, 1)}
    meta_path.write_text(json.dumps(meta, indent=1))
    return path, meta, elapsed


def write_config(path: Path, properties: int) -> Path:
    lines = ['[defaults]\nout = "reports"\n']
    for i in range(properties):
        lines.append(f'[[property]]\nname = "client{i:03d}"\nsite = "{site_of(i)}"\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(cmd: list[str], out: Path) -> dict:
    """One command in a fresh process, writing into a fresh `out`: wall, peak RSS, CPU, reports written."""
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, cpu, _, _ = run_wrapped(cmd)
    reports = len(list(out.glob("*/*/index.html")))
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": wall, "peak": peak, "cpu": cpu, "reports": reports}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--properties", type=int, default=None, help="properties in the store (default 50; --quick 10)")
    parser.add_argument("--links", type=int, default=None, help="sample links per property (default 20,000; --quick 5,000)")
    parser.add_argument("--perf-rows", type=int, default=None, help="search rows per property (default 15 per link)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 properties of 5,000 links and 75,000 search rows")
    parser.add_argument("--singles", type=int, default=5, help="properties timed alone, one process each (default 5)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each --all measurement; the median is reported")
    parser.add_argument("--seed", type=int, default=20261124, help="random seed of the generated data")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data", help="where stores are generated (default benchmarks/data/)")
    parser.add_argument("--tmp-dir", type=Path, default=None, help="where the store is copied and reports written")
    args = parser.parse_args(argv)
    n = args.properties or (10 if args.quick else 50)
    links = args.links or (5_000 if args.quick else 20_000)
    perf = args.perf_rows or 15 * links
    few = max(1, n // 5)
    clean_env()
    print(ensure_bytecode())
    started = time.perf_counter()
    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, duckdb {_version('duckdb')}, "
          f"pyarrow {_version('pyarrow')}; {os.cpu_count()} CPUs, {platform.machine()}")
    path, meta, gen = ensure_store(args.data_dir, n, links, perf, args.seed)
    r = meta["rows"]
    how = f"generated in {gen:.1f} s" if gen is not None else f"reused; generated in {meta['seconds']} s"
    print(f"store: {path} ({how}), {meta['bytes'] / 2**20:.0f} MiB: {n} properties x ({links:,} sample links, "
          f"{perf:,} search rows); linking_pages {r['linking_pages']:,}, search rows "
          f"{r['search_pages'] + r['search_queries']:,}, snapshots {r['snapshots']:,}")
    tmp_root = Path(tempfile.mkdtemp(prefix="gsc-bench-portfolio-", dir=args.tmp_dir))
    try:
        store = tmp_root / "store.duckdb"
        shutil.copyfile(path, store)
        out = tmp_root / "reports"
        configs = {k: write_config(tmp_root / f"all-{k}.toml", k) for k in {n, few}}
        base = [*gsc_backlinks_cmd(), "--store", str(store)]

        def all_cmd(k: int) -> list[str]:
            return [*base, "--config", str(configs[k]), "report", "weekly", "--all", "--offline", "--out", str(out),
                    "--now", NOW, "-q"]

        t = time.perf_counter()
        warm = measure(all_cmd(n), out)
        print(f"warm-up --all (relevance ratings computed and kept in the store): {time.perf_counter() - t:.1f} s, "
              f"{warm['reports']} reports")

        singles = []
        picks = sorted({round(i * (n - 1) / max(1, args.singles - 1)) for i in range(args.singles)})
        for i in picks:
            f = measure([*base, "report", "weekly", "--site", site_of(i), "--offline", "--out", str(out), "--now", NOW],
                        out)
            singles.append(f)
            print(f"  one property ({site_of(i)}): {f['wall']:.2f} s (CPU {f['cpu']:.2f} s), peak {f['peak']:.0f} MiB",
                  flush=True)
        alls: dict[int, list[dict]] = {n: [], few: []}
        for _ in range(args.repeat):
            for k in (few, n) if few != n else (n,):
                f = measure(all_cmd(k), out)
                alls[k].append(f)
                print(f"  --all of {k} properties: {f['wall']:.2f} s (CPU {f['cpu']:.2f} s), peak {f['peak']:.0f} MiB, "
                      f"{f['reports']} reports", flush=True)

        one = statistics.median(f["wall"] for f in singles)
        one_cpu = statistics.median(f["cpu"] for f in singles)
        one_peak = max(f["peak"] for f in singles)
        med = {k: {m: statistics.median(f[m] for f in fs) for m in ("wall", "cpu", "peak")} for k, fs in alls.items() if fs}
        ratio = med[n]["wall"] / (n * one)
        print()
        table = [("", "one property (median)", f"{n} x one (baseline)", f"--all of {few}", f"--all of {n}")]
        table += [
            ("wall", f"{one:.2f} s", f"{n * one:.1f} s", f"{med[few]['wall']:.1f} s", f"{med[n]['wall']:.1f} s"),
            ("per property", f"{one:.2f} s", f"{one:.2f} s", f"{med[few]['wall'] / few:.2f} s", f"{med[n]['wall'] / n:.2f} s"),
            ("CPU (user+sys)", f"{one_cpu:.2f} s", f"{n * one_cpu:.1f} s", f"{med[few]['cpu']:.1f} s", f"{med[n]['cpu']:.1f} s"),
            ("peak RSS", f"{one_peak:.0f} MiB", "", f"{med[few]['peak']:.0f} MiB", f"{med[n]['peak']:.0f} MiB"),
        ]
        print_table(table)
        print()
        growth = med[n]["peak"] / med[few]["peak"]
        print(f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'} --all of {n} takes {ratio:.2f}x the time of {n} one-property "
              f"processes ({med[n]['wall']:.1f} s vs {n * one:.1f} s; target <= {TARGET_RATIO}x)")
        print(f"{'PASS' if med[n]['peak'] <= TARGET_PEAK_MB else 'FAIL'} peak RSS of --all: {med[n]['peak']:.0f} MiB "
              f"(target <= {TARGET_PEAK_MB} MiB)")
        print(f"{'PASS' if growth <= TARGET_GROWTH else 'FAIL'} peak RSS at {n} properties is {growth:.2f}x that at {few} "
              f"({med[n]['peak']:.0f} vs {med[few]['peak']:.0f} MiB; target: not growing, <= {TARGET_GROWTH}x)")
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_main(main)
