"""Synthetic pass@k data with a known compute law, shared by the fitting tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

SIZES = {"14M": 1.4e7, "70M": 7e7, "160M": 1.6e8, "410M": 4.1e8, "1B": 1e9, "1.4B": 1.4e9, "2.8B": 2.8e9, "6.9B": 6.9e9, "12B": 1.2e10}
STEPS = {1: 2e6, 32: 6.4e7, 256: 5.12e8, 1000: 2e9, 3000: 6e9, 10000: 2e10, 30000: 6e10, 100000: 2e11, 143000: 3e11}


def checkpoint_table(excluded: set[tuple[str, int]] = frozenset()) -> pd.DataFrame:
    """A Pythia-like registry: 9 sizes x 9 steps, nominal N and D, C = 6ND."""
    rows = [
        {"size": size, "step": step, "params": params, "tokens": tokens, "compute": 6 * params * tokens, "hf_repo": "", "excluded": (size, step) in excluded}
        for size, params in SIZES.items()
        for step, tokens in STEPS.items()
    ]
    return pd.DataFrame(rows)


def simulate_pass_at_1(
    checkpoints: pd.DataFrame,
    law_parameters: dict[str, float],
    n_problems: int,
    n_samples: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-problem pass rates p_i(C) = pass_B@1(C) · u_i with Σ u_i / n = 1, so the benchmark
    pass@1 follows −log pass@1 = E0 + C0 C^−alpha exactly; binomial counts; pass@1 = c/n.

    Returns (pass_at_k, problem_pass_at_k) in the layout of the pipeline's contract tables (k = 1,
    estimator `unbiased`).
    """
    rng = np.random.default_rng(seed)
    benchmark = np.exp(-(law_parameters["E0"] + law_parameters["C0"] * checkpoints["compute"].to_numpy() ** -law_parameters["alpha"]))
    spread = rng.uniform(0.3, 1.7, n_problems)
    spread /= spread.mean()
    rates = np.clip(benchmark[:, None] * spread[None, :], 0, 1)
    correct = rng.binomial(n_samples, rates)
    per_problem = correct / n_samples
    keys = checkpoints[["size", "step", "params", "tokens", "compute"]]
    problems = keys.loc[keys.index.repeat(n_problems)].reset_index(drop=True)
    problems["problem_idx"] = np.tile(np.arange(n_problems), len(keys))
    problems["k"] = 1
    problems["estimator"] = "unbiased"
    problems["pass_at_k"] = per_problem.ravel()
    table = keys.copy()
    table["k"] = 1
    table["estimator"] = "unbiased"
    table["pass_at_k"] = per_problem.mean(axis=1)
    with np.errstate(divide="ignore"):
        table["neg_log_pass_at_k"] = -np.log(table["pass_at_k"])
    table["n_problems"] = n_problems
    table["n_problems_estimable"] = n_problems
    return table, problems
