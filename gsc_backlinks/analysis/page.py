"""One page of a property: find it the way a user types it, and gather what is known about it."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ..errors import NoDataError, UsageError
from ..urls import Property, canonical_url, display_url, is_web_url, printable, strip_tracking

def loose_key(url: str) -> str:
    """What two spellings of one page share: no scheme, no leading www., no trailing slash, no tracking."""
    parts = urlsplit(strip_tracking(url))
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/") or ""
    return host + path + ("?" + parts.query if parts.query else "")


def typed_url(text: str, prop: Property) -> str:
    """The canonical URL of what a user typed: with or without scheme, a bare path, raw Unicode…"""
    text = typed = text.strip()
    if not text:
        raise UsageError("give the page's URL, e.g. https://www.example.com/pricing/")
    if text.startswith("/"):
        base = prop.prefix.rstrip("/") if prop.prefix else f"https://{prop.domain}"
        text = base + text
    elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        text = "https://" + text
    url = canonical_url(text)
    if not is_web_url(url):
        raise UsageError(f"{printable(typed)!r} is not a web page address; give it like https://www.example.com/pricing/")
    return url


def _in_property(url: str, prop: Property) -> str:
    """The URL, or its spelling with the property's scheme and www., if that one is in the property."""
    if prop.contains(url):
        return url
    if prop.prefix:
        parts, want = urlsplit(url), urlsplit(prop.prefix)
        if (parts.hostname or "").removeprefix("www.") == (want.hostname or "").removeprefix("www."):
            respelled = urlunsplit(parts._replace(scheme=want.scheme, netloc=want.netloc))
            if prop.contains(respelled):
                return respelled
    raise UsageError(f"{display_url(url)} is not in property {prop.site}; check --site")


def known_pages(con, site: str) -> list[str]:
    """Every page of the property the store has any data for."""
    rows = con.execute(
        """SELECT DISTINCT url FROM (
               SELECT t.target_url AS url FROM target_pages t JOIN snapshots s USING (snapshot_id) WHERE s.property = $site
               UNION ALL SELECT target_url FROM snapshots WHERE property = $site AND target_url IS NOT NULL
               UNION ALL SELECT DISTINCT page FROM search_pages WHERE property = $site
               UNION ALL SELECT url FROM inspections WHERE property = $site)
           ORDER BY url""",
        {"site": site},
    ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Match:
    url: str
    typed: str  #: the canonical form of what the user typed
    how: str  #: "exact", "same page" (spelled differently), or "not in the store"
    others: tuple[str, ...] = ()  #: other known spellings of the same page


def find_page(con, prop: Property, text: str, *, allow_unknown: bool = False) -> Match:
    """The known page a user means; if none, the closest known pages in one line."""
    url = _in_property(typed_url(text, prop), prop)
    known = known_pages(con, prop.site)
    if url in known:
        return Match(url, url, "exact")
    key = loose_key(url)
    same = [k for k in known if loose_key(k) == key]
    if same:
        # Prefer the spelling closest to what was typed: same scheme, then same www., then trailing slash.
        def rank(candidate: str):
            return (urlsplit(candidate).scheme != urlsplit(url).scheme,
                    (urlsplit(candidate).hostname or "").startswith("www.") != (urlsplit(url).hostname or "").startswith("www."),
                    not candidate.endswith("/"), candidate)

        same.sort(key=rank)
        return Match(same[0], url, "same page", tuple(same[1:]))
    if allow_unknown:
        return Match(url, url, "not in the store")
    keys = {loose_key(k): k for k in known}
    close = [keys[k] for k in difflib.get_close_matches(key, list(keys), n=5, cutoff=0.5)]
    if not close:
        path_words = set(re.findall(r"[a-z0-9]{3,}", key.lower()))
        close = [k for k in known if path_words & set(re.findall(r"[a-z0-9]{3,}", k.lower()))][:5]
    if not known:
        raise NoDataError(f"the store holds no pages of {prop.site} yet; import a Top target pages export or run "
                          f"gsc-backlinks sync --site {prop.site}")
    hint = ("; closest known pages: " + ", ".join(display_url(c) for c in close)) if close else \
        f"; {len(known):,} pages are known (gsc-backlinks links pages --site {prop.site} lists the linked ones)"
    raise NoDataError(f"no data for {display_url(url)} in the store{hint}")


def missing_sources(detail, site: str, has_search: bool, has_target_export: bool) -> list[str]:
    """What is not known about this page, and how to get it: one line each."""
    from .links import WHERE

    shown = display_url(detail.url)
    out = []
    if not has_target_export:
        out.append(f"incoming links: no Top target pages export imported (Search Console: {WHERE['top_target_pages']})")
    elif detail.incoming_links is None:
        out.append("incoming links: not in the newest Top target pages export (it lists at most 1,000 pages)")
    if not detail.linking_sites and not any(p["source"] != "URL Inspection" for p in detail.linking_pages):
        out.append("linking sites and pages of this page: in Search Console open Links → Top linked pages → this page, "
                   f"export it, then: gsc-backlinks import FILE --site {site} --target {shown}")
    if detail.inspection is None:
        out.append(f"index status and referring URLs: run with --inspect, or gsc-backlinks inspect {shown} --site {site} "
                   "(after gsc-backlinks auth login)")
    if not has_search:
        out.append(f"search performance: gsc-backlinks auth login, then gsc-backlinks sync --site {site}")
    return out


def _iso(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def page_json(detail, match: Match, site: str, period, missing: list[str], *, limit: int | None) -> dict:
    """The documented JSON shape of `gsc-backlinks page URL --format json` (see README)."""
    pages = detail.linking_pages[:limit] if limit else detail.linking_pages
    prev = period.previous()
    return {
        "property": site,
        "page": detail.url,
        "typed": match.typed,
        "match": match.how,
        "other_spellings": list(match.others),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "previous_start": prev.start.isoformat(), "previous_end": prev.end.isoformat()},
        "links": {
            "incoming_links": detail.incoming_links,
            "linking_sites": detail.linking_sites_count,
            "internal_links": detail.internal_links,
            "history": [{"snapshot_date": _iso(d), "incoming_links": n, "linking_sites": s}
                        for d, n, s in detail.link_history],
        },
        "linking_sites": [{k: _iso(v) for k, v in s.items()} for s in detail.linking_sites],
        "linking_pages_total": len(detail.linking_pages),
        "linking_pages": [{k: _iso(v) for k, v in p.items()} for p in pages],
        "site_samples": [{k: _iso(v) for k, v in p.items()} for p in detail.site_samples],
        "inspection": {k: _iso(v) for k, v in detail.inspection.items()} if detail.inspection else None,
        "search": {**detail.metrics(), "previous": detail.metrics(previous=True)},
        "top_queries": detail.queries,
        "anchor_matches": detail.anchor_matches or [],
        "missing": missing,
    }
