"""Validation of loaded tables: required columns, numeric types, value ranges.

Each check raises InputError naming the file, the offending columns or rows, and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import InputError

MAX_ROWS_SHOWN = 5


def require_columns(table: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise unless every column in `columns` is present."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputError(
            source,
            f"missing required column(s) {missing}; found {list(table.columns)}.",
            "use the file named in config/sources.yaml (or the documented layout) unchanged.",
        )


def _rows_preview(rows: pd.Index) -> str:
    shown = ", ".join(str(row) for row in rows[:MAX_ROWS_SHOWN])
    more = f" and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
    return f"data row(s) {shown}{more} (counting from 0)"


def require_numeric(table: pd.DataFrame, columns: Iterable[str], source: str) -> pd.DataFrame:
    """Return `table` with `columns` as float; raise naming the rows that are not finite numbers."""
    table = table.copy()
    for column in columns:
        values = pd.to_numeric(table[column], errors="coerce")  # unparsable text becomes NaN
        bad = table.index[~np.isfinite(values.to_numpy(dtype=float))]
        if len(bad):
            raise InputError(
                source,
                f"column '{column}' must hold finite numbers, but {_rows_preview(bad)} hold "
                f"{table.loc[bad[:MAX_ROWS_SHOWN], column].tolist()}.",
                "correct or remove those rows.",
            )
        table[column] = values.astype(float)
    return table


def require_positive(table: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise naming the rows where any of `columns` is not strictly positive."""
    for column in columns:
        bad = table.index[~(table[column] > 0)]
        if len(bad):
            raise InputError(
                source,
                f"column '{column}' must be positive, but {_rows_preview(bad)} hold "
                f"{table.loc[bad[:MAX_ROWS_SHOWN], column].tolist()}.",
                "correct those rows.",
            )


def require_unique(table: pd.DataFrame, key: list[str], source: str) -> None:
    """Raise naming the duplicated keys if `key` does not identify rows uniquely."""
    duplicated = table.index[table.duplicated(key, keep=False)]
    if len(duplicated):
        raise InputError(
            source,
            f"columns {key} must identify one row each, but {_rows_preview(duplicated)} repeat a key.",
            "remove the duplicates.",
        )
