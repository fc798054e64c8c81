"""pass@k estimators and the benchmark pass@k tables of paper G (Eqs. 1-2).

Two estimators of a problem's pass@k from its n samples with c successes:

- `unbiased` (Eq. 1, Chen et al. 2021): 1 - C(n-c, k) / C(n, k), computed in product form
  1 - prod_{j<k} (1 - c / (n - j)) through log1p sums, so it stays exact to ~1e-12 relative
  for n up to 1e7 and k up to 1e4. It is undefined (NaN) where n < k.
- `beta_binomial` (empirical Bayes): the problems of one checkpoint share a prior
  p ~ Beta(a, b) fitted by maximum marginal likelihood; a problem's pass@k is its posterior
  expectation E[1 - (1 - p)^k | n, c] = 1 - B(a + c, b + n - c + k) / B(a + c, b + n - c),
  defined for every k (for n >> k it approaches the unbiased value).

A benchmark's pass@k (Eq. 2) is the mean over its problems. Under the unbiased estimator a
(checkpoint, k) with any problem where n < k is not estimable: its pass@k is NaN and the
estimable problems are counted, never averaged over a subset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..pipeline.grids import log_spaced_integers

ESTIMATORS = ("unbiased", "beta_binomial")
CHECKPOINT_COLUMNS = ["size", "step", "params", "tokens", "compute"]
PROBLEM_COLUMNS = CHECKPOINT_COLUMNS + ["problem_idx", "k", "estimator", "pass_at_k"]
BENCHMARK_COLUMNS = CHECKPOINT_COLUMNS + ["k", "estimator", "pass_at_k", "neg_log_pass_at_k", "n_problems", "n_problems_estimable"]
PRIOR_COLUMNS = CHECKPOINT_COLUMNS + ["a", "b", "prior_mean", "log_marginal_likelihood", "n_problems", "total_correct", "converged", "at_bound"]

# Elements per block of the log1p table (pairs x max k): bounds memory at ~64 MB.
_BLOCK_ELEMENTS = 8_000_000


def k_grid(passk_config: Mapping[str, Any]) -> np.ndarray:
    """The k values of every pass@k table, from the `generative.passk` config section.

    Unique integers of a log-spaced grid from k_min to k_max with points_per_decade points per
    decade, plus every power of ten in the range; ascending int64.
    """
    grid = passk_config["k_grid"]
    return log_spaced_integers(grid["k_min"], grid["k_max"], grid["points_per_decade"])


def _log_survival_product(numerator: np.ndarray, denominator: np.ndarray, direction: float, k: np.ndarray) -> np.ndarray:
    """sum_{j<k} log1p(-numerator / (denominator + direction * j)), elementwise.

    The probability that k draws all fail, in product form: the unbiased estimator has
    numerator c, denominator n, direction -1 (C(n-c, k) / C(n, k)); the beta-binomial has
    numerator a + c, denominator a + b + n, direction +1 (B(a+c, b+n-c+k) / B(a+c, b+n-c)).
    Summing log1p terms keeps ~1e-12 relative accuracy where log-gamma differences of
    arguments near 1e7 would cancel. Works on unique (numerator, denominator) pairs in
    blocks: one cumulative sum per pair up to the largest k asked of it, read off at every k.
    """
    result = np.empty(k.shape, dtype=float)
    pairs, pair_of = np.unique(np.stack([numerator, denominator], axis=1), axis=0, return_inverse=True)
    pair_of = pair_of.reshape(-1)
    max_k_of_pair = np.zeros(len(pairs), dtype=np.int64)
    np.maximum.at(max_k_of_pair, pair_of, k)
    order = np.argsort(max_k_of_pair, kind="stable")
    start = 0
    while start < len(order):
        # Pairs sorted by their largest k: grow the block while pairs x max k fits the budget.
        stop = start + 1
        while stop < len(order) and (stop + 1 - start) * max_k_of_pair[order[stop]] <= _BLOCK_ELEMENTS:
            stop += 1
        block = order[start:stop]
        j = np.arange(int(max_k_of_pair[block].max()), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.log1p(-pairs[block, 0][:, None] / (pairs[block, 1][:, None] + direction * j[None, :]))
        cumulative = np.cumsum(terms, axis=1)
        row_of_pair = np.full(len(pairs), -1, dtype=np.int64)
        row_of_pair[block] = np.arange(len(block))
        members = np.flatnonzero(row_of_pair[pair_of] >= 0)
        result[members] = cumulative[row_of_pair[pair_of[members]], k[members] - 1]
        start = stop
    return result


def unbiased_pass_at_k(n_samples, n_correct, k) -> np.ndarray | float:
    """Eq. 1: 1 - C(n - c, k) / C(n, k), elementwise over broadcast arrays.

    Takes sample counts n, success counts c (0 <= c <= n) and k >= 1 (integers, any
    broadcastable shapes); returns float pass@k, NaN where n < k (or the counts are invalid).
    A 0-d input gives a Python float.
    """
    n, c, kk = np.broadcast_arrays(np.asarray(n_samples), np.asarray(n_correct), np.asarray(k))
    shape = n.shape
    n, c, kk = (np.asarray(array, dtype=np.int64).reshape(-1) for array in (n, c, kk))
    result = np.full(n.shape, np.nan)
    valid = (kk >= 1) & (c >= 0) & (c <= n) & (n >= kk)
    result[valid & (c == 0)] = 0.0
    result[valid & (c > 0) & (n - c < kk)] = 1.0  # every k-subset holds a success
    inner = np.flatnonzero(valid & (c > 0) & (n - c >= kk))
    if len(inner):
        log_all_fail = _log_survival_product(c[inner].astype(float), n[inner].astype(float), -1.0, kk[inner])
        result[inner] = -np.expm1(log_all_fail)
    result = result.reshape(shape)
    return float(result) if result.ndim == 0 else result


def beta_binomial_pass_at_k(n_samples, n_correct, k, a: float, b: float) -> np.ndarray | float:
    """Posterior-expected pass@k under a Beta(a, b) prior: 1 - B(a + c, b + n - c + k) / B(a + c, b + n - c).

    Takes counts n, c and k >= 1 (integers, broadcastable) and the prior (a, b) of their
    checkpoint; defined for every k, including k > n. Computed as 1 - prod_{j<k} (1 - (a + c) /
    (a + b + n + j)). a = 0 (a checkpoint without any success) puts the prior at p = 0: pass@k
    = 0 where c = 0; b = 0 likewise gives 1 where c = n. NaN for invalid counts or k < 1.
    """
    n, c, kk = np.broadcast_arrays(np.asarray(n_samples), np.asarray(n_correct), np.asarray(k))
    shape = n.shape
    n, c, kk = (np.asarray(array, dtype=np.int64).reshape(-1) for array in (n, c, kk))
    result = np.full(n.shape, np.nan)
    valid = (kk >= 1) & (c >= 0) & (c <= n)
    if a == 0:
        result[valid & (c == 0)] = 0.0
        valid &= c > 0
    if b == 0:
        result[valid & (c == n)] = 1.0
        valid &= c < n
    if np.isinf(a):  # a prior point mass at p = 1
        result[valid] = 1.0
        valid[:] = False
    inner = np.flatnonzero(valid)
    if len(inner):
        log_all_fail = _log_survival_product(a + c[inner].astype(float), a + b + n[inner].astype(float), 1.0, kk[inner])
        result[inner] = -np.expm1(log_all_fail)
    result = result.reshape(shape)
    return float(result) if result.ndim == 0 else result


def _negative_log_marginal_likelihood(log_ab: np.ndarray, n: np.ndarray, c: np.ndarray) -> tuple[float, np.ndarray]:
    """-sum_i log P(c_i | n_i, a, b) up to the binomial coefficients, and its gradient in (log a, log b)."""
    from scipy import special  # noqa: PLC0415 (the workflow imports this module when it is parsed; scipy is slow to import)

    a, b = np.exp(log_ab)
    value = -np.sum(special.betaln(c + a, n - c + b) - special.betaln(a, b))
    digamma_all = special.digamma(n + a + b) - special.digamma(a + b)
    grad_a = -np.sum(special.digamma(c + a) - special.digamma(a) - digamma_all) * a
    grad_b = -np.sum(special.digamma(n - c + b) - special.digamma(b) - digamma_all) * b
    return float(value), np.array([grad_a, grad_b])


def _moment_start(n: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Method-of-moments Beta(a, b) for the observed success rates, as a starting point."""
    rates = c / n
    mean = float(np.clip(rates.mean(), 1e-6, 1 - 1e-6))
    variance = float(max(rates.var(), 1e-12))
    concentration = max(mean * (1 - mean) / variance - 1, 1e-3)
    return mean * concentration, (1 - mean) * concentration


