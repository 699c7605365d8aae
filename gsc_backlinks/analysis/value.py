"""What a link is worth: authority of the linking domain and topical relevance, in one 0-100 value.

* **Authority** (0-100, :func:`gsc_backlinks.ranks.authority_score`): the
  domain's rank in the loaded web-graph rank file on a log scale: rank 1 ->
  100, 10,000 -> 50, 1 million -> 25, 100 million -> 1.  A domain the file
  does not list is "unknown", never 0.  Where several files are loaded, Common
  Crawl's rank is used first, then Majestic's, then Tranco's.
* **Relevance** (0-100, :mod:`.relevance`): TF-IDF similarity of what the
  linking page (or domain) is about to your page's (or site's) search queries.
* **Value** = half authority + half relevance, times 0.5 for a nofollow or
  UGC link and 0.25 for a sponsored one where a source says so.  For a domain
  the rank file does not list, authority counts as half the score of the
  file's last rank (it ranks below every listed domain); with no rank file
  loaded it counts as 0, so the value then reflects relevance alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from .. import ranks
from . import relevance as R

FLAG_FACTORS = {"nofollow": 0.5, "ugc": 0.5, "sponsored": 0.25}
DOMAIN_PAGES = 50  #: linking pages per domain whose words make up the domain's text
TOPIC_DAYS = 28  #: days of search queries a topic is made of
FIT_DOMAINS = 20_000  #: linking domains' texts the TF-IDF weights are learnt from (bounds time and memory)


@dataclass(frozen=True)
class RankSource:
    kind: str
    label: str
    release: str
    file_name: str
    list_size: int
    loaded_at: dt.datetime

    def describe(self) -> str:
        return f"{self.label}, {self.release}"


@dataclass(frozen=True)
class DomainAuthority:
    score: int | None  #: 0-100, None = unknown
    rank: int | None
    source: RankSource | None


UNKNOWN = DomainAuthority(None, None, None)


def link_value(authority: int | None, relevance: int | None, unknown_authority: float, flags=()) -> int:
    """The documented 0-100 value: half authority (or the stand-in for unknown), half relevance."""
    a = unknown_authority if authority is None else authority
    value = 0.5 * a + 0.5 * (relevance or 0)
    for flag in flags:
        value *= FLAG_FACTORS.get(flag, 1.0)
    return int(round(value))


@dataclass
class Authorities:
    """The ranks the store holds for a set of domains, from every loaded rank file."""

    sources: list[RankSource] = field(default_factory=list)
    by_domain: dict[str, DomainAuthority] = field(default_factory=dict)

    @cached_property  # read for every rated link; the sources do not change once loaded
    def unknown_stand_in(self) -> float:
        """Authority a domain not in any file counts as: half the score of the longest file's last rank."""
        if not self.sources:
            return 0.0
        return (ranks.authority_score(max(s.list_size for s in self.sources)) or 0) / 2

    def of(self, domain: str | None) -> DomainAuthority:
        return self.by_domain.get(domain or "", UNKNOWN)


def load_authorities(con) -> Authorities:
    """Authority of every ranked linking domain: the rank from the first loaded file (by precedence) listing it.

    The store keeps ranks only for domains that link to its properties, so this is small.
    """
    from .. import store

    sources = {r["source_id"]: RankSource(r["kind"], ranks.KINDS.get(r["kind"], r["kind"]), r["release"],
                                          r["file_name"], r["list_size"], r["loaded_at"])
               for r in store.rank_sources(con)}
    out = Authorities(list(sources.values()))
    if not sources:
        return out
    order = {sid: i for i, sid in enumerate(sources)}
    best: dict[str, tuple[int, int, int]] = {}
    for domain, sid, rank in con.execute("SELECT domain, source_id, rank FROM domain_ranks WHERE rank IS NOT NULL").fetchall():
        key = (order.get(sid, 99), rank, sid)
        if domain not in best or key < best[domain]:
            best[domain] = key
    for domain, (_, rank, sid) in best.items():
        out.by_domain[domain] = DomainAuthority(ranks.authority_score(rank), rank, sources[sid])
    return out


