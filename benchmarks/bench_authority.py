#!/usr/bin/env python
"""Benchmark: ``gsc-backlinks authority load`` of a Common Crawl-size domain ranks file.

Generates (once, deterministically, cached) a Common Crawl-format domain ranks
file, ``cc-main-2099-bench-domain-ranks.txt.gz``: 50,000,000 lines by default,
gzip -1, the real header and line shapes
(``123<TAB>1.2345678E7<TAB>456<TAB>1.2345678901234567E-8<TAB>com.somename<TAB>3``),
reversed names over common and multi-label suffixes, sorted by harmonic-centrality
position.  It also writes a "More sample links" export whose URLs come from a
few thousand registrable domains, some listed in the rank file and some not,
and imports it into a fresh store.  Then, in the same run, it times

* the baseline: ``zcat FILE > /dev/null`` (whole process);
* ``gsc-backlinks --store STORE authority load FILE`` (whole process, with the
  child's peak RSS), on a fresh store each run,

and checks that every listed linking domain, and no other, is ranked.
Targets: load <= 2.0x zcat, peak RSS <= 300 MiB.  Unlike the other benchmarks,
the exit code is 1 when a target is missed or the ranks found are wrong
(2 if something could not run).

    python benchmarks/bench_authority.py            # 50,000,000 lines (about a minute to generate the first time)
    python benchmarks/bench_authority.py --quick    # 2,000,000 lines: a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The import benchmark's word list, cache check, command, table, store query and whole-process measuring
# (wrapper + RUSAGE_CHILDREN).
from bench_import import (  # noqa: E402  (beside this file, once sys.path has it)
    WORDS,
    _version,
    cached_meta,
    clean_env,
    ensure_bytecode,
    gsc_backlinks_cmd,
    print_table,
    query_store,
    run_main,
    run_wrapped,
)

SITE = "https://www.example.com/"
SNAPSHOT_DATE = "2026-11-17"
RANKS_NAME = "cc-main-2099-bench-domain-ranks.txt.gz"
LINKS_NAME = "https___www.example.com_-More sample links-2026-11-17.csv"
CC_HEADER = "#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev\t#n_hosts"
GENERATOR_VERSION = 1  # bump when the generated data changes
TARGET_RATIO, TARGET_PEAK_MB = 2.0, 300
CHUNK = 1_000_000  # lines generated at a time

# (reversed suffix with its dot, weight): as in the web graph, .com first, multi-label suffixes too.
SUFFIXES = [
    ("com", 45), ("de", 8), ("net", 5), ("org", 6), ("uk.co", 5), ("ru", 4), ("fr", 3), ("nl", 3),
    ("jp", 2), ("jp.co", 1), ("au.com", 2), ("io", 2), ("info", 2), ("it", 2), ("es", 2), ("pl", 2),
    ("br.com", 2), ("in", 1), ("ca", 1), ("ch", 1),
]
GOLDEN = 0x9E3779B97F4A7C15
P6, P7 = 7_919_423, 1_000_003  # multipliers coprime with 26: i -> i*P mod 26^k is a bijection
# Naming patterns, by (h >> 16) % 10: 0-5 word+word+6 letters, 6-7 word-word+digits, 8-9 seven letters.

# --- data generation ---------------------------------------------------------------------


def _mix_np(i, seed: int):
    import numpy as np

    h = i * np.uint64(GOLDEN) + np.uint64(seed)
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return h


def _suffix_cum() -> list[int]:
    total = sum(w for _, w in SUFFIXES)
    out, acc = [], 0
    for _, w in SUFFIXES[:-1]:
        acc += w
        out.append(acc * 65536 // total)
    return out


def _java_float(v: float) -> str:
    """Java's Float.toString shape, as Common Crawl writes harmonic centrality: 3.1283532E7, 412345.7."""
    if v >= 1e7:
        mantissa, exp = f"{v:.7E}".split("E")
        return f"{mantissa}E{int(exp)}"
    return f"{v:.1f}"


def _java_double(v: float) -> str:
    """Java's Double.toString shape for PageRank values: 1.2345678901234567E-8."""
    mantissa, exp = f"{v:.16E}".split("E")
    return f"{mantissa}E{int(exp)}"


