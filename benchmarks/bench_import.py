#!/usr/bin/env python
"""Benchmark: ``gsc-backlinks import`` of a large "More sample links" export.

Generates (once, deterministically) a Search Console "More sample links" CSV of
realistic linking-page URLs and times, in the same run:

* bare ``pandas.read_csv(path)`` in a fresh process (the call alone, and the
  whole ``python -c "import pandas; pandas.read_csv(path)"`` process);
* ``gsc-backlinks --store <tmp>/bench.duckdb import <file> --site https://www.example.com/``
  (whole process, fresh store each run) with the child's peak RSS;
* that ``gsc-backlinks --help`` imports none of pandas, duckdb, pyarrow or the
  Google clients.

``GSC_BACKLINKS_*`` environment variables (but the lock timeout) are cleared first.

Every measurement runs 3 times (``--repeat``); medians are reported.  This is a
report, not a test: the exit code is 0 whatever the figures, non-zero only if
something could not be run.

    python benchmarks/bench_import.py            # 1,000,000 rows over ~100,000 hosts
    python benchmarks/bench_import.py --quick    # 100,000 rows: smoke run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
SITE = "https://www.example.com/"
FILENAME = "https___www.example.com_-More sample links-2026-05-18.csv"
GENERATOR_VERSION = 2  # bump when the generated data changes (2: rows in alphabetical order)
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1024
HEAVY_MODULES = ("pandas", "duckdb", "pyarrow", "googleapiclient", "google_auth_oauthlib")

# Runs one command and prints "<wall s> <child's max RSS in KiB> <exit code> <child CPU s>"
# as its last stdout line; being its own process, its RUSAGE_CHILDREN holds only that child.
WRAPPER = (
    "import resource,subprocess,sys,time; t=time.perf_counter(); r=subprocess.run(sys.argv[1:]); "
    "w=time.perf_counter()-t; u=resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(w, u.ru_maxrss, r.returncode, u.ru_utime+u.ru_stime)"
)
READ_CSV_CALL = (
    "import sys,time,pandas; p=sys.argv[1]; t=time.perf_counter(); df=pandas.read_csv(p); "
    "print(time.perf_counter()-t, len(df))"
)
QUERY_STORE = (
    "import duckdb,json,sys; con=duckdb.connect(sys.argv[1], read_only=True); "
    "print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))"
)
HELP_CHECK = (
    "import contextlib,io,json,sys,time; t=time.perf_counter()\n"
    "from gsc_backlinks.cli import main\n"
    "out=io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    try:\n"
    "        main(['--help'])\n"
    "    except SystemExit:\n"
    "        pass\n"
    "heavy=sys.argv[1].split(',')\n"
    "found=sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
    "print(json.dumps({'found': found, 'seconds': time.perf_counter()-t, 'help_chars': len(out.getvalue())}))\n"
)

# --- data generation ---------------------------------------------------------------

WORDS = ["about", "access", "account", "action", "active", "advice", "agency", "album", "analysis", "annual", "answer", "archive", "article", "artist", "audio", "auto", "award", "baby", "backup", "bank", "basic", "beach", "beauty", "best", "bike", "blog", "board", "book", "brand", "bridge", "budget", "build", "business", "buyer", "camera", "camp", "card", "career", "case", "cat", "center", "chart", "cheap", "city", "class", "classic", "clean", "climate", "cloud", "club", "coach", "code", "coffee", "college", "color", "community", "company", "compare", "compute", "contact", "content", "cook", "cool", "course", "craft", "credit", "culture", "custom", "cycle", "daily", "data", "deal", "design", "dev", "digital", "dinner", "direct", "doctor", "dog", "download", "dream", "drive", "easy", "eco", "edit", "energy", "engine", "event", "expert", "family", "fashion", "fast", "festival", "film", "finance", "fish", "fitness", "flight", "food", "forum", "free", "fresh", "fun", "game", "garden", "gear", "gift", "global", "gold", "golf", "green", "guide", "hair", "health", "help", "hiking", "history", "holiday", "home", "hotel", "house", "idea", "image", "index", "info", "insight", "island", "jazz", "job", "journal", "kids", "kitchen", "lab", "land", "law", "learn", "legal", "life", "light", "line", "list", "live", "local", "logo", "love", "magazine", "mail", "map", "market", "media", "medical", "meet", "metal", "mobile", "money", "motor", "mountain", "movie", "music", "nature", "network", "news", "night", "note", "ocean", "office", "online", "open", "outdoor", "paper", "park", "part", "party", "pet", "photo", "pixel", "place", "plan", "plant", "play", "plus", "point", "pop", "post", "power", "press", "price", "print", "pro", "project", "quick", "radio", "rank", "real", "recipe", "review", "ride", "river", "road", "rock", "room", "run", "safe", "sale", "school", "science", "sea", "search", "secure", "shop", "show", "simple", "site", "ski", "smart", "social", "soft", "solar", "sound", "space", "sport", "star", "start", "stock", "store", "story", "studio", "style", "summer", "super", "tech", "test", "text", "theme", "time", "tips", "tool", "top", "tour", "town", "toy", "trade", "travel", "trend", "trip", "truck", "tv", "uni", "urban", "value", "video", "view", "village", "vision", "voice", "walk", "watch", "water", "web", "week", "wiki", "wine", "winter", "wood", "work", "world", "write", "yoga", "young", "zone"]
GERMAN = ["über-uns", "größe", "grüße", "straßenbahn", "bücher", "müller", "küche", "schön", "öffnungszeiten", "prüfung", "führung", "gemüse", "frühstück", "häuser", "bäckerei", "zürich", "münchen", "köln", "düsseldorf", "äpfel", "übersicht", "rückblick", "lösungen", "anhänger", "fußball"]
JAPANESE = ["ブログ", "記事", "一覧", "ニュース", "お知らせ", "東京", "大阪", "京都", "商品", "レビュー", "旅行", "料理", "写真", "日記", "音楽", "映画", "会社概要", "お問い合わせ", "カテゴリー", "新着情報"]
SECTIONS = ["blog", "news", "article", "articles", "post", "posts", "p", "t", "threads", "forum", "topic", "wiki", "docs", "en", "de", "fr", "ja", "products", "product", "category", "tag", "tags", "archive", "archives", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "resources", "guides", "reviews", "events", "people", "member", "members", "page", "pages", "story", "stories"]
QUERY_KEYS = ("id", "p", "page", "ref", "lang", "s", "q", "sort", "view", "cat", "t", "item")

# (suffix, weight); suffixes include multi-label public suffixes and a few private ones.
TLDS = [
    ("com", 42), ("org", 7), ("net", 5), ("de", 10), ("co.uk", 6), ("com.au", 3), ("fr", 4),
    ("jp", 3), ("co.jp", 1), ("io", 2), ("info", 2), ("nl", 2), ("es", 2), ("it", 2), ("ru", 2),
    ("ca", 1), ("ch", 1), ("at", 1), ("pl", 1), ("com.br", 1), ("in", 1), ("co", 1),
    ("blogspot.com", 1), ("github.io", 1), ("wordpress.com", 1),
]
# (subdomain prefix, weight): "" is the bare registrable domain.
SUBDOMAINS = [
    ("www.", 44), ("", 22), ("blog.", 7), ("m.", 5), ("forum.", 4), ("shop.", 3), ("news.", 3),
    ("en.", 2), ("de.", 2), ("community.", 2), ("docs.", 2), ("support.", 2), ("amp.", 1), ("jobs.", 1),
]
IDN_LABELS = [
    "münchen", "bücher", "köln", "grüße", "düsseldorf", "schöne-küche", "café", "crème",
    "日本語", "東京", "例え", "ラーメン", "ドメイン", "привет", "bäckerei", "zürich",
]


def _slug(rng: random.Random, words=WORDS, lo=1, hi=6, sep="-") -> str:
    return sep.join(rng.choice(words) for _ in range(rng.randint(lo, hi)))


def make_hosts(rng: random.Random, n_hosts: int) -> tuple[list[str], list[str]]:
    """``n_hosts`` distinct hosts: (canonical ASCII host, host as written in the file)."""
    n_domains = max(1, int(n_hosts * 0.65))
    tld_names = [t for t, _ in TLDS]
    tld_cum = _cum([w for _, w in TLDS])
    sub_names = [s for s, _ in SUBDOMAINS]
    sub_cum = _cum([w for _, w in SUBDOMAINS])
    domains: list[tuple[str, str]] = []  # (ascii, written)
    seen_domains: set[str] = set()
    while len(domains) < n_domains:
        tld = rng.choices(tld_names, cum_weights=tld_cum)[0]
        if rng.random() < 0.01:  # internationalized domain name
            label = rng.choice(IDN_LABELS) + (str(rng.randint(1, 999)) if rng.random() < 0.7 else "")
            ascii_label = label.encode("idna").decode("ascii")
            # Search Console writes some as punycode, some in Unicode.
            written = label if rng.random() < 0.5 else ascii_label
        else:
            r = rng.random()
            if r < 0.45:
                label = rng.choice(WORDS) + rng.choice(WORDS)
            elif r < 0.75:
                label = rng.choice(WORDS) + "-" + rng.choice(WORDS)
            elif r < 0.9:
                label = rng.choice(WORDS) + rng.choice(WORDS) + str(rng.randint(1, 9999))
            else:
                label = rng.choice(WORDS) + "-" + rng.choice(WORDS) + "-" + rng.choice(WORDS)
            ascii_label = written = label
        key = f"{ascii_label}.{tld}"
        if key in seen_domains:
            continue
        seen_domains.add(key)
        domains.append((key, f"{written}.{tld}"))
    canon: list[str] = []
    shown: list[str] = []
    seen: set[str] = set()
    # Every domain gets one host, then extra subdomains until n_hosts.
    for i in range(n_hosts):
        if i < len(domains):
            d_ascii, d_written = domains[i]
        else:
            d_ascii, d_written = domains[int(len(domains) * rng.random() ** 2)]
        for _ in range(50):
            sub = rng.choices(sub_names, cum_weights=sub_cum)[0]
            host = sub + d_ascii
            if host not in seen:
                break
        else:
            sub = f"s{i}."
            host = sub + d_ascii
        seen.add(host)
        canon.append(host)
        shown.append(sub + d_written)
    return canon, shown


def _cum(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _path(rng: random.Random) -> tuple[str, str]:
    """(path as written, its canonical form): 1-5 segments."""
    n = rng.choices((1, 2, 3, 4, 5), cum_weights=(20, 55, 80, 93, 100))[0]
    segments = []
    for _ in range(n - 1):
        r = rng.random()
        segments.append(rng.choice(SECTIONS) if r < 0.7 else str(rng.randint(1, 99999)) if r < 0.85 else _slug(rng, lo=1, hi=2))
    r = rng.random()
    last = _slug(rng, lo=2, hi=7)
    if r < 0.15:
        last += ".html"
    elif r < 0.25:
        last += f"-{rng.randint(1, 999999)}"
    elif r < 0.3:
        last = str(rng.randint(1, 9999999))
    segments.append(last)
    special = rng.random()
    if special < 0.03:  # raw spaces, as Search Console writes them
        k = rng.randrange(len(segments))
        segments[k] = _slug(rng, lo=2, hi=5, sep=" ")
    elif special < 0.06:  # raw Unicode (German umlauts or Japanese), not percent-encoded
        k = rng.randrange(len(segments))
        if rng.random() < 0.5:
            segments[k] = "-".join(rng.choice(GERMAN) for _ in range(rng.randint(1, 3)))
        else:
            segments[k] = "-".join(rng.choice(JAPANESE) for _ in range(rng.randint(1, 3)))
        segments[k] = unicodedata.normalize("NFC", segments[k])
    path = "/" + "/".join(segments)
    if rng.random() < 0.3 and not last.endswith(".html"):
        path += "/"
    canonical = quote(path, safe="/") if special < 0.06 else path
    return path, canonical


def _query(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.choices((1, 2, 3), cum_weights=(60, 90, 100))[0]):
        key = rng.choice(QUERY_KEYS)
        value = str(rng.randint(1, 99999)) if rng.random() < 0.6 else "+".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2)))
        parts.append(f"{key}={value}")
    if rng.random() < 0.2:
        parts.append(f"utm_source={rng.choice(WORDS)}&utm_medium=referral")
    return "?" + "&".join(parts)


def generate(path: Path, rows: int, n_hosts: int, seed: int) -> dict:
    """Write the export; return its metadata (incl. the expected number of canonical URLs)."""
    rng = random.Random(seed)
    hosts, shown_hosts = make_hosts(rng, n_hosts)
    # One row for every host, the rest Zipf-like (a few big hosts, a long tail).
    weights = _cum([1.0 / (rank + 1) ** 0.9 for rank in range(n_hosts)])
    picks = list(range(n_hosts)) if rows >= n_hosts else []
    picks += rng.choices(range(n_hosts), cum_weights=weights, k=rows - len(picks))
    rng.shuffle(picks)
    written: set[str] = set()
    canonical: set[str] = set()
    out: list[str] = []
    rand = rng.random
    for h in picks:
        while True:
            p, p_canon = _path(rng)
            q = _query(rng) if rand() < 0.15 else ""
            scheme = "https" if rand() < 0.85 else "http"
            host = shown_hosts[h]
            canon = f"{scheme}://{hosts[h]}{p_canon}{q}"
            r = rand()
            if r < 0.01:  # upper-case host or scheme
                if rand() < 0.5 or not host.isascii():
                    scheme = scheme.upper()
                else:
                    host = host.upper() if rand() < 0.5 else ".".join(x.capitalize() for x in host.split("."))
            elif r < 0.02 and scheme == "https":  # default port
                host += ":443"
            url = f"{scheme}://{host}{p}{q}"
            if rand() < 0.01:
                url += "#" + rng.choice(("comments", "top", "section-2", "respond", "main", "ref"))
            if url not in written:
                break
        written.add(url)
        canonical.add(canon)
        out.append(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Linking page"])
        # Search Console writes More sample links in alphabetical order of the URL.
        w.writerows([u] for u in sorted(out))
    os.replace(tmp, path)
    return {
        "generator": GENERATOR_VERSION,
        "rows": rows,
        "hosts": n_hosts,
        "seed": seed,
        "distinct_hosts": len({hosts[h] for h in picks}),
        "expected_canonical": len(canonical),
        "bytes": path.stat().st_size,
    }


def cached_meta(path: Path, meta_path: Path, wanted: dict) -> dict | None:
    """The metadata of generated data made with these parameters and still whole, else None."""
    if not (path.exists() and meta_path.exists()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()) and meta.get("bytes") == path.stat().st_size:
            return meta
    except (OSError, ValueError):
        pass
    return None


def ensure_data(data_dir: Path, rows: int, n_hosts: int, seed: int) -> tuple[Path, dict, float | None]:
    """The export for these parameters, generated unless an identical one exists."""
    folder = data_dir / f"rows{rows}-hosts{n_hosts}-seed{seed}"
    path = folder / FILENAME
    meta_path = folder / "meta.json"
    wanted = {"generator": GENERATOR_VERSION, "rows": rows, "hosts": n_hosts, "seed": seed}
    meta = cached_meta(path, meta_path, wanted)
    if meta:
        return path, meta, None
    t = time.perf_counter()
    meta = generate(path, rows, n_hosts, seed)
    elapsed = time.perf_counter() - t
    meta_path.write_text(json.dumps(meta, indent=1))
    return path, meta, elapsed


# --- measuring -----------------------------------------------------------------------


def clean_env() -> None:
    """Drop every GSC_BACKLINKS_* variable but the lock timeout from this process's environment (and so
    from every child's): settings such as GSC_BACKLINKS_MAX_FILE_MB or GSC_BACKLINKS_EXPORTS must not
    change what is measured."""
    for key in [k for k in os.environ if k.startswith("GSC_BACKLINKS_") and k != "GSC_BACKLINKS_LOCK_TIMEOUT"]:
        del os.environ[key]


def run_wrapped(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str, str]:
    """(wall s, peak RSS MiB, CPU s, child stdout, child stderr) of one command run in a wrapper
    (with ``env`` as its environment, default this process's)."""
    p = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"wrapper failed ({p.returncode}): {p.stderr.strip()}")
    lines = p.stdout.rstrip("\n").split("\n")
    wall, maxrss_kb, rc, cpu = lines[-1].split()
    child_out = "\n".join(lines[:-1])
    if int(rc) != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}:\n{child_out}\n{p.stderr.strip()}")
    return float(wall), int(maxrss_kb) / 1024, float(cpu), child_out, p.stderr


