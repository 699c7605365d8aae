"""Figures computed once and stored: `page URL` and `links domains --sort value` against `links sources`.

Link value needs relevance, a TF-IDF model over the property's queries and
linking pages (scikit-learn: ~0.8 s to import, more to fit).  It is stored with
the inputs it was computed from and read back while they hold, so a view that
shows values should cost about what a view without them costs.

On the demo store (``gsc-backlinks demo``'s sample data), each command is run
as a whole process (``/usr/bin/time``-style wrapper: wall, CPU, peak RSS):

* cold: once, right after loading the data (computes relevance and stores it);
* warm: ``--repeat`` times (median reported) with the ratings stored.

Target: warm `page URL` and warm `links domains --sort value` each within 2x of
`links sources` (median of 5 runs, same run).

    python benchmarks/bench_values.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_import import (  # noqa: E402  (beside this file, once sys.path has it)
    clean_env,
    ensure_bytecode,
    gsc_backlinks_cmd,
    print_table,
    query_store,
    run_main,
    run_wrapped,
)

TARGET = 2.0
PAGE = "/guides/composting/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per command (median reported)")
    args = parser.parse_args(argv)
    clean_env()
    print(ensure_bytecode())

    from gsc_backlinks.jobs.demo import DEMO_SITE, load_sample_data

    with tempfile.TemporaryDirectory(prefix="bench-values-") as tmp:
        store = Path(tmp) / "demo.duckdb"
        load_sample_data(store)
        base = [*gsc_backlinks_cmd(), "--store", str(store)]
        commands = {
            "links sources": [*base, "links", "sources", "--site", DEMO_SITE],
            "links domains --sort value": [*base, "links", "domains", "--site", DEMO_SITE, "--sort", "value"],
            "page URL": [*base, "page", PAGE, "--site", DEMO_SITE],
        }
        cold = {name: run_wrapped(cmd) for name, cmd in commands.items()}
        runs = query_store(store, "SELECT count(*) FROM relevance_runs")[0][0]
        ratings = query_store(store, "SELECT count(*) FROM relevance")[0][0]
        warm = {name: [run_wrapped(cmd) for _ in range(args.repeat)] for name, cmd in commands.items()}

    def median(name: str, i: int) -> float:
        return statistics.median(r[i] for r in warm[name])

    base_wall = median("links sources", 0)
    rows = [("command", "cold wall (s)", "warm wall, median (s)", "warm CPU (s)", "warm peak (MiB)", "vs links sources")]
    failed = False
    for name in commands:
        ratio = median(name, 0) / base_wall
        rows.append((name, f"{cold[name][0]:.2f}", f"{median(name, 0):.2f}", f"{median(name, 2):.2f}",
                     f"{median(name, 1):.0f}", f"{ratio:.2f}x"))
        if name != "links sources" and ratio > TARGET:
            failed = True
    print(f"\nDemo store; whole processes; warm = median of {args.repeat}; relevance stored after the cold runs: "
          f"{runs} run(s), {ratings:,} ratings")
    print_table(rows)
    for name in ("links domains --sort value", "page URL"):
        ratio = median(name, 0) / base_wall
        print(f"{'PASS' if ratio <= TARGET else 'FAIL'} {name}: {ratio:.2f}x links sources (target <= {TARGET:.0f}x)")
    return 1 if failed else 0


if __name__ == "__main__":
    run_main(main)
