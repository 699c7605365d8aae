"""Turn the paths a user gives into export files: plain files, folders and zips.

Everything here guards against hostile input before any parsing: size caps,
zip bombs (entry count, inflated size, compression ratio, sizes that lie),
unsafe entry names and nested archives.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import html
import io
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ExportError
from . import kinds as K

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".zip")
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Caps on what one import will read; every one is named in its error."""

    max_file_bytes: int = field(
        default_factory=lambda: _env_int("GSC_BACKLINKS_MAX_FILE_MB", 512) * 1024 * 1024
    )
    max_zip_entries: int = 1000
    max_zip_total_bytes: int = field(
        default_factory=lambda: _env_int("GSC_BACKLINKS_MAX_ZIP_MB", 1024) * 1024 * 1024
    )
    max_zip_ratio: int = 200


@dataclass
class RawFile:
    """The bytes of one candidate export and where they came from."""

    display: str  #: what error messages call it: a path, or "archive.zip:entry.csv"
    filename: str  #: the base name, for the title/date/property hints
    data: bytes
    mtime: float | None = None  #: seconds since the epoch
    archive_name: str | None = None  #: the zip's base name, a second hint
    not_links: str | None = None  #: why this known file is not a Links export, when collecting found out

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the bytes, hex: what makes a second import of the same file a no-op."""
        return hashlib.sha256(self.data).hexdigest()

    @functools.cached_property
    def quick_key(self) -> str:
        """Size and SHA-256 of the first MiB: tells a new file from a held one without reading it all
        (a match is confirmed by :attr:`content_hash`)."""
        return f"{len(self.data)}:{hashlib.sha256(self.data[:1 << 20]).hexdigest()}"


@dataclass
class Collected:
    files: list[RawFile]
    skipped: list[str]  #: paths in folders that are not CSV/XLSX/ZIP files


def _human(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def is_zip(data: bytes) -> bool:
    return data[:4] in (ZIP_MAGIC, EMPTY_ZIP_MAGIC)


def is_xlsx_zip(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def check_zip(zf: zipfile.ZipFile, display: str, limits: Limits) -> list[zipfile.ZipInfo]:
    """Refuse archives that are bombs or carry unsafe names; return file entries."""
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise ExportError(
            display,
            f"archive has {len(infos)} entries; the limit is {limits.max_zip_entries} "
            "(unzip it and import the folder instead)",
        )
    total = 0
    entries = []
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if (
            name.startswith(("/", "\\"))
            or ".." in parts
            or (len(name) > 1 and name[1] == ":")
            or "\x00" in name
        ):
            raise ExportError(
                display, f"archive entry {name!r} has an unsafe path (absolute or '..'); refusing the archive"
            )
        if info.is_dir():
            continue
        total += info.file_size
        if info.file_size > limits.max_file_bytes:
            raise ExportError(
                display,
                f"archive entry {name!r} inflates to {_human(info.file_size)}; "
                f"the limit is {_human(limits.max_file_bytes)} per file",
            )
        if info.compress_size and info.file_size > 1024 * 1024:
            ratio = info.file_size / info.compress_size
            if ratio > limits.max_zip_ratio:
                raise ExportError(
                    display,
                    f"archive entry {name!r} has a compression ratio of {ratio:.0f}:1 "
                    f"(limit {limits.max_zip_ratio}:1); it looks like a zip bomb",
                )
        entries.append(info)
    if total > limits.max_zip_total_bytes:
        raise ExportError(
            display,
            f"archive inflates to {_human(total)}; the limit is {_human(limits.max_zip_total_bytes)}",
        )
    return entries


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, limits: Limits) -> bytes:
    """Read one entry, never more than it declared: headers can lie."""
    cap = min(info.file_size, limits.max_file_bytes)
    try:
        with zf.open(info) as handle:
            data = handle.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise ExportError(display, f"archive entry {info.filename!r} is corrupt or truncated ({exc})") from None
    if len(data) > cap:
        raise ExportError(
            display, f"archive entry {info.filename!r} inflates past its declared size; it looks like a zip bomb"
        )
    return data


def open_zip(data: bytes, display: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ExportError(display, f"is not a readable zip archive: it is corrupt or truncated ({exc})") from None


def _expand_zip(raw: RawFile, limits: Limits) -> list[RawFile]:
    zf = open_zip(raw.data, raw.display)
    with zf:
        if is_xlsx_zip(zf):
            check_zip(zf, raw.display, limits)  # an .xlsx is a zip too: same caps
            return [raw]
        out = []
        for info in check_zip(zf, raw.display, limits):
            base = html.unescape(PurePosixPath(info.filename).name)  # "Pagina&#39;s.csv", as Google writes some
            if base.startswith(".") or info.filename.startswith("__MACOSX/"):
                continue
            display = f"{raw.display}:{info.filename}"
            data = read_entry(zf, info, display, limits)
            if is_zip(data):
                inner = open_zip(data, display)
                with inner:
                    if not is_xlsx_zip(inner):
                        raise ExportError(display, "is an archive inside an archive; unzip the outer one first")
                    check_zip(inner, display, limits)
            if not base.lower().endswith(EXPORT_SUFFIXES):
                continue
            mtime = None
            try:
                import datetime as _dt

                mtime = _dt.datetime(*info.date_time).timestamp()
            except (ValueError, OverflowError):
                pass
            out.append(RawFile(display, base, data, mtime, archive_name=raw.filename))
        if not out:
            raise ExportError(raw.display, "archive holds no CSV or XLSX files")
        if is_performance_zip(out):
            # One file, one line: the zip is what the user downloaded and would import again.
            return [RawFile(raw.display, raw.filename, raw.data, raw.mtime, not_links=K.PERFORMANCE_EXPORT)]
        return out


def _header_cells(data: bytes) -> list[list[str]]:
    """The first line of a CSV member, split at each delimiter an export may use."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            text = data[len(bom): len(bom) + 8192].decode(encoding, errors="replace")
            break
    else:
        text = data[:8192].decode("utf-8", errors="replace")
    line = text.lstrip("\r\n").split("\n", 1)[0].rstrip("\r")
    return [next(csv.reader([line], delimiter=d), []) for d in (",", ";", "\t")]


