"""The kinds of Links export Search Console writes, and their localized headers.

This is the one place to add a language: put the column names as they appear
in the export's header row under ``HEADER_ALIASES``.  Matching ignores case,
surrounding spaces, a byte-order mark and HTML entities (Search Console writes
some headers and zip member names HTML-escaped: ``Sites d&#39;origine``).

The header is the only source of an export's kind: file titles stay English in
every UI language (an Italian ``…-Latest links-….csv`` has Italian headers), so
``TITLE_ALIASES`` only tells apart the kinds whose header is the same.

Evidence per language is in the README ("Export languages").  English, Italian
and French entries marked "real" are from real exports; the others are marked
with how sure we are.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass

#: column id -> {language: [header names]}
HEADER_ALIASES: dict[str, dict[str, list[str]]] = {
    "linking_page": {
        "en": ["Linking page"],
        "de": ["Verweisende Seite", "Verlinkende Seite", "Link"],
        "fr": ["Page d'origine du lien", "Page de provenance du lien", "Page associée"],
        "es": ["Página que enlaza", "Página de enlace"],
        "pt": ["Página com link", "Página vinculada"],
        "it": ["Pagina con link"],  # real (2026)
        "nl": ["Linkende pagina"],
        "ja": ["リンク元ページ"],
        "he": ["דף מקשר"],
    },
    "last_crawled": {
        "en": ["Last crawled"],
        "de": ["Zuletzt gecrawlt"],
        "fr": ["Dernière exploration"],
        "es": ["Último rastreo"],
        "pt": ["Último rastreamento"],
        "it": ["Ultima scansione"],  # real (2026)
        "nl": ["Laatst gecrawld"],
        "ja": ["前回のクロール", "最終クロール"],
        "he": ["נסרק לאחרונה"],
    },
    "target_page": {
        "en": ["Target page"],
        "de": ["Zielseite", "Seite"],
        "fr": ["Page cible"],  # real (2025)
        "es": ["Página de destino"],
        "pt": ["Página de destino"],
        "it": ["Pagina di destinazione"],
        "nl": ["Doelpagina"],
        "ja": ["ターゲット ページ", "ターゲットページ"],
        "he": ["דף יעד"],
    },
    "incoming_links": {
        "en": ["Incoming links"],
        "de": ["Eingehende Links"],
        "fr": ["Liens entrants"],
        "es": ["Enlaces entrantes"],
        "pt": ["Links recebidos", "Links de entrada"],
        "it": ["Link in entrata"],
        "nl": ["Inkomende links"],
        "ja": ["被リンク", "受信リンク"],
        "he": ["קישורים נכנסים"],
    },
    "linking_sites": {
        "en": ["Linking sites"],
        "de": ["Verweisende Websites", "Verlinkende Websites"],
        # "Sites d'origine": one app's fixture of a French Top target pages file (HTML-escaped as in a real one)
        "fr": ["Sites d'origine", "Sites d'origine des liens", "Sites associés"],
        "es": ["Sitios que enlazan"],
        "pt": ["Sites com links", "Sites que vinculam"],
        "it": ["Siti che rimandano"],
        "nl": ["Linkende sites"],
        "ja": ["リンク元サイト"],
        "he": ["אתרים מקשרים"],
    },
    "internal_links": {
        "en": ["Internal links"],
        "de": ["Interne Links"],
        "fr": ["Liens internes"],  # real (2025)
        "es": ["Enlaces internos"],
        "pt": ["Links internos"],
        "it": ["Link interni"],
        "nl": ["Interne links"],
        "ja": ["内部リンク"],
        "he": ["קישורים פנימיים"],
    },
    "site": {
        "en": ["Site"],
        "de": ["Website"],
        "fr": ["Site"],
        "es": ["Sitio"],
        "pt": ["Site"],
        "it": ["Sito"],
        "nl": ["Site"],
        "ja": ["サイト"],
        "he": ["אתר"],
    },
    "linking_pages": {
        "en": ["Linking pages"],
        "de": ["Verweisende Seiten", "Verlinkende Seiten"],
        "fr": ["Pages d'origine des liens", "Pages associées"],
        "es": ["Páginas que enlazan"],
        "pt": ["Páginas com links", "Páginas que vinculam"],
        "it": ["Pagine che rimandano"],
        "nl": ["Linkende pagina's"],
        "ja": ["リンク元ページ数", "リンク元ページ"],
        "he": ["דפים מקשרים"],
    },
    "target_pages": {
        "en": ["Target pages"],
        "de": ["Zielseiten"],
        "fr": ["Pages cibles"],
        "es": ["Páginas de destino"],
        "pt": ["Páginas de destino"],
        "it": ["Pagine di destinazione"],
        "nl": ["Doelpagina's"],
        "ja": ["ターゲット ページ数", "ターゲットページ数"],
        "he": ["דפי יעד"],
    },
    # "Top sites linking to this page" counts a site's links to the page: real French `Site,Liens`.
    "links": {
        "en": ["Links"],
        "de": ["Links"],
        "fr": ["Liens"],  # real (2025)
        "es": ["Enlaces"],
        "pt": ["Links"],
        "it": ["Link"],
        "nl": ["Links"],
        "ja": ["リンク", "リンク数"],
        "he": ["קישורים"],
    },
    "link_count": {
        "en": ["Count"],
        "de": ["Anzahl"],
    },
    "rank": {
        "en": ["Rank"],
        "de": ["Rang"],
        "fr": ["Rang", "Classement"],
        "es": ["Posición", "Rango"],
        "pt": ["Classificação", "Posição"],
        "it": ["Posizione", "Rango"],
        "nl": ["Rang", "Positie"],
        "ja": ["順位", "ランク"],
        "he": ["דירוג"],
    },
    "link_text": {
        "en": ["Link text", "Linking text"],
        "de": ["Linktext", "Ankertext"],
        "fr": ["Texte du lien"],
        "es": ["Texto del enlace"],
        "pt": ["Texto do link"],
        "it": ["Testo del link"],
        "nl": ["Linktekst"],
        "ja": ["リンクテキスト"],
        "he": ["טקסט הקישור"],
    },
}

#: kind -> {language: [file titles]}; file names are only a hint.  Real files keep English titles
#: whatever the UI language (Italian and French exports, 2025-2026), so no other language is listed.
TITLE_ALIASES: dict[str, dict[str, list[str]]] = {
    "sample_links": {"en": ["More sample links"]},
    "latest_links": {"en": ["Latest links"]},
    "top_target_pages": {"en": ["Top target pages"]},
    "internal_target_pages": {"en": ["Top target pages"]},
    "top_linking_sites": {"en": ["Top linking sites"]},
    "top_linking_text": {"en": ["Top linking text"]},
    "target_linking_sites": {"en": ["Top sites linking to this page"]},
    "internal_linking_pages": {"en": ["Your pages linking to this page"]},
    "site_linking_pages": {"en": ["Linking pages"]},
}

#: Table names in the store, one per shape of row.
LINKING_PAGES, TARGET_PAGES, LINKING_SITES, LINKING_TEXT = (
    "linking_pages",
    "target_pages",
    "linking_sites",
    "linking_text",
)


@dataclass(frozen=True)
class ExportKind:
    """One kind of Links export: what it holds and where its rows go."""

    key: str
    label: str  #: as the user knows it (the export's title)
    columns: tuple[str, ...]  #: column ids, in Search Console's order
    table: str  #: store table its rows go to
    items: str  #: what its rows are, in the plural: "Google lists no {items} on {date}"
    drill_down: bool = False  #: filtered on a target page the file does not name
    external: bool = True  #: about links from other sites

    def nothing_listed(self, date: object, target: str | None = None) -> str:
        """The note for an empty export of this kind: what Google lists none of, and when."""
        items = self.items.replace("this page", target) if target else self.items
        return f"Google lists no {items} on {date} (an empty export: kept as a snapshot with 0 rows)"


KINDS: dict[str, ExportKind] = {
    k.key: k
    for k in (
        ExportKind("sample_links", "More sample links", ("linking_page",), LINKING_PAGES, "sample links"),
        ExportKind("latest_links", "Latest links", ("linking_page", "last_crawled"), LINKING_PAGES,
                   "latest links"),
        ExportKind(
            "top_target_pages",
            "Top target pages (external links)",
            ("target_page", "incoming_links", "linking_sites"),
            TARGET_PAGES,
            "pages with links from other sites",
        ),
        ExportKind(
            "internal_target_pages",
            "Top target pages (internal links)",
            ("target_page", "internal_links"),
            TARGET_PAGES,
            "pages with internal links",
            external=False,
        ),
        ExportKind(
            "top_linking_sites",
            "Top linking sites",
            ("site", "linking_pages", "target_pages"),
            LINKING_SITES,
            "linking sites",
        ),
        ExportKind("top_linking_text", "Top linking text", ("rank", "link_text"), LINKING_TEXT, "link texts"),
        ExportKind(
            "target_linking_sites",
            "Top sites linking to this page",
            ("site", "linking_pages"),
            LINKING_SITES,
            "sites linking to this page",
            drill_down=True,
        ),
        ExportKind(
            "internal_linking_pages",
            "Your pages linking to this page",
            ("linking_page",),
            LINKING_PAGES,
            "pages of yours linking to this page",
            drill_down=True,
            external=False,
        ),
        ExportKind(
            "site_linking_pages",
            "Linking pages of one site to this page",
            ("linking_page",),
            LINKING_PAGES,
            "pages of that site linking to this page",
            drill_down=True,
        ),
    )
}

#: Kinds whose header row is just "Linking page": told apart by title, target, rows.
LINKING_PAGE_ONLY = ("sample_links", "internal_linking_pages", "site_linking_pages")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(text)).replace("\ufeff", "")
    text = text.replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


_ALIAS_INDEX: dict[str, list[tuple[str, str]]] = {}
for _column, _langs in HEADER_ALIASES.items():
    for _lang, _names in _langs.items():
        for _name in _names:
            _ALIAS_INDEX.setdefault(_norm(_name), []).append((_column, _lang))

_TITLE_INDEX: dict[str, list[str]] = {}
for _kind, _langs in TITLE_ALIASES.items():
    for _names in _langs.values():
        for _name in _names:
            _TITLE_INDEX.setdefault(_norm(_name), []).append(_kind)


@dataclass(frozen=True)
class HeaderMatch:
    """A header row recognised as one shape of export."""

    columns: tuple[str, ...]  #: column ids in file order
    kinds: tuple[str, ...]  #: candidate kinds (several for "Linking page" only)
    language: str


def _shapes() -> dict[frozenset[str], tuple[str, ...]]:
    shapes: dict[frozenset[str], tuple[str, ...]] = {}
    for kind in KINDS.values():
        key = frozenset(kind.columns)
        shapes[key] = LINKING_PAGE_ONLY if key == {"linking_page"} else (kind.key,)
    # A variant seen in one app's fixtures: counts instead of ranks.
    shapes[frozenset({"link_text", "link_count"})] = ("top_linking_text",)
    # "Top sites linking to this page" as in a real French file (`Site,Liens`): its count is of links.
    # Search Console merges a page's repeated links to one target, so a site's links to one page
    # are its linking pages: the count goes where `Site,Linking pages` puts it.
    shapes[frozenset({"site", "links"})] = ("target_linking_sites",)
    return shapes


SHAPES = _shapes()


def match_header(cells: list[str]) -> HeaderMatch | None:
    """Map a header row to column ids and candidate kinds, or None if unknown."""
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()  # a trailing delimiter leaves an empty last cell
    if not cells or len(cells) > 4:
        return None
    found = [_ALIAS_INDEX.get(_norm(c)) for c in cells]
    options = [o for o in found if o is not None]
    if len(options) < len(found):
        return None
    languages = set.intersection(*({lang for _, lang in o} for o in options))
    for lang in sorted(languages, key=lambda code: (code != "en", code)):
        per_cell = [[c for c, code in o if code == lang] for o in options]
        for ids in itertools.product(*per_cell):
            kinds = SHAPES.get(frozenset(ids))
            if kinds and len(set(ids)) == len(ids):
                return HeaderMatch(columns=tuple(ids), kinds=kinds, language=lang)
    return None


#: A Google Sheets download: "<spreadsheet title> - <sheet name>.csv", maybe with a browser's " (1)".
_SHEETS_NAME_RE = re.compile(r"^(?P<title>.+) - [^-]+?(?P<tail>(?:\s*\(\d+\))?\.[A-Za-z0-9]+)$")


def clean_name(filename: str) -> str:
    """A file name as Search Console wrote it: HTML entities decoded (``Pagina&#39;s.csv``) and a
    Google Sheets download's sheet name dropped (``…-2026-05-18 - Sheet1.csv`` -> ``…-2026-05-18.csv``)."""
    name = html.unescape(filename)
    sheets = _SHEETS_NAME_RE.match(name)
    return sheets.group("title") + sheets.group("tail") if sheets else name


def kinds_from_title(filename: str) -> tuple[str, ...]:
    """Kinds a file name's title part names ("…-Latest links-2026-05-17.csv"); a Google Sheets
    download's sheet name counts as a title too ("Links - Top target pages.csv")."""
    for name in dict.fromkeys((clean_name(filename), html.unescape(filename))):
        stem = re.sub(r"(\s*\(\d+\))?\.[A-Za-z0-9]+$", "", name)
        stem = re.sub(r"-\d{4}-\d{2}-\d{2}$", "", stem)
        title = stem.rsplit("-", 1)[-1]
        kinds = tuple(_TITLE_INDEX.get(_norm(title), ()))
        if kinds:
            return kinds
    return ()


#: Search Console's file name, "<property>-<title>-<date>.csv", also as a Google Sheets download
#: of it ("… - Sheet1.csv") and a browser's second copy ("… (1).csv").
FILENAME_RE = re.compile(
    r"^(?P<property>.+)-(?P<title>[^-]+)-(?P<date>\d{4}-\d{2}-\d{2})(?: - [^-]+?)?(?:\s*\(\d+\))?\.[A-Za-z0-9]+$"
)


# --- exports that are not Links exports, but known ones ------------------------------------------

#: Words (lower case, parts of a column name) of the Performance report's metric columns, per UI
#: language: English, French, German, Spanish, Italian, Portuguese, Dutch, Japanese, Russian.
#: A header with a clicks column and an impressions column is a Performance table ("Top queries,
#: Clicks,Impressions,CTR,Position"; "Pages les plus populaires,Clics,Impressions,CTR,Position";
#: a comparison's "Last 28 days Clicks" too).  No Links export header has either word.
_CLICKS = ("click", "clic", "klick", "klik", "clique", "クリック", "клик")
_IMPRESSIONS = ("impression", "impresion", "impressõ", "impressoe", "vertoning", "表示回数", "показ")
#: A Performance export is a zip of Queries.csv, Pages.csv, Countries.csv, Devices.csv, Search
#: appearance.csv, Dates.csv, Filters.csv and Chart.csv in English; the names follow the UI language
#: (a Dutch zip holds ``Pagina&#39;s.csv``), so its tables are known by their headers, not names.
PERFORMANCE_EXPORT = ("this is a Search Console Performance export, not a Links export; "
                      "search data comes from `gsc-backlinks sync`")


def is_performance_header(cells: list[str]) -> bool:
    """Whether a header row is one of a Performance report export's tables (its metrics, or its
    ``Filter,Value`` table of the filters it was exported with)."""
    names = [_norm(c) for c in cells if c.strip()]
    if names == ["filter", "value"]:
        return True
    return any(w in n for n in names for w in _CLICKS) and any(w in n for n in names for w in _IMPRESSIONS)


def known_titles() -> set[str]:
    return set(_TITLE_INDEX)


def normalized(text: str) -> str:
    return _norm(text)