def generate_lines(i, n: int, seed: int, pools: dict):
    """The lines at 0-based positions ``i`` (a uint64 array; line i has rank i + 1) of an n-line file
    as an Arrow table, every column computed vectorized from i alone."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    h = _mix_np(i, seed)
    suffix = np.searchsorted(pools["suffix_cum"], (h & np.uint64(0xFFFF)).astype(np.int64), side="right")
    pattern = ((h >> np.uint64(16)) % np.uint64(10)).astype(np.int64)
    w = np.uint64(len(WORDS))
    w1 = pools["words"].take(pa.array((h >> np.uint64(20)) % w))
    w2 = pools["words"].take(pa.array((h >> np.uint64(32)) % w))
    dotted = pools["suffixes"].take(pa.array(suffix))

    def letters(values, width):
        powers = np.uint64(26) ** np.arange(width - 1, -1, -1, dtype=np.uint64)
        digits = ((values[:, None] // powers[None, :]) % np.uint64(26) + np.uint64(97)).astype(np.uint8)
        return pa.array(np.ascontiguousarray(digits).view(f"S{width}").ravel(), pa.binary(width)).cast(pa.string())

    code6 = letters(i * np.uint64(P6) % np.uint64(26 ** 6), 6)
    code7 = letters(i * np.uint64(P7) % np.uint64(26 ** 7), 7)
    number = pc.cast(pa.array(i), pa.string())
    join = pc.binary_join_element_wise
    name = pc.choose(pa.array(np.where(pattern < 6, 0, np.where(pattern < 8, 1, 2)), pa.int8()),
                     join(dotted, w1, w2, code6, ""),
                     join(dotted, w1, "-", w2, number, ""),
                     join(dotted, code7, ""))
    # Harmonic centrality falls with the position; PageRank positions and values only roughly follow.
    hc_index = np.minimum(len(pools["hc"]) - 1, (np.log1p(i) / np.log1p(n) * len(pools["hc"])).astype(np.int64))
    pr_pos = ((h >> np.uint64(24)) % np.uint64(n)).astype(np.int64) + 1
    return pa.table({
        "harmonicc_pos": pa.array(i.astype(np.int64) + 1),
        "harmonicc_val": pools["hc"].take(pa.array(hc_index)),
        "pr_pos": pa.array(pr_pos),
        "pr_val": pools["pr"].take(pa.array((h >> np.uint64(40)) % np.uint64(len(pools["pr"])))),
        "host_rev": name,
        "n_hosts": pools["n_hosts"].take(pa.array((h >> np.uint64(56)) % np.uint64(len(pools["n_hosts"])))),
    })


def _pools(seed: int) -> dict:
    import random

    import numpy as np
    import pyarrow as pa

    rng = random.Random(seed)
    hc = sorted((3.2e7 * (0.02 + 0.98 * (1 - k / 4096) ** 6) for k in range(4096)), reverse=True)
    n_hosts = [1] * 40 + [2] * 10 + [3] * 5 + [rng.randint(4, 40) for _ in range(7)] + [rng.randint(100, 50_000) for _ in range(2)]
    return {
        "suffix_cum": np.array(_suffix_cum(), dtype=np.int64),
        "suffixes": pa.array([s + "." for s, _ in SUFFIXES]),
        "words": pa.array(WORDS),
        "hc": pa.array([_java_float(v * (1 + rng.random() * 1e-4)) for v in hc]),
        "pr": pa.array([_java_double(10 ** rng.uniform(-10.5, -4.5)) for _ in range(65536)]),
        "n_hosts": pa.array([str(v) for v in n_hosts]),
    }


def generate_ranks(path: Path, n: int, seed: int) -> dict:
    """Write the gzip through `gzip -1` (a second core compresses while this one generates)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if n >= 26 ** 6:
        raise RuntimeError(f"--lines must be below {26 ** 6:,} (the names would repeat)")
    pools = _pools(seed)
    options = pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        gz = subprocess.Popen(["gzip", "-1", "-c"], stdin=subprocess.PIPE, stdout=out)
        try:
            gz.stdin.write((CC_HEADER + "\n").encode())
            raw = 0
            for start in range(0, n, CHUNK):
                buf = pa.BufferOutputStream()
                lines = np.arange(start, min(n, start + CHUNK), dtype=np.uint64)
                pcsv.write_csv(generate_lines(lines, n, seed, pools), buf, options)
                data = buf.getvalue()
                raw += data.size
                gz.stdin.write(memoryview(data))
            gz.stdin.close()
        finally:
            if gz.wait() != 0:
                raise RuntimeError(f"gzip -1 exited {gz.returncode}")
    os.replace(tmp, path)
    return {"text_bytes": raw + len(CC_HEADER) + 1, "bytes": path.stat().st_size}


