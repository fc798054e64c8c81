"""Paper C §2: three interpretations of Chinchilla's parameter counts, and the Epoch AI runs.

Parameter counts follow Eq. 1 (standard: 4 attention matrices) and Eq. 3 (best fit: 5) of
Schaeffer et al.; relative errors follow Eq. 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..pipeline.errors import InputError
from ..pipeline.validation import require_columns, require_numeric, require_positive

ARCHITECTURE_COLUMNS = ["d_model", "ffw_size", "kv_size", "n_heads", "n_layers", "vocab_size"]
TABLE_A9_COLUMNS = ARCHITECTURE_COLUMNS + ["reported_millions"]
EPOCH_COLUMNS = {"Model Size": "model_size", "Training FLOP": "training_flop", "loss": "loss"}
INTERPRETATIONS = ("reported", "standard", "best_fit")
FORMULAS = ("standard", "best_fit")
# How the formula counts enter every analysis: as printed in Schaeffer et al.'s Tables 1-2
# (whole millions, what the paper fit) or exactly as the formulas give them.
COUNT_PRECISIONS = ("printed_millions", "exact")
FLOP_PER_PARAMETER_TOKEN = 6  # C = 6 N D


def load_table_a9(path: str | Path) -> pd.DataFrame:
    """Hoffmann et al.'s Table A9 with the reported count as raw parameters (`reported`)."""
    source = str(path)
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)  # keep bad cells verbatim for the error
    require_columns(table, TABLE_A9_COLUMNS, source)
    table = require_numeric(table, TABLE_A9_COLUMNS, source)
    require_positive(table, TABLE_A9_COLUMNS, source)
    table[ARCHITECTURE_COLUMNS] = table[ARCHITECTURE_COLUMNS].astype("int64")
    table["reported"] = (table.pop("reported_millions") * 1e6).round().astype("int64")
    return table


def transformer_parameter_count(architecture: pd.DataFrame, attention_matrices: int) -> pd.Series:
    """Tied embeddings + attention (`attention_matrices` d_model x kv_size·n_heads maps) + FFN."""
    d_model = architecture["d_model"]
    embedding = architecture["vocab_size"] * d_model
    attention = architecture["n_layers"] * attention_matrices * d_model * architecture["kv_size"] * architecture["n_heads"]
    feed_forward = architecture["n_layers"] * 2 * d_model * architecture["ffw_size"]
    return (embedding + attention + feed_forward).astype("int64")


def standard_parameter_count(architecture: pd.DataFrame) -> pd.Series:
    """Eq. 1: the standard formula (Q, K, V and output projections)."""
    return transformer_parameter_count(architecture, attention_matrices=4)


def best_fit_parameter_count(architecture: pd.DataFrame) -> pd.Series:
    """Eq. 3: the best-fit formula (five attention matrices), which matches most reported counts."""
    return transformer_parameter_count(architecture, attention_matrices=5)


def relative_error_pct(reported: pd.Series, computed: pd.Series) -> pd.Series:
    """Eq. 2: 100 · (reported − computed) / reported."""
    return 100.0 * (reported - computed) / reported


def printed_millions(counts: pd.Series) -> pd.Series:
    """Counts as the paper's tables print them: rounded to whole millions (in raw parameters)."""
    return ((counts / 1e6).round() * 1_000_000).astype("int64")


def parameter_counts(table_a9: pd.DataFrame, precision: str = "printed_millions") -> pd.DataFrame:
    """The three interpretations side by side, with relative errors (contract: parameter_counts.csv).

    `standard` and `best_fit` hold the counts at `precision` (one of COUNT_PRECISIONS), which
    the relative errors and every fit use; `<formula>_exact` and `<formula>_printed` hold both
    precisions so that a comparison can fit either.
    """
    if precision not in COUNT_PRECISIONS:
        raise ValueError(f"count precision must be one of {COUNT_PRECISIONS}, not {precision!r}")
    counts = table_a9[ARCHITECTURE_COLUMNS + ["reported"]].copy()
    counts["standard_exact"] = standard_parameter_count(counts)
    counts["best_fit_exact"] = best_fit_parameter_count(counts)
    for formula in FORMULAS:
        counts[f"{formula}_printed"] = printed_millions(counts[f"{formula}_exact"])
        counts[formula] = counts[f"{formula}_printed" if precision == "printed_millions" else f"{formula}_exact"]
    counts["rel_err_standard_pct"] = relative_error_pct(counts["reported"], counts["standard"])
    counts["rel_err_best_fit_pct"] = relative_error_pct(counts["reported"], counts["best_fit"])
    return counts


def summarize_relative_errors(counts: pd.DataFrame, match_tolerance_pct: float) -> pd.DataFrame:
    """Per formula: mean, max and min |relative error| and how many models match within tolerance."""
    rows = []
    for formula in ("standard", "best_fit"):
        errors = counts[f"rel_err_{formula}_pct"].abs()
        rows.append(
            {
                "formula": formula,
                "n_models": len(errors),
                "mean_abs_rel_err_pct": errors.mean(),
                "max_abs_rel_err_pct": errors.max(),
                "min_abs_rel_err_pct": errors.min(),
                "n_matching": int((errors < match_tolerance_pct).sum()),
            }
        )
    return pd.DataFrame(rows)


def load_epoch_runs(path: str | Path) -> pd.DataFrame:
    """Epoch AI's runs extracted from Chinchilla's Fig. 4: model_size, training_flop, loss."""
    source = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)  # keep bad cells verbatim for the error
    require_columns(raw, EPOCH_COLUMNS, source)
    runs = raw[list(EPOCH_COLUMNS)].rename(columns=EPOCH_COLUMNS)
    runs = require_numeric(runs, runs.columns, source)
    require_positive(runs, runs.columns, source)
    return runs.reset_index(drop=True)


def runs_table(epoch_runs: pd.DataFrame, counts: pd.DataFrame, source: str = "Epoch runs") -> pd.DataFrame:
    """One row per run with tokens = FLOP / (6 · model_size) and the Table A9 counts of its model.

    A run maps to the Table A9 row whose reported count equals its size rounded to millions.
    """
    runs = epoch_runs.copy()
    runs["tokens"] = runs["training_flop"] / (FLOP_PER_PARAMETER_TOKEN * runs["model_size"])
    runs["reported_millions"] = np.round(runs["model_size"] / 1e6).astype("int64")
    count_columns = ["reported", *FORMULAS, *[f"{formula}_{precision}" for formula in FORMULAS for precision in ("exact", "printed")]]
    lookup = counts[count_columns].assign(reported_millions=(counts["reported"] // 1_000_000))
    mapped = runs.merge(lookup, on="reported_millions", how="left", validate="many_to_one")
    unmatched = mapped.index[mapped["reported"].isna()]
    if len(unmatched):
        sizes = mapped.loc[unmatched, "model_size"].head().tolist()
        raise InputError(
            source,
            f"{len(unmatched)} run(s) (e.g. model sizes {sizes}) match no reported count of Table A9 "
            "when rounded to millions.",
            "check that the runs file is Epoch AI's extraction pinned in config/sources.yaml "
            "and that data/hoffmann2022_table_a9.csv is complete.",
        )
    mapped[count_columns] = mapped[count_columns].astype("int64")
    return mapped[["model_size", "training_flop", "tokens", "loss", *count_columns]]
