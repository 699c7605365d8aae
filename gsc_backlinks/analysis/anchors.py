"""Anchor text classes: branded, exact match, partial match, naked URL, generic, empty/image, other.

Search Console writes anchor text lower-cased with punctuation turned into
spaces (``https www example com``); every rule here works on that form, and
the texts we compare against (brand terms, queries) are put in it first.

The rule, first match wins:

1. **empty / image**: no text, or Search Console's ``(empty)``, or a lone
   word for an image (``image``, ``logo``…).
2. **naked URL**: a web address (``https www example com``, ``example co uk``).
3. **branded**: contains one of the property's brand terms (from its domain
   name, plus ``--brand`` / ``gsc-backlinks brand``).
4. **generic**: says nothing about the page (``click here``, ``read more``,
   ``hier``, ``en savoir plus``…).
5. **exact match**: equals one of the top search queries (of the site, or of
   the target page where the anchor's page is known).
6. **partial match**: shares a significant word (not a stop word, 3+ letters,
   a plural ``s`` ignored) with those queries.
7. **other**: none of the above.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from .snapshots import Snapshot, Snapshots

ANCHOR_CLASSES = ("branded", "exact match", "partial match", "naked URL", "generic", "empty / image", "other")
TOP_QUERIES = 100  #: the site's queries (most impressions first) exact and partial matches are made of

#: Anchors that say nothing about the page, in the languages Search Console's UI speaks most.
GENERIC_ANCHORS = frozenset("""
click here|click|here|this|this page|this site|this article|this post|this link|link|links|website|web site|site|
homepage|home page|home|read more|more|learn more|more info|more information|see more|see here|find out more|
visit|visit website|visit site|visit us|go|go to|source|via|details|full article|article|continue reading|read|
view|view more|download|official site|official website|page|url|next|previous|
hier|hier klicken|mehr|mehr erfahren|weiterlesen|webseite|website besuchen|quelle|link hier|
ici|cliquez ici|en savoir plus|site web|lire la suite|voir plus|source|
aquí|aqui|haga clic aquí|haz clic aquí|más|mas|leer más|sitio web|fuente|ver más|
clique aqui|saiba mais|mais|leia mais|
leggi|leggi di più|clicca qui|sito|sito web|fonte|
lees meer|klik hier|meer|bron|
tutaj|kliknij tutaj|więcej|
こちら|ここ|詳しくはこちら|詳細
""".replace("\n", "").split("|")) - {""}

#: Lone words that stand for an image link (alt text or a placeholder).
IMAGE_ANCHORS = frozenset({"(empty)", "empty", "image", "img", "picture", "photo", "logo", "icon", "banner", "bild",
                           "imagen", "immagine"})

#: Words too common to make two texts about the same thing (en, de, fr, es, it, nl, pt).
STOP_WORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "is", "it", "of", "on", "or",
    "the", "to", "was", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your", "best",
    "top", "new", "how", "what", "www", "http", "https", "com", "org", "net", "html", "htm", "php", "amp",
    "der", "die", "das", "und", "ist", "im", "in", "den", "dem", "des", "ein", "eine", "zu", "mit", "von",
    "für", "auf", "wie", "was", "le", "la", "les", "des", "un", "une", "et", "en", "du", "de", "pour", "sur",
    "avec", "au", "aux", "par", "est", "el", "los", "las", "un", "una", "y", "en", "del", "de", "para", "con",
    "por", "que", "como", "es", "il", "lo", "gli", "di", "da", "per", "con", "che", "una", "uno", "de", "het",
    "een", "en", "van", "voor", "met", "op", "te", "o", "os", "as", "um", "uma", "e", "do", "da", "dos", "das",
    "para", "com", "em", "no", "na",
])

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalize_text(text: str | None) -> str:
    """Search Console's anchor form: lower case, punctuation as spaces, single spaces."""
    return " ".join(_WORD.findall((text or "").lower()))


def domain_words(site: str) -> list[str]:
    """The words of the property's own domain label: ``fernhill-nursery.example`` -> ``fernhill``, ``nursery``."""
    from ..urls import host_of, parse_property, registrable_domain

    prop = parse_property(site)
    host = prop.domain or host_of(prop.prefix) or ""
    domain = registrable_domain(host) or host
    label = domain.split(".")[0]
    try:
        label = label.encode("ascii").decode("idna") if label.startswith("xn--") else label
    except UnicodeError:
        pass
    return normalize_text(label).split()


def brand_terms(site: str, extra=()) -> tuple[str, ...]:
    """Brand terms: the words of the property's domain name (``fernhill-nursery.example`` ->
    ``fernhill nursery`` and ``fernhillnursery``) plus the user's own."""
    words = domain_words(site)
    terms = {" ".join(words), "".join(words)} | {normalize_text(t) for t in extra}
    return tuple(sorted(t for t in terms if len(t) >= 3))


