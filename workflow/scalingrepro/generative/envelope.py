"""Paper G §6 and App. E: the compute law as the compute-optimal envelope of the params + tokens law.

For one benchmark and k, Eq. 4 (Eq. 8) reads −log pass@k = 𝓔0 + A·N^(−β) + B·D^(−γ) with
A = N0, B = D0. Minimizing the excess F(N, D) = A·N^(−β) + B·D^(−γ) over N·D = C/c gives
Eq. 9 with

- α = (1/β + 1/γ)^(−1)                                                   (Eq. 12)
- C0 = (β + γ) β^(−β/(β+γ)) γ^(−γ/(β+γ)) A^(γ/(β+γ)) B^(β/(β+γ)) c^α     (Eq. 13)
- N*(C) = (βA/(γB))^(1/(β+γ)) (C/c)^(γ/(β+γ)),  D*(C) = (C/c) / N*(C)    (Eq. 14)

Off the ridge the excess is multiplied by Φ(r; β, γ) = γ/(β+γ)·r^(−β) + β/(β+γ)·r^γ ≥ 1 with
r = N/N* = D*/D (Eqs. 15-16), which is worth an effective-compute factor Φ^(−1/α) (Eq. 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# C ≈ c·N·D with c = 6 (Kaplan et al. 2020), as in paper G.
DEFAULT_FLOP_PER_PARAMETER_TOKEN = 6.0

ENVELOPE_COLUMNS = [
    "estimator", "k", "alpha_fit", "alpha_envelope", "C0_fit", "C0_envelope",
    "E0_fit", "E0_envelope", "beta", "gamma",
]
MISALLOCATION_COLUMNS = ["estimator", "size", "step", "k", "r", "phi", "effective_compute_multiplier"]


def envelope_exponent(beta: np.ndarray | float, gamma: np.ndarray | float) -> np.ndarray | float:
    """Eq. 12: the compute exponent of the envelope, the parallel sum (1/β + 1/γ)^(−1)."""
    return beta * gamma / (beta + gamma)


def envelope_prefactor(
    n0: np.ndarray | float,
    beta: np.ndarray | float,
    d0: np.ndarray | float,
    gamma: np.ndarray | float,
    flop_per_parameter_token: float = DEFAULT_FLOP_PER_PARAMETER_TOKEN,
) -> np.ndarray | float:
    """Eq. 13: the envelope's compute prefactor C0 for Eq. 4's (N0, β, D0, γ) and C = c·N·D.

    Evaluated in log space: with raw N and D the prefactors reach 10^30 and beyond.
    """
    total = beta + gamma
    log_c0 = (
        np.log(total)
        - beta / total * np.log(beta)
        - gamma / total * np.log(gamma)
        + gamma / total * np.log(n0)
        + beta / total * np.log(d0)
        + envelope_exponent(beta, gamma) * np.log(flop_per_parameter_token)
    )
    return np.exp(log_c0)


def optimal_params(
    compute: np.ndarray | float,
    n0: float,
    beta: float,
    d0: float,
    gamma: float,
    flop_per_parameter_token: float = DEFAULT_FLOP_PER_PARAMETER_TOKEN,
) -> np.ndarray | float:
    """Eq. 14: the compute-optimal parameter count N*(C)."""
    total = beta + gamma
    log_n = (np.log(beta * n0) - np.log(gamma * d0)) / total + gamma / total * np.log(
        np.asarray(compute, dtype=float) / flop_per_parameter_token
    )
    return np.exp(log_n)


def optimal_tokens(
    compute: np.ndarray | float,
    n0: float,
    beta: float,
    d0: float,
    gamma: float,
    flop_per_parameter_token: float = DEFAULT_FLOP_PER_PARAMETER_TOKEN,
) -> np.ndarray | float:
    """Eq. 14: the compute-optimal token count D*(C) = (C/c) / N*(C)."""
    budget = np.asarray(compute, dtype=float) / flop_per_parameter_token
    return budget / optimal_params(compute, n0, beta, d0, gamma, flop_per_parameter_token)


def excess_neg_log_pass(params: np.ndarray | float, tokens: np.ndarray | float, n0: float, beta: float, d0: float, gamma: float):
    """F(N, D) = N0·N^(−β) + D0·D^(−γ): Eq. 4 above its irreducible error (Eq. 11)."""
    return n0 * np.power(params, -beta) + d0 * np.power(tokens, -gamma)


def misallocation_penalty(r: np.ndarray | float, beta: np.ndarray | float, gamma: np.ndarray | float):
    """Eq. 16: Φ(r; β, γ) = γ/(β+γ)·r^(−β) + β/(β+γ)·r^γ, ≥ 1 with equality only at r = 1."""
    r = np.asarray(r, dtype=float)
    total = beta + gamma
    return gamma / total * np.power(r, -beta) + beta / total * np.power(r, gamma)


def effective_compute_multiplier(phi: np.ndarray | float, alpha: np.ndarray | float):
    """Eq. 7: effective over actual compute, Φ^(−1/α) (≤ 1; 1 on the compute-optimal ridge)."""
    return np.power(phi, -1.0 / np.asarray(alpha, dtype=float))


def envelope_table(fits: pd.DataFrame, flop_per_parameter_token: float = DEFAULT_FLOP_PER_PARAMETER_TOKEN) -> pd.DataFrame:
    """Envelope of each Eq. 4 fit beside the Eq. 3 fit of the same (estimator, k).

    fits: rows of fits.csv (`law, estimator, k` and the parameter columns). Returns one row per
    (estimator, k) present for both laws, with columns ENVELOPE_COLUMNS plus `N0, D0` and
    `both_converged`; parameters of a fit that failed are NaN, so are the quantities built from them.
    """
    keys = ["estimator", "k"]
    compute_fits = fits.loc[fits["law"] == "compute", keys + ["E0", "C0", "alpha", "converged"]]
    compute_fits = compute_fits.rename(columns={"E0": "E0_fit", "C0": "C0_fit", "alpha": "alpha_fit", "converged": "compute_converged"})
    params_tokens_fits = fits.loc[fits["law"] == "params_tokens", keys + ["E0", "N0", "beta", "D0", "gamma", "converged"]]
    params_tokens_fits = params_tokens_fits.rename(columns={"E0": "E0_envelope", "converged": "params_tokens_converged"})
    table = compute_fits.merge(params_tokens_fits, on=keys, how="inner", validate="one_to_one")
    table["alpha_envelope"] = envelope_exponent(table["beta"], table["gamma"])
    table["C0_envelope"] = envelope_prefactor(table["N0"], table["beta"], table["D0"], table["gamma"], flop_per_parameter_token)
    table["both_converged"] = table.pop("compute_converged").astype(bool) & table.pop("params_tokens_converged").astype(bool)
    table = table.sort_values(keys, kind="stable").reset_index(drop=True)
    return table[ENVELOPE_COLUMNS + ["N0", "D0", "both_converged"]]


def misallocation_table(
    checkpoints: pd.DataFrame,
    fits: pd.DataFrame,
    flop_per_parameter_token: float = DEFAULT_FLOP_PER_PARAMETER_TOKEN,
) -> pd.DataFrame:
    """Per checkpoint and Eq. 4 fit: r = N/N*(C), Φ(r) and the effective-compute multiplier.

    checkpoints: one row per checkpoint with `size, step, params, tokens, compute`.
    fits: rows of fits.csv; only `law == "params_tokens"` rows are used. The multiplier uses the
    envelope exponent of the same fit, so that C0·C^(−α)·Φ = C0·(C·Φ^(−1/α))^(−α) holds exactly.
    Returns MISALLOCATION_COLUMNS plus `params, tokens, compute, optimal_params, optimal_tokens, beta, gamma`.
    """
    law_fits = fits.loc[fits["law"] == "params_tokens", ["estimator", "k", "N0", "beta", "D0", "gamma"]]
    grid = law_fits.merge(checkpoints[["size", "step", "params", "tokens", "compute"]], how="cross")
    n_star = optimal_params(grid["compute"], grid["N0"], grid["beta"], grid["D0"], grid["gamma"], flop_per_parameter_token)
    grid["optimal_params"] = n_star
    grid["optimal_tokens"] = grid["compute"] / flop_per_parameter_token / n_star
    grid["r"] = grid["params"] / n_star
    grid["phi"] = misallocation_penalty(grid["r"], grid["beta"], grid["gamma"])
    grid["effective_compute_multiplier"] = effective_compute_multiplier(grid["phi"], envelope_exponent(grid["beta"], grid["gamma"]))
    columns = MISALLOCATION_COLUMNS + ["params", "tokens", "compute", "optimal_params", "optimal_tokens", "beta", "gamma"]
    return grid[columns].sort_values(["estimator", "k", "params", "step"], kind="stable").reset_index(drop=True)


def penalty_curve(r_grid: np.ndarray, beta: float, gamma: float) -> pd.DataFrame:
    """Φ and the effective-compute multiplier along a grid of misallocation ratios, for drawing Fig. 8."""
    phi = misallocation_penalty(r_grid, beta, gamma)
    return pd.DataFrame({"r": r_grid, "phi": phi, "effective_compute_multiplier": effective_compute_multiplier(phi, envelope_exponent(beta, gamma))})
