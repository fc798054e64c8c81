"""The canonical per-problem outcomes table of paper G and its sources.

Contract (results/generative/<benchmark>/outcomes.parquet): one row per (size, step,
problem_idx) with OUTCOME_COLUMNS; n_samples and n_correct integers, 0 <= n_correct <=
n_samples. The released sampling data is one source adapter (`from_released`); a sampling
stage that writes the same table feeds everything downstream unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..pipeline.errors import InputError
from ..pipeline.validation import MAX_ROWS_SHOWN, require_columns, require_unique
from . import pythia

OUTCOME_COLUMNS = ["benchmark", "size", "step", "params", "tokens", "compute", "problem_idx", "n_samples", "n_correct"]
OUTCOME_KEY = ["size", "step", "problem_idx"]

# Columns of the released files (Schaeffer et al.); their `pass@k` column is never read.
RELEASED_NICKNAME, RELEASED_PROBLEM = "Model Nickname", "prompt_idx"
RELEASED_SAMPLES, RELEASED_CORRECT = "Num. Samples", "Num. Samples Correct"
RELEASED_COLUMNS = [RELEASED_NICKNAME, RELEASED_PROBLEM, RELEASED_SAMPLES, RELEASED_CORRECT]

PROBLEM_SETS = ("majority", "all")


def _rows(index: pd.Index) -> str:
    shown = ", ".join(str(row) for row in index[:MAX_ROWS_SHOWN])
    more = f" and {len(index) - MAX_ROWS_SHOWN} more" if len(index) > MAX_ROWS_SHOWN else ""
    return f"row(s) {shown}{more}"


def read_released(path: str | Path) -> pd.DataFrame:
    """The released file's count columns only (the precomputed pass@k is wrong where n < k)."""
    table = pd.read_parquet(path)
    require_columns(table, RELEASED_COLUMNS, str(path))
    return table[RELEASED_COLUMNS]


def from_released(released: pd.DataFrame, benchmark: str, outcomes_config: Mapping[str, Any], source: str) -> pd.DataFrame:
    """Canonical outcomes from the released per-(checkpoint, problem, k) rows.

    Takes the released count columns, the benchmark name and the `generative.outcomes` config;
    keeps one row per (checkpoint, problem) (the counts repeat across k and must agree), maps
    `Pythia_<size>_<tokens>` to the registry's (size, step) and returns a validated table with
    OUTCOME_COLUMNS. Raises InputError naming the rows of unknown checkpoints or disagreeing counts.
    """
    checkpoints = pythia.checkpoint_table(outcomes_config)
    parsed = released[RELEASED_NICKNAME].map(pythia.parse_nickname)
    unparsable = released.index[parsed.isna()]
    if len(unparsable):
        raise InputError(
            source,
            f"{_rows(unparsable)} have a '{RELEASED_NICKNAME}' not of the form Pythia_<size>_<tokens>: "
            f"{released.loc[unparsable[:MAX_ROWS_SHOWN], RELEASED_NICKNAME].tolist()}.",
            "use the released file unchanged.",
        )
    table = pd.DataFrame(
        {
            "size": [size for size, _ in parsed],
            "tokens": [tokens for _, tokens in parsed],
            "problem_idx": released[RELEASED_PROBLEM],
            "n_samples": released[RELEASED_SAMPLES],
            "n_correct": released[RELEASED_CORRECT],
        },
        index=released.index,
    )
    merged = table.reset_index().merge(checkpoints[["size", "tokens", "step", "params", "compute"]], on=["size", "tokens"], how="left")
    merged = merged.set_index("index")
    unknown = merged.index[merged["step"].isna()]
    if len(unknown):
        raise InputError(
            source,
            f"{_rows(unknown)} name checkpoints missing from the Pythia registry: "
            f"{sorted(set(released.loc[unknown, RELEASED_NICKNAME]))[:MAX_ROWS_SHOWN]}.",
            "add the size and step to generative.outcomes.pythia in config/config.yaml.",
        )
    counts_per_key = merged.groupby(OUTCOME_KEY[:1] + ["tokens", "problem_idx"])[["n_samples", "n_correct"]].nunique()
    disagreeing = counts_per_key.index[(counts_per_key > 1).any(axis=1)]
    if len(disagreeing):
        raise InputError(
            source,
            f"sample counts differ across the k rows of (size, tokens, problem) {list(disagreeing[:MAX_ROWS_SHOWN])}.",
            "use the released file unchanged (its counts repeat across k).",
        )
    merged = merged.drop_duplicates(["size", "tokens", "problem_idx"])
    merged["benchmark"] = benchmark
    merged["step"] = merged["step"].astype(np.int64)
    merged = validate(merged[OUTCOME_COLUMNS], source)
    return sort_outcomes(merged, outcomes_config)


