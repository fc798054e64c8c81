"""How two runs' result tables differ: `python -m scalingrepro.commands.compare_tables`.

    python -m scalingrepro.commands.compare_tables BEFORE AFTER            # every CSV under both folders
    python -m scalingrepro.commands.compare_tables BEFORE AFTER --tolerance 1e-6

Compares every CSV file found under both folders (by relative path): the same columns and rows,
text columns equal, numeric columns within a relative tolerance (missing and infinite values
must match exactly), and, for tables with a `valid` column, the configurations whose validity
changed. Prints one line per table and exits 1 if any table differs beyond the tolerance.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TableComparison:
    """The outcome for one table: bytes equal, the largest relative difference of its numeric
    columns (0 when equal), and what else differs (columns, rows, text, missing values, validity)."""

    path: str
    identical_bytes: bool
    max_relative_difference: float
    problems: tuple[str, ...]

    def within(self, tolerance: float) -> bool:
        """True when nothing but numeric differences up to `tolerance` (relative) separate the tables."""
        return not self.problems and self.max_relative_difference <= tolerance


def relative_difference(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """|after − before| / max(|before|, |after|) elementwise (0 where both are 0 or equal)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.maximum(np.abs(before), np.abs(after))
        difference = np.abs(after - before) / scale
    return np.where(before == after, 0.0, difference)


def compare_frames(before: pd.DataFrame, after: pd.DataFrame) -> tuple[float, list[str]]:
    """Largest relative difference over the numeric columns and the other differences, in words."""
    if list(before.columns) != list(after.columns):
        return np.inf, [f"columns differ: {list(before.columns)} vs {list(after.columns)}"]
    if len(before) != len(after):
        return np.inf, [f"{len(before)} rows vs {len(after)}"]
    problems, largest = [], 0.0
    for column in before.columns.drop("valid", errors="ignore"):
        old, new = before[column], after[column]
        if pd.api.types.is_numeric_dtype(old) and pd.api.types.is_numeric_dtype(new) and not pd.api.types.is_bool_dtype(old):
            old, new = old.to_numpy(dtype=float), new.to_numpy(dtype=float)
            finite = np.isfinite(old) & np.isfinite(new)
            # A row differs here when either side is missing or infinite and the two are not the same such value.
            same = (old == new) | (np.isnan(old) & np.isnan(new))
            if (mismatched := int((~finite & ~same).sum())) > 0:
                problems.append(f"{column}: missing or infinite values differ in {mismatched} row(s)")
            if finite.any():
                largest = max(largest, float(relative_difference(old[finite], new[finite]).max()))
        elif (different := int((_as_text(old) != _as_text(new)).sum())) > 0:
            problems.append(f"{column}: {different} row(s) differ")
    if "valid" in before.columns and not before["valid"].equals(after["valid"]):
        problems.append(f"validity changed in {int((before['valid'] != after['valid']).sum())} row(s)")
    return largest, problems


def _as_text(column: pd.Series) -> pd.Series:
    """The column as plain strings, a missing value as "" (an empty text cell reads back as missing)."""
    return column.astype(object).where(column.notna(), "").astype(str)


def compare_files(before: Path, after: Path, name: str) -> TableComparison:
    """Compare one CSV file of the two runs."""
    if before.read_bytes() == after.read_bytes():
        return TableComparison(name, True, 0.0, ())
    largest, problems = compare_frames(pd.read_csv(before), pd.read_csv(after))
    return TableComparison(name, False, largest, tuple(problems))


def compare_folders(before: Path, after: Path) -> list[TableComparison]:
    """Every CSV present under both folders, compared; a CSV present in one only is a problem."""
    before_files = {path.relative_to(before).as_posix() for path in before.rglob("*.csv")}
    after_files = {path.relative_to(after).as_posix() for path in after.rglob("*.csv")}
    results = [compare_files(before / name, after / name, name) for name in sorted(before_files & after_files)]
    results += [TableComparison(name, False, np.inf, ("present in one run only",)) for name in sorted(before_files ^ after_files)]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("before", type=Path, help="folder of the first run's tables (e.g. runs/before/results/chinchilla)")
    parser.add_argument("after", type=Path, help="folder of the second run's tables")
    parser.add_argument("--tolerance", type=float, default=1e-6, help="largest relative difference accepted (default 1e-6)")
    arguments = parser.parse_args(argv)
    results = compare_folders(arguments.before, arguments.after)
    if not results:
        print(f"no CSV table under both {arguments.before} and {arguments.after}", file=sys.stderr)
        return 1
    for result in results:
        status = "identical" if result.identical_bytes else f"max relative difference {result.max_relative_difference:.3g}"
        print(f"{result.path}: {status}" + "".join(f"; {problem}" for problem in result.problems))
    failed = [result for result in results if not result.within(arguments.tolerance)]
    print(f"{len(results)} tables: {sum(result.identical_bytes for result in results)} byte-identical, {len(failed)} beyond {arguments.tolerance:g} relative or otherwise different")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
