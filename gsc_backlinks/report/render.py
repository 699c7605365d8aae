"""View model -> self-contained HTML files (CSS and JS inlined, nothing loaded from anywhere)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import __version__
from ..errors import GscBacklinksError
from .model import Page, Report


@lru_cache(maxsize=1)
def _env():
    import jinja2

    folder = resources.files("gsc_backlinks.report") / "templates"
    loader = jinja2.DictLoader({p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".html")})
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    env.filters["breakable"] = breakable
    return env


_NAME_RE = None


def breakable(text: str):
    """Escaped text; a name (a domain, URL or path: one token, no markup characters) gets a line-break
    opportunity after every dot, slash, hyphen and underscore, so that it wraps at its own boundaries
    ("countryliving.<wbr>example"), never inside a word."""
    import re

    from markupsafe import Markup, escape

    global _NAME_RE
    if _NAME_RE is None:
        _NAME_RE = re.compile(r"[^\s<>\"'&`]+")
    text = str(text)
    if len(text) < 12 or not _NAME_RE.fullmatch(text):
        return escape(text)
    return Markup(re.sub(r"([./_-])(?=[^/])", r"\1<wbr>", str(escape(text))))


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """(css, js, Content-Security-Policy): only this exact CSS and JS may run or apply."""
    static = resources.files("gsc_backlinks.report") / "static"
    css = (static / "report.css").read_text(encoding="utf-8")
    js = (static / "report.js").read_text(encoding="utf-8")
    assert "</" not in css and "</" not in js, "an inlined asset must not close its own element"

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"

    csp = (f"default-src 'none'; style-src {digest(css)}; script-src {digest(js)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return css, js, csp


def render_page(page: Page) -> str:
    from markupsafe import Markup

    css, js, csp = _assets()
    # Our own static files, inlined as they are (escaping would change them and break the CSP hashes);
    # everything from the data goes through autoescape.
    return _env().get_template("page.html").render(page=page, css=Markup(css), js=Markup(js), csp=Markup(csp),
                                                   version=__version__)


def _cannot_write(what: str, exc: OSError) -> GscBacklinksError:
    return GscBacklinksError(f"cannot write {what}: {exc.strerror or exc}")


def write_page(page: Page, path: Path) -> Path:
    """Write one page to ``path`` (replacing the file there whole, never half-written); return it."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(render_page(page), encoding="utf-8", newline="\n")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # e.g. disk full: no half-written .tmp left behind
            tmp.unlink(missing_ok=True)
        raise _cannot_write(str(path), exc) from None
    return path


def write_report(report: Report, folder: Path) -> Path:
    """Write every page under ``folder`` (replacing an older report there whole); return index.html."""
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        raise _cannot_write(f"the report to {folder}", exc) from None
    try:
        files = {"index.html": report.index, **report.pages}
        for name, page in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_page(page), encoding="utf-8", newline="\n")
        os.chmod(tmp, 0o755)
        if folder.exists():
            old = folder.with_name(f".{folder.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
            tmp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(folder)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _cannot_write(f"the report to {folder}", exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder / "index.html"
