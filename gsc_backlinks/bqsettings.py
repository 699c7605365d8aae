"""What BigQuery accepts as a project, dataset, location and cost cap: one definition for the
command-line options (``bigquery``) and the configuration file (``config``), so a value the file
lets through is one the sync takes.

Each check returns what is wrong as a phrase (or None); the caller names the option or the file's
key and line in front of it.
"""

from __future__ import annotations

import math
import re

DEFAULT_DATASET = "searchconsole"
DEFAULT_MAX_GB = 10.0
GB = 2**30  #: BigQuery's "GB" when it estimates a query
#: BigQuery bills at least 10 MB for each table a query reads; a day's query reads two.
MIN_BILLED_PER_TABLE = 10 * 2**20
MIN_MAX_GB = 2 * MIN_BILLED_PER_TABLE / GB
#: The smallest cap to suggest (MIN_MAX_GB rounded up to what a person types).
MIN_MAX_GB_TEXT = f"{math.ceil(MIN_MAX_GB * 100) / 100:g}"

# Google Cloud project IDs (optionally domain-scoped), dataset names, locations.
PROJECT_RE = re.compile(r"(?:[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]")
DATASET_RE = re.compile(r"[A-Za-z0-9_]{1,1024}")
LOCATION_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,39}")


def project_problem(project: str | None) -> str | None:
    """Why ``project`` is no Google Cloud project ID, or None."""
    if PROJECT_RE.fullmatch(project or ""):
        return None
    return ("not a Google Cloud project ID (6 to 30 lower-case letters, digits and hyphens, like my-project-123; "
            "the ID, not the project's name)")


def dataset_problem(dataset: str | None) -> str | None:
    """Why ``dataset`` is no BigQuery dataset name, or None."""
    if DATASET_RE.fullmatch(dataset or ""):
        return None
    return f"not a BigQuery dataset name (letters, digits and underscores; the bulk export's default is {DEFAULT_DATASET})"


def location_problem(location: str | None) -> str | None:
    """Why ``location`` is no BigQuery location, or None (None itself: BigQuery's default)."""
    if location is None or LOCATION_RE.fullmatch(location):
        return None
    return "not a BigQuery location (like US, EU or europe-west1)"


def cap_problem(max_gb: float) -> str | None:
    """Why no query could run under a cap of ``max_gb`` gigabytes, as a phrase after the option or key, or None."""
    if not 0 < max_gb < math.inf:  # also NaN, which compares false with everything
        return "must be a finite number of gigabytes above 0, like 10"
    if max_gb < MIN_MAX_GB:
        return (f"is {max_gb:g}, below what BigQuery bills any day's query: at least 10 MB for each of the two tables "
                f"it reads; give {MIN_MAX_GB_TEXT} or more")
    return None
