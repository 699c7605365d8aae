"""Refresh the README's screenshots from the demo report, in Debian's Chromium (nothing is downloaded).

    python scripts/screenshots.py            # writes docs/demo-report.png, docs/demo-report-phone.png,
                                             # docs/demo-report-pages.png

Needs the test extras (playwright) and /usr/bin/chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    from playwright.sync_api import sync_playwright

    from gsc_backlinks.jobs.demo import run_demo
    from gsc_backlinks.report.drilldown import page_file

    with tempfile.TemporaryDirectory(prefix="gsc-shots-") as tmp:
        index = run_demo(Path(tmp)).index
        # A drill-down with every source: its linking pages with the check's findings and the tools' rows.
        drill = index.parent / page_file("https://www.fernhill-nursery.example/hedging/")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                for name, path, viewport, at in (
                        ("demo-report.png", index, {"width": 1280, "height": 1100}, None),
                        ("demo-report-phone.png", index, {"width": 390, "height": 844}, None),
                        ("demo-report-pages.png", drill, {"width": 1280, "height": 1100}, "#s-links")):
                    page = browser.new_page(viewport=viewport, device_scale_factor=1)
                    page.goto(path.as_uri())
                    if at:  # the part of the page the picture is about, at the top
                        page.evaluate("sel => window.scrollTo(0, document.querySelector(sel).offsetTop - 16)", at)
                    page.screenshot(path=str(DOCS / name))
                    page.close()
                    print(DOCS / name)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
