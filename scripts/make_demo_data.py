"""Write the demo's search performance, URL Inspection, drill-down, third-party, rank and link-check data.

The demo property is made up (``https://www.fernhill-nursery.example/``); this
script makes its data beside the Links exports (``scripts/make_sample_data.py``),
seeded so that it is the same on every run:

- ``search-performance.csv.gz``: 13 weeks of daily totals (property, page, page x
  query), final up to 2026-11-19 and fresh for the two days after, in the
  columns the store keeps;
- ``inspections.json``: URL Inspection answers, in the API's own JSON shape;
- drill-down exports ("Top sites linking to this page", "Linking pages") of two
  pages, and ``drilldowns.json`` naming the page each was filtered on;
- Ahrefs backlinks exports (the real 2026 header, named as Ahrefs names them)
  of the property and of two competitors, and ``thirdparty.json`` naming the
  competitor each is of;
- a sample of Common Crawl's domain ranks, in its exact format;
- ``link-checks.json``: two rounds of link checks made by gsc-backlinks' own
  checker.  The script serves the linking pages (``scripts/demo_sites.py``)
  and Fernhill's own pages on a loopback web server, points the checker's
  testing allowance at it for the demo's host names, and checks the pages a
  check job would plan: after the 2026-11-03 exports (dated 2026-11-05) and
  after the 2026-11-17 ones (dated 2026-11-19).  The server listens on
  127.0.0.1 with plain HTTP on a free port, so the checker asks for
  ``http://<host>:<port>/<path>``; the results are written under the pages'
  real ``https://<host>/<path>`` with the check times (and the seconds each
  took, which on loopback say nothing) rewritten to the demo's.  The demo
  loads them through the check job's writer and opens no socket.

Run from the repository root: ``python scripts/make_demo_data.py`` (the Links
exports must be there: ``python scripts/make_sample_data.py`` first).  ``--out
DIR`` writes the files elsewhere (a test compares them with the shipped ones).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import json
import math
import random
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "gsc_backlinks" / "sample_data"
SITE = "https://www.fernhill-nursery.example/"
FIRST, LAST_FINAL, LAST = dt.date(2026, 8, 23), dt.date(2026, 11, 19), dt.date(2026, 11, 21)
SLUG = "https___www.fernhill-nursery.example_"

# page path -> (daily impressions at the start, weekly growth, click-through rate, position, queries)
PAGES = {
    "": (900, 0.015, 0.09, 3.1, ["fernhill nursery", "fernhill", "plant nursery near me", "garden centre online"]),
    "roses/": (520, 0.01, 0.05, 6.8, ["buy roses online", "rose bushes", "roses for sale", "english roses"]),
    "roses/climbing-roses/": (310, 0.02, 0.045, 7.9, ["climbing roses", "best climbing roses", "climbing rose for north wall"]),
    "guides/composting/": (640, 0.03, 0.06, 5.2, ["how to compost", "composting for beginners", "compost bin guide", "hot composting"]),
    "guides/how%20to%20prune%20roses/": (700, 0.04, 0.07, 4.4, ["how to prune roses", "when to prune roses", "pruning climbing roses"]),
    "guides/planting-bare-root-trees/": (260, 0.06, 0.05, 8.6, ["bare root trees", "planting bare root trees", "when to plant bare root"]),
    "herbs/": (330, -0.01, 0.04, 9.4, ["herb plants", "buy herb plants", "perennial herbs"]),
    "perennials/": (410, 0.0, 0.035, 11.2, ["perennial plants", "hardy perennials", "perennials for shade"]),
    "hedging/": (380, 0.05, 0.05, 7.1, ["hedging plants", "beech hedging", "fast growing hedge"]),
    "fruit-trees/": (300, 0.02, 0.04, 9.8, ["fruit trees for sale", "dwarf fruit trees"]),
    "fruit-trees/apple-trees/": (280, 0.03, 0.05, 8.1, ["apple trees", "buy apple tree", "apple tree varieties"]),
    "bulbs/tulips/": (450, -0.08, 0.06, 6.2, ["tulip bulbs", "when to plant tulips", "tulip bulbs for sale"]),
    "grasses/": (150, 0.01, 0.03, 14.5, ["ornamental grasses", "grasses for pots"]),
    "blog/wildlife-pond/": (210, 0.02, 0.05, 7.7, ["wildlife pond", "how to build a wildlife pond"]),
    "blog/winter-garden-jobs/": (190, 0.12, 0.06, 6.4, ["winter garden jobs", "november garden jobs"]),
    "blog/%E3%83%8A%E3%83%81%E3%83%A5%E3%83%A9%E3%83%AB%E3%82%AC%E3%83%BC%E3%83%87%E3%83%B3/": (40, 0.0, 0.03, 12.0, ["ナチュラルガーデン"]),
    "about/": (60, 0.0, 0.08, 4.0, ["fernhill nursery about"]),
    "contact/": (90, 0.0, 0.12, 2.6, ["fernhill nursery phone", "fernhill nursery opening hours"]),
    # Pages people find in search with few or no links: where link building pays off.
    "roses/rambling-roses/": (380, 0.05, 0.04, 9.1, ["rambling roses", "rambling rose varieties", "rambler vs climber rose"]),
    "guides/when-to-plant-tulips/": (520, -0.04, 0.05, 6.9, ["when to plant tulips", "planting tulips in november"]),
    "perennials/lavender/": (260, 0.01, 0.04, 8.8, ["lavender plants", "english lavender hedge"]),
    # Linked pages with no search traffic: "gift-vouchers/", "delivery/" (no rows at all).
}
WEEKDAY = (1.08, 1.1, 1.06, 1.0, 0.92, 0.85, 0.99)  # Monday first: gardeners search at weekends less than weekdays


def days():
    d = FIRST
    while d <= LAST:
        yield d
        d += dt.timedelta(days=1)


def performance(rng: random.Random) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["day", "state", "page", "query", "clicks", "impressions", "position"])
    for day in days():
        state = "final" if day <= LAST_FINAL else "fresh"
        weeks = (day - FIRST).days / 7
        total_clicks = total_impr = 0
        weighted_pos = 0.0
        for path, (base, growth, ctr, position, queries) in PAGES.items():
            page = SITE + path
            impressions = base * WEEKDAY[day.weekday()] * math.exp(growth * weeks) * rng.uniform(0.85, 1.15)
            if state == "fresh":
                impressions *= 0.8 if day == LAST else 0.93  # not all counted yet
            impressions = max(0, round(impressions))
            clicks = sum(1 for _ in range(impressions) if rng.random() < ctr)
            pos = max(1.0, position + rng.uniform(-0.6, 0.6) - 0.02 * weeks * (growth > 0))
            # Page x query rows: most of the page's impressions; the rest are anonymized queries.
            shares = [1 / (i + 1.3) for i in range(len(queries))]
            total_share = sum(shares) / 0.86
            q_rows = []
            for q, share in zip(queries, shares):
                qi = round(impressions * share / total_share)
                if qi == 0:
                    continue
                qc = min(qi, round(clicks * share / total_share * rng.uniform(0.8, 1.2)))
                q_rows.append((q, qc, qi, round(max(1.0, pos + rng.uniform(-1.5, 1.5)), 2)))
            if impressions == 0:
                continue
            w.writerow([day, state, page, "", clicks, impressions, round(pos, 2)])
            for q, qc, qi, qp in q_rows:
                w.writerow([day, state, page, q, qc, qi, qp])
            total_clicks += clicks
            total_impr += impressions
            weighted_pos += pos * impressions
        # Property totals count a results page once, so they are a little below the pages' sum.
        prop_impr = round(total_impr * 0.93)
        w.writerow([day, state, "", "", round(total_clicks * 0.97), prop_impr, round(weighted_pos / total_impr, 2)])
    return gzip.compress(out.getvalue().encode("utf-8"), mtime=0)


def inspections() -> list[dict]:
    def result(path, verdict, coverage, crawl, referring, canonical=None):
        url = SITE + path
        return {
            "url": url,
            "inspected_at": "2026-11-18T09:30:00",
            "inspectionResult": {
                "inspectionResultLink": "https://search.google.com/search-console/inspect?resource_id="
                                        "https%3A%2F%2Fwww.fernhill-nursery.example%2F&id=demo",
                "indexStatusResult": {
                    "verdict": verdict,
                    "coverageState": coverage,
                    "robotsTxtState": "ALLOWED",
                    "indexingState": "INDEXING_ALLOWED",
                    "lastCrawlTime": crawl,
                    "pageFetchState": "SUCCESSFUL",
                    "googleCanonical": canonical or url,
                    "userCanonical": url,
                    "sitemap": [SITE + "sitemap.xml"],
                    "referringUrls": referring,
                    "crawledAs": "MOBILE",
                },
            },
        }

    return [
        result("guides/composting/", "PASS", "Submitted and indexed", "2026-11-16T04:12:09Z", [
            "https://www.gardenersforum.example/threads/compost-heap-help/",
            "https://greenthumbs.example/blog/soil-health/",
            "https://www.allotment-life.example/tips/autumn/",
        ]),
        result("roses/", "PASS", "Submitted and indexed", "2026-11-15T21:40:51Z", [
            "https://news.hortweekly.co.uk/news/rose-of-the-year/",
            "https://www.rosegrowers.example/links/",
        ]),
        result("gift-vouchers/", "NEUTRAL", "Crawled - currently not indexed", "2026-10-30T11:02:44Z", [
            "https://localnews.example/whats-on/christmas-market/",
        ]),
        result("delivery/", "NEUTRAL", "Alternate page with proper canonical tag", "2026-11-02T08:15:00Z", [],
               canonical=SITE + "help/delivery/"),
    ]


def drilldowns() -> dict[str, str]:
    files = {
        f"{SLUG}-Top sites linking to this page-2026-11-03.csv": ("guides/composting/", [
            "Site,Linking pages", "gardenersforum.example,6", "greenthumbs.example,5", "allotment-life.example,4",
            "hortweekly.co.uk,3"]),
        f"{SLUG}-Top sites linking to this page-2026-11-17.csv": ("guides/composting/", [
            "Site,Linking pages", "gardenersforum.example,7", "greenthumbs.example,5", "allotment-life.example,4",
            "hortweekly.co.uk,3", "seedswap.example,1"]),
        f"{SLUG}-Linking pages-2026-11-17.csv": ("guides/composting/", [
            "Linking page", "https://www.gardenersforum.example/threads/compost-heap-help/",
            "https://www.gardenersforum.example/threads/leaf-mould/", "https://www.gardenersforum.example/guides/soil/",
            "https://www.gardenersforum.example/threads/worm-bins/?page=2"]),
    }
    manifest = {}
    for name, (path, lines) in files.items():
        (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        manifest[name] = SITE + path
    return manifest


#: Where the demo's linking domains sit in the demo rank sample (Common Crawl's harmonic-centrality
#: positions); the rest are left out on purpose, so the report shows "unknown" too.
DEMO_RANKS = {
    "rhs-members.example": 2_140,
    "homesandgardens.example": 7_905,
    "countryliving.example": 15_322,
    "hortweekly.co.uk": 41_870,
    "localnews.example": 88_410,
    "wordpress-garden.example": 160_225,
    "gardenersforum.example": 352_918,
    "greenthumbs.example": 611_047,
    "pinboard.example": 2_207_551,
    "gartenfreunde.example": 4_019_774,
    "jardin-passion.example": 6_530_118,
    "allotment-life.example": 9_874_002,
    "treesociety.example": 12_660_381,
    "seedswap.example": 25_114_907,
    "spamdirectory.example": 71_002_455,
    # New in the 2026-11-17 exports: a fruit charity with real standing (a valuable new link).
    "orchardtrust.example": 12_950,
    # Domains only Ahrefs lists for Fernhill.
    "kitchengardenmag.example": 9_812,
    "plantfinder.example": 63_155,
    "thegardenersyear.example": 148_902,
    # Domains linking to the competitors (the link gap).
    "rosesociety.example": 12_377,
    "gardendesignjournal.example": 34_980,
    "cottagegardenclub.example": 418_530,
    "seedandsoil.example": 2_611_094,
    "perfumedgarden.example": 95_233,
    "hedgelayers.example": 1_902_447,
}
#: Well-known domains at the top, as the real file starts.
TOP_DOMAINS = ("facebook.com", "googleapis.com", "google.com", "googletagmanager.com", "youtube.com", "instagram.com",
               "twitter.com", "linkedin.com", "wikipedia.org", "apple.com", "microsoft.com", "wordpress.org",
               "pinterest.com", "amazon.com", "github.com", "bbc.co.uk", "nytimes.com", "theguardian.com")
RANK_SAMPLE_LAST = 94_880_126  #: the last position of the (made-up) full list: the sample keeps it


def rank_sample(rng: random.Random) -> bytes:
    """A small sample of Common Crawl's domain-ranks file, in its exact format (gzip, tab-separated, reversed names)."""
    rows = {i + 1: d for i, d in enumerate(TOP_DOMAINS)}
    rows.update({rank: d for d, rank in DEMO_RANKS.items()})
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(rows) < 1_500:
        rank = int(10 ** rng.uniform(1.5, 7.9))
        name = "".join(rng.choice(letters) for _ in range(rng.randint(5, 11)))
        rows.setdefault(rank, f"{name}.{rng.choice(['com', 'org', 'net', 'de', 'fr', 'co.uk', 'nl'])}")
    rows[RANK_SAMPLE_LAST] = "zzzzzq-last.com"
    lines = ["#harmonicc_pos\t#harmonicc_val\t#pr_pos\t#pr_val\t#host_rev\t#n_hosts"]
    for rank in sorted(rows):
        value = 3.46e7 * (1 - math.log10(rank) / 8.2)
        reversed_name = ".".join(reversed(rows[rank].split(".")))
        lines.append(f"{rank}\t{value:.7G}\t{max(1, int(rank * rng.uniform(0.5, 1.5)))}\t"
                     f"{0.0054 / rank ** 0.9!r}\t{reversed_name}\t{rng.randint(1, 40)}")
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)


