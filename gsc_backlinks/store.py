"""The DuckDB store: dated snapshots of every import, schema-versioned.

DuckDB lets one process write a file at a time (other processes cannot even
read while it is open for writing), so every command opens the store only for
the short moment it needs it and closes it at once.  A command that finds the
store held retries for a bounded time, then says so in one line.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import StoreBusyError, StoreError

#: Ordered migrations: (version, name, SQL).  Never edit a released one; append.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "snapshots of Links exports",
        """
        CREATE SEQUENCE snapshot_ids START 1;
        CREATE TABLE snapshots (
            snapshot_id   BIGINT PRIMARY KEY DEFAULT nextval('snapshot_ids'),
            property      VARCHAR NOT NULL,
            kind          VARCHAR NOT NULL,
            snapshot_date DATE NOT NULL,
            date_source   VARCHAR NOT NULL,
            source_name   VARCHAR NOT NULL,
            content_hash  VARCHAR NOT NULL,
            row_count     BIGINT NOT NULL,
            file_rows     BIGINT NOT NULL,
            target_url    VARCHAR,
            language      VARCHAR NOT NULL,
            imported_at   TIMESTAMP NOT NULL,
            UNIQUE (property, content_hash)
        );
        CREATE TABLE linking_pages (
            snapshot_id    BIGINT NOT NULL,
            linking_url    VARCHAR NOT NULL,
            linking_host   VARCHAR,
            linking_domain VARCHAR,
            last_crawled   DATE
        );
        CREATE TABLE target_pages (
            snapshot_id    BIGINT NOT NULL,
            target_url     VARCHAR NOT NULL,
            incoming_links BIGINT,
            linking_sites  BIGINT,
            internal_links BIGINT
        );
        CREATE TABLE linking_sites (
            snapshot_id    BIGINT NOT NULL,
            site           VARCHAR NOT NULL,
            linking_domain VARCHAR,
            linking_pages  BIGINT,
            target_pages   BIGINT
        );
        CREATE TABLE linking_text (
            snapshot_id BIGINT NOT NULL,
            rank        BIGINT NOT NULL,
            anchor_text VARCHAR NOT NULL,
            link_count  BIGINT
        );
        """,
    ),
    (
        2,
        "Search Console API data: search performance by day, URL inspections, properties",
        """
        -- One row per property, search type and day fetched whole.  data_state 'final'
        -- days are never fetched again; 'fresh' ones are re-fetched until final.
        CREATE TABLE search_days (
            property          VARCHAR NOT NULL,
            search_type       VARCHAR NOT NULL,
            day               DATE NOT NULL,
            data_state        VARCHAR NOT NULL,
            clicks            BIGINT NOT NULL,
            impressions       BIGINT NOT NULL,
            ctr               DOUBLE,
            position          DOUBLE,
            page_rows         BIGINT NOT NULL,
            query_rows        BIGINT NOT NULL,
            pages_truncated   BOOLEAN NOT NULL,
            queries_truncated BOOLEAN NOT NULL,
            fetched_at        TIMESTAMP NOT NULL,
            PRIMARY KEY (property, search_type, day)
        );
        -- Page totals (all queries, anonymized ones included).
        CREATE TABLE search_pages (
            property    VARCHAR NOT NULL,
            search_type VARCHAR NOT NULL,
            day         DATE NOT NULL,
            page        VARCHAR NOT NULL,
            clicks      BIGINT NOT NULL,
            impressions BIGINT NOT NULL,
            ctr         DOUBLE,
            position    DOUBLE
        );
        -- Page x query rows (anonymized queries are not in them).
        CREATE TABLE search_queries (
            property    VARCHAR NOT NULL,
            search_type VARCHAR NOT NULL,
            day         DATE NOT NULL,
            page        VARCHAR NOT NULL,
            query       VARCHAR NOT NULL,
            clicks      BIGINT NOT NULL,
            impressions BIGINT NOT NULL,
            ctr         DOUBLE,
            position    DOUBLE
        );
        CREATE TABLE inspections (
            property         VARCHAR NOT NULL,
            url              VARCHAR NOT NULL,
            inspected_at     TIMESTAMP NOT NULL,
            inspected_day    DATE NOT NULL,  -- Pacific Time, as the daily quota counts
            verdict          VARCHAR,
            coverage_state   VARCHAR,
            robots_txt_state VARCHAR,
            indexing_state   VARCHAR,
            page_fetch_state VARCHAR,
            last_crawl_time  TIMESTAMP,
            google_canonical VARCHAR,
            user_canonical   VARCHAR,
            crawled_as       VARCHAR,
            sitemaps         VARCHAR[],
            referring_urls   VARCHAR[],
            result_link      VARCHAR,
            raw              VARCHAR NOT NULL
        );
        CREATE TABLE api_sites (
            site_url         VARCHAR PRIMARY KEY,
            permission_level VARCHAR NOT NULL,
            seen_at          TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        3,
        "linking URLs compressed with zstd",
        """
        -- Measured on a million-row export: zstd writes the distinct URLs of a sample
        -- 40% faster than the default dictionary/FSST scheme and in 25% fewer bytes.
        CREATE TABLE linking_pages_v3 (
            snapshot_id    BIGINT NOT NULL,
            linking_url    VARCHAR NOT NULL USING COMPRESSION zstd,
            linking_host   VARCHAR,
            linking_domain VARCHAR,
            last_crawled   DATE
        );
        INSERT INTO linking_pages_v3 SELECT * FROM linking_pages ORDER BY snapshot_id, linking_url;
        DROP TABLE linking_pages;
        ALTER TABLE linking_pages_v3 RENAME TO linking_pages;
        """,
    ),
    (
        4,
        "domain ranks from web-graph rank files; brand terms",
        """
        -- One row per rank file loaded (a newer file of the same kind replaces the older).
        CREATE SEQUENCE rank_source_ids START 1;
        CREATE TABLE rank_sources (
            source_id   BIGINT PRIMARY KEY DEFAULT nextval('rank_source_ids'),
            kind        VARCHAR NOT NULL,   -- commoncrawl / majestic / tranco
            release     VARCHAR NOT NULL,
            file_name   VARCHAR NOT NULL,
            file_path   VARCHAR NOT NULL,   -- read again by `authority refresh`
            file_size   BIGINT NOT NULL,
            list_size   BIGINT NOT NULL,    -- domains the file ranks
            loaded_at   TIMESTAMP NOT NULL,
            refreshed_at TIMESTAMP
        );
        -- Every domain looked up in a file; rank NULL = not in it.  Only linking domains are kept.
        CREATE TABLE domain_ranks (
            source_id BIGINT NOT NULL,
            domain    VARCHAR NOT NULL,
            rank      BIGINT,
            PRIMARY KEY (source_id, domain)
        );
        CREATE TABLE brand_terms (
            property VARCHAR NOT NULL,
            term     VARCHAR NOT NULL,
            added_at TIMESTAMP NOT NULL,
            PRIMARY KEY (property, term)
        );
        """,
    ),
    (
        5,
        "linking URLs stored plain; no host column",
        """
        -- Measured on a million-row export: zstd took a third of an import's time
        -- in DuckDB (0.2 s of 0.5 s CPU) to save 45 bytes a row, and the host was
        -- kept for one filter that the URL answers as well.  Plain URLs are read
        -- faster, too.
        CREATE TABLE linking_pages_v5 (
            snapshot_id    BIGINT NOT NULL,
            linking_url    VARCHAR NOT NULL USING COMPRESSION uncompressed,
            linking_domain VARCHAR,
            last_crawled   DATE
        );
        INSERT INTO linking_pages_v5
            SELECT snapshot_id, linking_url, linking_domain, last_crawled FROM linking_pages
            ORDER BY snapshot_id, linking_url;
        DROP TABLE linking_pages;
        ALTER TABLE linking_pages_v5 RENAME TO linking_pages;
        """,
    ),
    (
        6,
        "search days marked with their source (Search Console API or BigQuery bulk export)",
        """
        -- 'api' or 'bigquery'; a bulk-export day keeps the ExportLog version it was read at
        -- (the sum of its two tables' epoch versions), so a re-published day is read again.
        ALTER TABLE search_days ADD COLUMN source VARCHAR NOT NULL DEFAULT 'api';
        ALTER TABLE search_days ADD COLUMN epoch_version BIGINT;
        """,
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

#: Columns each row table takes from a parsed export, in order.
ROW_COLUMNS = {
    "linking_pages": ("linking_url", "linking_domain", "last_crawled"),
    "target_pages": ("target_url", "incoming_links", "linking_sites", "internal_links"),
    "linking_sites": ("site", "linking_domain", "linking_pages", "target_pages"),
    "linking_text": ("rank", "anchor_text", "link_count"),
}


def default_store_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("gsc-backlinks", appauthor=False) / "store.duckdb"


def lock_timeout() -> float:
    try:
        return float(os.environ.get("GSC_BACKLINKS_LOCK_TIMEOUT", "") or 30)
    except ValueError:
        return 30.0


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def _connect(path: Path, read_only: bool, timeout: float):
    import duckdb

    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if _is_lock_error(exc):
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"store {path} is busy: another gsc-backlinks command is using it "
                        f"(waited {timeout:g}s); try again when it has finished, or raise GSC_BACKLINKS_LOCK_TIMEOUT"
                    ) from None
                time.sleep(min(delay, max(deadline - time.monotonic(), 0.01)))
                delay = min(delay * 1.5, 0.5)
                continue
            text = str(exc)
            if "not a valid DuckDB database" in text or "Invalid Input" in text or "Serialization" in text:
                raise StoreError(f"{path} is not a gsc-backlinks store (not a DuckDB database file); choose another --store") from None
            if "Permission denied" in text:
                raise StoreError(f"store {path} cannot be opened: permission denied") from None
            raise StoreError(f"store {path} cannot be opened: {text.splitlines()[0]}") from None


