"""The closing lines of a successful run (the Snakefile's `onsuccess`): what the command built.

The default target (`rule all`) ends with the verdict counts and where the figures, tables,
verdicts, report, executed notebooks and logs are; a run of some figures or tables names their
files and notebooks. Any other command (`snakemake report`, `sampling_plan`, a results table)
ends with Snakemake's own lines only. Only paths that exist are named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..pipeline import paths
from ..registry import Target
from .checks import VERDICTS

DEFAULT_TARGET = "all"
# The index of the figures and tables, committed beside them in the repository's own paper/.
PAPER_INDEX = "README.md"


def verdict_counts_line(claims: pd.DataFrame) -> str:
    """'Verdicts of 240 claims: 180 reproduced, 40 deviates, ...' (verdicts in VERDICTS order, zeros left out)."""
    counts = claims["verdict"].value_counts()
    parts = [f"{int(counts[verdict])} {verdict}" for verdict in VERDICTS if counts.get(verdict, 0)]
    return f"Verdicts of {len(claims)} claims: " + ", ".join(parts)


def read_claims(path: Path) -> pd.DataFrame | None:
    """results/claims.csv, or None where there is no table of verdicts to count (e.g. after
    `snakemake --touch`, which leaves empty files)."""
    try:
        claims = pd.read_csv(path)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return None
    return claims if "verdict" in claims.columns else None


def _existing(path: Path) -> bool:
    return Path(path).exists()


def default_target_lines() -> list[str]:
    """The verdict counts and every place the default target writes to (those that exist)."""
    lines = []
    claims = read_claims(paths.claims_table())
    if claims is not None:
        lines.append(verdict_counts_line(claims))
    if _existing(paths.claims_page()):
        lines.append(f"Claim by claim, deviations with their size: {paths.claims_page()}   browsable report: snakemake report -> {paths.report_page()}")
    places = [f"{name}: {folder}/" for name, folder in (("Figures", paths.FIGURES), ("tables", paths.TABLES)) if _existing(folder)]
    if places:
        index = paths.PAPER / PAPER_INDEX
        lines.append("   ".join(places) + (f"   (index: {index})" if _existing(index) else ""))
    if _existing(paths.EXECUTED_NOTEBOOKS):
        lines.append(f"Executed notebooks: {paths.EXECUTED_NOTEBOOKS}/<target>.html   logs: {paths.LOGS}/<rule>/")
    return lines


def target_lines(target: Target) -> list[str]:
    """A figure's or table's files and its rendered notebook (those that exist)."""
    files = [output for output in target.outputs if _existing(Path(output))]
    notebook = paths.rendered_notebook(target.id)
    shown = files + ([f"notebook {notebook}"] if _existing(notebook) else [])
    return [f"{target.id}: {', '.join(shown)}"] if shown else []


def closing_lines(target_rules: Iterable[str], targets: Sequence[Target]) -> list[str]:
    """What a run whose target jobs are of `target_rules` built, for the registered `targets`."""
    requested = set(target_rules)
    if DEFAULT_TARGET in requested:
        return default_target_lines()
    lines = [line for target in targets if target.id in requested for line in target_lines(target)]
    if lines and _existing(paths.LOGS):
        lines.append(f"Logs: {paths.LOGS}/<rule>/")
    return lines
