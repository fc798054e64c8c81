"""Gold-reference likelihoods (paper G §5): the covariate −log GoldProb_B of the Eq. 6 law.

The released file holds, per Pythia checkpoint and GSM8K test problem, the summed negative
log-likelihood (nats) of the gold solution given the problem. Two benchmark aggregates:

- `mean_probability` (Eq. 5 as printed): GoldProb_B = mean_i p_θ(gold_i | problem_i), so
  −log GoldProb_B = −log mean_i exp(−NLL_i). Sequence probabilities span hundreds of orders of
  magnitude, so this is dominated by the few best-predicted problems (≈ min_i NLL_i + log |B|).
- `mean_log_likelihood` (the text's "average log-likelihood"): −log GoldProb_B = mean_i NLL_i,
  every problem weighing equally.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from ..pipeline.errors import InputError
from ..pipeline.validation import require_columns, require_numeric
from .pythia import parse_nickname

AGGREGATES = ("mean_log_likelihood", "mean_probability")
RAW_COLUMNS = {"Model": "nickname", "Problem Idx": "problem_idx", "Neg Log Score": "neg_log_likelihood"}
TOKENS_RELATIVE_TOLERANCE = 1e-6


def load_gold_neg_log_likelihood(path: str | Path, checkpoints: pd.DataFrame) -> pd.DataFrame:
    """The released gold NLL file as `size, step, problem_idx, neg_log_likelihood`.

    checkpoints: `scalingrepro.generative.pythia.checkpoint_table` (size, step, tokens, ...); each `Model`
    nickname Pythia_<size>_<tokens> is matched to the registered checkpoint with that size and
    nominal token count. Raises InputError naming unknown models, bad values or repeated keys.
    """
    source = str(path)
    raw = pd.read_parquet(path)
    require_columns(raw, RAW_COLUMNS, source)
    table = raw[list(RAW_COLUMNS)].rename(columns=RAW_COLUMNS)
    table = require_numeric(table, ["neg_log_likelihood"], source)
    if (table["neg_log_likelihood"] < 0).any():
        bad = table.index[table["neg_log_likelihood"] < 0][:5].tolist()
        raise InputError(source, f"'Neg Log Score' must be ≥ 0 (a negative log-likelihood), but rows {bad} are negative.", "use the released file unchanged.")
    keys = {}
    for nickname in table["nickname"].unique():
        parsed = parse_nickname(str(nickname))
        match = None
        if parsed is not None:
            size, tokens = parsed
            candidates = checkpoints[(checkpoints["size"] == size) & np.isclose(checkpoints["tokens"], tokens, rtol=TOKENS_RELATIVE_TOLERANCE)]
            match = candidates.iloc[0] if len(candidates) == 1 else None
        if match is None:
            raise InputError(
                source,
                f"model '{nickname}' is not a registered Pythia checkpoint (expected Pythia_<size>_<tokens> with a size and nominal token count of generative.outcomes.pythia).",
                "add the checkpoint to the registry in config/config.yaml or use the released file unchanged.",
            )
        keys[nickname] = (str(match["size"]), int(match["step"]))
    table["size"] = table["nickname"].map(lambda name: keys[name][0])
    table["step"] = table["nickname"].map(lambda name: keys[name][1]).astype(np.int64)
    table["problem_idx"] = table["problem_idx"].astype(np.int64)
    duplicated = table.duplicated(["size", "step", "problem_idx"], keep=False)
    if duplicated.any():
        raise InputError(source, f"{int(duplicated.sum())} rows repeat a (model, problem) pair.", "remove the duplicates.")
    return table[["size", "step", "problem_idx", "neg_log_likelihood"]].reset_index(drop=True)


def aggregate_neg_log_gold_prob(neg_log_likelihood: np.ndarray, aggregate: str, weights: np.ndarray | None = None) -> np.ndarray:
    """−log GoldProb_B from per-problem NLLs.

    neg_log_likelihood: (..., n_problems), NaN where a checkpoint lacks a problem (left out).
    weights: optional (n_resamples, n_problems) problem multiplicities (bootstrap); the result then
    has shape (n_resamples, ...), else (...).
    aggregate: `mean_log_likelihood` (weighted mean NLL) or `mean_probability` (−log of the weighted
    mean of exp(−NLL), via log-sum-exp so e^−200 does not underflow).
    """
    if aggregate not in AGGREGATES:
        raise ValueError(f"unknown gold aggregate {aggregate!r}; choose one of {AGGREGATES}")
    nll = np.asarray(neg_log_likelihood, dtype=float)
    single = weights is None
    weights = np.ones((1, nll.shape[-1])) if single else np.asarray(weights, dtype=float)
    present = np.isfinite(nll)
    # (n_resamples, ..., n_problems) weights restricted to the problems each checkpoint has
    w = weights.reshape((len(weights),) + (1,) * (nll.ndim - 1) + (nll.shape[-1],)) * present
    total = w.sum(axis=-1)
    filled = np.where(present, nll, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if aggregate == "mean_log_likelihood":
            result = (w * filled).sum(axis=-1) / total
        else:
            result = np.log(total) - logsumexp(-filled, b=w, axis=-1)
    result = np.where(total > 0, result, np.nan)
    return result[0] if single else result


def gold_matrix(gold: pd.DataFrame, checkpoints: pd.DataFrame, problems: np.ndarray) -> np.ndarray:
    """(n_checkpoints, n_problems) NLL in the row order of `checkpoints` (size, step) and column order
    of `problems`; NaN where the file lacks the pair (checkpoints without gold likelihoods are all-NaN)."""
    pivot = gold.pivot_table(index=["size", "step"], columns="problem_idx", values="neg_log_likelihood", aggfunc="first")
    index = pd.MultiIndex.from_arrays([checkpoints["size"].astype(str), checkpoints["step"].astype(np.int64)])
    return pivot.reindex(index=index, columns=problems).to_numpy(dtype=float)


def benchmark_gold_table(gold: pd.DataFrame, checkpoints: pd.DataFrame, problems: np.ndarray | None = None) -> pd.DataFrame:
    """Per checkpoint with gold likelihoods: `size, step, params, tokens, compute, n_problems` and
    `neg_log_gold_prob_<aggregate>` for both aggregates, over `problems` (default: every problem in the file)."""
    if problems is None:
        problems = np.sort(gold["problem_idx"].unique())
    matrix = gold_matrix(gold, checkpoints, np.asarray(problems))
    table = checkpoints[["size", "step", "params", "tokens", "compute"]].copy()
    table["n_problems"] = np.isfinite(matrix).sum(axis=1)
    for aggregate in AGGREGATES:
        table[f"neg_log_gold_prob_{aggregate}"] = aggregate_neg_log_gold_prob(matrix, aggregate)
    return table[table["n_problems"] > 0].reset_index(drop=True)