def _schema_version(con) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]
        if tables:
            raise StoreError("the store file holds other tables and no gsc-backlinks schema; choose another --store")
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


@contextmanager
def transaction(con) -> Iterator[None]:
    """BEGIN … COMMIT, or ROLLBACK on any error (Ctrl-C included): all of it or none."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def migrate(con) -> int:
    """Apply the migrations this store lacks, all in one transaction: a store is at its old
    version or the newest, never in between (and a new store costs one commit, not five)."""
    version = _schema_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store was written by a newer gsc-backlinks (schema {version}, this one knows {SCHEMA_VERSION}); upgrade gsc-backlinks"
        )
    pending = [m for m in MIGRATIONS if m[0] > version]
    if not pending:
        return SCHEMA_VERSION
    with transaction(con):
        if version == 0:
            con.execute(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
            )
        for number, name, sql in pending:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, name, dt.datetime.now()])
    return SCHEMA_VERSION


@contextmanager
def open_store(path: Path, *, write: bool = False, timeout: float | None = None) -> Iterator[object]:
    """A short-lived connection: write=True creates and migrates the store."""
    timeout = lock_timeout() if timeout is None else timeout
    path = Path(path)
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for store {path}: {exc.strerror or exc}") from None
        con = _connect(path, read_only=False, timeout=timeout)
        try:
            migrate(con)
        except BaseException:
            con.close()
            raise
    else:
        if not path.exists():
            raise StoreError(
                f"no store at {path} yet; import some exports first (gsc-backlinks import PATH --site SITE)"
            )
        con = _connect(path, read_only=True, timeout=timeout)
        version = _schema_version(con)
        if version != SCHEMA_VERSION:
            con.close()
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store was written by a newer gsc-backlinks (schema {version}, this one knows {SCHEMA_VERSION}); upgrade gsc-backlinks"
                )
            with open_store(path, write=True, timeout=timeout):
                pass
            con = _connect(path, read_only=True, timeout=timeout)
    try:
        yield con
    finally:
        con.close()


# --- writing imports -----------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    source: str
    kind: str
    snapshot_id: int
    snapshot_date: dt.date
    date_source: str
    rows: int
    file_rows: int
    target_url: str | None
    duplicate_of: tuple[int, dt.date, str] | None = None  #: (snapshot id, date, file) when already held
    notes: tuple[str, ...] = ()


#: A held snapshot as the duplicate check reads it (see _held_result).
_HELD_COLUMNS = "snapshot_id, snapshot_date, source_name, kind, date_source, file_rows, target_url"


def _held_result(source: str, held: tuple, notes: tuple[str, ...] = ()) -> ImportResult:
    """The result of importing ``source`` again: the snapshot that holds its content already."""
    snapshot_id, date, name, kind, date_source, file_rows, target_url = held
    return ImportResult(source, kind, snapshot_id, date, date_source, 0, file_rows, target_url,
                        duplicate_of=(snapshot_id, date, name), notes=notes)


def held_imports(path: Path, site: str, files: dict[str, str]) -> dict[str, ImportResult]:
    """The files (display name -> content hash) that ``site``'s snapshots already hold, as their
    import results, read before anything is parsed: a file imported before is not read again.

    Nothing is read where there is no store, or one of an older schema (looking must not
    migrate it before the files are checked); the import then finds those as it writes.
    """
    path = Path(path)
    if not files or not path.exists():
        return {}
    con = _connect(path, read_only=True, timeout=lock_timeout())
    try:
        if _schema_version(con) != SCHEMA_VERSION:
            return {}
        rows = con.execute(
            f"SELECT content_hash, {_HELD_COLUMNS} FROM snapshots "
            "WHERE property = ? AND list_contains(?, content_hash) ORDER BY snapshot_id",
            [site, sorted(set(files.values()))],
        ).fetchall()
    finally:
        con.close()
    first = {}
    for content_hash, *held in rows:
        first.setdefault(content_hash, tuple(held))
    return {name: _held_result(name, first[h]) for name, h in files.items() if h in first}


def save_imports(path: Path, site: str, parsed: list, *, now: dt.datetime | None = None) -> list[ImportResult]:
    """Write parsed exports as snapshots in one transaction: all of them or none."""
    import pyarrow  # noqa: F401  (DuckDB reads the registered Arrow tables)

    from .exports.kinds import KINDS
    from .exports.reader import merged_note

    now = now or dt.datetime.now()
    results: list[ImportResult] = []
    with open_store(path, write=True) as con:
        # Bounded memory for million-row imports; row order within a snapshot is not kept.
        con.execute("SET memory_limit = '512MB'")
        con.execute("SET preserve_insertion_order = false")
        with transaction(con):
            for item in parsed:
                held = con.execute(  # e.g. the same file twice in one import
                    f"SELECT {_HELD_COLUMNS} FROM snapshots WHERE property = ? AND content_hash = ? "
                    "ORDER BY snapshot_id LIMIT 1",
                    [site, item.content_hash],
                ).fetchall()
                if held:
                    results.append(_held_result(item.source, held[0], tuple(item.notes)))
                    continue
                table = KINDS[item.kind].table
                columns = ROW_COLUMNS[table]
                snapshot_id = con.execute(
                    """INSERT INTO snapshots (property, kind, snapshot_date, date_source, source_name,
                           content_hash, row_count, file_rows, target_url, language, imported_at)
                       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING snapshot_id""",
                    [site, item.kind, item.snapshot_date, item.date_source, item.source, item.content_hash,
                     item.file_rows, item.target_url, item.language, now],
                ).fetchone()[0]
                con.register("incoming", item.table)
                try:
                    if table == "linking_pages" and not item.one_row_per_url:
                        # Search Console merges duplicates; canonical forms can collide too.
                        select = (
                            "SELECT ?, linking_url, any_value(linking_domain), "
                            "max(last_crawled) FROM incoming GROUP BY linking_url"
                        )
                    else:
                        select = f"SELECT ?, {', '.join(columns)} FROM incoming"
                    con.execute(
                        f"INSERT INTO {table} (snapshot_id, {', '.join(columns)}) {select}", [snapshot_id]
                    )
                finally:
                    con.unregister("incoming")
                rows = con.execute(f"SELECT count(*) FROM {table} WHERE snapshot_id = ?", [snapshot_id]).fetchone()[0]
                notes = tuple(item.notes)
                if table == "linking_pages" and rows < item.table.num_rows:  # merged by the GROUP BY above
                    notes += (merged_note(item.table.num_rows - rows),)
                con.execute("UPDATE snapshots SET row_count = ? WHERE snapshot_id = ?", [rows, snapshot_id])
                results.append(
                    ImportResult(item.source, item.kind, snapshot_id, item.snapshot_date, item.date_source,
                                 rows, item.file_rows, item.target_url, notes=notes)
                )
    return results


# --- reading ---------------------------------------------------------------------


def properties(con) -> list[str]:
    """Properties the store holds data for: link snapshots or search performance."""
    return [r[0] for r in con.execute(
        "SELECT property FROM snapshots UNION SELECT property FROM search_days ORDER BY property").fetchall()]


def snapshots(con, site: str):
    """Every snapshot of a property, newest first, as a DataFrame."""
    return con.execute(
        """SELECT snapshot_id, kind, snapshot_date, date_source, source_name, row_count, file_rows,
                  target_url, language, imported_at
           FROM snapshots WHERE property = ? ORDER BY snapshot_date DESC, snapshot_id DESC""",
        [site],
    ).df()


def latest_snapshot(con, site: str, kinds: tuple[str, ...], as_of: dt.date | None = None):
    """(snapshot_id, kind, date, source) of the newest snapshot among kinds, or None."""
    placeholders = ", ".join("?" for _ in kinds)
    params: list[object] = [site, *kinds]
    where = ""
    if as_of:
        where = " AND snapshot_date <= ?"
        params.append(as_of)
    # fetchall, not fetchone: DuckDB 2 keeps a result that fetchone left unfinished open, and the
    # connection's next con.register() then fails with "connection has an unfinished result".
    rows = con.execute(
        f"""SELECT snapshot_id, kind, snapshot_date, source_name FROM snapshots
            WHERE property = ? AND kind IN ({placeholders}){where}
            ORDER BY snapshot_date DESC, snapshot_id DESC LIMIT 1""",
        params,
    ).fetchall()
    return rows[0] if rows else None


# --- Search Console API data -------------------------------------------------------------


def final_search_days(con, site: str, search_type: str) -> set:
    """Days held as final for a property and search type: never fetched again."""
    rows = con.execute(
        "SELECT day FROM search_days WHERE property = ? AND search_type = ? AND data_state = 'final'",
        [site, search_type],
    ).fetchall()
    return {r[0] for r in rows}


def search_day_versions(con, site: str, search_type: str) -> dict:
    """Every day held for a property and search type: {day: (source, epoch_version)}."""
    rows = con.execute(
        "SELECT day, source, epoch_version FROM search_days WHERE property = ? AND search_type = ?",
        [site, search_type],
    ).fetchall()
    return {day: (source, version) for day, source, version in rows}


def save_search_days(path: Path, site: str, search_type: str, results: list, *, fetched_at: dt.datetime,
                     source: str = "api", epoch_versions: dict | None = None) -> None:
    """Write whole days (totals, page totals, page x query rows) in one transaction.

    ``source`` is where they came from ('api' or 'bigquery'); ``epoch_versions`` the bulk
    export's version of each day (day -> int).
    """
    import pyarrow as pa

    import pyarrow.compute as pc

    days = [r.day for r in results]

    def table(attribute: str, names: tuple[str, ...]):
        parts = [(r.day, getattr(r, attribute)) for r in results if getattr(r, attribute).get("page")]
        columns = {"day": pa.array([d for d, c in parts for _ in c["page"]], pa.date32())}
        for name in names:
            kind = pa.string() if name in ("page", "query") else pa.float64()
            values = pa.array([v for _, c in parts for v in c[name]], kind)
            if name in ("clicks", "impressions"):  # JSON doubles on the wire; whole numbers in fact
                values = pc.cast(pc.round(pc.fill_null(values, 0.0)), pa.int64())
            columns[name] = values
        return pa.Table.from_arrays(list(columns.values()), names=list(columns))

    page_table = table("pages", ("page", "clicks", "impressions", "ctr", "position"))
    query_table = table("queries", ("page", "query", "clicks", "impressions", "ctr", "position"))
    with open_store(path, write=True) as con:
        with transaction(con):
            for table in ("search_pages", "search_queries"):  # a day fetched again replaces itself whole
                con.execute(
                    f"DELETE FROM {table} WHERE property = ? AND search_type = ? AND day IN (SELECT unnest(?::DATE[]))",
                    [site, search_type, days],
                )
            con.register("incoming_pages", page_table)
            con.register("incoming_queries", query_table)
            con.execute(
                "INSERT INTO search_pages SELECT ?, ?, day, page, clicks, impressions, ctr, position FROM incoming_pages",
                [site, search_type],
            )
            con.execute(
                "INSERT INTO search_queries SELECT ?, ?, day, page, query, clicks, impressions, ctr, position "
                "FROM incoming_queries",
                [site, search_type],
            )
            con.unregister("incoming_pages")
            con.unregister("incoming_queries")
            for r in results:
                t = r.totals or {}
                con.execute(
                    "INSERT OR REPLACE INTO search_days VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [site, search_type, r.day, r.state, int(round(t.get("clicks", 0) or 0)),
                     int(round(t.get("impressions", 0) or 0)), t.get("ctr"), t.get("position"),
                     r.page_count, r.query_count, r.pages_truncated, r.queries_truncated, fetched_at,
                     source, (epoch_versions or {}).get(r.day)],
                )


def save_sites(path: Path, entries: list, seen_at: dt.datetime) -> None:
    """Remember the properties the account can see (for --site hints offline)."""
    with open_store(path, write=True) as con:
        with transaction(con):
            con.execute("DELETE FROM api_sites")
            for e in entries:
                con.execute("INSERT INTO api_sites VALUES (?, ?, ?)", [e.site_url, e.permission_level, seen_at])


def inspections_on(con, site: str, day: dt.date) -> int:
    """Inspections of a property on one Pacific Time day: the daily quota counts these."""
    return con.execute(
        "SELECT count(*) FROM inspections WHERE property = ? AND inspected_day = ?", [site, day]
    ).fetchone()[0]


def recent_inspections(con, site: str, since: dt.datetime) -> set[str]:
    rows = con.execute(
        "SELECT DISTINCT url FROM inspections WHERE property = ? AND inspected_at >= ?", [site, since]
    ).fetchall()
    return {r[0] for r in rows}


def save_inspections(path: Path, site: str, results: list, day: dt.date) -> None:
    with open_store(path, write=True) as con:
        with transaction(con):
            for r in results:
                con.execute(
                    "INSERT INTO inspections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [site, r.url, r.inspected_at, day, r.verdict, r.coverage_state, r.robots_txt_state,
                     r.indexing_state, r.page_fetch_state, r.last_crawl_time, r.google_canonical,
                     r.user_canonical, r.crawled_as, list(r.sitemaps), list(r.referring_urls),
                     r.result_link, r.raw],
                )


def most_linked_pages(con, site: str, limit: int) -> list[str]:
    """Target pages of the newest external Top target pages snapshot, most incoming links first."""
    snapshot = latest_snapshot(con, site, ("top_target_pages",))
    if not snapshot:
        return []
    return [r[0] for r in con.execute(
        "SELECT target_url FROM target_pages WHERE snapshot_id = ? ORDER BY incoming_links DESC NULLS LAST, target_url LIMIT ?",
        [snapshot[0], limit],
    ).fetchall()]


def typical_day_rows(con, site: str, search_type: str) -> dict:
    """The most page and page x query rows of the property's recent days (to plan paging)."""
    row = con.execute(
        """SELECT max(page_rows), max(query_rows) FROM (
               SELECT page_rows, query_rows FROM search_days WHERE property = ? AND search_type = ?
               ORDER BY day DESC LIMIT 14)""",
        [site, search_type],
    ).fetchone()
    return {("page",): row[0] or 0, ("page", "query"): row[1] or 0}


