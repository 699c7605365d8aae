"""An HTML page's bytes -> what a check records: head facts, main text and the links to the property.

Pure functions over bytes (no network), so they are tested and measured on
their own.  The DOM comes from selectolax (Lexbor, an HTML5 parser: broken
markup is repaired as browsers do); the main text from resiliparse's
boilerplate removal.  Links written by JavaScript are not seen.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import urls
from .model import LinkFact

CONTEXT_CHARS = 100  #: characters of context on each side of a link (Ahrefs' left/right context)
_TITLE_CHARS = 1000

# WHATWG encoding labels whose Python codec differs in name or in repertoire: browsers
# decode "Shift_JIS" as windows-31j, "gb2312"/"gbk" as GBK (GB18030 is its superset),
# "iso-8859-1"/"ascii" as windows-1252 and so on.
_LABELS = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "csshiftjis": "cp932", "windows-31j": "cp932", "ms932": "cp932", "cp932": "cp932",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "chinese": "gb18030",
    "csgb2312": "gb18030", "iso-ir-58": "gb18030", "cp936": "gb18030", "gb18030": "gb18030",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252", "latin-1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "iso_8859-1": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
    "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "windows-949": "cp949",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-mac-cyrillic": "mac-cyrillic",
    # A page that says UTF-16 in its own bytes cannot be UTF-16 (the HTML standard reads it as UTF-8).
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def codec_for(label: str | None) -> str | None:
    """The Python codec that decodes what a page means by ``label``, or None for an unknown label."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _LABELS:
        return _LABELS[label]
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """(text, codec) the way a browser picks it: BOM, then the HTTP header, then <meta>, then a guess."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(bom_codec, errors="replace"), bom_codec
    name = codec_for(header_charset)
    if name is None:
        # Browsers look in the first 1024 bytes; pages with a long <head> put it later, so look a bit further.
        match = _META_CHARSET.search(body, 0, 4096)
        name = codec_for(match.group(1).decode("ascii")) if match else None
    if name is None:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            from resiliparse.parse.encoding import detect_encoding

            name = codec_for(detect_encoding(body[:65536])) or "cp1252"
    return body.decode(name, errors="replace"), name


@dataclass(frozen=True)
class PageFacts:
    """What the HTML of one page says."""

    title: str | None
    lang: str | None
    canonical: str | None
    meta_robots: str | None
    links: tuple[LinkFact, ...]
    main_text: str | None
    base_url: str


_WS = re.compile(r"\s+")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_MEMO_SIZE = 4096
_SKIP_HREF = re.compile(r"^\s*(?:javascript|data|mailto|tel|sms|about|blob|vbscript|file|ftp):", re.IGNORECASE)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_URL_JUNK = re.compile(r"[\t\n\r]")  # the URL standard removes these anywhere in a URL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCKS = frozenset([
        "address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul", "option", "select",
])
_NO_TEXT = ("script", "style", "template")
#: Context stays inside the paragraph, list item, cell or heading of its link.
_TEXT_BLOCKS = frozenset(["p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                          "figcaption", "pre", "caption", "summary"])
_LANDMARK_ROLES = {"navigation": "navigation", "banner": "header", "contentinfo": "footer", "complementary": "aside",
                   "main": "content"}
_LANDMARK_TAGS = {"nav": "navigation", "header": "header", "footer": "footer", "aside": "aside",
                  "main": "content", "article": "content"}
_LANDMARK_WORDS = [
    (re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menubar|breadcrumbs?)(?:$|[\s_-])"), "navigation"),
    (re.compile(r"(?:^|[\s_-])(?:footer|colophon)(?:$|[\s_-])"), "footer"),
    (re.compile(r"(?:^|[\s_-])(?:sidebar|side-bar|widget-area|widgets)(?:$|[\s_-])"), "aside"),
    (re.compile(r"(?:^|[\s_-])(?:header|masthead|topbar)(?:$|[\s_-])"), "header"),
]


def collapse(text: str) -> str:
    """Whitespace runs as one space, ends trimmed, control characters gone."""
    return _CONTROL.sub("", _WS.sub(" ", text)).strip()


class SiteMatcher:
    """Which URLs are "to the site": the property's own test, plus for a URL-prefix property the
    same host and path written with the other scheme and with or without ``www.``."""

    def __init__(self, site: urls.Property):
        self.site = site
        if site.prefix:
            parts = urlsplit(site.prefix)
            bare = (parts.hostname or "").removeprefix("www.")
            rest = site.prefix.split(parts.netloc, 1)[1]
            port = f":{parts.port}" if parts.port else ""
            self.prefixes = tuple(
                f"{scheme}://{host}{port}{rest}" for scheme in ("https", "http") for host in (bare, "www." + bare)
            )
            self.needle = bare
        else:
            self.prefixes = ()
            self.needle = site.domain or ""
        # The links whose href can name the site at all: its host as written (any case), in
        # Unicode for an IDN host, or percent-encoded / backslashed hosts, which browsers also follow.
        needles = {self.needle}
        if "xn--" in self.needle:
            try:
                needles.add(self.needle.encode("ascii").decode("idna"))
            except UnicodeError:
                pass
        selectors: list[str] = []
        for needle in sorted(needles):
            quoted = needle.replace("\\", "\\\\").replace('"', '\\"')
            for attr in ("href", "xlink\\:href"):
                selectors += [f'a[{attr}*="{quoted}" i]', f'area[{attr}*="{quoted}" i]']
        selectors += ['a[href^="http"][href*="%"]', 'a[href*="\\\\"]']
        self.selector = ", ".join(selectors)
        self.needles = tuple(n.lower() for n in sorted(needles))
        # Absolute hrefs to the site repeat from page to page (the home page, a popular guide):
        # their target, or None when they are not to the site, is worked out once.
        self.targets: dict[str, str | None] = {}

    def target(self, href: str, base: str) -> str | None:
        """The canonical target (tracking parameters gone) of a cleaned href on a page at ``base``,
        when it is to the site; else None."""
        memo = _ABSOLUTE.match(href) is not None  # scheme://…: the base plays no part
        if memo:
            known = self.targets.get(href, "")
            if known != "":
                return known
        try:
            resolved = urljoin(base, href)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            return None
        canonical = urls.canonical_url(resolved)
        target: str | None = None
        if urls.is_web_url(canonical):
            canonical = urls.canonical_url(urls.strip_tracking(canonical))
            if self(canonical):
                target = canonical
        if memo:
            if len(self.targets) >= _MEMO_SIZE:
                self.targets.clear()
            self.targets[href] = target
        return target

    def may_contain(self, url: str) -> bool:
        """A quick test of a URL as written: False when it surely is not in the site."""
        if not url.isascii() or "%" in url or "\\" in url:
            return True
        low = url.lower()
        return any(needle in low for needle in self.needles)

    def __call__(self, url: str) -> bool:
        if self.prefixes:
            return any(url.startswith(p) or url + "/" == p for p in self.prefixes)
        return self.site.contains(url)



def parse_page(body: bytes, *, url: str, header_charset: str | None, site: SiteMatcher,
               own: bool = False, max_main_text: int = 20_000, robots_token: str = "gsc-backlinks",
               page_nofollow: bool | None = None, keep_text: bool = False) -> PageFacts:
    """Head facts, links to the site and main text of one HTML page fetched from ``url``.

    ``own`` pages (the property's own) need no links or main text.  The main
    text is extracted only from pages that link to the site: it serves the
    relevance of their links, and it is the dearest part of the parse.
    ``keep_text`` extracts it from every page (the link gap's pages, which link
    to competitors, are checked for what they are about).
    ``page_nofollow`` (from X-Robots-Tag) adds to what the page's meta robots says.
    """
    from selectolax.lexbor import LexborHTMLParser

    text, _codec = decode(body, header_charset)
    facts = page_facts(LexborHTMLParser(text), None, url=url, site=site, own=own, robots_token=robots_token,
                       page_nofollow=page_nofollow)
    if (facts.links or keep_text) and max_main_text > 0:
        facts = replace(facts, main_text=_main_text(text, max_main_text))
    return facts


def page_facts(tree, main_text: str | None, *, url: str, site: SiteMatcher, own: bool = False,
               robots_token: str = "gsc-backlinks", page_nofollow: bool | None = None) -> PageFacts:
    """What a parsed page says: head facts and (unless ``own``) its links to the site."""
    head = tree.head
    title = lang = canonical = None
    robots_parts: list[str] = []
    base = url
    root = tree.root
    if root is not None:
        lang = collapse(root.attributes.get("lang") or "")[:35] or None
    # One walk over <head>'s children instead of a CSS query per fact (the parser puts
    # title, base, link and meta there even when a page writes them elsewhere in its head).
    names = {"robots", "googlebot", robots_token}
    title_node = base_href = canonical_href = None
    for node in head.iter() if head is not None else ():
        tag = node.tag
        if tag == "title":
            title_node = title_node or node
        elif tag == "base" and base_href is None:
            base_href = node.attributes.get("href")
        elif tag == "link" and canonical_href is None:
            attrs = node.attributes
            if "canonical" in (attrs.get("rel") or "").lower().split():
                canonical_href = attrs.get("href") or ""
        elif tag == "meta":
            attrs = node.attributes
            if (attrs.get("name") or "").strip().lower() in names and attrs.get("content"):
                robots_parts.append(collapse(attrs["content"]))
    if title_node is None:
        title_node = tree.css_first("title")  # a title in <body>: browsers still show it
    if title_node is not None:
        title = collapse(title_node.text(deep=True))[:_TITLE_CHARS] or None
    href = _clean_href(base_href)
    if href and not _SKIP_HREF.match(href):
        try:
            candidate = urljoin(url, href)
        except ValueError:
            candidate = ""
        if urls.is_web_url(urls.canonical_url(candidate)):
            base = candidate
    href = _clean_href(canonical_href)
    if href:
        try:
            resolved = urls.canonical_url(urljoin(base, href))
        except ValueError:
            resolved = ""
        canonical = resolved if urls.is_web_url(resolved) else None
    meta_robots = "; ".join(p for p in robots_parts if p)[:500] or None
    if own:
        return PageFacts(title, lang, canonical, meta_robots, (), None, base)
    nofollow_page = bool(page_nofollow) or robots_says(meta_robots, "nofollow", robots_token)
    links = _links(tree, url=url, base=base, site=site, nofollow_page=nofollow_page)
    return PageFacts(title, lang, canonical, meta_robots, links, main_text, base)


def robots_says(directives: str | None, which: str, token: str = "gsc-backlinks") -> bool:
    """True when meta robots content or X-Robots-Tag values say ``which`` (noindex / nofollow) to
    every robot, to Googlebot or to us; ``none`` means both."""
    if not directives:
        return False
    agent = None
    for part in re.split(r"[;,]", directives.lower()):
        part = part.strip()
        if ":" in part:
            head, _, rest = part.partition(":")
            head = head.strip()
            if head not in ("unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"):
                agent, part = head, rest.strip()
        if agent not in (None, "googlebot", "robots", token):
            continue
        if part == which or part == "none":
            return True
    return False


def _clean_href(href: str | None) -> str:
    if not href:
        return ""
    return _URL_JUNK.sub("", href).strip()


def _links(tree, *, url: str, base: str, site: SiteMatcher, nofollow_page: bool) -> tuple[LinkFact, ...]:
    base_in_site = site.may_contain(base) and site(urls.canonical_url(base))
    # Lexbor picks the candidates (in C): every link when relative ones can be to the site, else
    # only those whose href names the site's host.  Python looks closer at those few.
    candidates = tree.css("a, area") if base_in_site else tree.css(site.selector)
    found: list[tuple[Any, str]] = []  # (selectolax node, target URL)
    for node in candidates:
        attrs = node.attrs
        href = attrs.get("href")
        if href is None:
            href = attrs.get("xlink:href")
        if not href:
            continue
        href = _clean_href(href)
        if not href or href.startswith("#") or _SKIP_HREF.match(href):
            continue
        absolute = _HAS_SCHEME.match(href) is not None or href.startswith("//")
        if not absolute and not base_in_site:
            continue
        target = site.target(href, base)
        if target is not None:
            found.append((node, target))
    if not found:
        return ()
    facts = []
    for node, target in found:
        attrs = node.attributes
        rel = (attrs.get("rel") or "").lower().split()
        if node.tag == "area":
            anchor, image = collapse(attrs.get("alt") or ""), True
        else:
            anchor = collapse(node.text(deep=True, separator=""))
            image = False
            if not anchor:
                alts = [collapse(img.attributes.get("alt") or "") for img in node.css("img")]
                if alts:
                    image = True
                    anchor = " ".join(a for a in alts if a)
        before, after = _context(node)
        facts.append(LinkFact(
            linking_url=url, target_url=target, anchor_text=anchor[:1000], image=image,
            nofollow=nofollow_page or "nofollow" in rel, ugc="ugc" in rel, sponsored="sponsored" in rel,
            placement=_placement(node), context_before=before, context_after=after,
        ))
    return tuple(facts)


def _placement(node) -> str:
    """Where a link sits: the nearest landmark around it (tag, ARIA role, or a telling id/class).

    A header or footer inside an article or main part belongs to that content
    (the HTML standard's rule for <header>/<footer>); nav and aside stay what they are.
    """
    found: str | None = None
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        tag = parent.tag
        attrs = parent.attributes
        kind = _LANDMARK_ROLES.get((attrs.get("role") or "").strip().lower()) or _LANDMARK_TAGS.get(tag)
        if kind is None and tag in ("div", "section", "ul", "ol", "table", "td", "span", "p"):
            words = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
            if words.strip():
                for pattern, name in _LANDMARK_WORDS:
                    if pattern.search(words):
                        kind = name
                        break
        if kind == "content":
            return found if found in ("navigation", "aside") else "content"
        if kind is not None and found is None:
            found = kind
            if kind in ("navigation", "aside"):
                return kind
        parent = parent.parent
    return found or "content"


def _text_of(node, separator: str = " ") -> str:
    if node.tag in _NO_TEXT or node.tag == "_comment":
        return ""
    if node.tag == "-text":
        return node.text_content or ""
    if node.css_first("script, style, template") is not None:  # their code is not visible text
        text = separator.join(t.text_content or "" for t in node.traverse(include_text=True)
                              if t.tag == "-text" and t.parent is not None and t.parent.tag not in _NO_TEXT)
    else:
        text = node.text(deep=True, separator=separator)
    return f" {text} " if node.tag in _BLOCKS else text


def _context(node) -> tuple[str, str]:
    """About CONTEXT_CHARS of visible text before and after a link, cut at word boundaries."""
    return _gather(node, backwards=True), _gather(node, backwards=False)


def _gather(node, *, backwards: bool) -> str:
    parts: list[str] = []
    total = 0
    current = node
    while total < CONTEXT_CHARS * 2:
        sibling = current.prev if backwards else current.next
        if sibling is not None:
            current = sibling
            piece = _text_of(current)
            parts.append(piece)
            total += len(piece)
            continue
        current = current.parent
        if current is None or current.tag in ("body", "html") or current.tag in _TEXT_BLOCKS:
            break
        if current.tag in _BLOCKS:  # leaving a paragraph, a list item…: a word boundary
            parts.append(" ")
    if backwards:
        parts.reverse()
    text = collapse("".join(parts))
    if len(text) <= CONTEXT_CHARS:
        return text
    if backwards:
        cut = text[-CONTEXT_CHARS:]
        space = cut.find(" ")
        return cut[space + 1:] if 0 <= space < 30 else cut
    cut = text[:CONTEXT_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > CONTEXT_CHARS - 30 else cut


def _main_text(text: str, limit: int) -> str | None:
    """The page's main text (navigation, headers, footers and other boilerplate removed)."""
    if limit <= 0:
        return None
    from resiliparse.extract.html2text import extract_plain_text

    main = extract_plain_text(text, main_content=True, alt_texts=False, noscript=False, form_fields=False)
    main = _CONTROL.sub("", main).strip()
    if len(main) > limit:
        cut = main.rfind(" ", limit - 200, limit)
        main = main[: cut if cut > 0 else limit]
    return main or None
