"""The `authority` jobs: read a rank file for the store's linking domains, keep what was found, say what is loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import ranks
from ..dates import utc_now
from ..errors import NoDataError, RankFileError
from ..store import open_store
from ..store import ranks as stored


@dataclass(frozen=True)
class LoadResult:
    kind: str
    label: str
    release: str
    file_name: str
    list_size: int
    looked_up: int
    ranked: int
    choice: str = ""  #: which release is in use now, and why (one line)
    loaded: bool = True  #: False: an older release than the one held, left unloaded (no --replace)


def _linking_domains(store_path: Path) -> list[str]:
    with open_store(store_path) as con:
        domains = stored.linking_domain_names(con)
    if not domains:
        raise NoDataError("the store holds no linking domains yet; import Links exports first "
                          "(gsc-backlinks import PATH --site SITE), then load the rank file")
    return domains


def load(store_path: Path, path: str | Path, *, release: str | None = None, replace: bool = False,
         progress: Callable[[int, int], None] | None = None, now: dt.datetime | None = None) -> LoadResult:
    """Stream a rank file once and keep the ranks of every domain linking to any property in the store.

    The newest release of each kind is kept: a file older than the one held of its kind is left unloaded
    unless ``replace``.  The store is untouched until the whole file is read.
    """
    rank_file = ranks.detect(path, release=release)
    domains = _linking_domains(store_path)
    with open_store(store_path) as con:
        held = next((s for s in stored.rank_sources(con, ranks.PRECEDENCE) if s["kind"] == rank_file.kind), None)
    choice = ranks.choose_release(rank_file.kind, rank_file.release, held["release"] if held else None,
                                  new_file_date=rank_file.file_date, held_file_date=held["file_date"] if held else None,
                                  replace=replace)
    if not choice.replace:  # before the (long) scan: an older release is not read at all
        return LoadResult(rank_file.kind, rank_file.label, rank_file.release, rank_file.path.name, 0, len(domains), 0,
                          choice.message, loaded=False)
    result = ranks.scan(rank_file, domains, progress=progress)
    size = rank_file.path.stat().st_size
    with open_store(store_path, write=True) as con:
        stored.save_ranks(con, rank_file, size, result.list_size, domains, result.found, now=now or utc_now())
    return LoadResult(rank_file.kind, rank_file.label, rank_file.release, rank_file.path.name, result.list_size,
                      len(domains), len(result.found), choice.message)


@dataclass(frozen=True)
class RefreshResult:
    label: str
    release: str
    new_domains: int
    ranked: int
    problem: str | None = None  #: why this file could not be read again


def refresh(store_path: Path, *, progress: Callable[[int, int], None] | None = None,
            now: dt.datetime | None = None) -> list[RefreshResult]:
    """Look up, in each loaded rank file, the linking domains that appeared since it was read."""
    with open_store(store_path) as con:
        sources = stored.rank_sources(con, ranks.PRECEDENCE)
        if not sources:
            raise NoDataError("no rank file loaded yet; download one and run: gsc-backlinks authority load FILE")
        todo = [(s, stored.domains_not_looked_up(con, s["source_id"])) for s in sources]
    out = []
    for source, domains in todo:
        label = ranks.KINDS.get(source["kind"], source["kind"])
        if not domains:
            out.append(RefreshResult(label, source["release"], 0, 0))
            continue
        path = Path(source["file_path"])
        if not path.exists() or path.stat().st_size != source["file_size"]:
            out.append(RefreshResult(label, source["release"], len(domains), 0,
                                     f"{path} is gone or has changed since it was loaded; load the file again"))
            continue
        try:
            rank_file = ranks.detect(path, release=source["release"])
            result = ranks.scan(rank_file, domains, progress=progress)
        except RankFileError as exc:
            out.append(RefreshResult(label, source["release"], len(domains), 0, str(exc)))
            continue
        with open_store(store_path, write=True) as con:
            stored.save_ranks(con, rank_file, source["file_size"], source["list_size"], domains, result.found,
                              now=now or utc_now(), source_id=source["source_id"])
        out.append(RefreshResult(label, source["release"], len(domains), len(result.found)))
    return out


@dataclass(frozen=True)
class RankFileStatus:
    source: str  #: the kind of list, in the user's words
    release: str
    file: str
    list_size: int
    ranked: int  #: linking domains the file ranks
    looked_up: int  #: linking domains looked up in it
    not_looked_up: int  #: linking domains that appeared since it was read
    loaded_at: dt.datetime


@dataclass(frozen=True)
class AuthorityStatus:
    linking_domains: int
    files: list[RankFileStatus]


def status(store_path: Path) -> AuthorityStatus:
    """The rank files loaded, and how many linking domains each ranks."""
    with open_store(store_path) as con:
        sources = stored.rank_sources(con, ranks.PRECEDENCE)
        files = [RankFileStatus(ranks.KINDS.get(r["kind"], r["kind"]), r["release"], r["file_name"], r["list_size"],
                                r["ranked"], r["looked_up"], stored.not_looked_up_count(con, r["source_id"]),
                                r["loaded_at"]) for r in sources]
        return AuthorityStatus(stored.linking_domain_count(con), files)
