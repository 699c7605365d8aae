"""Search Console Links exports: find the files, read them, normalize their rows."""

from .kinds import KINDS, ExportKind
from .reader import ParsedExport, import_arrow_beside, parse_export
from .sources import Collected, Limits, RawFile, collect

__all__ = [
    "KINDS",
    "Collected",
    "ExportKind",
    "Limits",
    "ParsedExport",
    "RawFile",
    "collect",
    "import_arrow_beside",
    "parse_export",
]