def fit_beta_prior_details(n_samples, n_correct, log10_bounds: Sequence[float] = (-6.0, 6.0)) -> dict[str, Any]:
    """Maximum-marginal-likelihood Beta(a, b) for one checkpoint's problems, with diagnostics.

    Takes the problems' sample and success counts; returns a, b, log_marginal_likelihood (with
    the binomial coefficients), converged and at_bound (the optimum lies on the search box,
    i.e. the likelihood keeps rising beyond it). No success at all: a = 0, b = inf (the
    supremum, approached as a -> 0); successes everywhere: a = inf, b = 0.
    """
    from scipy import optimize, special  # noqa: PLC0415 (see _negative_log_marginal_likelihood)

    n = np.asarray(n_samples, dtype=float).reshape(-1)
    c = np.asarray(n_correct, dtype=float).reshape(-1)
    log_binomial = float(np.sum(special.gammaln(n + 1) - special.gammaln(c + 1) - special.gammaln(n - c + 1)))
    if c.sum() == 0:
        return {"a": 0.0, "b": np.inf, "log_marginal_likelihood": 0.0, "converged": True, "at_bound": False}
    if np.all(c == n):
        return {"a": np.inf, "b": 0.0, "log_marginal_likelihood": 0.0, "converged": True, "at_bound": False}
    low, high = (float(bound) * np.log(10) for bound in log10_bounds)
    starts = [np.log(_moment_start(n, c)), np.log([0.1, 10.0]), np.log([1.0, 1.0])]
    best = None
    for start in starts:
        fit = optimize.minimize(
            _negative_log_marginal_likelihood,
            np.clip(start, low, high),
            args=(n, c),
            jac=True,
            method="L-BFGS-B",
            bounds=[(low, high), (low, high)],
        )
        if best is None or fit.fun < best.fun:
            best = fit
    at_bound = bool(np.any(np.isclose(best.x, low, atol=1e-6) | np.isclose(best.x, high, atol=1e-6)))
    a, b = np.exp(best.x)
    return {
        "a": float(a),
        "b": float(b),
        "log_marginal_likelihood": float(-best.fun + log_binomial),
        "converged": bool(best.success),
        "at_bound": at_bound,
    }


