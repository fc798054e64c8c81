"""Shared figure style and writers used by every notebook, so outputs look and save alike."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from . import paths

FIGURE_DPI = 200
# Fixed metadata keeps PDF bytes identical between runs.
PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": None}
PNG_METADATA = {"Software": None}


def apply_style() -> None:
    """The house style: seaborn's whitegrid with a colour-blind-safe palette."""
    matplotlib.use("Agg")
    sns.set_theme(style="whitegrid", context="paper", palette="colorblind", font_scale=1.1)


def save_figure(figure: plt.Figure, output_stem: str | Path) -> list[Path]:
    """Write `figure` as <stem>.pdf and <stem>.png; return the paths."""
    written = []
    for suffix in paths.FIGURE_SUFFIXES:
        target = Path(str(output_stem) + suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        metadata = PDF_METADATA if suffix == ".pdf" else PNG_METADATA
        figure.savefig(target, dpi=FIGURE_DPI, bbox_inches="tight", metadata=metadata)
        written.append(target)
    return written


def save_table(table: pd.DataFrame, output_stem: str | Path, float_format: str = "%.4g", caption: str | None = None, na_rep: str = "NaN") -> list[Path]:
    """Write `table` as <stem>.csv (full precision) and <stem>.tex (booktabs, rounded; missing
    values shown as `na_rep`, e.g. "—" where a column does not apply to a row)."""
    csv_path = Path(str(output_stem) + ".csv")
    tex_path = Path(str(output_stem) + ".tex")
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False)
    latex = table.to_latex(index=False, float_format=lambda value: float_format % value, caption=caption, na_rep=na_rep)
    tex_path.write_text(latex)
    return [csv_path, tex_path]