# --- domain ranks and brand terms -------------------------------------------------------------


def linking_domain_names(con) -> list[str]:
    """Every registrable domain that links to any property in the store."""
    return [r[0] for r in con.execute(f"SELECT domain FROM ({_LINKING_DOMAINS}) ORDER BY 1").fetchall()]


def linking_domain_count(con) -> int:
    """How many registrable domains link to any property in the store."""
    return con.execute(f"SELECT count(*) FROM ({_LINKING_DOMAINS})").fetchall()[0][0]


def rank_sources(con):
    """Loaded rank files (dicts of their columns, plus ``ranked`` and ``looked_up`` counts),
    in the order their ranks take precedence."""
    from .ranks import PRECEDENCE

    order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(PRECEDENCE))
    result = con.execute(
        f"""SELECT s.*, coalesce(r.ranked, 0) AS ranked, coalesce(r.looked_up, 0) AS looked_up
            FROM rank_sources s LEFT JOIN (
                SELECT source_id, count(rank) AS ranked, count(*) AS looked_up FROM domain_ranks GROUP BY source_id
            ) r USING (source_id)
            ORDER BY CASE s.kind {order} ELSE 99 END, s.loaded_at DESC"""
    )
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def save_ranks(path: Path, rank_file, file_size: int, list_size: int, looked_up: list[str],
               found: dict[str, int], *, now: dt.datetime, source_id: int | None = None) -> int:
    """Keep a scan's results: a new source (replacing one of the same kind), or more rows of an old one."""
    import pyarrow as pa

    from . import arrow

    # arrow, not pa.array(list): that imports pandas, which `authority load` never needs.
    table = arrow.table({"domain": arrow.array(looked_up, pa.string()),
                         "rank": arrow.array([found.get(d) for d in looked_up], pa.int64())})
    with open_store(path, write=True) as con:
        with transaction(con):
            if source_id is None:
                con.execute("DELETE FROM domain_ranks WHERE source_id IN "
                            "(SELECT source_id FROM rank_sources WHERE kind = ?)", [rank_file.kind])
                con.execute("DELETE FROM rank_sources WHERE kind = ?", [rank_file.kind])
                source_id = con.execute(
                    """INSERT INTO rank_sources (kind, release, file_name, file_path, file_size, list_size, loaded_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING source_id""",
                    [rank_file.kind, rank_file.release, rank_file.path.name, str(rank_file.path.resolve()),
                     file_size, list_size, now],
                ).fetchone()[0]
            else:
                con.execute("UPDATE rank_sources SET refreshed_at = ? WHERE source_id = ?", [now, source_id])
            con.register("incoming_ranks", table)
            try:
                con.execute("INSERT OR REPLACE INTO domain_ranks SELECT ?, domain, rank FROM incoming_ranks",
                            [source_id])
            finally:
                con.unregister("incoming_ranks")
    return source_id


