"""What a link is worth: authority of the linking domain and topical relevance, in one 0-100 value.

* **Authority** (0-100, :mod:`.authority`): the domain's rank in the loaded
  web-graph rank file on a log scale; "unknown" for a domain the file does not list.
* **Relevance** (0-100, :mod:`.relevance`): TF-IDF similarity of what the
  linking page (or domain) is about to your page's (or site's) search queries.
* **Value** = half authority + half relevance, times 0.5 for a nofollow or
  UGC link and 0.25 for a sponsored one where a source says so
  (:func:`link_value`).  For a domain the rank file does not list, authority
  counts as half the score of the file's last rank (it ranks below every
  listed domain); with no rank file loaded it counts as 0, so the value then
  reflects relevance alone.

Relevance is the expensive figure (scikit-learn, fitting TF-IDF weights): a
:class:`Valuer` reads it from the store where it was computed before from the
same inputs (the topic window's search data, the sample snapshots, the linking
domains and the method), computes only what is missing, and hands the new
ratings back to be stored (:meth:`Valuer.save`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import ranks
from ..dates import pacific_text, utc_now
from . import relevance as R
from .authority import Authorities, load_authorities
from .search import TOPIC_DAYS, top_queries, topic_window

if TYPE_CHECKING:
    import duckdb

    from .domains import LinkingDomains
    from .snapshots import Snapshots

FLAG_FACTORS = {"nofollow": 0.5, "ugc": 0.5, "sponsored": 0.25}
DOMAIN_PAGES = 50  #: linking pages per domain whose words make up the domain's text
FIT_DOMAINS = 20_000  #: linking domains' texts the TF-IDF weights are learnt from (bounds time and memory)
SITE_QUERIES = 5_000  #: the site's queries the TF-IDF weights are learnt from
#: Changes whenever relevance would come out differently from the same inputs: stored ratings are then recomputed.
METHOD_VERSION = 1
SITE = ""  #: the topic key of the whole site (a target page's topic key is its URL)


def link_value(authority: int | None, relevance: int | None, unknown_authority: float, flags=()) -> int:
    """The documented 0-100 value: half authority (or the stand-in for unknown), half relevance."""
    a = unknown_authority if authority is None else authority
    value = 0.5 * a + 0.5 * (relevance or 0)
    for flag in flags:
        value *= FLAG_FACTORS.get(flag, 1.0)
    return int(round(value))


@dataclass(frozen=True)
class Rated:
    """A linking domain's or page's value and what it is made of."""

    authority: int | None  #: 0-100, None = not in the loaded rank file(s)
    authority_rank: int | None
    authority_source: str | None  #: the rank file, e.g. "Common Crawl domain ranks, cc-main-2026-…"
    relevance: int | None  #: 0-100, None = no words to compare
    relevance_band: str | None
    value: int

    def as_dict(self) -> dict:
        return {"value": self.value, "authority": self.authority, "authority_rank": self.authority_rank,
                "authority_source": self.authority_source, "relevance": self.relevance,
                "relevance_band": self.relevance_band}


class _Fitted:
    """The TF-IDF model of one property's texts and its site topic (built only when a rating is missing)."""

    def __init__(self, con, site: str, window: tuple[dt.date, dt.date], sample_ids: list[int], domains: list[str]):
        self.site_queries = top_queries(con, site, window, SITE_QUERIES)
        self.domain_text = {d: R.url_words("https://" + d + "/") for d in domains if d}
        if sample_ids:
            marks = ", ".join("?" for _ in sample_ids)
            for domain, found in con.execute(
                f"""SELECT linking_domain, list(linking_url ORDER BY linking_url) FROM (
                        SELECT linking_domain, linking_url,
                               row_number() OVER (PARTITION BY linking_domain ORDER BY linking_url) AS n
                        FROM (SELECT DISTINCT linking_domain, linking_url FROM linking_pages
                              WHERE snapshot_id IN ({marks}) AND linking_domain IS NOT NULL))
                    WHERE n <= {DOMAIN_PAGES} GROUP BY linking_domain""",
                sample_ids,
            ).fetchall():
                if domain in self.domain_text or not domains:
                    words = dict.fromkeys(" ".join(R.url_words(u) for u in found).split())
                    self.domain_text[domain] = " ".join(words)
        # What link checks read of linking pages (title and main text) is text about topics too.
        checked = [t for (t,) in con.execute(
            f"""SELECT concat_ws(' ', arg_max(title, checked_at), arg_max(main_text, checked_at)) FROM page_checks
                WHERE property = ? AND NOT own AND main_text IS NOT NULL GROUP BY url LIMIT {FIT_DOMAINS}""",
            [site]).fetchall()]
        # The IDF is learnt from the queries and (a bounded number of) linking domains' and pages' texts.
        corpus = [q for q, _ in self.site_queries] + list(self.domain_text.values())[:FIT_DOMAINS] + checked
        self.model = R.TopicModel(corpus)
        self.site_topic = self.model.topic(self.site_queries[: R.QUERY_LIMIT])


