"""The demo: the weekly report of a made-up property, built from sample data shipped in the package.

The sample data (``sample_data/``) holds Links exports of two snapshots two
weeks apart, drill-down exports of one page, 13 weeks of search performance,
a few URL Inspection answers and a small sample of Common Crawl's domain
ranks: everything the report shows, no Google account needed.  ``scripts/make_demo_data.py`` writes the API-side files.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import tempfile
from importlib import resources
from pathlib import Path

DEMO_SITE = "https://www.fernhill-nursery.example/"
#: When the demo report says it was made: two days after the newest final day of its data.
DEMO_NOW = dt.datetime(2026, 11, 21, 17, 0, tzinfo=dt.UTC)
RANK_SAMPLE = "cc-main-2026-demo-sample-domain-ranks.txt.gz"  #: written by scripts/make_demo_data.py


def _folder():
    return resources.files("gsc_backlinks") / "sample_data"


def _drilldowns() -> dict[str, str]:
    return json.loads((_folder() / "drilldowns.json").read_text(encoding="utf-8"))


def sample_files() -> list[Path]:
    """The property-wide sample exports (two rounds, two weeks apart)."""
    drill = _drilldowns()
    return sorted(Path(str(p)) for p in _folder().iterdir() if p.name.endswith(".csv") and p.name not in drill)


def load_sample_data(store_path: Path) -> None:
    """Import every sample export and load the sample search and inspection data into a store."""
    from ..store import open_store
    from ..store.search import save_search_days
    from . import authority
    from .importing import import_paths

    import_paths([str(p) for p in sample_files()], DEMO_SITE, store_path)
    for name, target in sorted(_drilldowns().items()):
        import_paths([str(_folder() / name)], DEMO_SITE, store_path, target=target)
    with open_store(store_path, write=True) as con:
        save_search_days(con, DEMO_SITE, "web", _search_days(), fetched_at=dt.datetime(2026, 11, 21, 16, 55))
    _load_inspections(store_path)
    # A small sample of Common Crawl's domain ranks, read by the same code as `authority load`.
    authority.load(store_path, Path(str(_folder() / RANK_SAMPLE)), now=dt.datetime(2026, 11, 21, 16, 56))


def _search_days() -> list:
    from ..searchdata import DayResult
    from ..urls import canonical_url

    days: dict[dt.date, DayResult] = {}
    text = gzip.decompress((_folder() / "search-performance.csv.gz").read_bytes()).decode("utf-8")
    for row in csv.DictReader(io.StringIO(text)):
        day = dt.date.fromisoformat(row["day"])
        result = days.setdefault(day, DayResult(day, row["state"], {}))
        metrics = {"clicks": float(row["clicks"]), "impressions": float(row["impressions"]),
                   "position": float(row["position"])}
        metrics["ctr"] = metrics["clicks"] / metrics["impressions"] if metrics["impressions"] else 0.0
        if not row["page"]:
            result.totals = metrics
            continue
        target = result.queries if row["query"] else result.pages
        target.setdefault("page", []).append(canonical_url(row["page"]))
        if row["query"]:
            target.setdefault("query", []).append(row["query"])
        for key, value in metrics.items():
            target.setdefault(key, []).append(value)
    return [days[d] for d in sorted(days)]


def _load_inspections(store_path: Path) -> None:
    from ..inspection import parse_result
    from ..store import open_store
    from ..store.inspections import save_inspections
    from ..urls import canonical_url

    items = json.loads((_folder() / "inspections.json").read_text(encoding="utf-8"))
    by_day: dict[dt.date, list] = {}
    for item in items:
        at = dt.datetime.fromisoformat(item["inspected_at"])
        by_day.setdefault(at.date(), []).append(parse_result(canonical_url(item["url"]), item["inspectionResult"], at))
    with open_store(store_path, write=True) as con:
        for day, results in sorted(by_day.items()):
            save_inspections(con, DEMO_SITE, results, day)


def run_demo(out_dir: Path, *, now: dt.datetime | None = None):
    """Build the demo's weekly report and drill-downs under ``out_dir``; return the WeeklyResult."""
    from .weekly import write_weekly

    with tempfile.TemporaryDirectory(prefix="gsc-backlinks-demo-") as tmp:
        store_path = Path(tmp) / "demo.duckdb"
        load_sample_data(store_path)
        return write_weekly(store_path, DEMO_SITE, out_dir, now=now or DEMO_NOW,
                            notices=("Demo: a made-up property, built from sample data shipped with gsc-backlinks.",))