def pick_domains(n: int, seed: int, listed: int, absent: int) -> tuple[list[str], list[str]]:
    """Linking domains: `listed` of the rank file's (a few from the top, the rest spread), `absent` not in it."""
    import random

    import numpy as np

    rng = random.Random(seed + 1)
    lines = set(rng.sample(range(min(n, 1000)), min(n, 1000, listed // 20)))
    while len(lines) < min(listed, n):
        lines.add(rng.randrange(n))
    # Those lines' names as the rank file has them (com.wordword), spelt forward (wordword.com).
    names = generate_lines(np.array(sorted(lines), dtype=np.uint64), n, seed, _pools(seed))["host_rev"]
    present = sorted({".".join(reversed(name.split("."))) for name in names.to_pylist()})
    suffixes = [".".join(reversed(s.split("."))) for s, _ in SUFFIXES]
    missing = set()
    while len(missing) < absent:
        # "-nolist" then a suffix: no generated label ends in a letter after a hyphen and digits.
        missing.add(f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.randrange(10 ** 6)}-nolist.{rng.choice(suffixes)}")
    return present, sorted(missing)


def write_links(path: Path, domains: list[str], seed: int) -> int:
    """A More sample links export: 1-4 URLs on each linking domain, on www., a subdomain or the bare domain."""
    import random

    rng = random.Random(seed + 2)
    urls = set()
    for domain in domains:
        for _ in range(rng.randint(1, 4)):
            host = rng.choice(("www.", "www.", "", "blog.", "m.", "forum.")) + domain
            slug = "-".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
            urls.add(f"{rng.choice(('https', 'https', 'http'))}://{host}/{rng.choice(('blog', 'news', 'p', 'docs'))}/{slug}")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Linking page\n")
        f.writelines(u + "\n" for u in sorted(urls))
    return len(urls)


def ensure_data(data_dir: Path, n: int, seed: int, listed: int, absent: int) -> tuple[Path, Path, dict, float | None]:
    folder = data_dir / f"authority-lines{n}-seed{seed}"
    ranks_path, meta_path = folder / RANKS_NAME, folder / "meta.json"
    wanted = {"generator": GENERATOR_VERSION, "lines": n, "seed": seed}
    meta = cached_meta(ranks_path, meta_path, wanted)
    elapsed = None
    if not meta:
        t = time.perf_counter()
        meta = {**wanted, **generate_ranks(ranks_path, n, seed)}
        elapsed = time.perf_counter() - t
        meta["seconds"] = round(elapsed, 1)
        meta_path.write_text(json.dumps(meta, indent=1))
    # The linking domains are cheap: made again on every run (their count is an option).
    present, missing = pick_domains(n, seed, listed, absent)
    links_path = folder / LINKS_NAME
    urls = write_links(links_path, present + missing, seed)
    meta = {**meta, "present": present, "missing": missing, "urls": urls}
    return ranks_path, links_path, meta, elapsed


# --- measuring ------------------------------------------------------------------------------


def gsc(store: Path, *args: str) -> list[str]:
    return [*gsc_backlinks_cmd(), "--store", str(store), *args]


def make_store(folder: Path, links_path: Path) -> Path:
    store = folder / "bench.duckdb"
    for leftover in (store, Path(f"{store}.wal")):
        leftover.unlink(missing_ok=True)
    subprocess.run(gsc(store, "import", str(links_path), "--site", SITE, "--date", SNAPSHOT_DATE),
                   check=True, capture_output=True, text=True)
    return store


def ranked_domains(store: Path) -> set[str]:
    return {r[0] for r in query_store(store, "select domain from domain_ranks where rank is not null")}


LOAD_SAID = re.compile(r"\(([\d,]+) domains\): ([\d,]+) of ([\d,]+) linking domains ranked")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=None, help="lines of the rank file (default 50,000,000; --quick 2,000,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000,000 lines")
    parser.add_argument("--listed", type=int, default=3000, help="linking domains that are in the rank file (default 3,000)")
    parser.add_argument("--absent", type=int, default=2000, help="linking domains that are not (default 2,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported (default 3)")
    parser.add_argument("--seed", type=int, default=20261117, help="random seed of the generated data")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data", help="where the data is generated (default benchmarks/data/)")
    parser.add_argument("--tmp-dir", type=Path, default=None,
                        help="where the throw-away stores are made (default: the system temp folder)")
    args = parser.parse_args(argv)
    n = args.lines or (2_000_000 if args.quick else 50_000_000)
    clean_env()
    print(ensure_bytecode())
    started = time.perf_counter()

    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, pyarrow {_version('pyarrow')}, "
          f"duckdb {_version('duckdb')}, {subprocess.run(['gzip', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}; "
          f"{os.cpu_count()} CPUs, {platform.machine()}")
    ranks_path, links_path, meta, gen = ensure_data(args.data_dir, n, args.seed, args.listed, args.absent)
    how = f"generated in {gen:.1f} s" if gen is not None else f"reused; generated in {meta.get('seconds', '?')} s"
    print(f"rank file: {ranks_path} ({how})")
    print(f"           {n:,} lines, {meta['bytes'] / 2**20:,.0f} MiB gzip -1 ({meta['text_bytes'] / 2**20:,.0f} MiB of text)")
    present, missing = set(meta["present"]), set(meta["missing"])
    print(f"links export: {meta['urls']:,} URLs on {len(present):,} domains listed in the file and {len(missing):,} not")

    tmp_root = Path(tempfile.mkdtemp(prefix="gsc-bench-authority-", dir=args.tmp_dir))
    try:
        t = time.perf_counter()
        make_store(tmp_root, links_path)
        print(f"store: fresh per run under {tmp_root} (import took {time.perf_counter() - t:.1f} s)")
        zcat = ["sh", "-c", 'zcat "$1" > /dev/null', "zcat", str(ranks_path)]
        run_wrapped(zcat)  # warm the page cache, so both meet the same file in memory
        zcats, loads, peaks, cpus, said = [], [], [], [], ""
        for i in range(args.repeat):
            wall, _, _, _, _ = run_wrapped(zcat)
            zcats.append(wall)
            store = make_store(tmp_root, links_path)
            wall, peak, cpu, out, err = run_wrapped(gsc(store, "authority", "load", str(ranks_path)))
            loads.append(wall)
            peaks.append(peak)
            cpus.append(cpu)
            said = out.strip()
            print(f"  run {i + 1}/{args.repeat}: zcat {zcats[-1]:.2f} s, authority load {wall:.2f} s "
                  f"(CPU {cpu:.2f} s), peak {peak:.0f} MiB", flush=True)
        ranked = ranked_domains(store)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    print("load said: " + said)

    med = statistics.median
    m_zcat, m_load, m_peak = med(zcats), med(loads), max(peaks)
    ratio = m_load / m_zcat
    parsed = LOAD_SAID.search(said)
    list_size, matched = (int(parsed.group(1).replace(",", "")), int(parsed.group(2).replace(",", ""))) if parsed else (None, None)
    right = ranked == present and list_size == n
    print()
    print(f"medians of {args.repeat} runs")
    table = [
        ("lines", f"{n:,}", ""),
        ("file size", f"{meta['bytes'] / 2**20:,.0f} MiB", "gzip -1"),
        ("zcat FILE > /dev/null", f"{m_zcat:.2f} s", "baseline"),
        ("authority load", f"{m_load:.2f} s", f"CPU {med(cpus):.2f} s (whole process, store written)"),
        ("ratio load / zcat", f"{ratio:.2f}x", f"target <= {TARGET_RATIO:.1f}x"),
        ("peak RSS (largest run)", f"{m_peak:.0f} MiB", f"target <= {TARGET_PEAK_MB} MiB"),
        ("domains matched", f"{matched:,}" if matched is not None else "?",
         f"of {len(present) + len(missing):,} linking domains; {len(present):,} expected"),
    ]
    print_table(table, notes=True)
    print()
    ok_time, ok_rss = ratio <= TARGET_RATIO, m_peak <= TARGET_PEAK_MB
    print(f"{'PASS' if ok_time else 'FAIL'} load time: {ratio:.2f}x zcat (target <= {TARGET_RATIO:.1f}x)")
    print(f"{'PASS' if ok_rss else 'FAIL'} load peak RSS: {m_peak:.0f} MiB (target <= {TARGET_PEAK_MB} MiB)")
    if right:
        print(f"PASS ranks: exactly the {len(present):,} listed linking domains ranked; list size {list_size:,}")
    else:
        wrong = ranked - present
        lost = present - ranked
        print(f"FAIL ranks: list size {list_size} (expected {n:,}); {len(lost):,} listed domains not ranked "
              f"(e.g. {sorted(lost)[:3]}), {len(wrong):,} ranked that are not listed (e.g. {sorted(wrong)[:3]})")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0 if ok_time and ok_rss and right else 1


if __name__ == "__main__":
    run_main(main)
