"""Search Console Links exports and third-party backlink exports: find the files, read them, normalize their rows."""

from .kinds import KINDS, ExportKind
from .reader import ParsedExport, import_arrow_beside, parse_export
from .sources import Collected, Limits, RawFile, collect
from .thirdparty import VendorExport, VendorParsed, detect_vendor, parse_vendor_export, vendor_of

__all__ = [
    "KINDS",
    "Collected",
    "ExportKind",
    "Limits",
    "ParsedExport",
    "RawFile",
    "VendorExport",
    "VendorParsed",
    "collect",
    "detect_vendor",
    "import_arrow_beside",
    "parse_export",
    "parse_vendor_export",
    "vendor_of",
]
