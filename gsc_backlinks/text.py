"""Text written by strangers, made safe and short for people to read."""

from __future__ import annotations

import re

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Characters that reorder the text around them (bidirectional embeddings, overrides, isolates, marks):
#: "https://evil.example/\u202egnp.exe" would read as something else.
_BIDI_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: What JSON leaves raw but a terminal acts on: DEL, the C1 controls (U+009B is an escape) and the bidi ones.
_JSON_RAW_RE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: How every table (terminal and HTML) shows a value nobody knows; CSV leaves the cell empty, JSON says null.
UNKNOWN = "unknown"


def printable(text: str) -> str:
    """Text from strangers, safe to show: control characters (terminal escapes, NULs) become U+FFFD and
    bidirectional controls are shown as what they are ("<U+202E>") instead of reordering the text."""
    return _BIDI_RE.sub(lambda m: f"<U+{ord(m.group()):04X}>", _CONTROL_RE.sub("\ufffd", text))


def terminal_safe(text: str) -> str:
    """Lines of data (CSV, JSON) as a terminal may show them: :func:`printable`, line breaks and tabs kept."""
    return "\n".join("\t".join(printable(part) for part in line.split("\t")) for line in text.split("\n"))


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 and bidirectional controls written as \\u escapes too (the same data once
    parsed; nothing a terminal acts on when the JSON is shown)."""
    return _JSON_RAW_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shorten(text: str, limit: int = 90) -> str:
    """``text`` cut in the middle to at most ``limit`` characters: two thirds of the room for its start
    (where a URL's host and a name's meaning are), one third for its end, an ellipsis between."""
    if len(text) <= limit:
        return text
    keep = max(limit - 1, 2)
    return text[: keep * 2 // 3] + "…" + text[-(keep - keep * 2 // 3):]


def shown_text(text: str, limit: int = 120) -> str:
    """A stranger's cell or message, printable and at most `limit` characters, for an error line."""
    return shorten(printable(text), limit)