def validate(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check the outcomes contract and return the table with integer counts.

    Raises InputError naming the offending rows when a column is missing, counts are not
    integers, n_correct lies outside [0, n_samples], n_samples < 1 or a (size, step,
    problem_idx) key repeats.
    """
    require_columns(table, OUTCOME_COLUMNS, source)
    table = table.copy()
    for column in ["step", "problem_idx", "n_samples", "n_correct"]:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        bad = table.index[~np.isfinite(values) | (values != np.round(values))]
        if len(bad):
            raise InputError(
                source,
                f"column '{column}' must hold integers, but {_rows(bad)} hold {table.loc[bad[:MAX_ROWS_SHOWN], column].tolist()}.",
                "correct or remove those rows.",
            )
        table[column] = values.astype(np.int64)
    bad = table.index[table["n_samples"] < 1]
    if len(bad):
        raise InputError(
            source,
            f"n_samples must be at least 1, but {_rows(bad)} hold {table.loc[bad[:MAX_ROWS_SHOWN], 'n_samples'].tolist()}.",
            "remove problems without samples.",
        )
    bad = table.index[(table["n_correct"] < 0) | (table["n_correct"] > table["n_samples"])]
    if len(bad):
        pairs = list(zip(table.loc[bad[:MAX_ROWS_SHOWN], "n_correct"], table.loc[bad[:MAX_ROWS_SHOWN], "n_samples"]))
        raise InputError(
            source,
            f"need 0 <= n_correct <= n_samples, but {_rows(bad)} hold (n_correct, n_samples) = {pairs}.",
            "correct the counts of those rows.",
        )
    require_unique(table, OUTCOME_KEY, source)
    for column in ["params", "tokens", "compute"]:
        table[column] = table[column].astype(float)
    table["size"] = table["size"].astype(str)
    table["benchmark"] = table["benchmark"].astype(str)
    return table[OUTCOME_COLUMNS]


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """Load an outcomes.parquet and validate it (InputError naming rows on a violation)."""
    return validate(pd.read_parquet(path), str(path))


def sort_outcomes(table: pd.DataFrame, outcomes_config: Mapping[str, Any]) -> pd.DataFrame:
    """Rows in registry order (ascending N), then step, then problem; index reset."""
    rank = {size: position for position, size in enumerate(pythia.size_order(outcomes_config))}
    order = table.assign(_rank=table["size"].map(rank)).sort_values(["_rank", "step", "problem_idx"], kind="stable")
    return order.drop(columns="_rank").reset_index(drop=True)


def problem_set(outcomes: pd.DataFrame, rule: str) -> np.ndarray:
    """The problems entering pass@k under `rule`, sorted.

    `majority`: problems sampled at more than half of the table's checkpoints; `all`: every
    problem of the table.
    """
    if rule not in PROBLEM_SETS:
        raise ValueError(f"unknown problem set {rule!r}; known: {PROBLEM_SETS}")
    checkpoints_per_problem = outcomes.groupby("problem_idx")[["size", "step"]].apply(lambda rows: len(rows.drop_duplicates()))
    if rule == "all":
        return np.sort(checkpoints_per_problem.index.to_numpy())
    n_checkpoints = len(outcomes[["size", "step"]].drop_duplicates())
    return np.sort(checkpoints_per_problem.index[checkpoints_per_problem > n_checkpoints / 2].to_numpy())


def select_problem_set(outcomes: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The rows of `outcomes` whose problem is in the configured problem set."""
    return outcomes[outcomes["problem_idx"].isin(problem_set(outcomes, rule))].reset_index(drop=True)


def samples_heatmap(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Samples per checkpoint (rows 'size step <step>', ascending N then step) per problem (columns); NaN = not sampled."""
    ordered = outcomes.sort_values(["params", "step", "problem_idx"], kind="stable")
    labels = ordered["size"] + " step " + ordered["step"].astype(str)
    wide = ordered.assign(checkpoint=labels).pivot(index="checkpoint", columns="problem_idx", values="n_samples")
    return wide.loc[list(dict.fromkeys(labels))]


def sampling_cost_table(outcomes: pd.DataFrame, cost_config: Mapping[str, Any], benchmark: str, size_order: list[str]) -> pd.DataFrame:
    """App. C's sampling-cost arithmetic for one benchmark, per model size and in total.

    Takes the benchmark's outcomes table (for the released sample counts), the
    `generative.outcomes.sampling_cost` config and the size order. Returns one row per size
    (unit A100-s) and total rows in A100-s, A100-hours and USD at the lowest and the highest
    listed price; columns: size, unit, reported_a100_s_per_batch (the input), one column of
    A100-time per named samples-per-problem reading (checkpoints_per_size x
    problems_per_checkpoint x samples / samples_per_batch x reported seconds), the released
    sample counts and their A100-time, and `paper_stated` (comparison values, totals only).
    """
    batch = float(cost_config["samples_per_batch"])
    seconds = cost_config["reported_a100_seconds_per_batch"][benchmark]
    readings = cost_config["samples_per_problem"]
    per_size = pd.DataFrame({"size": size_order})
    per_size["unit"] = "A100-s"
    per_size["reported_a100_s_per_batch"] = [float(seconds[size]) for size in size_order]
    samples_per_checkpoint_set = float(cost_config["checkpoints_per_size"]) * float(cost_config["problems_per_checkpoint"])
    for name, samples in readings.items():
        per_size[name] = samples_per_checkpoint_set * float(samples) / batch * per_size["reported_a100_s_per_batch"]
    released = outcomes.groupby("size")["n_samples"].sum()
    per_size["released_samples"] = [float(released.get(size, 0)) for size in size_order]
    per_size["released_counts"] = per_size["released_samples"] / batch * per_size["reported_a100_s_per_batch"]
    per_size["paper_stated"] = np.nan

    cost_columns = list(readings) + ["released_counts"]
    prices = cost_config["usd_per_a100_hour"]
    stated = cost_config.get("paper_stated", {}).get(benchmark, {})
    total_seconds = per_size[cost_columns].sum()
    totals = [
        ("A100-s", total_seconds, stated.get("a100_seconds")),
        ("A100-hours", total_seconds / 3600.0, stated.get("a100_hours")),
        (f"USD at {min(prices.values()):g}/A100-hour", total_seconds / 3600.0 * min(prices.values()), stated.get("usd")),
        (f"USD at {max(prices.values()):g}/A100-hour", total_seconds / 3600.0 * max(prices.values()), None),
    ]
    total_rows = [
        {"size": "total", "unit": unit, **values.to_dict(), "paper_stated": np.nan if paper is None else float(paper)}
        for unit, values, paper in totals
    ]
    samples_row = {"size": "total", "unit": "samples", "released_samples": float(per_size["released_samples"].sum())}
    samples_row |= {name: samples_per_checkpoint_set * float(samples) * len(size_order) for name, samples in readings.items()}
    samples_row["paper_stated"] = float(stated["total_samples"]) if "total_samples" in stated else np.nan
    total_rows.append(samples_row)
    total_rows[0]["released_samples"] = np.nan
    table = pd.concat([per_size, pd.DataFrame(total_rows)], ignore_index=True)
    return table[["size", "unit", "reported_a100_s_per_batch", *readings, "released_samples", "released_counts", "paper_stated"]]
