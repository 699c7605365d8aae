"""Link checks: each fetch of a page and the links to the property it found.  Writers take a connection
and run their own transaction; a check is written in small batches as it goes (resumable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..urls import host_of, registrable_domain
from .connection import transaction, unregister

if TYPE_CHECKING:
    import duckdb

PAGE_FIELDS = ("url", "checked_at", "status", "reason", "http_status", "final_url", "title", "lang", "canonical",
               "meta_robots", "x_robots_tag", "size", "elapsed", "main_text", "redirect_to_home")
LINK_FIELDS = ("linking_url", "target_url", "anchor_text", "image", "nofollow", "ugc", "sponsored", "placement",
               "context_before", "context_after")


def _utc(moment: dt.datetime) -> dt.datetime:
    """A moment as the store keeps it: UTC, naive."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def save_checks(con: duckdb.DuckDBPyConnection, site: str, checks: Sequence[Any], *, own: bool,
                gap: bool = False) -> None:
    """Keep page checks (``checker.PageCheck``) and the links each found, in one transaction.

    ``own``: the property's own pages; ``gap``: competitors' linking pages of the link gap, kept for what they
    are about (title, main text) and never as the property's links: their links are counted, not kept."""
    import pyarrow as pa

    from .. import arrow

    if not checks:
        return
    with transaction(con):
        ids = [r[0] for r in con.execute("SELECT nextval('check_ids') FROM range(?)", [len(checks)]).fetchall()]
        pages = {
            "check_id": arrow.array(ids, pa.int64()),
            **{f: pa.array([getattr(c, f) for c in checks]) for f in PAGE_FIELDS if f != "checked_at"},
            "checked_at": pa.array([_utc(c.checked_at) for c in checks], pa.timestamp("us")),
            "hops": pa.array([[f"{status} {url}" for url, status in c.hops] for c in checks], pa.list_(pa.string())),
            "links": pa.array([len(c.links) for c in checks], pa.int32()),
        }
        links = [] if gap else [(cid, c, link) for cid, c in zip(ids, checks) for link in c.links]
        facts = {
            "check_id": pa.array([cid for cid, _, _ in links], pa.int64()),
            "observed_at": pa.array([_utc(c.checked_at) for _, c, _ in links], pa.timestamp("us")),
            "linking_domain": pa.array([registrable_domain(host_of(link.linking_url)) for _, _, link in links],
                                       pa.string()),
            **{f: pa.array([getattr(link, f) for _, _, link in links]) for f in LINK_FIELDS},
        }
        con.register("incoming_checks", pa.table(pages))
        con.register("incoming_links", pa.table(facts) if links else pa.table({
            name: pa.array([], pa.string()) for name in ("check_id", "observed_at", "linking_domain", *LINK_FIELDS)}))
        try:
            columns = ", ".join(("check_id", *PAGE_FIELDS, "hops", "links"))
            con.execute(f"""INSERT INTO page_checks (property, own, gap, {columns})
                            SELECT ?, ?, ?, {columns} FROM incoming_checks""", [site, own, gap])
            if links:
                fields = ", ".join(("check_id", "observed_at", "linking_domain", *LINK_FIELDS))
                con.execute(f"""INSERT INTO link_observations (source, property, {fields}, status)
                                SELECT 'check', ?, {fields}, 'live' FROM incoming_links""", [site])
        finally:
            unregister(con, "incoming_checks")
            unregister(con, "incoming_links")


def last_checked(con: duckdb.DuckDBPyConnection, site: str, *, own: bool,
                 gap: bool = False) -> dict[str, dt.datetime]:
    """Each checked page's newest check time (UTC), of one kind: linking pages, own pages or the gap's."""
    return dict(con.execute(
        "SELECT url, max(checked_at) FROM page_checks WHERE property = ? AND own = ? AND gap = ? GROUP BY url",
        [site, own, gap]).fetchall())