def fit_beta_prior(n_samples, n_correct, log10_bounds: Sequence[float] = (-6.0, 6.0)) -> tuple[float, float]:
    """Maximum-marginal-likelihood Beta(a, b) of a beta-binomial over one checkpoint's problems: (a, b)."""
    details = fit_beta_prior_details(n_samples, n_correct, log10_bounds)
    return details["a"], details["b"]


def problem_pass_at_k(
    outcomes: pd.DataFrame,
    k_values: Sequence[int],
    estimators: Sequence[str] = ESTIMATORS,
    log10_bounds: Sequence[float] = (-6.0, 6.0),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-problem pass@k of every checkpoint for every k and estimator, and the fitted priors.

    Takes an outcomes table (size, step, params, tokens, compute, problem_idx, n_samples,
    n_correct) and the k grid. Returns (problems, priors): `problems` has PROBLEM_COLUMNS, one row
    per (checkpoint, problem, k, estimator) (unbiased: NaN where n_samples < k); `priors` has
    PRIOR_COLUMNS, one row per checkpoint (the beta prior behind `beta_binomial`).
    """
    unknown = sorted(set(estimators) - set(ESTIMATORS))
    if unknown:
        raise ValueError(f"unknown estimator(s) {unknown}; known: {ESTIMATORS}")
    k_values = np.asarray(k_values, dtype=np.int64)
    frames, prior_rows = [], []
    for checkpoint, group in outcomes.groupby(CHECKPOINT_COLUMNS, sort=False):
        group = group.sort_values("problem_idx")
        n = group["n_samples"].to_numpy(np.int64)[:, None]
        c = group["n_correct"].to_numpy(np.int64)[:, None]
        prior = fit_beta_prior_details(n, c, log10_bounds)
        prior_rows.append(
            dict(zip(CHECKPOINT_COLUMNS, checkpoint))
            | prior
            | {"prior_mean": _prior_mean(prior["a"], prior["b"]), "n_problems": len(group), "total_correct": int(c.sum())}
        )
        values = {
            "unbiased": lambda: unbiased_pass_at_k(n, c, k_values[None, :]),
            "beta_binomial": lambda: beta_binomial_pass_at_k(n, c, k_values[None, :], prior["a"], prior["b"]),
        }
        for estimator in estimators:
            grid = values[estimator]()
            frame = pd.DataFrame(
                {
                    "problem_idx": np.repeat(group["problem_idx"].to_numpy(np.int64), len(k_values)),
                    "k": np.tile(k_values, len(group)),
                    "estimator": estimator,
                    "pass_at_k": grid.reshape(-1),
                }
            )
            for column, value in zip(CHECKPOINT_COLUMNS, checkpoint):
                frame[column] = value
            frames.append(frame)
    problems = pd.concat(frames, ignore_index=True)[PROBLEM_COLUMNS]
    problems = _sorted(problems, ["estimator", "params", "step", "k", "problem_idx"])
    priors = _sorted(pd.DataFrame(prior_rows)[PRIOR_COLUMNS], ["params", "step"])
    return problems, priors


def benchmark_pass_at_k(problems: pd.DataFrame) -> pd.DataFrame:
    """Eq. 2: the mean per-problem pass@k of each (checkpoint, k, estimator), with problem counts.

    Takes a per-problem table (PROBLEM_COLUMNS); returns BENCHMARK_COLUMNS. A (checkpoint, k)
    with any problem without a value (unbiased with n < k) gets pass_at_k NaN;
    n_problems_estimable counts the problems with a value. neg_log_pass_at_k = -log(pass_at_k)
    (inf where pass_at_k = 0).
    """
    keys = CHECKPOINT_COLUMNS + ["k", "estimator"]
    grouped = problems.groupby(keys, sort=False)["pass_at_k"]
    table = grouped.agg(n_problems="size", n_problems_estimable="count", pass_sum="sum").reset_index()
    complete = table["n_problems_estimable"] == table["n_problems"]
    table["pass_at_k"] = np.where(complete, table["pass_sum"] / table["n_problems"], np.nan)
    with np.errstate(divide="ignore"):
        table["neg_log_pass_at_k"] = -np.log(table["pass_at_k"])
    table[["n_problems", "n_problems_estimable"]] = table[["n_problems", "n_problems_estimable"]].astype(np.int64)
    return _sorted(table[BENCHMARK_COLUMNS], ["estimator", "params", "step", "k"])


def estimator_agreement(problems: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Both estimators side by side per (checkpoint, problem, k) where the unbiased one is defined.

    Takes a per-problem table holding both estimators and the outcomes table it came from;
    returns size, step, problem_idx, k, n_samples, samples_per_attempt (n / k), unbiased,
    beta_binomial and relative_difference ((beta_binomial - unbiased) / unbiased, NaN where
    unbiased is 0).
    """
    keys = ["size", "step", "problem_idx", "k"]
    wide = problems.pivot_table(index=keys, columns="estimator", values="pass_at_k", dropna=False).reset_index()
    wide = wide.dropna(subset=["unbiased"]).merge(outcomes[["size", "step", "problem_idx", "n_samples"]], on=["size", "step", "problem_idx"])
    wide["samples_per_attempt"] = wide["n_samples"] / wide["k"]
    with np.errstate(divide="ignore", invalid="ignore"):
        wide["relative_difference"] = np.where(wide["unbiased"] > 0, (wide["beta_binomial"] - wide["unbiased"]) / wide["unbiased"], np.nan)
    return wide[keys + ["n_samples", "samples_per_attempt", "unbiased", "beta_binomial", "relative_difference"]]


def _prior_mean(a: float, b: float) -> float:
    if a == 0:
        return 0.0
    if b == 0:
        return 1.0
    return a / (a + b)


def _sorted(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return table.sort_values(by, kind="stable").reset_index(drop=True)