class Valuer:
    """Relevance and value for one property: the site's topic and any of its pages', read or computed.

    Use it while its connection is open; then :meth:`save` the new ratings through a writing connection.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, snaps: Snapshots, end: dt.date | None, domains: list[str]):
        """`end`: last day of the queries that make topics; `domains`: the property's linking domains (their
        texts, with the site's queries, are what the TF-IDF weights are learnt from)."""
        from ..store import relevance as stored
        from ..store.search import days_fingerprint

        self.con, self.site, self.domains = con, snaps.site, list(domains)
        self.window = topic_window(end)
        self.sample_ids = snaps.sample().ids
        self.authorities: Authorities = load_authorities(con)
        self.has_search = bool(top_queries(con, self.site, self.window, 1))
        # A new link check can change what a linking page is about (its main text): it is an input too.
        checks = con.execute("SELECT max(check_id) FROM page_checks WHERE property = ?", [self.site]).fetchall()[0][0]
        key = repr((METHOD_VERSION, self.site, self.window, days_fingerprint(con, self.site, "web", self.window),
                    self.sample_ids, sorted(self.domains), checks))
        self.inputs = hashlib.sha256(key.encode("utf-8")).hexdigest()
        self.run_id = stored.find_run(con, self.site, self.inputs)
        self.topics_done = stored.topics_done(con, self.run_id)
        self._ratings: dict[tuple[str, str, str], int | None] = {}
        self._loaded: set[str] = set()
        self._topics: dict[str, object] = {}
        self._fitted: _Fitted | None = None
        self.pending: list[tuple[str, str, str, int | None]] = []  #: ratings computed now, not yet stored
        self.pending_topics: set[str] = set()

    @classmethod
    def for_property(cls, con: duckdb.DuckDBPyConnection, snaps: Snapshots, end: dt.date | None,
                     domains: LinkingDomains | None | bool = True) -> Valuer:
        """The Valuer every view uses: the property's linking domains as :mod:`.domains` lists them
        (pass `domains` when the caller has read them already)."""
        from .domains import linking_domains

        found = linking_domains(con, snaps) if domains is True else domains
        return cls(con, snaps, end, [r.linking_domain for r in found.rows] if found else [])

    # --- relevance: stored, else computed ---------------------------------------------------------

    def prefetch(self, topics: list[str]) -> None:
        """Read the stored ratings of these topics at once (a report rates a thousand pages)."""
        from ..store import relevance as stored

        wanted = [t for t in topics if t in self.topics_done and t not in self._loaded]
        if wanted and self.run_id is not None:
            self._ratings.update(stored.ratings(self.con, self.run_id, wanted))
        self._loaded.update(topics)

    def _fit(self) -> _Fitted:
        if self._fitted is None:
            self._fitted = _Fitted(self.con, self.site, self.window, self.sample_ids, self.domains)
        return self._fitted

    def prepare_topics(self, pages: list[str]) -> None:
        """Work out, in one go, the topics of the pages whose ratings are not stored yet."""
        missing = [p for p in pages if p not in self.topics_done and p not in self._topics]
        if missing:
            self._topics.update(self._page_topics(missing))

    def _topic(self, topic: str):
        if topic == SITE:
            return self._fit().site_topic
        if topic not in self._topics:
            self._topics.update(self._page_topics([topic]))
        return self._topics[topic]

    def _page_topics(self, pages: list[str]) -> dict[str, object]:
        """Each page's topic vector: its own queries, or its URL's words when it has none."""
        import pyarrow as pa

        from .. import arrow

        fitted = self._fit()
        queries: dict[str, list] = {p: [] for p in pages}
        self.con.register("topic_pages", arrow.table({"page": arrow.array(pages, pa.string())}))
        try:
            for page, query, impressions in self.con.execute(
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
            self.con.unregister("topic_pages")
        for page, found in queries.items():
            if not found:
                found.append((R.url_words(page), 1))
        return dict(zip(queries, fitted.model.topics(list(queries.values()))))

    def _relevance(self, topic: str, kind: str, items: list[str], texts) -> list[int | None]:
        """Stored ratings of `items` against `topic`; the missing ones computed (`texts(missing)`) and kept."""
        self.prefetch([topic])
        found = {i: self._ratings[(topic, kind, i)] for i in items if (topic, kind, i) in self._ratings}
        missing = [i for i in dict.fromkeys(items) if i not in found]
        if missing:
            scores = self._fit().model.similarity(texts(missing), self._topic(topic))
            for item, score in zip(missing, scores):
                found[item] = score
                self._ratings[(topic, kind, item)] = score
                self.pending.append((topic, kind, item, score))
            self.pending_topics.add(topic)
        return [found[i] for i in items]

    def rate_domains(self, domains: list[str], topic: str = SITE) -> list[Rated]:
        """Each domain's value against a topic (default: the site's)."""

        def texts(missing: list[str]) -> list[str]:
            known = self._fit().domain_text
            return [known.get(d) or R.url_words(f"https://{d}/") for d in missing]

        return [self._rated(d, s) for d, s in zip(domains, self._relevance(topic, "domain", domains, texts))]

    def rate_pages(self, urls: list[str], domains: list[str | None], topic: str = SITE,
                   states: list[tuple[tuple[str, ...], bool]] | None = None) -> list[Rated]:
        """Each linking page's value against a topic (default: the site's): its text is what a link check
        read of it (title and main text), else its URL's words.  `states`: each link's (rel flags, gone) as a
        link check saw it: nofollow/ugc/sponsored lower the value, a removed link or a gone page counts 0."""
        scores = self._relevance(topic, "page", urls, self._page_texts)
        states = states or [((), False)] * len(urls)
        return [self._rated(d, s, flags, gone) for d, s, (flags, gone) in zip(domains, scores, states)]

    def _page_texts(self, urls: list[str]) -> list[str]:
        """What each linking page is about: the title and main text its newest check read, else its URL's words.

        The link gap's pages (``check --competitors``) are read here too: their checks keep the main text."""
        checked = dict(self.con.execute(
            """SELECT url, arg_max(concat_ws(' ', title, main_text), checked_at) FROM page_checks
               WHERE property = ? AND NOT own AND list_contains(?, url) AND main_text IS NOT NULL GROUP BY url""",
            [self.site, urls]).fetchall()) if urls else {}
        return [checked.get(u) or R.url_words(u) for u in urls]

    def _rated(self, domain: str | None, relevance: int | None, flags: tuple[str, ...] = (),
               gone: bool = False) -> Rated:
        auth = self.authorities.of(domain)
        value = 0 if gone else link_value(auth.score, relevance, self.authorities.unknown_stand_in, flags)
        return Rated(auth.score, auth.rank, auth.source.describe() if auth.source else None, relevance,
                     R.band(relevance), value)

    def save(self, con: duckdb.DuckDBPyConnection, now: dt.datetime | None = None) -> None:
        """Store the ratings computed by this Valuer (whole topics), so the next view reads them."""
        from ..store.relevance import save_ratings

        if not self.pending:
            return
        save_ratings(con, self.site, self.inputs, self.window if self.window[0] != dt.date.min else None,
                     self.sample_ids, self.pending, sorted(self.pending_topics), now=now or utc_now())
        self.pending, self.pending_topics = [], set()

    # --- in the user's words --------------------------------------------------------------------

    def explain(self) -> list[str]:
        """Where the numbers come from (shown beside every value)."""
        a = self.authorities
        if a.sources:
            known = sum(1 for d in self.domains if a.of(d).score is not None)
            lines = [f"Authority: {s.describe()} ({s.list_size:,} domains, loaded {pacific_text(s.loaded_at, time=False)})"
                     for s in a.sources]
            lines.append(f"{known:,} of {len(self.domains):,} linking domains are in it; the others show "
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


def method() -> tuple[str, ...]:
    """How link value is computed, in the user's words, from the constants that compute it."""
    samples = ", ".join(f"rank {rank:,} is {ranks.authority_score(rank)}" for rank in (1, 10_000, 1_000_000))
    last = 10 ** int(ranks.SCALE_DECADES)
    bands = ", ".join(f"{name} from {floor}" for floor, name in R.BANDS)
    return (
        "Authority (0-100) comes from the domain's rank in a free web-graph rank file you load "
        f"(gsc-backlinks authority load): 100 x (1 - log10(rank) / {ranks.SCALE_DECADES:g}), so {samples} and "
        f"rank {last:,} or beyond is {ranks.authority_score(last)}. A domain the file does not list shows \"unknown\", "
        "never 0. Where several files are loaded, the first that lists a domain is used: "
        + ", then ".join(ranks.KINDS[k] for k in ranks.PRECEDENCE) + ".",
        f"Relevance (0-100; {bands}) compares what a linking page is about (the words of its host name and URL "
        "path, and its anchor text or title where a source has one) with what your page is about (its search "
        f"queries of the last {TOPIC_DAYS} days, weighted by impressions; its URL words when it has none). "
        "The comparison is TF-IDF cosine similarity over words, word pairs and 3-5 letter fragments (so "
        f"\"composting-guide\" meets \"compost guide\"), scaled so {R.FULL:g} counts as 100. A linking domain's text "
        f"is that of up to {DOMAIN_PAGES} of its sampled linking pages, compared with the whole site's queries.",
        f"Value (0-100) = half authority + half relevance, x{FLAG_FACTORS['nofollow']:g} for a nofollow or UGC link "
        f"and x{FLAG_FACTORS['sponsored']:g} for a sponsored one where a source marks it (Search Console's exports "
        "do not). A domain not in the rank file counts as half the score of the file's last rank; with no rank "
        "file loaded, authority counts as 0 and the value reflects relevance alone.",
        "All three are estimates from sampled data: use them to rank links against each other, not as absolute "
        "measures.",
    )