def topic_window(end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days of search queries a topic is made of: the :data:`TOPIC_DAYS` up to `end`; all of them without one."""
    if end is None:
        return dt.date.min, dt.date.max
    return end - dt.timedelta(days=TOPIC_DAYS - 1), end


def site_queries(con, site: str, window: tuple[dt.date, dt.date], limit: int) -> list[tuple[str, int]]:
    """The site's web queries over `window` with their impressions, most impressions first."""
    return con.execute(
        """SELECT query, sum(impressions) AS i FROM search_queries
           WHERE property = ? AND search_type = 'web' AND day BETWEEN ? AND ?
           GROUP BY query ORDER BY i DESC, query LIMIT ?""",
        [site, *window, limit],
    ).fetchall()


class Valuer:
    """Relevance and value for one property: fitted once, used for the domain table and every page."""

    def __init__(self, con, site: str, end: dt.date | None, domains: list[str], sample_ids: list[int]):
        """`end`: last day of the queries that make topics; `sample_ids`: the sample links snapshots whose
        linking pages make up each domain's text."""
        self.site = site
        self.window = topic_window(end)
        self.site_queries = site_queries(con, site, self.window, 5000)
        self.domain_text = {d: R.url_words("https://" + d + "/") for d in domains if d}
        if sample_ids:
            marks = ", ".join("?" for _ in sample_ids)
            for domain, urls in con.execute(
                f"""SELECT linking_domain, list(linking_url ORDER BY linking_url) FROM (
                        SELECT linking_domain, linking_url,
                               row_number() OVER (PARTITION BY linking_domain ORDER BY linking_url) AS n
                        FROM (SELECT DISTINCT linking_domain, linking_url FROM linking_pages
                              WHERE snapshot_id IN ({marks}) AND linking_domain IS NOT NULL))
                    WHERE n <= {DOMAIN_PAGES} GROUP BY linking_domain""",
                sample_ids,
            ).fetchall():
                if domain in self.domain_text or not domains:
                    words = dict.fromkeys(" ".join(R.url_words(u) for u in urls).split())
                    self.domain_text[domain] = " ".join(words)
        # The IDF is learnt from the queries and (a bounded number of) linking domains' texts.
        corpus = [q for q, _ in self.site_queries] + list(self.domain_text.values())[:FIT_DOMAINS]
        self.model = R.TopicModel(corpus)
        self.site_topic = self.model.topic(self.site_queries[: R.QUERY_LIMIT])
        self.authorities = load_authorities(con)
        self.has_search = bool(self.site_queries)

    def top_queries(self, limit: int) -> list[str]:
        """The site's queries with the most impressions in the topic window, most first."""
        return [q for q, _ in self.site_queries[:limit]]

    def page_topics(self, con, pages: list[str]) -> dict[str, object]:
        """Each page's topic vector: its own queries, or its URL's words when it has none."""
        import pandas as pd

        queries: dict[str, list] = {p: [] for p in pages}
        if pages:
            con.register("topic_pages", pd.DataFrame({"page": pages}))
            try:
                for page, query, impressions in con.execute(
                    f"""SELECT page, query, i FROM (
                           SELECT page, query, sum(impressions) AS i,
                                  row_number() OVER (PARTITION BY page ORDER BY sum(impressions) DESC, query) AS n
                           FROM search_queries JOIN topic_pages USING (page)
                           WHERE property = ? AND search_type = 'web' AND day BETWEEN ? AND ?
                           GROUP BY page, query)
                       WHERE n <= {R.QUERY_LIMIT} ORDER BY page, n""",
                    [self.site, *self.window],
                ).fetchall():
                    queries[page].append((query, impressions))
            finally:
                con.unregister("topic_pages")
        for page, found in queries.items():
            if not found:
                found.append((R.url_words(page), 1))
        return dict(zip(queries, self.model.topics(list(queries.values()))))

    def rate_domains(self, domains: list[str], topic=None) -> list[dict]:
        """authority, authority_rank, authority_source, relevance, relevance_band and value of each domain,
        against a page's topic (default: the site's)."""
        texts = [self.domain_text.get(d) or R.url_words(f"https://{d}/") for d in domains]
        scores = self.model.similarity(texts, self.site_topic if topic is None else topic)
        return [self._rated(d, s) for d, s in zip(domains, scores)]

    def rate_pages(self, urls: list[str], domains: list[str | None], topic=None) -> list[dict]:
        """The same for linking pages (their URL's words), against a page's topic (default: the site's)."""
        scores = self.model.similarity([R.url_words(u) for u in urls], self.site_topic if topic is None else topic)
        return [self._rated(d, s) for d, s in zip(domains, scores)]

    def _rated(self, domain: str | None, relevance: int | None) -> dict:
        auth = self.authorities.of(domain)
        return {
            "authority": auth.score, "authority_rank": auth.rank,
            "authority_source": auth.source.describe() if auth.source else None,
            "relevance": relevance, "relevance_band": R.band(relevance),
            "value": link_value(auth.score, relevance, self.authorities.unknown_stand_in),
        }

    def annotate(self, detail, topic, anchors=None) -> None:
        """Add relevance, authority and value to a drill-down's linking sites and pages, best first;
        and the site's anchor texts that match the page's own queries."""
        if detail.linking_sites:
            for row, rated in zip(detail.linking_sites, self.rate_domains([r["site"] for r in detail.linking_sites], topic)):
                row.update(rated)
            detail.linking_sites.sort(key=lambda r: (-r["value"], -(r["linking_pages"] or 0), r["site"]))
        for rows in (detail.linking_pages, detail.site_samples):
            if not rows:
                continue
            rated = self.rate_pages([r["linking_url"] for r in rows], [r["linking_domain"] for r in rows], topic)
            for row, r in zip(rows, rated):
                row.update(r)
            rows.sort(key=lambda r: (-r["value"], r["linking_url"]))
        if anchors is not None:  # an AnchorIndex of the site's anchors
            detail.anchor_matches = anchors.matches([q["query"] for q in detail.queries])

    def explain(self) -> list[str]:
        """Where the numbers come from, in the user's words (shown beside every value)."""
        a = self.authorities
        if a.sources:
            known = sum(1 for d in self.domain_text if a.of(d).score is not None)
            lines = [f"Authority: {s.describe()} ({s.list_size:,} domains, loaded {s.loaded_at:%Y-%m-%d})"
                     for s in a.sources]
            lines.append(f"{known:,} of {len(self.domain_text):,} linking domains are in it; the others show "
                         f"authority \"unknown\" and count as {a.unknown_stand_in:g} in the value")
        else:
            lines = ["No rank file loaded: authority is unknown and the value reflects relevance alone "
                     "(gsc-backlinks authority load FILE)"]
        if self.has_search:
            lines.append(f"Relevance: against search queries of {self.window[0]:%Y-%m-%d} to {self.window[1]:%Y-%m-%d}")
        else:
            lines.append("Relevance: no search queries in the store, so topics come from page URLs only "
                         "(gsc-backlinks sync)")
        return lines


def rate_page(con, site: str, detail, end: dt.date | None, snaps, brands=()) -> Valuer:
    """Value the links of one page (the `page` command): its own topic, the site's anchors.

    `snaps`: the property's :class:`~.weekly.Snapshots`.
    """
    from .anchors import TOP_QUERIES
    from .links import anchor_rules
    from .weekly import anchor_texts

    domains = {s["site"] for s in detail.linking_sites}
    domains |= {p["linking_domain"] for p in detail.linking_pages + detail.site_samples if p.get("linking_domain")}
    valuer = Valuer(con, site, end, sorted(domains), snaps.sample_ids())
    df, _ = anchor_texts(con, snaps)
    if df is None:
        anchors = None
    else:
        anchors = anchor_rules(con, site, valuer.top_queries(TOP_QUERIES), brands).index(list(df["anchor_text"]))
    valuer.annotate(detail, valuer.page_topics(con, [detail.url])[detail.url], anchors)
    return valuer