# --- third-party exports: Ahrefs, of Fernhill and of two competitors -----------------------------------

#: Ahrefs' Backlinks export header, 2026 (gsc-facts.md 1.7; tests/vendorfiles.py).
AHREFS_HEADER = ["Referring page title", "Referring page URL", "Language", "Platform", "Referring page HTTP code", "Domain rating", "UR", "Domain traffic", "Referring domains", "Linked domains", "External links", "Page traffic", "Keywords", "Target URL", "Left context", "Anchor", "Right context", "Redirect Chain URLs", "Redirect Chain status codes", "Type", "Is spam", "Content", "Nofollow", "UGC", "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status", "First seen", "Last seen", "Lost", "Author", "Page type", "Page category", "Links in group"]
AHREFS_OWN = "www.fernhill-nursery.example-backlinks-subdomains_2026-11-20_09-30-00.csv"
#: competitor -> (its site, its export's file name): rosehall's is older than 30 days at the report's end.
COMPETITORS = {
    "greenfingers.example": ("https://www.greenfingers.example/",
                             "www.greenfingers.example-backlinks-subdomains_2026-11-18_14-05-12.csv"),
    "rosehall-gardens.example": ("https://rosehall-gardens.example/",
                                 "rosehall-gardens.example-backlinks-subdomains_2026-10-12_10-41-37.csv"),
}
#: Ahrefs' Domain rating of the linking domains (its own 0-100 scale, never mixed into value).
AHREFS_DR = {
    "rhs-members.example": 71, "homesandgardens.example": 76, "countryliving.example": 74, "hortweekly.co.uk": 66,
    "localnews.example": 58, "wordpress-garden.example": 52, "gardenersforum.example": 47, "greenthumbs.example": 39,
    "orchardtrust.example": 45, "pinboard.example": 88, "jardin-passion.example": 33, "allotment-life.example": 29,
    "treesociety.example": 41, "seedswap.example": 12, "rosegrowers.example": 35, "gartenfreunde.example": 30,
    "kitchengardenmag.example": 62, "plantfinder.example": 48, "gardenbloggers.example": 21,
    "thegardenersyear.example": 37, "rosesociety.example": 64, "gardendesignjournal.example": 57,
    "cottagegardenclub.example": 34, "bloomandgrow.example": 26, "seedandsoil.example": 19,
    "perfumedgarden.example": 44, "hedgelayers.example": 23, "balconyplants.example": 17, "veg-patch.example": 28,
    "weddingflowers.example": 31, "historic-roses.example": 38,
}
#: SC domains Ahrefs does not list (it misses some that Google counts).
AHREFS_MISSES = ("urbanjungle.example", "bee-friendly.example", "pondkeepers.example", "gartenfreunde.example")