def is_performance_zip(members: list[RawFile]) -> bool:
    """Whether a zip's files are the tables of a Performance report export (Queries.csv, Pages.csv, …,
    named in the UI's language): one table with the report's metrics, and no Links export among them."""
    found = False
    for member in members:
        if member.filename.lower().endswith(".xlsx"):
            return False
        splits = _header_cells(member.data)
        if any(K.match_header(cells) for cells in splits):
            return False
        found = found or any(K.is_performance_header(cells) for cells in splits)
    return found


def read_path(path: Path, limits: Limits, display: str | None = None) -> RawFile:
    display = display or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ExportError(display, "no such file or folder") from None
    except OSError as exc:
        raise ExportError(display, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ExportError(display, "is not a regular file")
    if st.st_size > limits.max_file_bytes:
        raise ExportError(
            display,
            f"is {_human(st.st_size)}; the largest file this tool reads is {_human(limits.max_file_bytes)} "
            "(Search Console's own exports are far smaller; set GSC_BACKLINKS_MAX_FILE_MB to raise the limit)",
        )
    try:
        with path.open("rb") as handle:
            # read(n) allocates n bytes up front: ask for what stat said, plus one to see growth
            data = handle.read(st.st_size + 1)
            if len(data) > st.st_size:
                data += handle.read(limits.max_file_bytes + 1 - len(data))
    except OSError as exc:
        raise ExportError(display, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > limits.max_file_bytes:
        raise ExportError(display, f"grew past {_human(limits.max_file_bytes)} while being read")
    return RawFile(display, path.name, data, st.st_mtime)


def collect(paths: list[str | os.PathLike], limits: Limits | None = None) -> Collected:
    """Expand files, folders and zips into candidate export files, in a stable order."""
    limits = limits or Limits()
    files: list[RawFile] = []
    skipped: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = []
            try:
                for root, dirs, names in os.walk(path, onerror=_raise_walk_error):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in sorted(names):
                        if name.startswith("."):
                            continue
                        full = Path(root) / name
                        if name.lower().endswith(EXPORT_SUFFIXES):
                            found.append(full)
                        else:
                            skipped.append(str(full))
            except OSError as exc:
                raise ExportError(str(path), f"cannot be read ({exc.strerror or exc})") from None
            if not found:
                raise ExportError(str(path), "folder holds no CSV, XLSX or ZIP files")
            candidates = [read_path(p, limits) for p in found]
        else:
            candidates = [read_path(path, limits, display=str(given))]
        for raw in candidates:
            if raw.filename.lower().endswith(".zip") and not is_zip(raw.data):
                raise ExportError(raw.display, "is not a zip archive (it does not start like one); is it corrupt?")
            if is_zip(raw.data):
                files.extend(_expand_zip(raw, limits))
            else:
                files.append(raw)
    return Collected(files, skipped)


def _raise_walk_error(exc: OSError) -> None:
    raise exc


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold: 12.0 -> "12", a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value)