def brand_queries(site: str) -> frozenset[str]:
    """Queries that are branded though they hold no brand term: the first word of the domain's own label
    when it has more than one (people search "fernhill" for fernhill-nursery.example)."""
    words = domain_words(site)
    return frozenset(words[:1]) if len(words) > 1 and len(words[0]) >= 3 else frozenset()


#: Single-label endings that make "name ending" a web address; newer gTLDs (".garden", ".tips")
#: are ordinary words too often to count.
_CLASSIC_TLDS = frozenset([
    "com", "org", "net", "info", "biz", "edu", "gov", "mil", "int", "io", "co", "me", "app", "dev", "xyz", "eu",
    "asia",
])
@lru_cache(maxsize=1)
def _multi_suffixes() -> frozenset[str]:
    """Public suffixes of two or more labels, spelled with spaces ("co uk", "com au")."""
    from ..urls import public_suffix_rules

    rules, _ = public_suffix_rules()
    return frozenset(r.replace(".", " ") for r in rules if r.isascii() and "." in r and not r.startswith(("!", "*")))


def _is_naked_url(text: str) -> bool:
    words = text.split()
    if len(words) >= 2 and words[0] in ("http", "https", "www"):
        return True
    if not 2 <= len(words) <= 6:
        return False
    for size in (3, 2, 1):
        ending, name = " ".join(words[-size:]), words[:-size]
        if not name or any(w in STOP_WORDS for w in name):
            continue
        if size > 1 and ending in _multi_suffixes():
            return True
        if size == 1 and len(name) <= 3 and (ending in _CLASSIC_TLDS or (len(ending) == 2 and ending.isalpha())):
            return True
    return False


def significant_words(text: str) -> set[str]:
    """Words that carry meaning: 3+ letters (any script), no stop words, a plural "s" dropped."""
    out = set()
    for w in text.split():
        if w in STOP_WORDS or w.isdigit() or (len(w) < 3 and w.isascii()):
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


@dataclass(frozen=True)
class AnchorRules:
    """What anchors are compared against: brand terms and top queries (already normalized)."""

    brands: tuple[str, ...]
    queries: frozenset[str] = frozenset()
    query_words: frozenset[str] = frozenset()
    branded_queries: frozenset[str] = frozenset()  #: queries that are branded without holding a brand term

    @classmethod
    def build(cls, site: str, extra_brands=(), queries=()) -> AnchorRules:
        return cls(brand_terms(site, extra_brands), branded_queries=brand_queries(site)).for_queries(queries)

    def is_branded_query(self, query: str) -> bool:
        """A query that names the brand (normalized): it says nothing about a page's topic."""
        return query in self.branded_queries or _has_brand(query, self.brands)

    def for_queries(self, queries) -> AnchorRules:
        """The same brand terms, other queries (a target page's own)."""
        normalized = {normalize_text(q) for q in queries} - {""}
        # Branded queries say nothing about a topic: they would make every branded anchor a match.
        topical = {q for q in normalized if not self.is_branded_query(q)}
        words = set().union(*(significant_words(q) for q in topical)) if topical else set()
        return AnchorRules(self.brands, frozenset(topical), frozenset(words), self.branded_queries)

    def classify(self, text: str | None) -> str:
        t = normalize_text(text)
        if not t or t in IMAGE_ANCHORS or (text or "").strip().lower() == "(empty)":
            return "empty / image"
        if _is_naked_url(t):
            return "naked URL"
        if t in self.branded_queries or _has_brand(t, self.brands):  # "fernhill" as a query names the brand
            return "branded"
        if t in GENERIC_ANCHORS:
            return "generic"
        if t in self.queries:
            return "exact match"
        if significant_words(t) & self.query_words:
            return "partial match"
        return "other"

    def index(self, anchors: list[str]) -> AnchorIndex:
        return AnchorIndex(self, anchors)


class AnchorIndex:
    """A site's anchors, ready to be matched against many pages' queries (a report has a thousand pages).

    The page-independent classes and each anchor's words are worked out once; a page's
    matches are then looked up by text and by word.
    """

    def __init__(self, rules: AnchorRules, anchors: list[str]):
        self.rules, self.anchors = rules, list(anchors)
        self.by_text: dict[str, list[int]] = {}
        self.by_word: dict[str, list[int]] = {}
        brands_only = AnchorRules(rules.brands, branded_queries=rules.branded_queries)
        for i, anchor in enumerate(self.anchors):
            if brands_only.classify(anchor) != "other":
                continue  # empty, naked URL, branded or generic whatever the page
            text = normalize_text(anchor)
            self.by_text.setdefault(text, []).append(i)
            for word in significant_words(text):
                self.by_word.setdefault(word, []).append(i)

    def matches(self, queries) -> list[dict]:
        """The anchors that equal (exact match) or share a word with (partial match) these queries, in order."""
        page = self.rules.for_queries(queries)
        hits: dict[int, str] = {}
        for query in page.queries:
            for i in self.by_text.get(query, ()):
                hits[i] = "exact match"
        for word in page.query_words:
            for i in self.by_word.get(word, ()):
                hits.setdefault(i, "partial match")
        return [{"anchor_text": self.anchors[i], "class": hits[i]} for i in sorted(hits)]


