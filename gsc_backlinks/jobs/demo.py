"""The demo: the weekly report of a made-up property, built from sample data shipped in the package.

The sample data (``sample_data/``) holds Links exports of two snapshots two
weeks apart, drill-down exports of one page, 13 weeks of search performance,
a few URL Inspection answers, two rounds of link checks, Ahrefs backlinks
exports of the property and of two competitors, and a small sample of Common
Crawl's domain ranks: everything the report shows, no Google account and no
network needed.  ``scripts/make_sample_data.py`` writes the Links exports,
``scripts/make_demo_data.py`` the rest (its link checks are made by the real
checker against loopback copies of the linking pages).
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
LINK_CHECKS = "link-checks.json"  #: written by scripts/make_demo_data.py
#: Third-party exports: file name -> the competitor it is of ('' = the property's own links).
THIRD_PARTY = "thirdparty.json"


def _folder():
    return resources.files("gsc_backlinks") / "sample_data"


def _drilldowns() -> dict[str, str]:
    return json.loads((_folder() / "drilldowns.json").read_text(encoding="utf-8"))


def _third_party() -> dict[str, str]:
    return json.loads((_folder() / THIRD_PARTY).read_text(encoding="utf-8"))


def sample_files() -> list[Path]:
    """The property-wide Search Console sample exports (two rounds, two weeks apart)."""
    other = {**_drilldowns(), **_third_party()}
    return sorted(Path(str(p)) for p in _folder().iterdir() if p.name.endswith(".csv") and p.name not in other)


def third_party_files() -> dict[Path, str]:
    """The sample Ahrefs exports, each with the competitor it is of ('' = the property's own links)."""
    return {Path(str(_folder() / name)): competitor for name, competitor in sorted(_third_party().items())}


def load_sample_data(store_path: Path) -> None:
    """Import every sample export and load the sample search, inspection and link-check data into a store."""
    from ..store import open_store
    from ..store.search import save_search_days
    from . import authority
    from .importing import import_paths

    tools = third_party_files()
    # The property's own Ahrefs export goes in with Search Console's exports (one import, one transaction).
    import_paths([*map(str, sample_files()), *(str(p) for p, rival in tools.items() if not rival)],
                 DEMO_SITE, store_path)
    for name, target in sorted(_drilldowns().items()):
        import_paths([str(_folder() / name)], DEMO_SITE, store_path, target=target)
    for path, competitor in tools.items():
        if competitor:
            import_paths([str(path)], DEMO_SITE, store_path, competitor=competitor)
    with open_store(store_path, write=True) as con:
        save_search_days(con, DEMO_SITE, "web", _search_days(), fetched_at=dt.datetime(2026, 11, 21, 16, 55))
    load_inspections(store_path)
    load_link_checks(store_path)
    # A small sample of Common Crawl's domain ranks, read by the same code as `authority load` (last: it ranks
    # every linking domain the store holds, the tools' and the checks' too).
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


def load_inspections(store_path: Path, source: Path | None = None) -> None:
    """Load the sample URL Inspection answers (in the API's JSON shape) into a store; `source`: another
    file of them (scripts/make_demo_data.py plans its link checks with the answers it has just written)."""
    from ..inspection import parse_result
    from ..store import open_store
    from ..store.inspections import save_inspections
    from ..urls import canonical_url

    text = source.read_text(encoding="utf-8") if source else (_folder() / "inspections.json").read_text(encoding="utf-8")
    items = json.loads(text)
    by_day: dict[dt.date, list] = {}
    for item in items:
        at = dt.datetime.fromisoformat(item["inspected_at"])
        by_day.setdefault(at.date(), []).append(parse_result(canonical_url(item["url"]), item["inspectionResult"], at))
    with open_store(store_path, write=True) as con:
        for day, results in sorted(by_day.items()):
            save_inspections(con, DEMO_SITE, results, day)


def load_link_checks(store_path: Path) -> None:
    """Load the sample link checks (two rounds, as the checker returned them) through the check job's writer."""
    from ..store import open_store
    from ..store.checks import save_checks

    rounds = json.loads((_folder() / LINK_CHECKS).read_text(encoding="utf-8"))["rounds"]
    with open_store(store_path, write=True) as con:
        for own in (False, True):  # the rounds in the order they were made
            save_checks(con, DEMO_SITE, [page_check(c) for r in rounds for c in r["own" if own else "linking"]],
                        own=own)


def page_check(item: dict):
    """A ``checker.PageCheck`` from its JSON form in the sample data (the dataclass's fields by name)."""
    from ..checker.model import LinkFact, PageCheck

    fields = dict(item)
    fields["checked_at"] = dt.datetime.fromisoformat(fields["checked_at"])
    fields["hops"] = tuple((url, status) for url, status in fields.get("hops", ()))
    fields["links"] = tuple(LinkFact(**link) for link in fields.get("links", ()))
    return PageCheck(**fields)


def run_demo(out_dir: Path, *, now: dt.datetime | None = None, store: Path | None = None):
    """Build the demo's weekly report and drill-downs under ``out_dir``; return the WeeklyResult.  The sample
    data goes into a temporary store, or into ``store`` (a new file, kept)."""
    from .weekly import write_weekly

    with tempfile.TemporaryDirectory(prefix="gsc-backlinks-demo-") as tmp:
        store_path = store or Path(tmp) / "demo.duckdb"
        load_sample_data(store_path)
        return write_weekly(store_path, DEMO_SITE, out_dir, now=now or DEMO_NOW,
                            notices=("Demo: a made-up property, built from sample data shipped with gsc-backlinks.",))
