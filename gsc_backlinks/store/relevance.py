"""Relevance computed before, kept with a digest of its inputs (see ``analysis.value``).

A run is one set of inputs (property, topic window, query data, sample
snapshots, method); its topics are the site ('') and target pages whose
linking domains and pages were rated.  Every function takes an open connection.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .connection import transaction, unregister

if TYPE_CHECKING:
    import duckdb

KEEP_RUNS = 4  #: runs kept per property (the default week, a past week, an --as-of…): older ones are dropped


def find_run(con: duckdb.DuckDBPyConnection, site: str, inputs: str) -> int | None:
    rows = con.execute("SELECT run_id FROM relevance_runs WHERE property = ? AND inputs = ?", [site, inputs]).fetchall()
    return rows[0][0] if rows else None


def topics_done(con: duckdb.DuckDBPyConnection, run_id: int | None) -> set[str]:
    """The topics of a run whose ratings are all stored."""
    if run_id is None:
        return set()
    return {r[0] for r in con.execute("SELECT topic FROM relevance_topics WHERE run_id = ?", [run_id]).fetchall()}


def ratings(con: duckdb.DuckDBPyConnection, run_id: int, topics: list[str]) -> dict[tuple[str, str, str], int | None]:
    """(topic, item kind, item) -> relevance of every stored rating of these topics."""
    if not topics:
        return {}
    return {(t, k, i): r for t, k, i, r in con.execute(
        "SELECT topic, item_kind, item, relevance FROM relevance WHERE run_id = ? AND list_contains(?, topic)",
        [run_id, topics]).fetchall()}


def save_ratings(con: duckdb.DuckDBPyConnection, site: str, inputs: str, window: tuple[dt.date, dt.date] | None,
                 sample_ids: list[int], rows: list[tuple[str, str, str, int | None]], topics: list[str],
                 *, now: dt.datetime) -> int:
    """Keep the ratings (topic, item kind, item, relevance) of whole topics, in one transaction; the run id."""
    import pyarrow as pa

    from .. import arrow

    table = arrow.table({
        "topic": arrow.array([r[0] for r in rows], pa.string()),
        "item_kind": arrow.array([r[1] for r in rows], pa.string()),
        "item": arrow.array([r[2] for r in rows], pa.string()),
        "relevance": arrow.array([r[3] for r in rows], pa.int64()),
    })
    with transaction(con):
        run_id = find_run(con, site, inputs)
        if run_id is None:
            start, end = window or (None, None)
            run_id = con.execute(
                """INSERT INTO relevance_runs (property, inputs, topic_start, topic_end, sample_ids, computed_at)
                   VALUES (?, ?, ?, ?, ?, ?) RETURNING run_id""",
                [site, inputs, start, end, sample_ids, now]).fetchall()[0][0]
            old = [r[0] for r in con.execute(
                "SELECT run_id FROM relevance_runs WHERE property = ? ORDER BY computed_at DESC, run_id DESC OFFSET ?",
                [site, KEEP_RUNS]).fetchall()]
            if old:
                for name in ("relevance", "relevance_topics", "relevance_runs"):
                    con.execute(f"DELETE FROM {name} WHERE list_contains(?, run_id)", [old])
        con.execute("DELETE FROM relevance WHERE run_id = ? AND list_contains(?, topic)", [run_id, topics])
        con.execute("DELETE FROM relevance_topics WHERE run_id = ? AND list_contains(?, topic)", [run_id, topics])
        con.register("incoming_ratings", table)
        try:
            con.execute("INSERT INTO relevance SELECT ?, topic, item_kind, item, relevance FROM incoming_ratings",
                        [run_id])
        finally:
            unregister(con, "incoming_ratings")
        con.execute("INSERT INTO relevance_topics SELECT ?, unnest(?::VARCHAR[])", [run_id, topics])
    return run_id
