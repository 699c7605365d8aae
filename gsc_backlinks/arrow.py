"""Arrow arrays from Python lists without importing pandas.

``pyarrow.array(list)`` asks pandas whether the list is "array-like", which
imports pandas (a third of a second) in every process that builds an array.
Neither `import` nor `authority load` needs pandas, so they build their few
Python-made arrays from buffers here instead.  Only the types they use are
supported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

_EPOCH = dt.date(1970, 1, 1)


def _validity(values: Sequence[object]):
    import numpy as np
    import pyarrow as pa

    valid = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    if valid.all():
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), int(len(values) - valid.sum())


def array(values: Sequence, type):  # noqa: A002  (the name pyarrow uses)
    """A pyarrow array of ``string``, ``int64`` or ``date32`` from Python values (None = null)."""
    import numpy as np
    import pyarrow as pa

    n = len(values)
    validity, nulls = _validity(values)
    if type == pa.string():
        encoded = [v.encode("utf-8") if v is not None else b"" for v in values]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=n), out=offsets[1:])
        large = pa.Array.from_buffers(
            pa.large_string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))], null_count=nulls
        )
        return large.cast(pa.string())
    if type == pa.int64():
        data = np.fromiter((v if v is not None else 0 for v in values), dtype=np.int64, count=n)
        return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(data)], null_count=nulls)
    if type == pa.date32():
        days = np.fromiter(((v - _EPOCH).days if v is not None else 0 for v in values), dtype=np.int32, count=n)
        return pa.Array.from_buffers(pa.date32(), n, [validity, pa.py_buffer(days)], null_count=nulls)
    raise TypeError(f"unsupported type {type}")


def table(columns: Mapping[str, object]):
    """A pyarrow table from named arrays, in order."""
    import pyarrow as pa

    return pa.Table.from_arrays(list(columns.values()), names=list(columns))


def scalar(value: bool | int | str):
    """A pyarrow scalar (bool, int64 or string) for compute calls: ``pa.scalar`` imports pandas too."""
    import pyarrow as pa

    if isinstance(value, bool):
        return array([int(value)], pa.int64()).cast(pa.bool_())[0]
    if isinstance(value, int):
        return array([value], pa.int64())[0]
    return array([value], pa.string())[0]