def _has_brand(text: str, brands: tuple[str, ...]) -> bool:
    padded, joined = f" {text} ", text.replace(" ", "")
    return any(f" {b} " in padded or (" " not in b and len(b) >= 5 and b in joined) for b in brands)


def class_counts(classes) -> dict[str, int]:
    """Anchors per class, in ANCHOR_CLASSES order, classes with none left out."""
    counts = Counter(classes)
    return {c: counts[c] for c in ANCHOR_CLASSES if counts[c]}


# --- the Top linking text export, classified ------------------------------------------------------


def site_rules(con: duckdb.DuckDBPyConnection, site: str, end: dt.date | None, brands=()) -> AnchorRules:
    """A property's anchor rules: its domain's, stored and given brand terms, and its top
    :data:`TOP_QUERIES` search queries of the :data:`~.search.TOPIC_DAYS` up to `end`."""
    from ..store.brand import brand_terms as stored_terms
    from .search import top_queries, topic_window

    queries = [q for q, _ in top_queries(con, site, topic_window(end), TOP_QUERIES)]
    return AnchorRules.build(site, [*stored_terms(con, site), *brands], queries)


@dataclass(frozen=True)
class AnchorRow:
    rank: int
    anchor_text: str
    anchor_class: str


@dataclass(frozen=True)
class AnchorTable:
    rows: tuple[AnchorRow, ...]  #: by rank
    total: int
    snapshot: Snapshot
    rules: AnchorRules

    def class_counts(self) -> dict[str, int]:
        return class_counts(r.anchor_class for r in self.rows)


def anchor_table(con: duckdb.DuckDBPyConnection, snaps: Snapshots, rules: AnchorRules,
                 limit: int | None = None) -> AnchorTable | None:
    """The newest Top linking text export by rank, each anchor with its class."""
    snap = snaps.newest("top_linking_text")
    if snap is None:
        return None
    total = con.execute("SELECT count(*) FROM linking_text WHERE snapshot_id = ?", [snap.snapshot_id]).fetchall()[0][0]
    rows = con.execute(
        "SELECT rank, anchor_text FROM linking_text WHERE snapshot_id = ? ORDER BY rank, anchor_text"
        + (f" LIMIT {int(limit)}" if limit else ""), [snap.snapshot_id]).fetchall()
    return AnchorTable(tuple(AnchorRow(r, t, rules.classify(t)) for r, t in rows), total, snap, rules)


# --- the real anchors of links to one page (what link checks and link tools saw) ---------------------------


@dataclass(frozen=True)
class PageAnchor:
    anchor_text: str
    anchor_class: str
    linking_pages: int  #: pages linking to the page with this text
    followed: int  #: of which without nofollow/ugc/sponsored
    example: str  #: one linking page
    sources: tuple[str, ...] = ("link check",)  #: who saw it: the link check, and/or a third-party tool


def page_anchors(con: duckdb.DuckDBPyConnection, site: str, target: str, rules: AnchorRules,
                 as_of: dt.date | None = None) -> list[PageAnchor]:
    """The anchor texts of the links to one page, as the link checks saw them and, for linking pages no check
    has seen link here, as the property's newest third-party exports list them (live links); most linking pages
    first.  Classified by the page's own queries (``rules.for_queries`` of them, brand terms kept)."""
    from ..store.vendors import current_vendor_snapshots
    from .checks import current_links, read_by_check
    from .thirdparty import tool_name

    # text -> linking page -> (followed, source)
    by_text: dict[str, dict[str, tuple[bool, str]]] = {}
    for link in current_links(con, site, target=target):
        by_text.setdefault(link.anchor_text or "", {}).setdefault(link.linking_url, (not link.flags, "link check"))
    ids = [s.snapshot_id for s in current_vendor_snapshots(con, site, as_of)]
    # A page whose newest check read it is known from the check, link or no link: fresher than a tool's crawl.
    checked = read_by_check(con, site)
    if ids:
        for url, text, flagged, source in con.execute(
                """SELECT linking_url, anchor_text, coalesce(nofollow OR ugc OR sponsored, false), source
                   FROM link_observations WHERE source <> 'check' AND list_contains(?, snapshot_id)
                     AND target_url = ? AND lost_on IS NULL AND coalesce(status, 'live') <> 'lost'
                   ORDER BY linking_url, anchor_text""", [ids, target]).fetchall():
            if url not in checked:  # a check is fresher than a tool's crawl
                by_text.setdefault(text or "", {}).setdefault(url, (not flagged, tool_name(source)))
    out = [PageAnchor(text, rules.classify(text), len(found), sum(1 for f, _ in found.values() if f), min(found),
                      tuple(dict.fromkeys(src for _, src in sorted(found.values(), key=lambda v: v[1]))))
           for text, found in by_text.items()]
    return sorted(out, key=lambda a: (-a.linking_pages, a.anchor_text))