def _ahrefs_row(rng: random.Random, *, url: str, title: str, target: str, anchor: str, left: str, right: str,
                rel: str = "", first: dt.datetime, last: dt.datetime, lost: dt.datetime | None = None,
                lost_status: str = "", drop_reason: str = "", lang: str = "en", platform: str = "",
                page_type: str = "article") -> list:
    domain = ".".join(url.split("/")[2].split(".")[-3 if url.split("/")[2].endswith(".co.uk") else -2:])
    dr = AHREFS_DR.get(domain, 15)
    values = {
        "Referring page title": title, "Referring page URL": url, "Language": lang, "Platform": platform,
        "Referring page HTTP code": 200, "Domain rating": dr, "UR": round(rng.uniform(2, 24), 1),
        "Domain traffic": int(dr ** 2.2 * rng.uniform(0.6, 1.4)), "Referring domains": rng.randint(0, 40),
        "Linked domains": rng.randint(3, 60), "External links": rng.randint(3, 90),
        "Page traffic": rng.choice([0, 0, 3, 12, 40, 150]), "Keywords": rng.randint(0, 60), "Target URL": target,
        "Left context": left, "Anchor": anchor, "Right context": right, "Type": "text", "Is spam": "false",
        "Content": "true", "Nofollow": "true" if "nofollow" in rel else "false",
        "UGC": "true" if "ugc" in rel else "false", "Sponsored": "true" if "sponsored" in rel else "false",
        "Rendered": "false", "Raw": "true", "Lost status": lost_status, "Drop reason": drop_reason,
        "Discovered status": "", "First seen": first.strftime("%Y-%m-%d %H:%M:%S"),
        "Last seen": last.strftime("%Y-%m-%d %H:%M:%S"), "Lost": lost.strftime("%Y-%m-%d %H:%M:%S") if lost else "",
        "Page type": page_type, "Page category": "/Home & Garden/Gardening & Landscaping", "Links in group": 1,
    }
    return [values.get(h, "") for h in AHREFS_HEADER]


