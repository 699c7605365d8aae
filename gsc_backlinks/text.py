"""Text written by strangers, made safe and short for people to read."""

from __future__ import annotations

import re

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: How every table (terminal and HTML) shows a value nobody knows; CSV leaves the cell empty, JSON says null.
UNKNOWN = "unknown"


def printable(text: str) -> str:
    """Replace control characters (terminal escapes, NULs) with U+FFFD."""
    return _CONTROL_RE.sub("\ufffd", text)


def shorten(text: str, limit: int = 90) -> str:
    """``text`` cut in the middle to at most ``limit`` characters: two thirds of the room for its start
    (where a URL's host and a name's meaning are), one third for its end, an ellipsis between."""
    if len(text) <= limit:
        return text
    keep = max(limit - 1, 2)
    return text[: keep * 2 // 3] + "…" + text[-(keep - keep * 2 // 3):]
