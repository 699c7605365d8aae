"""List pages: a table too long for the weekly page, on a page of its own under ``lists/``."""

from __future__ import annotations

import datetime as dt

from .model import Page, Section, Table

INDEX_ROWS = 200  #: longest table on the weekly page; longer lists get their own page
LIST_ROWS = 10_000  #: longest list page (about 3.5 MB); `links samples --format csv` gives every row


def list_page(site: str, title: str, table: Table, date: dt.date | None) -> Page:
    return Page(title=f"{title} · {site}", heading=title, subtitle=site, generated="",
                period=f"snapshot of {date}", sections=(Section("list", title, None, (table,)),), home_href="../index.html")
