"""Link summaries from the latest snapshot of each kind (or the one as of a date).

The aggregation runs in DuckDB (a More sample links snapshot can hold a
million rows); what comes out is a small :class:`Summary` that the CLI prints
as a table, CSV or JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import store, urls
from ..errors import NoDataError
from ..exports.kinds import KINDS
from .anchors import TOP_QUERIES

SHORT = {"latest_links": "latest", "sample_links": "sample"}
SAMPLE_NOTE = "Google's sample of links, not every link"

#: Where in Search Console each export is, for "import it first" messages.
WHERE = {
    "top_target_pages": "Links → External links → Top linked pages → More → Export",
    "internal_target_pages": "Links → Internal links → Top linked pages → More → Export",
    "top_linking_sites": "Links → External links → Top linking sites → More → Export",
    "top_linking_text": "Links → External links → Top linking text → More → Export",
    "sample_links": "Links → Export external links → More sample links",
    "latest_links": "Links → Export external links → Latest links",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = False
    url: bool = False
    path: bool = False  #: a file path: tables show its name, shortened like URLs
    optional: bool = False  #: left out of tables when no row has a value (JSON keeps it)
    machine_only: bool = False  #: only in CSV and JSON (the table says it in a note)


@dataclass(frozen=True)
class Summary:
    """One summary table and where its numbers come from."""

    name: str
    title: str
    site: str
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)
    total_rows: int = 0
    sources: tuple[dict, ...] = ()  #: snapshots used: kind, label, date, file
    basis: str = "export"  #: "export", or "derived from sample links"
    notes: tuple[str, ...] = ()


def _source(row) -> dict:
    snapshot_id, kind, date, name = row
    return {"snapshot_id": snapshot_id, "kind": kind, "label": KINDS[kind].label,
            "snapshot_date": date.isoformat(), "file": name}


def _missing(site: str, kinds: tuple[str, ...], as_of: dt.date | None) -> NoDataError:
    when = f" on or before {as_of.isoformat()}" if as_of else ""
    label = " or ".join(f"'{KINDS[k].label}'" for k in kinds)
    where = WHERE.get(kinds[0], "the Links report")
    return NoDataError(
        f"no {label} export imported for {site}{when}; in Search Console open {where}, "
        f"then run: gsc-backlinks import FILE --site {site}"
    )


def _limit(top: int | None) -> str:
    return f" LIMIT {int(top)}" if top else ""


def _records(df) -> list[dict]:
    import pandas as pd

    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for key, value in rec.items():
            if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
                clean[key] = None
            elif hasattr(value, "item"):  # numpy scalar
                clean[key] = value.item()
            elif isinstance(value, (dt.date, dt.datetime)):
                clean[key] = value.isoformat()[:10]
            elif hasattr(value, "date") and callable(value.date):  # pandas Timestamp
                clean[key] = value.date().isoformat()
            else:
                clean[key] = value
        out.append(clean)
    return out


def top_pages(con, site: str, *, top: int | None = None, as_of: dt.date | None = None,
              internal: bool = False) -> Summary:
    kind = "internal_target_pages" if internal else "top_target_pages"
    snap = store.latest_snapshot(con, site, (kind,), as_of)
    if not snap:
        raise _missing(site, (kind,), as_of)
    count_cols = ("internal_links",) if internal else ("incoming_links", "linking_sites")
    total = con.execute("SELECT count(*) FROM target_pages WHERE snapshot_id = ?", [snap[0]]).fetchone()[0]
    df = con.execute(
        f"""SELECT target_url, {', '.join(count_cols)} FROM target_pages WHERE snapshot_id = ?
            ORDER BY {count_cols[0]} DESC NULLS LAST, target_url{_limit(top)}""",
        [snap[0]],
    ).df()
    columns = [Column("target_url", "Target page", url=True)]
    if internal:
        columns.append(Column("internal_links", "Internal links", numeric=True))
    else:
        columns += [Column("incoming_links", "Incoming links", numeric=True),
                    Column("linking_sites", "Linking sites", numeric=True)]
    notes = ["Search Console lists at most 1,000 rows"] if total >= 1000 else []
    return Summary("pages", "Top internally linked pages" if internal else "Top linked pages", site,
                   tuple(columns), _records(df), total, (_source(snap),), "export", tuple(notes))


def sample_snapshots(con, site: str, as_of: dt.date | None) -> list:
    """The latest More sample links and the latest Latest links snapshot, if any."""
    found = [store.latest_snapshot(con, site, (kind,), as_of) for kind in ("sample_links", "latest_links")]
    return [s for s in found if s]


def linking_domains(con, site: str, *, top: int | None = None, as_of: dt.date | None = None,
                    sort: str = "links") -> Summary:
    """Linking domains, most linking pages first; ``sort="value"``: with value, authority and relevance, best first."""
    summary = _linking_domains(con, site, top=None if sort == "value" else top, as_of=as_of)
    if sort != "value":
        return summary
    return _by_value(con, site, summary, top, as_of)


def _topic_end(con, site: str, as_of: dt.date | None) -> dt.date | None:
    """The last day of search queries topics are made of: the newest final day, or `as_of` if earlier."""
    from .weekly import newest_final_day

    return min(filter(None, (as_of, newest_final_day(con, site))), default=None)


VALUE_COLUMNS = (
    Column("value", "Value", numeric=True),
    Column("authority", "Authority", numeric=True),
    Column("relevance", "Relevance", numeric=True),
    Column("relevance_band", "Band", machine_only=True),
    Column("authority_rank", "Rank", numeric=True, machine_only=True),
    Column("authority_source", "Rank from", machine_only=True),
)


def _by_value(con, site: str, summary: Summary, top: int | None, as_of: dt.date | None) -> Summary:
    from .value import Valuer

    domains = [r["linking_domain"] for r in summary.rows]
    valuer = Valuer(con, site, _topic_end(con, site, as_of), domains, [s[0] for s in sample_snapshots(con, site, as_of)])
    rows = [dict(row, **rated) for row, rated in zip(summary.rows, valuer.rate_domains(domains))]
    rows.sort(key=lambda r: (-r["value"], -(r["linking_pages"] or 0), r["linking_domain"]))
    if top:
        rows = rows[:top]
    columns = (summary.columns[0], *VALUE_COLUMNS, *summary.columns[1:])
    notes = summary.notes + ("Sorted by value = half authority + half relevance (0-100 each; see the README, "
                             "'How link value is computed'); authority None = not in the loaded rank file",
                             *valuer.explain())
    return Summary(summary.name, summary.title + ", by value", site, columns, rows, summary.total_rows,
                   summary.sources, summary.basis, notes)


def _linking_domains(con, site: str, *, top: int | None = None, as_of: dt.date | None = None) -> Summary:
    snap = store.latest_snapshot(con, site, ("top_linking_sites",), as_of)
    columns = (
        Column("linking_domain", "Linking domain"),
        Column("linking_pages", "Linking pages", numeric=True),
        Column("target_pages", "Target pages", numeric=True),
    )
    if snap:
        total = con.execute("SELECT count(*) FROM linking_sites WHERE snapshot_id = ?", [snap[0]]).fetchone()[0]
        df = con.execute(
            f"""SELECT site AS linking_domain, linking_pages, target_pages FROM linking_sites
                WHERE snapshot_id = ? ORDER BY linking_pages DESC NULLS LAST, site{_limit(top)}""",
            [snap[0]],
        ).df()
        notes = ["Search Console lists at most 1,000 rows"] if total >= 1000 else []
        return Summary("domains", "Top linking domains", site, columns, _records(df), total,
                       (_source(snap),), "export", tuple(notes))
    samples = sample_snapshots(con, site, as_of)
    if not samples:
        raise _missing(site, ("top_linking_sites", "sample_links"), as_of)
    ids = [s[0] for s in samples]
    marks = ", ".join("?" for _ in ids)
    base = f"""SELECT linking_domain, count(DISTINCT linking_url) AS linking_pages
               FROM linking_pages WHERE snapshot_id IN ({marks}) AND linking_domain IS NOT NULL
               GROUP BY linking_domain"""
    total = con.execute(f"SELECT count(*) FROM ({base})", ids).fetchone()[0]
    df = con.execute(
        f"SELECT linking_domain, linking_pages, NULL::BIGINT AS target_pages FROM ({base}) "
        f"ORDER BY linking_pages DESC, linking_domain{_limit(top)}",
        ids,
    ).df()
    note = ("Counts derived from sample links (no Top linking sites export imported): linking pages "
            "are the sampled pages per domain; target pages are unknown")
    return Summary("domains", "Top linking domains (derived from sample links)", site, columns,
                   _records(df), total, tuple(_source(s) for s in samples),
                   "derived from sample links", (note, SAMPLE_NOTE))


def anchors(con, site: str, *, top: int | None = None, as_of: dt.date | None = None,
            brands: tuple[str, ...] = ()) -> Summary:
    """The Top linking text export by rank, each anchor with its class (see :mod:`.anchors`)."""
    from .value import TOPIC_DAYS, site_queries, topic_window

    snap = store.latest_snapshot(con, site, ("top_linking_text",), as_of)
    if not snap:
        raise _missing(site, ("top_linking_text",), as_of)
    total = con.execute("SELECT count(*) FROM linking_text WHERE snapshot_id = ?", [snap[0]]).fetchone()[0]
    df = con.execute(
        f"SELECT rank, anchor_text FROM linking_text WHERE snapshot_id = ? ORDER BY rank, anchor_text{_limit(top)}",
        [snap[0]],
    ).df()
    queries = [q for q, _ in site_queries(con, site, topic_window(_topic_end(con, site, as_of)), TOP_QUERIES)]
    rules = anchor_rules(con, site, queries, brands)
    rows = _records(df)
    for row in rows:
        row["class"] = rules.classify(row["anchor_text"])
    columns = (Column("rank", "Rank", numeric=True), Column("anchor_text", "Anchor text"), Column("class", "Class"))
    notes = ("Search Console lower-cases anchor text and turns punctuation into spaces",
             f"Class: branded = contains {', '.join(rules.brands) or 'no brand term'} (gsc-backlinks brand --add); "
             f"exact/partial match = equals / shares a word with the site's top {len(rules.queries)} non-branded "
             f"queries of the last {TOPIC_DAYS} days; see the README for every rule")
    return Summary("anchors", "Top anchor text", site, columns, rows, total,
                   (_source(snap),), "export", notes)


def anchor_rules(con, site: str, queries: list[str], brands=()):
    """Anchor classes of a property: its stored and given brand terms, and `queries`: its top
    :data:`~.anchors.TOP_QUERIES` (from :func:`.value.site_queries`, or from a Valuer, which holds them already)."""
    from .anchors import AnchorRules

    return AnchorRules.build(site, [*store.brand_terms(con, site), *brands], queries)


def samples(con, site: str, *, top: int | None = None, as_of: dt.date | None = None,
            domain: str | None = None) -> Summary:
    snaps = sample_snapshots(con, site, as_of)
    if not snaps:
        raise _missing(site, ("sample_links", "latest_links"), as_of)
    ids = [s[0] for s in snaps]
    marks = ", ".join("?" for _ in ids)
    params: list = list(ids)
    where = ""
    if domain:  # a registrable domain, or one host: its domain's rows whose URL has that host
        # The host in the form the store keeps (as an import canonicalizes it): lower case, punycode.
        name = urls.host_of(urls.canonical_url(domain, default_scheme="https")) or domain.lower()
        where = (" AND (lp.linking_domain = ? OR (lp.linking_domain = ?"
                 " AND regexp_extract(lp.linking_url, ?, 1) = ?))")
        params += [name, urls.registrable_domain(name), urls.HOST_PATTERN, name]
    base = f"""SELECT lp.linking_url, any_value(lp.linking_domain) AS linking_domain,
                      max(lp.last_crawled) AS last_crawled,
                      string_agg(DISTINCT s.kind, ',' ORDER BY s.kind) AS kinds
               FROM linking_pages lp JOIN snapshots s USING (snapshot_id)
               WHERE lp.snapshot_id IN ({marks}){where} GROUP BY lp.linking_url"""
    total = con.execute(f"SELECT count(*) FROM ({base})", params).fetchone()[0]
    df = con.execute(
        f"SELECT * FROM ({base}) ORDER BY last_crawled DESC NULLS LAST, linking_url{_limit(top)}", params
    ).df()
    rows = _records(df)
    for row in rows:
        kinds = [k for k in (row.pop("kinds") or "").split(",") if k]
        row["source"] = "both" if len(kinds) > 1 else SHORT[kinds[0]]
    columns = (
        Column("linking_url", "Linking page", url=True),
        Column("linking_domain", "Linking domain"),
        Column("last_crawled", "Crawled"),
        Column("source", "Export"),
    )
    notes = (SAMPLE_NOTE, "Export: latest = Latest links, sample = More sample links, both = in both")
    return Summary("samples", "Sample links", site, columns, rows, total,
                   tuple(_source(s) for s in snaps), "export", notes)


def sources(con, site: str) -> Summary:
    df = store.snapshots(con, site)
    rows = _records(df)
    for row in rows:
        row["label"] = KINDS[row["kind"]].label
    columns = (
        Column("snapshot_id", "#", numeric=True),
        Column("label", "Export"),
        Column("snapshot_date", "Date"),
        Column("date_source", "Date from"),
        Column("row_count", "Rows", numeric=True),
        Column("target_url", "Target page", url=True, optional=True),
        Column("source_name", "File", path=True),
    )
    return Summary("sources", "Snapshots held", site, columns, rows, len(rows), (), "store", ())
