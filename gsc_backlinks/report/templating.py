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


_NAME_RE = re.compile(r"[^\s<>\"'&`]+")
_BREAK_RE = re.compile(r"([./_-])(?=[^/])")


@lru_cache(maxsize=65536)
def breakable(text: str) -> Markup:
    """Escaped text; a name (a domain, URL or path: one token, no markup characters) gets a line-break
    opportunity after every dot, slash, hyphen and underscore, so that it wraps at its own boundaries
    ("countryliving.<wbr>example"), never inside a word."""
    text = str(text)
    if len(text) < 12 or not _NAME_RE.fullmatch(text):
        return escape(text)
    return Markup(_BREAK_RE.sub(r"\1<wbr>", str(escape(text))))


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