def _context(paragraph: str) -> tuple[str, str]:
    """Ahrefs' left and right context of the link in a paragraph: up to ~100 characters each side."""
    left, _, right = paragraph.partition("{link}")
    return left[-100:].lstrip(), right[:100].rstrip()


def _stamp(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    days = (end - start).days
    return dt.datetime.combine(start, dt.time()) + dt.timedelta(days=rng.randrange(max(1, days)),
                                                                seconds=rng.randrange(86400))


def ahrefs_own(rng: random.Random, sample: list[str]) -> list[list]:
    """Fernhill's links as Ahrefs sees them on 2026-11-20: most of Search Console's linking domains (as the
    pages say on 2026-11-19), a few domains Search Console's sample misses, one link new this week and the
    link the members' hedging guide took out, marked lost."""
    import demo_sites

    by_domain: dict[str, list[str]] = {}
    for url in sample:
        host = url.split("/")[2]
        domain = ".".join(host.split(".")[-3:]) if host.endswith(".co.uk") else ".".join(host.split(".")[-2:])
        if domain not in AHREFS_MISSES and domain != "spamdirectory.example":
            by_domain.setdefault(domain, []).append(url)
    crawled = dt.date(2026, 11, 19)
    rows = []
    for domain, pages in sorted(by_domain.items()):
        for url in pages[:3]:
            story = demo_sites.STORY.get(url, {})
            topic, change = demo_sites.article(url, 1 if 2 in story and "link" in story[2] else 2)
            if change.get("status") or topic.link is None:
                continue
            _, lang, _ = demo_sites.site_of(url.split("/")[2])
            paragraph = next(p for p in topic.paragraphs if "{link}" in p)
            left, right = _context(paragraph)
            first = _stamp(rng, dt.date(2026, 11, 4), dt.date(2026, 11, 12)) if domain == "orchardtrust.example" \
                else _stamp(rng, dt.date(2023, 3, 1), dt.date(2026, 9, 30))
            lost = None
            extra = {}
            if 2 in story and "link" in story[2]:  # taken out of the page: Ahrefs saw it go too
                lost = dt.datetime(2026, 11, 18, 6, 41, 7)
                extra = {"lost_status": "removed from page", "drop_reason": "Link removed"}
            last = lost - dt.timedelta(days=1) if lost else _stamp(rng, crawled - dt.timedelta(days=9), crawled)
            rows.append(_ahrefs_row(rng, url=url, title=demo_sites.page_title(url, topic), target=topic.link.url,
                                    anchor=topic.link.anchor, left=left, right=right, rel=topic.link.rel, first=first,
                                    last=last, lost=lost, lang=lang, **extra))
    # Linking domains Search Console's sample does not list, and one link first seen in the report's week.
    only_ahrefs = [
        ("https://www.kitchengardenmag.example/fruit/dwarf-apple-trees-for-pots/", "Dwarf apple trees for pots",
         "fruit-trees/apple-trees/", "dwarf apple trees", "We tried six from four nurseries. The best-rooted ",
         " came bare-root and were in blossom by April.", "", dt.datetime(2025, 3, 2, 11, 20, 5)),
        ("https://plantfinder.example/suppliers/roses/", "Rose suppliers in the UK", "roses/", "Fernhill Nursery",
         "Mail order, bare root: ", ", Shropshire. 140 varieties.", "nofollow", dt.datetime(2024, 6, 11, 8, 2, 44)),
        ("https://gardenbloggers.example/2025/09/my-first-compost-bin/", "My first compost bin", "guides/composting/",
         "composting guide", "I followed this ", " to the letter and had crumbly compost by March.", "",
         dt.datetime(2025, 9, 14, 19, 7, 31)),
        ("https://www.thegardenersyear.example/november/", "The gardener's year: November", "blog/winter-garden-jobs/",
         "November garden jobs", "Planting month. For a checklist to pin up in the shed, see ",
         " from a nursery that has been at it for forty years.", "", dt.datetime(2026, 11, 16, 4, 55, 12)),
    ]
    for url, title, target, anchor, left, right, rel, first in only_ahrefs:
        rows.append(_ahrefs_row(rng, url=url, title=title, target=demo_sites.SITE + target, anchor=anchor, left=left,
                                right=right, rel=rel, first=first,
                                last=_stamp(rng, crawled - dt.timedelta(days=3), crawled)))
    return sorted(rows, key=lambda r: (-r[AHREFS_HEADER.index("Domain rating")], r[1]))


#: The domains that link to the competitors: domain -> (host, [(path, page title)]).
_GAP_PAGES = {
    "rosesociety.example": ("www.rosesociety.example", [("members/suppliers/", "Where our members buy roses"),
                                                        ("news/2026/shows/", "Show results 2026")]),
    "gardendesignjournal.example": ("gardendesignjournal.example", [("planting/hedges-for-small-gardens/",
                                                                     "Hedges for small gardens"),
                                                                    ("sources/", "Sources and suppliers")]),
    "cottagegardenclub.example": ("www.cottagegardenclub.example", [("forum/t/climbers-for-a-pergola/",
                                                                     "Climbers for a pergola"),
                                                                    ("members/recommended/", "Recommended by members")]),
    "bloomandgrow.example": ("blog.bloomandgrow.example", [("2026/05/a-rose-garden-in-pots/", "A rose garden in pots"),
                                                           ("suppliers/", "Where I buy plants")]),
    "seedandsoil.example": ("www.seedandsoil.example", [("links/", "Links")]),
    "hedgelayers.example": ("www.hedgelayers.example", [("suppliers/", "Hedging suppliers"),
                                                        ("guides/planting-a-field-hedge/", "Planting a field hedge")]),
    "balconyplants.example": ("balconyplants.example", [("small-shrubs/", "Small shrubs for balconies")]),
    "veg-patch.example": ("www.veg-patch.example", [("fruit/", "Fruit for the veg patch"),
                                                    ("fruit/gooseberries/", "Gooseberries")]),
    "weddingflowers.example": ("www.weddingflowers.example", [("grow-your-own-roses/", "Grow your own wedding roses"),
                                                              ("suppliers/", "Flower suppliers")]),
    "perfumedgarden.example": ("perfumedgarden.example", [("scented-roses/", "The most scented roses")]),
    "historic-roses.example": ("www.historic-roses.example", [("old-roses/", "Old roses still sold today"),
                                                              ("where-to-buy/", "Where to buy old roses")]),
    # Domains that link to Fernhill too: not in the gap.
    "hortweekly.co.uk": ("news.hortweekly.co.uk", [("news/rose-of-the-year/", "Rose of the year announced"),
                                                   ("features/hedging-trends/", "Hedging trends")]),
    "homesandgardens.example": ("www.homesandgardens.example", [("gardens/best-nurseries/", "The best nurseries")]),
    "countryliving.example": ("www.countryliving.example", [("gardens/rose-gardens-to-visit/", "Rose gardens to visit")]),
    "localnews.example": ("www.localnews.example", [("shops/", "Garden shops and nurseries near you")]),
    "gardenersforum.example": ("www.gardenersforum.example", [("threads/hedge-advice/", "Hedge advice")]),
}
#: competitor -> [(linking domain, the competitor's pages every page of it links to, their anchors)]
_COMPETITOR_LINKS = {
    "greenfingers.example": [
        ("rosesociety.example", ["roses/", "roses/shrub-roses/"], ["Greenfingers", "shrub roses"]),
        ("gardendesignjournal.example", ["hedging/", "hedging/yew/"], ["hedging", "yew hedging"]),
        ("cottagegardenclub.example", ["climbers/"], ["climbers"]),
        ("bloomandgrow.example", ["roses/patio-roses/"], ["patio roses"]),
        ("seedandsoil.example", [""], ["Greenfingers Garden Centre"]),
        ("hedgelayers.example", ["hedging/"], ["hedging plants"]),
        ("balconyplants.example", ["shrubs/"], ["small shrubs"]),
        ("veg-patch.example", ["fruit/"], ["soft fruit"]),
        ("hortweekly.co.uk", ["", "hedging/"], ["Greenfingers", "hedging"]),
        ("homesandgardens.example", [""], ["Greenfingers"]),
        ("countryliving.example", [""], ["Greenfingers"]),
        ("localnews.example", [""], ["Greenfingers Garden Centre"]),
        ("gardenersforum.example", ["hedging/"], ["greenfingers hedging"]),
    ],
    "rosehall-gardens.example": [
        ("rosesociety.example", ["", "roses/old-roses/"], ["Rosehall Gardens", "old roses"]),
        ("gardendesignjournal.example", ["roses/"], ["roses"]),
        ("cottagegardenclub.example", ["roses/climbing/"], ["climbing roses"]),
        ("bloomandgrow.example", ["roses/"], ["Rosehall"]),
        ("seedandsoil.example", [""], ["Rosehall Gardens"]),
        ("weddingflowers.example", ["roses/"], ["garden roses"]),
        ("perfumedgarden.example", ["roses/scented/", "roses/"], ["scented roses", "Rosehall roses"]),
        ("hedgelayers.example", ["roses/hedging-roses/"], ["rugosa hedging"]),
        ("historic-roses.example", ["roses/old-roses/", ""], ["old roses", "Rosehall"]),
        ("hortweekly.co.uk", ["roses/"], ["Rosehall Gardens"]),
        ("homesandgardens.example", [""], ["Rosehall Gardens"]),
        ("countryliving.example", [""], ["Rosehall Gardens"]),
        ("localnews.example", ["visit/"], ["Rosehall Gardens open days"]),
    ],
}


#: Words around a competitor's link (Ahrefs' left and right context).
_COMPETITOR_CONTEXT = [
    ("Our members recommend ", " for plants that arrive healthy and well packed."),
    ("We bought ours from ", "; they came bare-root in November and every one took."),
    ("For a wider choice, try ", ", who post across the country from November to March."),
    ("Photographed at ", " in June, when the beds were at their best."),
    ("Suppliers: ", " (mail order), and two local nurseries listed below."),
]


def ahrefs_competitor(rng: random.Random, competitor: str) -> list[list]:
    """A competitor's links as Ahrefs sees them: several domains link to both competitors and not to Fernhill."""
    site, name = COMPETITORS[competitor]
    exported = dt.date.fromisoformat(name.rsplit("_", 2)[1])
    rows = []
    for domain, targets, anchors in _COMPETITOR_LINKS[competitor]:
        host, pages = _GAP_PAGES[domain]
        for path, title in pages:
            for target, anchor in zip(targets, anchors):
                rel = "ugc" if "/forum/" in path or "/threads/" in path else ""
                left, right = _COMPETITOR_CONTEXT[(len(rows) + len(path)) % len(_COMPETITOR_CONTEXT)]
                rows.append(_ahrefs_row(
                    rng, url=f"https://{host}/{path}", title=title, target=site + target, anchor=anchor,
                    left=left, right=right, rel=rel,
                    first=_stamp(rng, dt.date(2022, 5, 1), exported - dt.timedelta(days=20)),
                    last=_stamp(rng, exported - dt.timedelta(days=6), exported),
                    page_type="forum thread" if rel else "article"))
    # The members' hedging guide that dropped Fernhill's link now names this competitor (first seen this week).
    if competitor == "greenfingers.example":
        import demo_sites

        url = "https://community.rhs-members.example/guides/hedges/?page=2"
        topic, _ = demo_sites.article(url, 2)
        left, right = _context(next(p for p in topic.paragraphs if "{link}" in p))
        rows.append(_ahrefs_row(
            rng, url=url, title=demo_sites.page_title(url, topic),
            target=topic.link.url, anchor=topic.link.anchor, left=left, right=right,
            first=dt.datetime(2026, 11, 17, 3, 12, 40), last=dt.datetime(2026, 11, 18, 2, 1, 9)))
    return sorted(rows, key=lambda r: (-r[AHREFS_HEADER.index("Domain rating")], r[1], r[13]))


def write_ahrefs(name: str, rows: list[list]) -> None:
    """An Ahrefs "UTF-8" CSV download: comma-separated, LF, no BOM."""
    with (OUT / name).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(AHREFS_HEADER)
        writer.writerows(rows)


def third_party(sample: list[str]) -> dict[str, str]:
    """Write the Ahrefs exports; return the manifest (file name -> competitor, '' = Fernhill's own)."""
    write_ahrefs(AHREFS_OWN, ahrefs_own(random.Random(20261120), sample))
    manifest = {AHREFS_OWN: ""}
    for i, competitor in enumerate(COMPETITORS):
        name = COMPETITORS[competitor][1]
        write_ahrefs(name, ahrefs_competitor(random.Random(20261118 + i), competitor))
        manifest[name] = competitor
    return manifest


# --- link checks: the real checker, against loopback copies of the linking pages ------------------------

ROUNDS = {1: dt.datetime(2026, 11, 5, 9, 12, tzinfo=dt.UTC), 2: dt.datetime(2026, 11, 19, 9, 12, tzinfo=dt.UTC)}


def _served(url: str, port: int) -> str:
    """Where the loopback server answers for a page: plain HTTP on its port, the same host and path."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    return f"http://{host}:{port}/{path}"


def _serve_round(sites, round_no: int, linking: list[str], own: list[str]) -> None:
    """Say what every page answers in this round (the path both as written and decoded: aiohttp hands either)."""
    from urllib.parse import unquote, urlsplit

    import demo_sites

    def put(url: str, page) -> None:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for form in {path, unquote(path)}:
            sites.page(parts.hostname, form, page.body, status=page.status, content_type=page.content_type)

    for url in linking:
        put(url, demo_sites.linking_page(url, round_no))
    for url in own:
        put(url, demo_sites.own_page(unquote(urlsplit(url).path).lstrip("/"), round_no))
    for host, text in demo_sites.ROBOTS.items():
        sites.robots(host, text)


def _check_round(sites, round_no: int, plan) -> dict[str, list[dict]]:
    """Check the planned pages with the real checker; the results as JSON, under the pages' real URLs."""
    import dataclasses
    from urllib.parse import urlsplit

    from gsc_backlinks.checker import CheckSettings, run_checks
    from gsc_backlinks.urls import parse_property

    hosts = sorted({urlsplit(u).hostname for u in [*plan.linking, *plan.own]})
    # The testing allowance: these host names, and no other, lead to the loopback server.
    settings = CheckSettings(per_host_delay=0.0, testing_hosts=tuple((h, "127.0.0.1") for h in hosts))
    _serve_round(sites, round_no, plan.linking, plan.own)
    real = re.compile(rf"http://([a-z0-9.-]+):{sites.port}(?=[/?\s,]|$)")
    rng = random.Random(f"round {round_no}")
    out: dict[str, list[dict]] = {}
    for own, pages in (("linking", plan.linking), ("own", plan.own)):
        found = []
        run_checks([_served(u, sites.port) for u in pages], site=parse_property(SITE), settings=settings,
                   on_result=found.append, own=own == "own")
        start = ROUNDS[round_no] + (dt.timedelta(minutes=20) if own == "own" else dt.timedelta())
        items = []
        for n, check in enumerate(sorted(found, key=lambda c: c.url)):
            item = json.loads(real.sub(r"https://\1", json.dumps(dataclasses.asdict(check), default=str)))
            item["checked_at"] = (start + dt.timedelta(seconds=3 * n)).isoformat().replace("+00:00", "Z")
            item["elapsed"] = round(rng.uniform(0.12, 0.95), 3)
            items.append(item)
        missing = set(pages) - {i["url"] for i in items}
        if missing:
            raise SystemExit(f"checked pages came back under other URLs: {sorted(missing)[:3]}")
        out[own] = items
    return out


def link_checks(drilldown_targets: dict[str, str]) -> dict:
    """Two rounds of checks, each of the pages a check job plans after that round's exports."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from linksites import LinkSites  # the tests' loopback web sites (aiohttp.web, many host names on one port)

    from gsc_backlinks.jobs import check, demo
    from gsc_backlinks.jobs.importing import import_paths

    # The Links exports are the shipped ones (scripts/make_sample_data.py); the rest is what this run wrote.
    first = [str(p) for p in demo.sample_files() if "2026-11-03" in p.name]
    second = [str(p) for p in demo.sample_files() if "2026-11-03" not in p.name]
    rounds = []
    with tempfile.TemporaryDirectory(prefix="gsc-demo-checks-") as tmp, LinkSites() as sites:
        store = Path(tmp) / "plan.duckdb"
        import_paths(first, SITE, store)
        rounds.append({"date": ROUNDS[1].date().isoformat(), **_check_round(sites, 1, check.plan(store, SITE))})
        # Round 2 plans from what was known by then: the new exports, the drill-down, URL Inspection's answers.
        import_paths(second, SITE, store)
        for name, target in sorted(drilldown_targets.items()):
            if "Linking pages" in name:
                import_paths([str(OUT / name)], SITE, store, target=target)
        demo.load_inspections(store, OUT / "inspections.json")
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # the pages of round 1 are due again
        rounds.append({"date": ROUNDS[2].date().isoformat(),
                       **_check_round(sites, 2, check.plan(store, SITE, older_than=0, now=later))})
    return {"about": "Link checks of the demo property made by gsc-backlinks' checker against loopback copies of "
                     "the linking pages (scripts/make_demo_data.py); check times are the demo's.",
            "rounds": rounds}


RANK_SAMPLE = "cc-main-2026-demo-sample-domain-ranks.txt.gz"


def _json(name: str, data) -> None:
    (OUT / name).write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    global OUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write to (default: the package's sample data)")
    OUT = parser.parse_args().out
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261117)
    (OUT / "search-performance.csv.gz").write_bytes(performance(rng))
    _json("inspections.json", inspections())
    (OUT / RANK_SAMPLE).write_bytes(rank_sample(random.Random(20261124)))
    targets = drilldowns()
    _json("drilldowns.json", targets)
    from gsc_backlinks.urls import canonical_url

    links = HERE.parent / "gsc_backlinks" / "sample_data" / f"{SLUG}-More sample links-2026-11-17.csv"
    sample = links.read_text(encoding="utf-8").split("\n")[1:]
    _json("thirdparty.json", third_party([canonical_url(u) for u in sample if u]))
    _json("link-checks.json", link_checks(targets))


if __name__ == "__main__":
    main()
