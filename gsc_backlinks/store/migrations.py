"""The store's schema: ordered migrations, applied in one transaction.

Never edit a released migration; append a new one.
"""

from __future__ import annotations

from ..dates import utc_now
from ..errors import StoreError
from .connection import transaction

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
        "link relevance kept with the inputs it was computed from",
        """
        -- Relevance (TF-IDF over search queries and linking pages' words) is the one expensive
        -- figure: it is kept with a digest of its inputs and computed again only when one changes.
        CREATE SEQUENCE relevance_run_ids START 1;
        CREATE TABLE relevance_runs (
            run_id      BIGINT PRIMARY KEY DEFAULT nextval('relevance_run_ids'),
            property    VARCHAR NOT NULL,
            inputs      VARCHAR NOT NULL,   -- digest of what is below, the query data and the method
            topic_start DATE,               -- the days of search queries topics are made of
            topic_end   DATE,
            sample_ids  BIGINT[] NOT NULL,  -- sample links snapshots whose pages make a domain's text
            computed_at TIMESTAMP NOT NULL,
            UNIQUE (property, inputs)
        );
        -- A topic computed in a run: '' = the whole site's queries, else a target page's URL.
        CREATE TABLE relevance_topics (
            run_id BIGINT NOT NULL,
            topic  VARCHAR NOT NULL
        );
        CREATE TABLE relevance (
            run_id    BIGINT NOT NULL,
            topic     VARCHAR NOT NULL,
            item_kind VARCHAR NOT NULL,     -- 'domain' or 'page'
            item      VARCHAR NOT NULL,     -- the linking domain or the linking page's URL
            relevance INTEGER               -- 0-100; NULL = unknown (no words, or no topic)
        );
        """,
    ),
    (
        7,
        "a snapshot is its kind, date, target and content; sites grouped by the ICANN suffixes; rank file dates",
        """
        -- The same bytes are not the same snapshot: two drill-downs of different pages can be
        -- byte-identical, and an unchanged export downloaded a week later is news that nothing
        -- changed.  Only the same kind, date, target and content is a repeat (checked on import);
        -- same_as names the earlier snapshot with the same content ("unchanged since").
        CREATE TABLE snapshots_v7 (
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
            same_as       BIGINT
        );
        INSERT INTO snapshots_v7 SELECT *, NULL FROM snapshots ORDER BY snapshot_id;
        DROP TABLE snapshots;
        ALTER TABLE snapshots_v7 RENAME TO snapshots;
        -- A release's date of last resort (two Tranco lists are told apart by it).
        ALTER TABLE rank_sources ADD COLUMN file_date DATE;
        """,
    ),
    (
        8,
        "link checks: every fetch of a linking page (or an own page) and the links to the property it found",
        """
        -- Every check is kept (the newest is current): a link seen at one check and gone at the next
        -- is "lost on <date>", with that check's status as the reason.
        CREATE SEQUENCE check_ids START 1;
        CREATE TABLE page_checks (
            check_id         BIGINT PRIMARY KEY DEFAULT nextval('check_ids'),
            property         VARCHAR NOT NULL,
            url              VARCHAR NOT NULL,   -- canonical; a linking page, or one of the property's own
            own              BOOLEAN NOT NULL,   -- an own page, checked for being gone (404, noindex…)
            checked_at       TIMESTAMP NOT NULL, -- UTC
            status           VARCHAR NOT NULL,
            reason           VARCHAR NOT NULL,
            http_status      INTEGER,
            final_url        VARCHAR,
            hops             VARCHAR[],          -- "status url" of every answer on the way
            title            VARCHAR,
            lang             VARCHAR,
            canonical        VARCHAR,
            meta_robots      VARCHAR,
            x_robots_tag     VARCHAR,
            size             BIGINT,
            elapsed          DOUBLE,
            main_text        VARCHAR,            -- boilerplate removed, at most ~20 KB
            redirect_to_home BOOLEAN,
            links            INTEGER NOT NULL    -- links to the property found
        );
        -- The per-link facts, one concept for every source: the link checker now, third-party
        -- exports later.  Rel flags NULL = the source does not say.
        CREATE TABLE link_observations (
            source         VARCHAR NOT NULL,     -- 'check', or a tool's name
            property       VARCHAR NOT NULL,
            check_id       BIGINT,               -- the page check that saw it (source 'check')
            snapshot_id    BIGINT,               -- the export it came from (third-party sources)
            observed_at    TIMESTAMP NOT NULL,   -- UTC
            linking_url    VARCHAR NOT NULL,
            linking_domain VARCHAR,
            target_url     VARCHAR NOT NULL,
            anchor_text    VARCHAR,
            image          BOOLEAN,
            nofollow       BOOLEAN,
            ugc            BOOLEAN,
            sponsored      BOOLEAN,
            placement      VARCHAR,              -- content / navigation / header / footer / aside
            context_before VARCHAR,
            context_after  VARCHAR,
            first_seen     DATE,
            last_seen      DATE,
            lost_on        DATE,
            status         VARCHAR,
            reason         VARCHAR
        );
        """,
    ),
    (
        9,
        "search days marked with their source (Search Console API or BigQuery bulk export)",
        """
        -- 'api' or 'bigquery'; a bulk-export day keeps the ExportLog version it was read at
        -- (the sum of its two tables' epoch versions), so a re-published day is read again.
        ALTER TABLE search_days ADD COLUMN source VARCHAR NOT NULL DEFAULT 'api';
        ALTER TABLE search_days ADD COLUMN epoch_version BIGINT;
        """,
    ),
    (
        10,
        "third-party backlink exports (Ahrefs, Semrush, Majestic, Moz, Bing) and competitors",
        """
        -- A third-party export is a dated snapshot like a Search Console one, of the property's own links
        -- or of a competitor's (competitor = its registrable domain; '' = the property's own).
        CREATE SEQUENCE vendor_snapshot_ids START 1;
        CREATE TABLE vendor_snapshots (
            snapshot_id   BIGINT PRIMARY KEY DEFAULT nextval('vendor_snapshot_ids'),
            property      VARCHAR NOT NULL,
            competitor    VARCHAR NOT NULL,
            vendor        VARCHAR NOT NULL,   -- 'ahrefs', 'semrush', 'majestic', 'moz', 'bing'
            export        VARCHAR NOT NULL,   -- 'ahrefs_backlinks', 'semrush_referring_domains', ...
            snapshot_date DATE NOT NULL,
            date_source   VARCHAR NOT NULL,
            source_name   VARCHAR NOT NULL,
            content_hash  VARCHAR NOT NULL,
            quick_key     VARCHAR,            -- size and hash of the first MiB: a cheap "maybe held" test
            row_count     BIGINT NOT NULL,
            encoding      VARCHAR,
            notes         VARCHAR[],
            imported_at   TIMESTAMP NOT NULL  -- UTC
        );
        CREATE TABLE competitors (
            property VARCHAR NOT NULL,
            domain   VARCHAR NOT NULL,        -- registrable domain
            added_at TIMESTAMP NOT NULL,      -- UTC
            PRIMARY KEY (property, domain)
        );
        -- A backlinks export's rows are link observations (source = the tool, snapshot_id = its
        -- vendor snapshot), with the tool's own metrics kept as they are, named with the tool.
        ALTER TABLE link_observations ADD COLUMN sitewide BOOLEAN;
        ALTER TABLE link_observations ADD COLUMN linking_title VARCHAR;
        ALTER TABLE link_observations ADD COLUMN ahrefs_dr DOUBLE;
        ALTER TABLE link_observations ADD COLUMN ahrefs_ur DOUBLE;
        ALTER TABLE link_observations ADD COLUMN ahrefs_domain_traffic DOUBLE;
        ALTER TABLE link_observations ADD COLUMN ahrefs_page_traffic DOUBLE;
        ALTER TABLE link_observations ADD COLUMN ahrefs_is_spam BOOLEAN;
        ALTER TABLE link_observations ADD COLUMN semrush_page_ascore DOUBLE;
        ALTER TABLE link_observations ADD COLUMN semrush_page_score DOUBLE;
        ALTER TABLE link_observations ADD COLUMN semrush_page_trust_score DOUBLE;
        ALTER TABLE link_observations ADD COLUMN majestic_source_trust_flow DOUBLE;
        ALTER TABLE link_observations ADD COLUMN majestic_source_citation_flow DOUBLE;
        ALTER TABLE link_observations ADD COLUMN majestic_source_topic VARCHAR;
        ALTER TABLE link_observations ADD COLUMN majestic_source_topic_trust_flow DOUBLE;
        ALTER TABLE link_observations ADD COLUMN moz_domain_authority DOUBLE;
        ALTER TABLE link_observations ADD COLUMN moz_page_authority DOUBLE;
        ALTER TABLE link_observations ADD COLUMN moz_spam_score DOUBLE;
        -- A referring-domains export: one row per linking domain.
        CREATE TABLE vendor_domains (
            snapshot_id            BIGINT NOT NULL,
            linking_domain         VARCHAR NOT NULL,
            first_seen             DATE,
            last_seen              DATE,
            lost_on                DATE,
            status                 VARCHAR,
            semrush_domain_ascore  DOUBLE,
            semrush_backlinks      DOUBLE,
            ahrefs_dr              DOUBLE,
            ahrefs_domain_traffic  DOUBLE,
            ahrefs_links_to_target DOUBLE,
            ahrefs_dofollow_links  DOUBLE,
            ahrefs_is_spam         BOOLEAN
        );
        """,
    ),
    (
        11,
        "link checks of the link gap's pages: competitors' linking pages, fetched for what they are about",
        """
        -- A competitor's linking page of the link gap (check --competitors), checked for its main text (the
        -- relevance of the gap) and never one of the property's links: lost links, current links, link
        -- counts and coverage read only checks with NOT own AND NOT gap.
        ALTER TABLE page_checks ADD COLUMN gap BOOLEAN DEFAULT false;
        """,
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def regroup_linking_domains(con) -> None:
    """Linking domains by the ICANN section of the Public Suffix List, as Search Console groups sites
    (``alice.blogspot.com`` -> ``blogspot.com``): stored domains of an older grouping are renamed.

    A host's ICANN registrable domain is that of its older, longer domain, so the few distinct
    stored domains are mapped, not every row's URL.
    """
    from ..urls import registrable_domain

    old = [r[0] for r in con.execute(
        """SELECT DISTINCT linking_domain FROM linking_pages WHERE linking_domain IS NOT NULL
           UNION SELECT DISTINCT linking_domain FROM linking_sites WHERE linking_domain IS NOT NULL""").fetchall()]
    renamed = [(d, registrable_domain(d)) for d in old]
    renamed = [(d, new) for d, new in renamed if new and new != d]
    if not renamed:
        return
    con.execute("CREATE TEMP TABLE regrouped AS SELECT unnest(?::VARCHAR[]) AS old, unnest(?::VARCHAR[]) AS new",
                [[d for d, _ in renamed], [n for _, n in renamed]])
    try:
        for table in ("linking_pages", "linking_sites"):
            con.execute(f"""UPDATE {table} SET linking_domain = r.new FROM regrouped r
                            WHERE {table}.linking_domain = r.old""")
    finally:
        con.execute("DROP TABLE regrouped")


#: Python steps run after a migration's SQL, in its transaction.
AFTER = {7: (regroup_linking_domains,)}


def schema_version(con) -> int:
    """The store's schema version; 0 for an empty file, a StoreError for a file of other tables."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchall()[0][0]
        if tables:
            raise StoreError("the store file holds other tables and no gsc-backlinks schema; choose another --store")
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def newer_store_error(version: int) -> StoreError:
    return StoreError(f"the store was written by a newer gsc-backlinks (schema {version}, this one knows "
                      f"{SCHEMA_VERSION}); upgrade gsc-backlinks")


def migrate(con) -> int:
    """Apply the migrations this store lacks, all in one transaction: a store is at its old
    version or the newest, never in between (and a new store costs one commit, not six)."""
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise newer_store_error(version)
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
            for step in AFTER.get(number, ()):
                step(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, name, utc_now()])
    return SCHEMA_VERSION
