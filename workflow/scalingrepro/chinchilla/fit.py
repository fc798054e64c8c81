"""Paper C §2: the Chinchilla fit of each interpretation, with bootstrap uncertainty, and the
compute-optimal tokens per parameter.

The fits themselves come from `solver` (batched Huber minimization). Tokens per parameter:
closed form of the compute-optimal allocation under C = 6ND, evaluated for parameter draws ×
compute budgets in one array. The draws are of (a, b, α, β), the parameters D_opt/N_opt
depends on: the marginal of the five-parameter normal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .solver import (
    PARAMETER_NAMES,
    THETA_NAMES,
    FitData,
    bootstrap_counts,
    bootstrap_fits,
    fit_data,
    fit_point_estimate,
    standard_errors,
    start_grid,
    theta_from_parameters,
    untransform,
)

RATIO_COLUMNS = [0, 1, 3, 4]  # theta columns (a, b, alpha, beta) that tokens per parameter depends on
FLOP_PER_PARAMETER_TOKEN = 6.0  # C = 6 N D


class FitError(RuntimeError):
    """An unperturbed Chinchilla fit failed (the perturbation sweeps record failures instead)."""


# ---------------------------------------------------------------------------------------------
# Data


def kept_runs(runs: pd.DataFrame, n_excluded: int) -> pd.DataFrame:
    """The runs left after dropping the `n_excluded` highest-loss runs (Besiroglu et al.).

    As in their code, a run is kept when its loss is strictly below the `n_excluded`-th
    highest loss; ties at that loss would all be dropped.
    """
    if n_excluded <= 0:
        return runs.reset_index(drop=True)
    threshold = np.sort(runs["loss"].to_numpy())[-n_excluded]
    return runs[runs["loss"] < threshold].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Compute-optimal tokens per parameter


def compute_grid(log10_start: float, log10_stop: float, log10_step: float) -> np.ndarray:
    """Compute budgets 10^start … 10^stop (inclusive) in steps of `log10_step` decades."""
    n_points = int(round((log10_stop - log10_start) / log10_step)) + 1
    return 10.0 ** np.round(log10_start + log10_step * np.arange(n_points), 10)


def log_tokens_per_parameter(theta: np.ndarray, compute: np.ndarray) -> np.ndarray:
    """log(D_opt / N_opt) for (K, 5) theta over compute budgets: (K, len(compute)).

    With C = 6ND: G = (αA/(βB))^(1/(α+β)), N_opt = G (C/6)^(β/(α+β)), D_opt = (C/6)/N_opt, so
    log(D_opt/N_opt) = (α−β)/(α+β) · log(C/6) − 2 log G. NaN where α ≤ 0 or β ≤ 0.
    """
    theta = np.atleast_2d(theta)
    a, b, alpha, beta = theta[:, 0], theta[:, 1], theta[:, 3], theta[:, 4]
    with np.errstate(invalid="ignore", divide="ignore"):
        log_g = (np.log(alpha) + a - np.log(beta) - b) / (alpha + beta)
        exponent = (alpha - beta) / (alpha + beta)
    log_budget = np.log(np.asarray(compute, dtype=float) / FLOP_PER_PARAMETER_TOKEN)
    return exponent[:, None] * log_budget[None, :] - 2.0 * log_g[:, None]


def draw_parameters(mean: np.ndarray, covariance: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """(n_draws, len(mean)) vectors drawn from the multivariate normal (mean, covariance) with `seed`.

    The Cholesky factor is used because it is continuous in the covariance: an eigenvector's
    sign is arbitrary, so with an eigendecomposition a rounding-level change of the covariance
    can flip it and redraw every sample. A covariance that is not positive definite falls back
    to the eigendecomposition.
    """
    rng = np.random.default_rng(seed)
    try:
        factor = np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        return rng.multivariate_normal(mean, covariance, size=n_draws, method="eigh")
    return np.asarray(mean, dtype=float) + rng.standard_normal((n_draws, len(mean))) @ factor.T


def tokens_per_parameter_bands(draws: np.ndarray, compute: np.ndarray, quantiles: Sequence[float]) -> tuple[np.ndarray, int]:
    """Quantiles (len(quantiles), len(compute)) of D_opt/N_opt over the draws, and the draws used.

    Draws with a non-positive exponent have no compute-optimal allocation and are left out;
    the count of draws used is returned so callers can report it. All-NaN if none is usable.
    """
    usable = draws[(draws[:, 3] > 0) & (draws[:, 4] > 0) & np.isfinite(draws).all(axis=1)]
    if len(usable) == 0:
        return np.full((len(quantiles), len(compute)), np.nan), 0
    log_ratio = log_tokens_per_parameter(usable, compute)
    return np.exp(np.quantile(log_ratio, quantiles, axis=0)), len(usable)


def slope_per_decade(compute: np.ndarray, median_ratio: np.ndarray) -> float:
    """Least-squares slope of the median ratio against log10 C (ratio units per decade)."""
    finite = np.isfinite(median_ratio)
    if finite.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log10(compute[finite]), median_ratio[finite], 1)[0])


# ---------------------------------------------------------------------------------------------
# One configuration end to end


@dataclass(frozen=True)
class FitSettings:
    """Every setting of one configuration's analysis (from config chinchilla.fit)."""

    huber_delta: float
    published_start: np.ndarray
    grid_starts: np.ndarray
    n_bootstraps: int
    bootstrap_seed: int
    n_draws: int
    draws_seed: int
    compute: np.ndarray
    quantiles: tuple[float, float, float]
    max_iterations: int
    grid_max_iterations: int
    min_converged_fraction: float

    @classmethod
    def from_config(cls, fit_config: dict) -> "FitSettings":
        """Settings from the `chinchilla.fit` config mapping."""
        published = fit_config["published_start"]
        grid = fit_config["compute_grid"]
        return cls(
            huber_delta=float(fit_config["huber_delta"]),
            published_start=theta_from_parameters(published["A"], published["B"], published["E"], published["alpha"], published["beta"]),
            grid_starts=start_grid(fit_config["start_grid"]),
            n_bootstraps=int(fit_config["n_bootstraps"]),
            bootstrap_seed=int(fit_config["bootstrap_seed"]),
            n_draws=int(fit_config["n_draws"]),
            draws_seed=int(fit_config["draws_seed"]),
            compute=compute_grid(grid["log10_start"], grid["log10_stop"], grid["log10_step"]),
            quantiles=tuple(float(q) for q in fit_config["quantiles"]),
            max_iterations=int(fit_config["max_iterations"]),
            grid_max_iterations=int(fit_config["grid_max_iterations"]),
            min_converged_fraction=float(fit_config["min_converged_fraction"]),
        )


