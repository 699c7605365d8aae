"""The DuckDB store: dated snapshots of every import and the API's data by day, schema-versioned.

One module per concern: :mod:`.connection` (the file, locking, transactions), :mod:`.session` (opening
and migrating for the moment a command needs it),
:mod:`.migrations` (the schema), then reads and writes per table —
:mod:`.snapshots`, :mod:`.search`, :mod:`.inspections`, :mod:`.ranks`,
:mod:`.brand`, :mod:`.sites`, :mod:`.relevance`.  Every reader and writer takes
an open connection; a job opens the store for the moment it needs it.
"""

from .connection import default_store_path, transaction
from .session import open_current, open_store

__all__ = ["default_store_path", "open_current", "open_store", "transaction"]
