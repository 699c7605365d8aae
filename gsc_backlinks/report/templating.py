"""Templates and inlined assets for the pages and mails beyond the weekly report (portfolio, mail).

The same templates folder and the same rules as ``render``: autoescape on for
HTML (text templates get only printable strings from their view models), the
report's own CSS and JS inlined and pinned by a Content-Security-Policy hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources

from markupsafe import Markup, escape


@lru_cache(maxsize=1)
def _env():
    import jinja2

    folder = resources.files("gsc_backlinks.report") / "templates"
    loader = jinja2.DictLoader({p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()
                                if p.name.endswith((".html", ".txt"))})
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["breakable"] = breakable
    from .charts import draw

    env.globals["draw"] = draw
    return env


_TOKEN_RE = re.compile(r"(\s+)")
_NAME_RE = re.compile(r"[^\s<>\"'&`]+")
_BREAK_RE = re.compile(r"(?<=[./_])(?=[^/])")
#: A hyphenated part of a name longer than this may still break after its hyphens (rather than overflow).
_KEEP_WHOLE = 30


@lru_cache(maxsize=65536)
def breakable(text: str) -> Markup:
    """Escaped text in which a name (a domain, URL, path or date: a token of letters and dots, slashes,
    hyphens or underscores) wraps only at its own boundaries: a line-break opportunity after every dot,
    slash and underscore ("countryliving.<wbr>example"), and never after a hyphen ("rosehall-gardens",
    "2026-11-17" stay whole; the browser would break there by itself)."""
    if isinstance(text, Markup):
        return text
    text = str(text)
    if "-" not in text and "–" not in text and (len(text) < 12 or (" " in text and "." not in text and "/" not in text)):
        return escape(text)
    return Markup("".join(_token(t) for t in _TOKEN_RE.split(text)))


def _token(token: str) -> str:
    if not token or token.isspace() or not _NAME_RE.fullmatch(token):
        return str(escape(token))
    parts = _BREAK_RE.split(token) if len(token) >= 12 else [token]
    return "<wbr>".join(f'<span class="nw">{escape(p)}</span>' if ("-" in p or "–" in p) and len(p) <= _KEEP_WHOLE
                        else str(escape(p)) for p in parts)


def template(name: str):
    """A template of the report's folder: ``*.html`` autoescaped, ``*.txt`` plain."""
    return _env().get_template(name)


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=4)
def page_assets(extra_css: str = "") -> tuple[str, str, str]:
    """(css, js, Content-Security-Policy) of a page: the report's CSS plus ``extra_css`` (a file of static/)."""
    static = resources.files("gsc_backlinks.report") / "static"
    css = (static / "report.css").read_text(encoding="utf-8")
    if extra_css:
        css += (static / extra_css).read_text(encoding="utf-8")
    js = (static / "report.js").read_text(encoding="utf-8")
    assert "</" not in css and "</" not in js, "an inlined asset must not close its own element"
    csp = (f"default-src 'none'; style-src {_digest(css)}; script-src {_digest(js)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return css, js, csp
