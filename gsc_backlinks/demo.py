"""The demo: the whole import-and-summarize path on built-in sample exports."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

DEMO_SITE = "https://www.fernhill-nursery.example/"


def sample_files() -> list[Path]:
    """The sample exports shipped in the package (two rounds, two weeks apart)."""
    folder = resources.files("gsc_backlinks") / "sample_data"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".csv"))


def run_demo(console, *, top: int = 10, quiet: bool = False) -> None:
    """Import the sample exports into a throw-away store and print the summaries."""
    from rich.text import Text

    from . import output
    from .analysis import links as L
    from .importing import import_paths
    from .store import open_store

    with tempfile.TemporaryDirectory(prefix="gsc-backlinks-demo-") as tmp:
        store_path = Path(tmp) / "demo.duckdb"
        report = import_paths([str(p) for p in sample_files()], DEMO_SITE, store_path)
        if not quiet:
            console.print(Text(
                f"Demo: {len(report.results)} sample exports of the made-up property {DEMO_SITE} "
                "imported into a temporary store.\n", style="bold"))
        with open_store(store_path) as con:
            summaries = [
                L.top_pages(con, DEMO_SITE, top=top),
                L.linking_domains(con, DEMO_SITE, top=top),
                L.anchors(con, DEMO_SITE, top=top),
                L.samples(con, DEMO_SITE, top=top),
            ]
        for summary in summaries:
            output.print_table(summary, console)
            console.print()
    if not quiet:
        console.print(Text(
            "Your own data: download the exports from Search Console's Links report, then\n"
            "  gsc-backlinks import ~/Downloads/*.csv --site sc-domain:your-site.com\n"
            "  gsc-backlinks links pages --site sc-domain:your-site.com"))