def domains_not_looked_up(con, source_id: int) -> list[str]:
    """Linking domains that appeared after a rank file was read."""
    return [r[0] for r in con.execute(f"{_NOT_LOOKED_UP} ORDER BY 1", [source_id]).fetchall()]


def not_looked_up_count(con, source_id: int) -> int:
    """How many linking domains appeared after a rank file was read."""
    return con.execute(f"SELECT count(*) FROM ({_NOT_LOOKED_UP})", [source_id]).fetchall()[0][0]


_LINKING_DOMAINS = """SELECT linking_domain AS domain FROM linking_pages WHERE linking_domain IS NOT NULL
           UNION SELECT coalesce(linking_domain, site) FROM linking_sites"""
_NOT_LOOKED_UP = f"""SELECT domain FROM ({_LINKING_DOMAINS}) d
           WHERE domain NOT IN (SELECT domain FROM domain_ranks WHERE source_id = ?)"""


def brand_terms(con, site: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT term FROM brand_terms WHERE property = ? ORDER BY term", [site]).fetchall()]


def save_brand_terms(path: Path, site: str, add: list[str], remove: list[str], now: dt.datetime) -> list[str]:
    with open_store(path, write=True) as con:
        with transaction(con):
            for term in remove:
                con.execute("DELETE FROM brand_terms WHERE property = ? AND term = ?", [site, term])
            for term in add:
                con.execute("INSERT OR IGNORE INTO brand_terms VALUES (?, ?, ?)", [site, term, now])
        return brand_terms(con, site)
