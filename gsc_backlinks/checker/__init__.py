"""The link checker: fetch linking pages politely and safely, and learn what each link to the property is.

A source: it reads the outside world (web pages) and hands back plain
dataclasses; the store, the ``check`` job and the reports use them.

    from gsc_backlinks.checker import CheckSettings, run_checks
    summary = run_checks(urls, site=prop, settings=CheckSettings(), on_result=write_batch.append)

Importing this package imports no network client: aiohttp, selectolax and
resiliparse are imported when a check runs.  Pages are parsed in worker
processes (``python -m gsc_backlinks.checker.workers``) when a check has many.
"""

from .model import (
    DEFAULT_USER_AGENT,
    PLACEMENTS,
    STATUSES,
    CheckInterrupted,
    CheckProgress,
    CheckSettings,
    CheckSettingsError,
    CheckSummary,
    LinkFact,
    PageCheck,
)
from .run import check_pages, run_checks
from .workers import ParseWorkersFailed

__all__ = [
    "DEFAULT_USER_AGENT", "PLACEMENTS", "STATUSES", "CheckInterrupted", "CheckProgress", "CheckSettings",
    "CheckSettingsError", "CheckSummary", "LinkFact", "PageCheck", "ParseWorkersFailed", "check_pages", "run_checks",
]