@dataclass(frozen=True)
class ConfigurationResult:
    """Estimates (PARAMETER_NAMES order), their SEs, tokens-per-parameter bands and validity."""

    estimate: np.ndarray
    standard_error: np.ndarray
    bands: np.ndarray  # (3, len(compute)): low, median, high
    slope_per_decade: float
    n_runs: int
    n_bootstraps: int
    n_converged_bootstraps: int
    n_usable_draws: int
    valid: bool
    reason: str


def analyze_configuration(data: FitData, settings: FitSettings, counts: np.ndarray) -> ConfigurationResult:
    """Point fit, bootstrap SEs and tokens per parameter for one set of runs.

    Never raises on a bad fit: a point fit that does not converge, non-finite estimates, too
    few converged resamples or no usable parameter draw make the result invalid with a reason.
    """
    n_params = len(PARAMETER_NAMES)
    nan_bands = np.full((3, len(settings.compute)), np.nan)

    def invalid(reason: str, estimate: np.ndarray | None = None, n_converged: int = 0) -> ConfigurationResult:
        return ConfigurationResult(
            estimate=np.full(n_params, np.nan) if estimate is None else estimate,
            standard_error=np.full(n_params, np.nan),
            bands=nan_bands,
            slope_per_decade=float("nan"),
            n_runs=data.n_runs,
            n_bootstraps=settings.n_bootstraps,
            n_converged_bootstraps=n_converged,
            n_usable_draws=0,
            valid=False,
            reason=reason,
        )

    if not (np.isfinite(data.log_n).all() and np.isfinite(data.log_d).all() and np.isfinite(data.log_loss).all()):
        return invalid("non-finite log parameter count, tokens or loss")
    with np.errstate(all="ignore"):
        point = fit_point_estimate(data, settings.huber_delta, settings.published_start, settings.grid_starts, settings.max_iterations, settings.grid_max_iterations)
    estimate = untransform(point.theta)
    if not point.converged or not np.isfinite(estimate).all():
        return invalid("point fit did not converge or is not finite", estimate if np.isfinite(estimate).all() else None)
    # Overflowing A or B of a resample and an overflowing SE are outcomes recorded below, not errors.
    with np.errstate(all="ignore"):
        boot = bootstrap_fits(data, counts, point.theta, settings.huber_delta, settings.max_iterations)
        usable = boot.converged & np.isfinite(untransform(boot.theta)).all(axis=1)
    n_converged = int(usable.sum())
    if n_converged < settings.min_converged_fraction * len(counts) or n_converged < 2:
        return invalid(f"only {n_converged}/{len(counts)} bootstrap fits converged", estimate, n_converged)
    boot_theta = boot.theta[usable]
    with np.errstate(over="ignore", invalid="ignore"):
        standard_error = standard_errors(boot_theta)
    # D_opt/N_opt depends on (a, b, alpha, beta) only, so their joint normal is drawn; e is
    # left out because a fit at the E = 0 boundary has e = −inf.
    ratio_draws = draw_parameters(point.theta[RATIO_COLUMNS], np.cov(boot_theta[:, RATIO_COLUMNS].T), settings.n_draws, settings.draws_seed)
    draws = np.zeros((settings.n_draws, len(THETA_NAMES)))  # column e stays 0: it does not enter D/N
    draws[:, RATIO_COLUMNS] = ratio_draws
    bands, n_usable_draws = tokens_per_parameter_bands(draws, settings.compute, settings.quantiles)
    if n_usable_draws == 0:
        return invalid("no parameter draw has positive exponents", estimate, n_converged)
    reason = "" if np.isfinite(standard_error).all() else "non-finite standard error"
    return ConfigurationResult(
        estimate=estimate,
        standard_error=standard_error,
        bands=bands,
        slope_per_decade=slope_per_decade(settings.compute, bands[1]),
        n_runs=data.n_runs,
        n_bootstraps=len(counts),
        n_converged_bootstraps=n_converged,
        n_usable_draws=n_usable_draws,
        valid=reason == "",
        reason=reason,
    )


