"""The one error hierarchy: every failure a user can act on is a GscBacklinksError.

The CLI turns these into a single ``Error: …`` line and the exit code below.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class GscBacklinksError(Exception):
    """Base class: a failure the user can do something about."""

    exit_code = 1


class UsageError(GscBacklinksError):
    """An option or argument is wrong (bad --site, bad date, unknown URL)."""

    exit_code = 2


class ExportError(GscBacklinksError):
    """A Links export file cannot be read: names the file and what is wrong."""

    exit_code = 65  # EX_DATAERR

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class UnknownExportError(ExportError):
    """A file whose header row is not one of the Links exports we know."""


class RankFileError(ExportError):
    """A web-graph rank file that is missing, of a format we do not know, broken or truncated."""


class StoreError(GscBacklinksError):
    """The store file is missing, unreadable, corrupt or from a newer version."""

    exit_code = 74  # EX_IOERR


class StoreBusyError(StoreError):
    """Another gsc-backlinks process held the store longer than we wait."""

    exit_code = 75  # EX_TEMPFAIL


class NoDataError(GscBacklinksError):
    """The store has nothing of the asked kind for this property (yet)."""

    exit_code = 3


class AuthError(GscBacklinksError):
    """Not authorized, or Google refused the saved authorization."""

    exit_code = 77  # EX_NOPERM


class AccessError(AuthError):
    """Google says this account may not read this property, or lacks the scope."""


class ApiError(GscBacklinksError):
    """Google's API kept failing (after retries) or answered something unexpected."""

    exit_code = 69  # EX_UNAVAILABLE


class QuotaError(ApiError):
    """A Search Console quota is spent; what was fetched so far is kept."""

    exit_code = 75  # EX_TEMPFAIL


class ConfigError(UsageError):
    """The configuration file is missing, not TOML, or has an unknown key, a wrong type or a bad value:
    names the file, the line and the key."""


class MailError(GscBacklinksError):
    """A report could not be mailed: names the SMTP server and what to fix (the report itself is written)."""

    exit_code = 69  # EX_UNAVAILABLE


class RunLockedError(GscBacklinksError):
    """Another run of the same job holds the run lock beside the store (says which: pid, started)."""

    exit_code = 75  # EX_TEMPFAIL


class PropertiesFailed(GscBacklinksError):
    """A run over many properties finished, but one or more of them failed (each was reported as it happened)."""
