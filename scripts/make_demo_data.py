"""Write the demo's search performance, URL Inspection and drill-down sample data.

The demo property is made up (``https://www.fernhill-nursery.example/``); this
script makes its API-side data, seeded so that it is the same on every run:

- ``search-performance.csv.gz``: 13 weeks of daily totals (property, page, page x
  query), final up to 2026-11-19 and fresh for the two days after, in the
  columns the store keeps;
- ``inspections.json``: URL Inspection answers, in the API's own JSON shape;
- drill-down exports ("Top sites linking to this page", "Linking pages") of two
  pages, and ``drilldowns.json`` naming the page each was filtered on.

Run from the repository root: ``python scripts/make_demo_data.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "gsc_backlinks" / "sample_data"
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
    "orchardtrust.example": 1_480_263,
    "pinboard.example": 2_207_551,
    "gartenfreunde.example": 4_019_774,
    "jardin-passion.example": 6_530_118,
    "allotment-life.example": 9_874_002,
    "treesociety.example": 12_660_381,
    "seedswap.example": 25_114_907,
    "spamdirectory.example": 71_002_455,
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


RANK_SAMPLE = "cc-main-2026-demo-sample-domain-ranks.txt.gz"


def main() -> None:
    rng = random.Random(20261117)
    (OUT / "search-performance.csv.gz").write_bytes(performance(rng))
    (OUT / "inspections.json").write_text(json.dumps(inspections(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (OUT / RANK_SAMPLE).write_bytes(rank_sample(random.Random(20261124)))
    (OUT / "drilldowns.json").write_text(json.dumps(drilldowns(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