def print_table(rows: list[tuple[str, ...]], notes: bool = False) -> None:
    """Rows of cells, indented: the first column left-aligned, the others right-aligned to their widest
    cell; with ``notes``, the last column is free text printed as it is after the others."""
    cols = len(rows[0]) - (1 if notes else 0)
    widths = [max(len(r[c]) for r in rows) for c in range(cols)]
    for row in rows:
        cells = [cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths))]
        print(("  " + "  ".join(cells + list(row[cols:]))).rstrip())


def ensure_bytecode() -> str:
    """Write the bytecode of gsc_backlinks' modules where it is missing, as ``pip install`` does; say what was done.

    A source checkout run with PYTHONDONTWRITEBYTECODE set (as on CI machines) would otherwise compile every
    module again at each start, a cost an installed copy never has.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("gsc_backlinks")  # finds the package without running it
    if spec is None or not spec.origin:
        raise RuntimeError("gsc_backlinks is not installed in this Python; pip install -e . first")
    folder = Path(spec.origin).parent
    def stale(source: Path) -> bool:  # no bytecode, or bytecode of an older version of the module
        cached = Path(importlib.util.cache_from_source(str(source)))
        return not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime

    missing = [p for p in folder.rglob("*.py") if stale(p)]
    if not missing:
        return f"bytecode: {folder} already compiled"
    if not compileall.compile_dir(str(folder), quiet=2):  # rewrites exactly the stale ones
        raise RuntimeError(f"cannot compile the modules in {folder}")
    return f"bytecode: compiled {len(missing)} modules of {folder} first, as pip install does"


def gsc_backlinks_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "gsc-backlinks"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("gsc-backlinks")
    return [found] if found else [sys.executable, "-m", "gsc_backlinks"]


def measure_import(csv_path: Path, tmp_dir: Path | None) -> tuple[float, float, float, str, int, int]:
    """One import into a fresh store: (wall s, peak RSS MiB, CPU s, output, rows stored, store bytes)."""
    with tempfile.TemporaryDirectory(prefix="gsc-bench-", dir=tmp_dir) as tmp:
        store = Path(tmp) / "bench.duckdb"
        cmd = [*gsc_backlinks_cmd(), "--store", str(store), "import", str(csv_path), "--site", SITE]
        wall, peak, cpu, out, err = run_wrapped(cmd)
        rows = stored_rows(store)
        size = store.stat().st_size
    return wall, peak, cpu, (out + ("\n" + err.strip() if err.strip() else "")).strip(), rows, size


def stored_rows(store: Path) -> int:
    return sum(r[0] for r in query_store(store, "select row_count from snapshots"))


def query_store(store: Path, sql: str) -> list[list]:
    """The rows of one query on a store, read-only in a child process (this one never imports duckdb)."""
    p = subprocess.run([sys.executable, "-c", QUERY_STORE, str(store), sql], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def measure_bare_process(csv_path: Path) -> tuple[float, float, float]:
    wall, peak, cpu, _, _ = run_wrapped([sys.executable, "-c", "import pandas,sys; pandas.read_csv(sys.argv[1])", str(csv_path)])
    return wall, peak, cpu


def measure_bare_call(csv_path: Path) -> tuple[float, int]:
    p = subprocess.run([sys.executable, "-c", READ_CSV_CALL, str(csv_path)], capture_output=True, text=True, check=True)
    seconds, rows = p.stdout.split()
    return float(seconds), int(rows)


def check_help() -> dict:
    p = subprocess.run([sys.executable, "-c", HELP_CHECK, ",".join(HEAVY_MODULES)], capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=None, help="data rows in the export (default 1,000,000; --quick 100,000)")
    parser.add_argument("--hosts", type=int, default=None, help="distinct linking hosts (default 100,000; --quick 10,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100,000 rows over 10,000 hosts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported (default 3)")
    parser.add_argument("--seed", type=int, default=20260518, help="random seed of the generated data")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data", help="where exports are generated (default benchmarks/data/)")
    parser.add_argument("--tmp-dir", type=Path, default=None,
                        help="where the throw-away stores are made (default: the system temp folder; "
                             "/dev/shm leaves out the disk's fsync time)")
    args = parser.parse_args(argv)
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    n_hosts = args.hosts or (10_000 if args.quick else 100_000)
    n_hosts = max(1, min(n_hosts, rows))
    clean_env()
    started = time.perf_counter()

    print(f"gsc-backlinks {_version('gsc-backlinks')}, Python {platform.python_version()}, pandas {_version('pandas')}, "
          f"pyarrow {_version('pyarrow')}, duckdb {_version('duckdb')}; {os.cpu_count()} CPUs, {platform.machine()}")
    csv_path, meta, gen_seconds = ensure_data(args.data_dir, rows, n_hosts, args.seed)
    how = f"generated in {gen_seconds:.1f} s" if gen_seconds is not None else "reused"
    print(f"data: {csv_path} ({how})")
    print(f"      {meta['rows']:,} rows, {meta['distinct_hosts']:,} hosts, {meta['bytes'] / 2**20:.1f} MiB, "
          f"{meta['expected_canonical']:,} distinct canonical URLs expected")

    print(ensure_bytecode())
    print(f"stores: fresh one per run under {args.tmp_dir or tempfile.gettempdir()}")
    bare_proc, bare_proc_rss, bare_proc_cpu, bare_call, imports, import_rss, import_cpu = [], [], [], [], [], [], []
    stored, import_output = None, ""
    for i in range(args.repeat):
        wall, peak, cpu = measure_bare_process(csv_path)
        bare_proc.append(wall)
        bare_proc_rss.append(peak)
        bare_proc_cpu.append(cpu)
        seconds, df_rows = measure_bare_call(csv_path)
        bare_call.append(seconds)
        wall, peak, cpu, out, n, store_bytes = measure_import(csv_path, args.tmp_dir)
        imports.append(wall)
        import_rss.append(peak)
        import_cpu.append(cpu)
        stored, import_output = n, out
        print(f"  run {i + 1}/{args.repeat}: bare process {bare_proc[-1]:.2f} s, read_csv call {seconds:.2f} s "
              f"({df_rows:,} rows), import {wall:.2f} s (CPU {cpu:.2f} s), import peak {peak:.0f} MiB", flush=True)
    print("import said: " + import_output.replace("\n", "\n             "))

    med = statistics.median
    m_proc, m_call, m_imp = med(bare_proc), med(bare_call), med(imports)
    m_rss, m_proc_rss = med(import_rss), med(bare_proc_rss)
    ratio_proc, ratio_call = m_imp / m_proc, m_imp / m_call
    print()
    print(f"medians of {args.repeat} runs, {rows:,} rows")
    table = [
        ("bare pandas.read_csv call", f"{m_call:.2f} s", ""),
        ("bare read_csv whole process", f"{m_proc:.2f} s", f"peak {m_proc_rss:.0f} MiB, CPU {med(bare_proc_cpu):.2f} s"),
        ("gsc-backlinks import (process)", f"{m_imp:.2f} s", f"peak {m_rss:.0f} MiB, CPU {med(import_cpu):.2f} s"),
        ("ratio import / bare process", f"{ratio_proc:.2f}x", f"target <= {TARGET_RATIO:.1f}x"),
        ("ratio import / bare call", f"{ratio_call:.2f}x", "(for information)"),
    ]
    print_table(table, notes=True)
    print()
    print(f"{'PASS' if ratio_proc <= TARGET_RATIO else 'FAIL'} import time: {ratio_proc:.2f}x the bare read_csv process (target <= {TARGET_RATIO:.1f}x)")
    print(f"{'PASS' if m_rss <= TARGET_PEAK_MB else 'FAIL'} import peak RSS: {m_rss:.0f} MiB (target <= {TARGET_PEAK_MB} MiB)")
    help_check = check_help()
    found = help_check["found"]
    print(f"{'PASS' if not found else 'FAIL'} `gsc-backlinks --help` imports none of {', '.join(HEAVY_MODULES)}"
          + (f" (imported: {', '.join(found)})" if found else "") + f"; took {help_check['seconds'] * 1000:.0f} ms in-process")
    expected = meta["expected_canonical"]
    same = "matches" if stored == expected else "DIFFERS from"
    print(f"rows stored: {stored:,} ({same} the {expected:,} distinct canonical URLs expected; {rows:,} rows in the file)")
    print(f"store size: {store_bytes / 2**20:.1f} MiB ({store_bytes / max(stored, 1):.0f} bytes a row; the export is "
          f"{meta['bytes'] / max(rows, 1):.0f} bytes a row)")
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    return 0


def run_main(main) -> None:
    """Exit with main()'s code; a failure to run at all is one line on stderr and exit code 2."""
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError, OSError, ImportError) as exc:
        detail = getattr(exc, "stderr", None)
        print(f"error: {exc}" + (f"\n{detail}" if detail else ""), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    run_main(main)
