"""View model -> self-contained HTML files (CSS and JS inlined, nothing loaded from anywhere)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..errors import GscBacklinksError
from .model import Page, Report
from .templating import page_assets, template


def render_page(page: Page) -> str:
    from markupsafe import Markup

    css, js, csp = page_assets()
    # Our own static files, inlined as they are (escaping would change them and break the CSP hashes);
    # everything from the data goes through autoescape.
    return template("page.html").render(page=page, css=Markup(css), js=Markup(js), csp=Markup(csp),
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
