"""Regenerate the built-in sample exports in gsc_backlinks/sample_data/.

A made-up property (https://www.fernhill-nursery.example/) with two rounds of
Links exports two weeks apart, in Search Console's exact file names, headers
and value formats.  Deterministic: the same files every run.

    python scripts/make_sample_data.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "gsc_backlinks" / "sample_data"
SITE = "https://www.fernhill-nursery.example/"
SLUG = "https___www.fernhill-nursery.example_"
DATES = (dt.date(2026, 11, 3), dt.date(2026, 11, 17))

PAGES = [
    "", "roses/", "roses/climbing-roses/", "fruit-trees/", "fruit-trees/apple-trees/",
    "guides/how to prune roses/", "guides/planting-bare-root-trees/", "hedging/", "bulbs/tulips/",
    "blog/winter-garden-jobs/", "blog/wildlife-pond/", "about/", "delivery/", "perennials/",
    "guides/composting/", "blog/ナチュラルガーデン/", "gift-vouchers/", "herbs/", "grasses/", "contact/",
]
DOMAINS = [
    ("gardenersforum.example", ["www", "forum"]), ("hortweekly.co.uk", ["news", "www"]),
    ("greenthumbs.example", ["blog"]), ("allotment-life.example", ["www"]),
    ("rhs-members.example", ["community"]), ("localnews.example", ["www", "m"]),
    ("treesociety.example", ["www"]), ("bee-friendly.example", ["www"]),
    ("wordpress-garden.example", ["amy", "tom", "kate"]), ("pinboard.example", ["www"]),
    ("seedswap.example", ["www"]), ("homesandgardens.example", ["www"]),
    ("rosegrowers.example", ["www", "shop"]), ("urbanjungle.example", ["www"]),
    ("countryliving.example", ["www"]), ("spamdirectory.example", ["links", "dir"]),
    ("gartenfreunde.example", ["www"]), ("jardin-passion.example", ["www"]),
    ("pondkeepers.example", ["www"]), ("orchardtrust.example", ["www"]),
]
SLUGS = ["best-climbing-roses", "winter pruning tips", "reader-questions", "links", "resources",
         "top-10-nurseries", "apple-varieties", "podcast/episode-12", "2026/10/visit-report",
         "forum/thread/4411", "guides/hedges", "tag/roses", "bienen-garten", "rosiers-grimpants",
         "category/fruit", "news/autumn-fair", "wildlife", "best-bulbs-2026", "compost-guide", "shops"]
ANCHORS = ["fernhill nursery", "fernhill-nursery example", "climbing roses", "here",
           "https www fernhill nursery example", "apple trees", "bare root trees", "click here",
           "fernhill", "how to prune roses", "read more", "wildlife pond ideas", "tulip bulbs",
           "website", "hedging plants", "fernhill nursery roses", "visit website", "uk nursery",
           "composting guide", "gift vouchers"]


def write(name: str, header: list[str], rows: list[list], date: dt.date, suffix: str = "") -> None:
    path = OUT / f"{SLUG}-{name}-{date.isoformat()}{suffix}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.csv"):
        old.unlink()
    for round_no, date in enumerate(DATES):
        rng = random.Random(1000 + round_no)
        domains = DOMAINS[: 16 + 4 * round_no] if round_no else DOMAINS[:18]
        if round_no:
            domains = [d for d in domains if d[0] != "spamdirectory.example"]  # lost
        links = []
        for d_i, (domain, subs) in enumerate(domains):
            n_pages = max(1, int(12 / (d_i + 1) + rng.randint(0, 3)))
            for p in range(n_pages):
                host = f"{rng.choice(subs)}.{domain}"
                slug = SLUGS[(d_i * 7 + p) % len(SLUGS)]
                target = PAGES[(d_i + p * 3) % len(PAGES)]
                crawled = date - dt.timedelta(days=rng.randint(1, 60))
                links.append((f"https://{host}/{slug}/" + ("" if p < 2 else f"?page={p}"), target, crawled))
        links = sorted(set(links))
        write("More sample links", ["Linking page"], [[u] for u in sorted({u for u, _, _ in links})], date)
        latest = sorted(links, key=lambda x: (x[2], x[0]), reverse=True)
        seen = set()
        rows = []
        for u, _, c in latest:
            if u not in seen:
                seen.add(u)
                rows.append([u, c.isoformat()])
        write("Latest links", ["Linking page", "Last crawled"], rows, date)
        per_target: dict[str, list] = {}
        for u, t, _ in links:
            per_target.setdefault(t, []).append(u)
        tt = []
        for t, us in per_target.items():
            hosts = {u.split("/")[2].split(".", 1)[1] for u in us}
            tt.append([SITE + t, len(us) * (3 + round_no), len(hosts)])
        tt.sort(key=lambda r: (-r[1], r[0]))
        write("Top target pages", ["Target page", "Incoming links", "Linking sites"], tt, date)
        per_domain: dict[str, tuple[set, set]] = {}
        for u, t, _ in links:
            dom = u.split("/")[2].split(".", 1)[1]
            per_domain.setdefault(dom, (set(), set()))
            per_domain[dom][0].add(u)
            per_domain[dom][1].add(t)
        ts = sorted(([d, len(a) * (3 + round_no), len(b)] for d, (a, b) in per_domain.items()),
                    key=lambda r: (-r[1], r[0]))
        write("Top linking sites", ["Site", "Linking pages", "Target pages"], ts, date)
        anchors = ANCHORS[:]
        rng.shuffle(anchors)
        anchors.sort(key=lambda a: 0 if "fernhill" in a else 1)
        write("Top linking text", ["Rank", "Link text"], [[i + 1, a] for i, a in enumerate(anchors)], date)
        internal = [[SITE + p, 40 - i] for i, p in enumerate(PAGES)]
        # Internal "Top target pages" has the same title, so the browser adds " (1)".
        write("Top target pages", ["Target page", "Internal links"], internal, date, " (1)")


if __name__ == "__main__":
    main()