def estimate_columns(result: ConfigurationResult) -> dict[str, float]:
    """{E, A, alpha, B, beta, E_se, ...} of one configuration result."""
    row = dict(zip(PARAMETER_NAMES, result.estimate.tolist()))
    row.update({f"{name}_se": value for name, value in zip(PARAMETER_NAMES, result.standard_error.tolist())})
    return row


def band_rows(result: ConfigurationResult, compute: np.ndarray) -> pd.DataFrame:
    """compute, low, median, high rows of one configuration's tokens per parameter."""
    return pd.DataFrame({"compute": compute, "low": result.bands[0], "median": result.bands[1], "high": result.bands[2]})


# ---------------------------------------------------------------------------------------------
# The interpretations of §2 (Fig. 2)

# Column of runs.csv holding each interpretation's parameter counts.
INTERPRETATION_COLUMNS = {
    "epoch_model_size": "model_size",
    "reported": "reported",
    "standard": "standard",
    "best_fit": "best_fit",
    # Both precisions of the formula counts, whatever chinchilla.count_precision selects.
    **{f"{formula}_{precision}": f"{formula}_{precision}" for formula in ("standard", "best_fit") for precision in ("printed", "exact")},
}


def analyze_interpretations(runs: pd.DataFrame, interpretations: Sequence[str], settings: FitSettings, n_excluded: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fit every interpretation on the kept runs (same resamples for all).

    Returns (fits, tokens_per_parameter, slopes) with the contract columns of fits.csv,
    tokens_per_parameter.csv and tokens_per_parameter_slopes.csv (n_bootstraps counts the
    converged resamples). Raises FitError if an unperturbed fit is invalid: every later
    table depends on these fits, so that is a failure to report, not a row to record.
    """
    kept = kept_runs(runs, n_excluded)
    counts = bootstrap_counts(len(kept), settings.n_bootstraps, settings.bootstrap_seed)
    fit_rows, band_tables, slope_rows = [], [], []
    for interpretation in interpretations:
        data = fit_data(kept[INTERPRETATION_COLUMNS[interpretation]], kept["tokens"], kept["loss"])
        result = analyze_configuration(data, settings, counts)
        if not result.valid:
            raise FitError(f"the {interpretation} fit is invalid: {result.reason}")
        fit_rows.append({"interpretation": interpretation, **estimate_columns(result), "n_runs": result.n_runs, "n_bootstraps": result.n_converged_bootstraps})
        band_tables.append(band_rows(result, settings.compute).assign(interpretation=interpretation))
        slope_rows.append({"interpretation": interpretation, "slope_per_decade": result.slope_per_decade})
    bands = pd.concat(band_tables, ignore_index=True)[["interpretation", "compute", "low", "median", "high"]]
    return pd.DataFrame(fit_rows), bands, pd.DataFrame(slope_rows)


def count_precision_slopes(runs: pd.DataFrame, formulas: Sequence[str], settings: FitSettings, n_excluded: int) -> pd.DataFrame:
    """How much the tokens-per-parameter slope moves between printed (whole millions) and exact counts.

    Fits each formula's counts at both precisions on the same resamples. Returns one row per
    formula: interpretation, slope_printed, slope_exact, shift_per_decade (printed − exact) and
    the fitted alpha and beta at both precisions (the slope follows (alpha − beta)/(alpha + beta)).
    """
    names = [f"{formula}_{precision}" for formula in formulas for precision in ("printed", "exact")]
    fits, _, slopes = analyze_interpretations(runs, names, settings, n_excluded)
    slope = slopes.set_index("interpretation")["slope_per_decade"]
    fit = fits.set_index("interpretation")
    rows = []
    for formula in formulas:
        printed, exact = f"{formula}_printed", f"{formula}_exact"
        rows.append(
            {
                "interpretation": formula,
                "slope_printed": slope[printed],
                "slope_exact": slope[exact],
                "shift_per_decade": slope[printed] - slope[exact],
                "alpha_printed": fit.loc[printed, "alpha"],
                "alpha_exact": fit.loc[exact, "alpha"],
                "beta_printed": fit.loc[printed, "beta"],
                "beta_exact": fit.loc[exact, "beta"],
            }
        )
    return pd.DataFrame(rows)
