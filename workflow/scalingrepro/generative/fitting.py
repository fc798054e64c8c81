"""Least-squares fits of the scaling laws in `scalingrepro.generative.laws` to −log pass@k.

Objective (the default of the replication): the sum of squared residuals
log(predicted −log pass@k) − log(observed −log pass@k) over the checkpoints with a usable target,
because the targets span orders of magnitude. Points with pass@k = 0 (−log pass@k infinite),
pass@k = 1 (log of 0) or any non-finite value are left out and counted.

The optimizer is a batched, bound-respecting Levenberg–Marquardt (numpy): many fits of the same
law over the same checkpoints (multi-start, every k, every bootstrap resample) run as one array
computation. Internally each power term is written exp(a_j + s_j·e_j·(log x_j − m_j)) with m_j the
mean log covariate, which decorrelates the log prefactor a_j from the exponent e_j; the public
prefactor is exp(a_j − s_j·e_j·m_j).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .laws import ALL_PARAMETER_NAMES, LAWS, MAX_EXPONENT, MIN_EXPONENT, Law
from .laws import GOLD_COVARIATE as GOLD_COVARIATE_NAME
from .likelihood import AGGREGATES, aggregate_neg_log_gold_prob, gold_matrix

# Starting exponents of the multi-start grid (log-spaced over the range seen in scaling laws).
START_EXPONENTS = (0.03, 0.1, 0.3, 1.0, 3.0)
# Starting offsets as fractions of the smallest target (irreducible error below every point).
START_OFFSET_FRACTIONS = (0.0, 0.5, 0.9)
MAX_ITERATIONS = 300
RELATIVE_COST_TOLERANCE = 1e-10
ABSOLUTE_COST_TOLERANCE = 1e-14
MAX_DAMPING = 1e12
LOG_AMPLITUDE_LIMIT = 300.0  # keeps exp() finite while the optimizer explores


@dataclass
class FitResult:
    """One fit of a law.

    parameters: the law's parameters (paper names), NaN when the fit failed.
    sse_log: sum of squared log residuals at the solution.
    n_points: points used; n_excluded: points left out (pass@k = 0, 1 or non-finite).
    converged: the optimizer met its tolerance within the iteration limit and the solution is admissible.
    message: why it stopped, or why no fit was made.
    """

    law: str
    parameters: dict[str, float]
    sse_log: float
    n_points: int
    n_excluded: int
    converged: bool
    message: str
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchFit:
    """Fits of one law to a batch of target vectors: arrays with the batch along axis 0."""

    parameters: np.ndarray  # (batch, n_parameters), in law.parameter_names order
    sse_log: np.ndarray  # (batch,)
    n_points: np.ndarray  # (batch,)
    converged: np.ndarray  # (batch,) bool


def usable_targets(neg_log_pass_at_k: np.ndarray) -> np.ndarray:
    """True where −log pass@k is finite and > 0 (pass@k strictly between 0 and 1)."""
    values = np.asarray(neg_log_pass_at_k, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values > 0)


def log_covariates(law: Law, covariates: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
    """(n, n_terms) natural logs of the law's covariates; raises if any is not positive and finite."""
    columns = []
    for name in law.covariates:
        values = np.asarray(covariates[name], dtype=float)
        if not np.all(np.isfinite(values) & (values > 0)):
            raise ValueError(f"law {law.name}: covariate '{name}' must be positive and finite")
        columns.append(np.log(values))
    return np.stack(columns, axis=-1)


# ---------------------------------------------------------------------------------------------
# Internal parameterization: theta = [offset, a_1, e_1, a_2, e_2, ...]


def _lower_upper(law: Law) -> tuple[np.ndarray, np.ndarray]:
    lower = [0.0] + [value for _ in law.terms for value in (-LOG_AMPLITUDE_LIMIT, MIN_EXPONENT)]
    upper = [np.inf] + [value for _ in law.terms for value in (LOG_AMPLITUDE_LIMIT, MAX_EXPONENT)]
    return np.array(lower), np.array(upper)


def _signs(law: Law) -> np.ndarray:
    return np.array([term.sign for term in law.terms], dtype=float)


def _model_and_jacobian(law: Law, theta: np.ndarray, centered_log_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted −log pass@k (batch, n) and d log(prediction)/d theta (batch, n, p).

    theta: (batch, p); centered_log_x: (batch or 1, n, n_terms).
    """
    signs = _signs(law)
    amplitudes = theta[:, 1::2]  # (batch, n_terms)
    exponents = theta[:, 2::2]
    log_terms = amplitudes[:, None, :] + signs * exponents[:, None, :] * centered_log_x
    terms = np.exp(np.clip(log_terms, -LOG_AMPLITUDE_LIMIT, LOG_AMPLITUDE_LIMIT))
    prediction = theta[:, :1] + terms.sum(axis=-1)
    jacobian = np.empty(prediction.shape + (theta.shape[1],))
    jacobian[..., 0] = 1.0 / prediction
    jacobian[..., 1::2] = terms / prediction[..., None]
    jacobian[..., 2::2] = signs * centered_log_x * terms / prediction[..., None]
    return prediction, jacobian


def _residuals(law: Law, theta: np.ndarray, centered_log_x: np.ndarray, log_y: np.ndarray, weights: np.ndarray):
    prediction, jacobian = _model_and_jacobian(law, theta, centered_log_x)
    with np.errstate(divide="ignore", invalid="ignore"):
        residual = np.where(weights > 0, np.log(prediction) - log_y, 0.0)
    residual = np.where(np.isfinite(residual), residual, 1e6)
    return residual, jacobian * weights[..., None]


def levenberg_marquardt(
    law: Law,
    theta: np.ndarray,
    centered_log_x: np.ndarray,
    log_y: np.ndarray,
    weights: np.ndarray,
    max_iterations: int = MAX_ITERATIONS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched bound-constrained Levenberg–Marquardt on log residuals.

    theta: (batch, p) starts; centered_log_x: (batch or 1, n, n_terms); log_y, weights: (batch, n)
    with weight 0 for excluded points. Parameters at a bound whose gradient points outward are
    held there (active set). Returns (theta, sse, converged) with batch along axis 0.
    """
    lower, upper = _lower_upper(law)
    theta = np.clip(np.array(theta, dtype=float), lower, upper)
    batch, n_parameters = theta.shape
    shared_x = centered_log_x.shape[0] == 1
    damping = np.full(batch, 1e-3)
    converged = np.zeros(batch, dtype=bool)
    residual, jacobian = _residuals(law, theta, centered_log_x, log_y, weights)
    cost = np.sum(residual**2, axis=1)
    identity = np.eye(n_parameters)
    for _ in range(max_iterations):
        # Work on the fits still running only: most converge in a few dozen iterations.
        rows = np.flatnonzero(~converged)
        if len(rows) == 0:
            break
        x_rows = centered_log_x if shared_x else centered_log_x[rows]
        th, r, jac, c, lam = theta[rows], residual[rows], jacobian[rows], cost[rows], damping[rows]
        gradient = np.einsum("bnp,bn->bp", jac, r)
        hessian = np.einsum("bnp,bnq->bpq", jac, jac)
        at_bound = ((th <= lower) & (gradient > 0)) | ((th >= upper) & (gradient < 0))
        free = (~at_bound).astype(float)
        # Fix bound-active parameters: drop their rows/columns from the normal equations.
        hessian = hessian * free[:, :, None] * free[:, None, :]
        diagonal = np.diagonal(hessian, axis1=1, axis2=2)
        scale = np.where(diagonal > 0, diagonal, 1.0)
        system = hessian + lam[:, None, None] * scale[:, None, :] * identity + (1 - free)[:, :, None] * identity
        step = -np.linalg.solve(system, (gradient * free)[..., None])[..., 0] * free
        candidate = np.clip(th + step, lower, upper)
        new_residual, new_jacobian = _residuals(law, candidate, x_rows, log_y[rows], weights[rows])
        new_cost = np.sum(new_residual**2, axis=1)
        improved = np.isfinite(new_cost) & (new_cost < c)
        small_decrease = improved & (c - new_cost <= RELATIVE_COST_TOLERANCE * c + ABSOLUTE_COST_TOLERANCE)
        accepted = rows[improved]
        theta[accepted] = candidate[improved]
        residual[accepted] = new_residual[improved]
        jacobian[accepted] = new_jacobian[improved]
        cost[accepted] = new_cost[improved]
        damping[rows] = np.where(improved, np.maximum(lam / 3.0, 1e-12), lam * 4.0)
        # Converged: a negligible decrease, a vanishing projected gradient, or no step improves any more.
        projected_gradient = np.abs(gradient * free).max(axis=1)
        stalled = ~improved & (damping[rows] > MAX_DAMPING)
        converged[rows] = small_decrease | (projected_gradient < 1e-12) | stalled
    return theta, cost, converged


def _initial_amplitudes(law: Law, offset: np.ndarray, exponents: np.ndarray, centered_log_x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Log amplitudes that put each term at an equal share of the mean reducible part, given offset and exponents."""
    n_terms = len(law.terms)
    reducible = np.maximum(y - offset[:, None], 1e-3 * y) / n_terms
    total = np.maximum(weights.sum(axis=1), 1.0)
    amplitudes = []
    for j, term in enumerate(law.terms):
        log_share = np.where(weights > 0, np.log(reducible) - term.sign * exponents[:, None, j] * centered_log_x[..., j], 0.0)
        amplitudes.append(log_share.sum(axis=1) / total)
    return np.stack(amplitudes, axis=1)


def _start_grid(law: Law, y: np.ndarray, weights: np.ndarray, centered_log_x: np.ndarray) -> np.ndarray:
    """(batch, n_starts, p) multi-start grid: offsets × exponent combinations, amplitudes fitted to each."""
    min_target = np.where(weights > 0, y, np.inf).min(axis=1)
    min_target = np.where(np.isfinite(min_target), min_target, 1.0)
    combos = list(itertools.product(START_OFFSET_FRACTIONS, itertools.product(START_EXPONENTS, repeat=len(law.terms))))
    starts = []
    for fraction, exponent_combo in combos:
        offset = fraction * min_target
        exponents = np.broadcast_to(np.array(exponent_combo), (len(y), len(law.terms)))
        amplitudes = _initial_amplitudes(law, offset, exponents, centered_log_x, y, weights)
        theta = np.empty((len(y), 1 + 2 * len(law.terms)))
        theta[:, 0] = offset
        theta[:, 1::2] = amplitudes
        theta[:, 2::2] = exponents
        starts.append(theta)
    return np.stack(starts, axis=1)


def to_internal(law: Law, parameters: Mapping[str, float], log_reference: np.ndarray) -> np.ndarray:
    """Public parameters -> internal theta, given the mean log covariate of each term."""
    theta = [float(parameters[law.offset])]
    for j, term in enumerate(law.terms):
        exponent = float(parameters[term.exponent])
        theta += [np.log(float(parameters[term.prefactor])) + term.sign * exponent * log_reference[j], exponent]
    return np.array(theta)


def to_public(law: Law, theta: np.ndarray, log_reference: np.ndarray) -> np.ndarray:
    """(batch, p) internal theta -> (batch, p) public parameters in law.parameter_names order."""
    public = np.array(theta, dtype=float, copy=True)
    for j, term in enumerate(law.terms):
        exponent = theta[:, 2 + 2 * j]
        with np.errstate(over="ignore"):
            public[:, 1 + 2 * j] = np.exp(theta[:, 1 + 2 * j] - term.sign * exponent * log_reference[j])
    return public


def fit_law_batch(
    law: Law | str,
    log_x: np.ndarray,
    neg_log_pass_at_k: np.ndarray,
    initial: np.ndarray | None = None,
    multi_start: bool = True,
    log_reference: np.ndarray | None = None,
) -> BatchFit:
    """Fit `law` independently to each row of `neg_log_pass_at_k`.

    log_x: (n, n_terms) or (batch, n, n_terms) natural logs of the covariates.
    neg_log_pass_at_k: (batch, n) targets; unusable entries (see `usable_targets`) are excluded.
    initial: optional (batch, p) public parameters used as an extra start (warm start); NaN rows ignored.
    multi_start: also run the start grid (off: only `initial`, for warm-started bootstrap refits).
    log_reference: mean log covariate per term used to centre; default from log_x.
    Rows with fewer usable points than parameters get NaN parameters and converged = False.
    """
    law = LAWS[law] if isinstance(law, str) else law
    y = np.atleast_2d(np.asarray(neg_log_pass_at_k, dtype=float))
    batch, n = y.shape
    log_x = np.asarray(log_x, dtype=float)
    if log_x.ndim == 2:
        log_x = log_x[None]
    if log_reference is None:
        log_reference = log_x.reshape(-1, log_x.shape[-1]).mean(axis=0)
    centered = log_x - log_reference
    weights = usable_targets(y).astype(float)
    n_points = weights.sum(axis=1).astype(int)
    safe_y = np.where(weights > 0, y, 1.0)
    log_y = np.log(safe_y)
    n_parameters = len(law.parameter_names)

    starts = []
    if multi_start or initial is None:
        starts.append(_start_grid(law, safe_y, weights, centered))
    if initial is not None:
        initial = np.atleast_2d(np.asarray(initial, dtype=float))
        warm = np.stack([to_internal(law, dict(zip(law.parameter_names, row)), log_reference) if np.all(np.isfinite(row)) else np.full(n_parameters, np.nan) for row in initial])
        fallback = _start_grid(law, safe_y, weights, centered)[:, 0]
        warm = np.where(np.isfinite(warm), warm, fallback)
        starts.append(warm[:, None, :])
    starts = np.concatenate(starts, axis=1)  # (batch, n_starts, p)
    n_starts = starts.shape[1]

    def repeat(array: np.ndarray) -> np.ndarray:
        return np.repeat(array, n_starts, axis=0)

    centered_batch = repeat(centered) if centered.shape[0] == batch and batch > 1 else centered
    theta, cost, converged = levenberg_marquardt(law, starts.reshape(-1, n_parameters), centered_batch, repeat(log_y), repeat(weights))
    cost = np.where(np.isfinite(cost), cost, np.inf).reshape(batch, n_starts)
    best = np.argmin(cost, axis=1)
    rows = np.arange(batch)
    theta = theta.reshape(batch, n_starts, n_parameters)[rows, best]
    sse = cost[rows, best]
    converged = converged.reshape(batch, n_starts)[rows, best]
    parameters = to_public(law, theta, log_reference)
    admissible = np.all(np.isfinite(parameters), axis=1) & np.all(parameters[:, 1::2] > 0, axis=1)
    too_few = n_points < n_parameters
    parameters[too_few] = np.nan
    sse = np.where(too_few, np.nan, sse)
    converged = converged & admissible & ~too_few
    return BatchFit(parameters=parameters, sse_log=sse, n_points=n_points, converged=converged)


def fit_law(
    law: str | Law,
    covariates: pd.DataFrame | Mapping[str, np.ndarray],
    neg_log_pass_at_k: Sequence[float] | np.ndarray,
    initial: Mapping[str, float] | None = None,
) -> FitResult:
    """Fit one law to one set of checkpoints (multi-start, plus `initial` as a warm start if given).

    covariates: a table with the law's covariate columns, one row per checkpoint.
    neg_log_pass_at_k: −log pass@k per row; rows with pass@k = 0, 1 or non-finite values are excluded.
    Never raises for a bad fit: a failed fit returns NaN parameters, converged = False and a message.
    """
    law = LAWS[law] if isinstance(law, str) else law
    y = np.asarray(neg_log_pass_at_k, dtype=float)
    n_excluded = int((~usable_targets(y)).sum())
    nan_parameters = {name: np.nan for name in law.parameter_names}
    try:
        log_x = log_covariates(law, covariates)
    except ValueError as error:
        return FitResult(law.name, nan_parameters, np.nan, 0, len(y), False, str(error))
    warm = None if initial is None else np.array([[initial.get(name, np.nan) for name in law.parameter_names]])
    result = fit_law_batch(law, log_x, y[None], initial=warm)
    n_points = int(result.n_points[0])
    if n_points < len(law.parameter_names):
        message = f"{n_points} usable points for {len(law.parameter_names)} parameters ({n_excluded} excluded)"
        return FitResult(law.name, nan_parameters, np.nan, n_points, n_excluded, False, message)
    parameters = dict(zip(law.parameter_names, result.parameters[0].tolist()))
    converged = bool(result.converged[0])
    message = "converged" if converged else "optimizer stopped at the iteration limit or at an inadmissible point"
    return FitResult(law.name, parameters, float(result.sse_log[0]), n_points, n_excluded, converged, message)


def fit_result_row(result: FitResult) -> dict[str, float]:
    """A FitResult as one row with every parameter of ALL_PARAMETER_NAMES (NaN where the law lacks it)."""
    row = {name: result.parameters.get(name, np.nan) for name in ALL_PARAMETER_NAMES}
    row.update(sse_log=result.sse_log, n_points=result.n_points, converged=result.converged)
    return row


# ---------------------------------------------------------------------------------------------
# Fits across the k grid and the bootstrap over problems


def fit_across_k(law: str | Law, log_x: np.ndarray, targets: np.ndarray, neighbour_passes: int = 2) -> BatchFit:
    """Point fits of `law` for every k at once.

    log_x: (n, n_terms) or (n_k, n, n_terms); targets: (n_k, n) −log pass@k per k and checkpoint.
    Each k is fit from the multi-start grid; then `neighbour_passes` times each k is refit warm-started
    from its neighbours' solutions (k below and above) and keeps whichever solution has the lower SSE,
    so a k that fell into a poor local minimum inherits the basin of its neighbours.
    """
    law = LAWS[law] if isinstance(law, str) else law
    best = fit_law_batch(law, log_x, targets)
    for _ in range(neighbour_passes):
        for shift in (1, -1):
            neighbour = np.roll(best.parameters, shift, axis=0)
            candidate = fit_law_batch(law, log_x, targets, initial=neighbour, multi_start=False)
            better = np.isfinite(candidate.sse_log) & (~np.isfinite(best.sse_log) | (candidate.sse_log < best.sse_log - 1e-12))
            best = BatchFit(
                parameters=np.where(better[:, None], candidate.parameters, best.parameters),
                sse_log=np.where(better, candidate.sse_log, best.sse_log),
                n_points=best.n_points,
                converged=np.where(better, candidate.converged, best.converged),
            )
    return best


def resample_weights(n_problems: int, n_resamples: int, seed: int) -> np.ndarray:
    """(n_resamples, n_problems) multiplicities of problems drawn with replacement (seeded)."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_problems, size=(n_resamples, n_problems))
    return np.stack([np.bincount(row, minlength=n_problems) for row in draws])


def weighted_benchmark_pass_at_k(problem_pass_at_k: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Eq. 2 under problem weights: Σ_i w_i pass_i@k / Σ_i w_i over the problems each checkpoint has.

    problem_pass_at_k: (..., n_problems) with NaN where a checkpoint lacks a problem or the estimator
    is undefined; weights: (n_resamples, n_problems). Returns (n_resamples, ...); NaN where a
    resample holds a problem whose pass@k is NaN (as Eq. 2 would be undefined) or no problem at all.
    """
    values = np.nan_to_num(problem_pass_at_k, nan=0.0)
    missing = np.isnan(problem_pass_at_k).astype(float)
    flat_values = values.reshape(-1, values.shape[-1])
    flat_missing = missing.reshape(-1, missing.shape[-1])
    weights = weights.astype(float)
    totals = weights @ flat_values.T
    counts = weights.sum(axis=1, keepdims=True)
    drawn_missing = weights @ flat_missing.T
    with np.errstate(invalid="ignore", divide="ignore"):
        means = totals / counts
    means = np.where(drawn_missing > 0, np.nan, means)
    return means.reshape((len(weights),) + problem_pass_at_k.shape[:-1])


def neg_log(pass_at_k: np.ndarray) -> np.ndarray:
    """−log pass@k, +inf where pass@k = 0 and NaN where it is NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.log(pass_at_k)


def bootstrap_across_k(
    law: str | Law,
    log_x: np.ndarray,
    resampled_targets: np.ndarray,
    point: BatchFit,
    log_reference: np.ndarray | None = None,
) -> BatchFit:
    """Refit `law` to every resample and k, warm-started from the point fit of that k.

    log_x: (n, n_terms) shared covariates, or (n_resamples, n, n_terms) when the covariate is itself
    resampled (gold likelihoods). resampled_targets: (n_resamples, n_k, n). Returns a BatchFit whose
    arrays have shape (n_resamples, n_k, ...).
    """
    law = LAWS[law] if isinstance(law, str) else law
    n_resamples, n_k, n = resampled_targets.shape
    log_x = np.asarray(log_x, dtype=float)
    if log_reference is None:
        log_reference = log_x.reshape(-1, log_x.shape[-1]).mean(axis=0)
    if log_x.ndim == 3:
        log_x = np.repeat(log_x, n_k, axis=0)  # (n_resamples * n_k, n, n_terms), resample-major like the targets
    initial = np.tile(point.parameters, (n_resamples, 1))
    fit = fit_law_batch(law, log_x, resampled_targets.reshape(-1, n), initial=initial, multi_start=False, log_reference=log_reference)
    n_parameters = point.parameters.shape[1]
    return BatchFit(
        parameters=fit.parameters.reshape(n_resamples, n_k, n_parameters),
        sse_log=fit.sse_log.reshape(n_resamples, n_k),
        n_points=fit.n_points.reshape(n_resamples, n_k),
        converged=fit.converged.reshape(n_resamples, n_k),
    )


def summarize_fits(
    law: str | Law,
    ks: Sequence[int],
    point: BatchFit,
    replicates: BatchFit | None,
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """One row per k: the point parameters, their bootstrap SE and quantiles, SSE, points, convergence.

    Columns: law, k, every name of ALL_PARAMETER_NAMES (NaN where the law lacks it), then `<name>_se`,
    `<name>_q05`, `<name>_q95` (labels follow `quantiles`), sse_log, n_points, converged,
    n_resamples_converged. SE and quantiles use the converged resamples only.
    """
    law = LAWS[law] if isinstance(law, str) else law
    low_label, high_label = (f"q{round(100 * q):02d}" for q in quantiles)
    table = pd.DataFrame({"law": law.name, "k": np.asarray(ks, dtype=np.int64)})
    for name in ALL_PARAMETER_NAMES:
        table[name] = point.parameters[:, law.parameter_names.index(name)] if name in law.parameter_names else np.nan
    for suffix in ("se", low_label, high_label):
        for name in ALL_PARAMETER_NAMES:
            table[f"{name}_{suffix}"] = np.nan
    n_converged = np.zeros(len(table), dtype=np.int64)
    if replicates is not None:
        values = np.where(replicates.converged[..., None], replicates.parameters, np.nan)  # (B, n_k, p)
        n_converged = replicates.converged.sum(axis=0)
        enough = n_converged >= 2
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a k without converged resamples is all-NaN
            se = np.nanstd(values, axis=0, ddof=1)
            low = np.nanquantile(values, quantiles[0], axis=0)
            high = np.nanquantile(values, quantiles[1], axis=0)
        for index, name in enumerate(law.parameter_names):
            table[f"{name}_se"] = np.where(enough, se[:, index], np.nan)
            table[f"{name}_{low_label}"] = np.where(enough, low[:, index], np.nan)
            table[f"{name}_{high_label}"] = np.where(enough, high[:, index], np.nan)
    table["sse_log"] = point.sse_log
    table["n_points"] = point.n_points.astype(np.int64)
    table["converged"] = point.converged.astype(bool)
    table["n_resamples_converged"] = n_converged
    return table



# ---------------------------------------------------------------------------------------------
# One benchmark and estimator: tables in, fits and bootstrap summaries out

FITS_KEY_COLUMNS = ["law", "estimator", "k"]
FIT_STATUS_COLUMNS = ["sse_log", "n_points", "converged"]
CHECKPOINT_KEY = ["size", "step"]


def fits_columns(quantiles: tuple[float, float] = (0.05, 0.95)) -> list[str]:
    """The columns of fits.csv in order: keys, parameters, their _se, _qLL, _qHH, then the fit status."""
    low, high = (f"q{round(100 * q):02d}" for q in quantiles)
    names = list(ALL_PARAMETER_NAMES)
    return FITS_KEY_COLUMNS + names + [f"{name}_{suffix}" for suffix in ("se", low, high) for name in names] + FIT_STATUS_COLUMNS


@dataclass(frozen=True)
class BenchmarkData:
    """Everything a benchmark's fits need, as aligned arrays.

    checkpoints: every checkpoint in the pass@k table (size, step, params, tokens, compute, excluded).
    ks: the k grid. targets: (n_k, n_checkpoints) −log pass@k of the pass@k table (Eq. 2).
    problems: problem ids. problem_pass_at_k: (n_k, n_checkpoints, n_problems), NaN where a checkpoint
    lacks a problem or the estimator is undefined.
    gold_nll: (n_checkpoints, n_problems) gold NLLs, NaN where absent; None when the benchmark has none.
    """

    checkpoints: pd.DataFrame
    ks: np.ndarray
    targets: np.ndarray
    problems: np.ndarray
    problem_pass_at_k: np.ndarray
    gold_nll: np.ndarray | None = None


def benchmark_data(
    pass_at_k: pd.DataFrame,
    problem_pass_at_k: pd.DataFrame,
    checkpoints: pd.DataFrame,
    estimator: str,
    gold: pd.DataFrame | None = None,
) -> BenchmarkData:
    """Align one estimator's benchmark and per-problem pass@k with the checkpoint registry.

    pass_at_k: the pass_at_k.csv contract; problem_pass_at_k: the problem_pass_at_k.parquet contract;
    checkpoints: scalingrepro.generative.pythia.checkpoint_table (gives `excluded`); gold: optional
    scalingrepro.generative.likelihood.load_gold_neg_log_likelihood table.
    Checkpoints are those present in pass_at_k, in registry order.
    """
    benchmark = pass_at_k[pass_at_k["estimator"] == estimator]
    problem_table = problem_pass_at_k[problem_pass_at_k["estimator"] == estimator]
    present = benchmark[CHECKPOINT_KEY].drop_duplicates()
    present = present.assign(size=present["size"].astype(str), step=present["step"].astype(np.int64))
    registry = checkpoints.assign(size=checkpoints["size"].astype(str), step=checkpoints["step"].astype(np.int64))
    ordered = registry.merge(present, on=CHECKPOINT_KEY, how="inner").reset_index(drop=True)
    ks = np.sort(benchmark["k"].unique()).astype(np.int64)
    checkpoint_index = pd.MultiIndex.from_frame(ordered[CHECKPOINT_KEY])

    targets = (
        benchmark.assign(size=benchmark["size"].astype(str), step=benchmark["step"].astype(np.int64))
        .pivot_table(index=CHECKPOINT_KEY, columns="k", values="neg_log_pass_at_k", aggfunc="first", dropna=False)
        .reindex(index=checkpoint_index, columns=ks)
        .to_numpy(dtype=float)
        .T
    )
    problems = np.sort(problem_table["problem_idx"].unique()).astype(np.int64)
    k_position = pd.Index(ks).get_indexer(problem_table["k"])
    checkpoint_position = checkpoint_index.get_indexer(pd.MultiIndex.from_arrays([problem_table["size"].astype(str), problem_table["step"].astype(np.int64)]))
    problem_position = pd.Index(problems).get_indexer(problem_table["problem_idx"])
    keep = (k_position >= 0) & (checkpoint_position >= 0)
    array = np.full((len(ks), len(ordered), len(problems)), np.nan)
    array[k_position[keep], checkpoint_position[keep], problem_position[keep]] = problem_table["pass_at_k"].to_numpy(dtype=float)[keep]

    gold_nll = None
    if gold is not None:
        gold_nll = gold_matrix(gold, ordered, problems)
    return BenchmarkData(ordered, ks, targets, problems, array, gold_nll)


def law_columns(law: Law, data: BenchmarkData, apply_exclusions: bool) -> np.ndarray:
    """Indices of the checkpoints a law is fit to: not excluded (if applied) and, for the gold law,
    with a gold likelihood for every benchmark problem."""
    keep = np.ones(len(data.checkpoints), dtype=bool)
    if apply_exclusions:
        keep &= ~data.checkpoints["excluded"].to_numpy(dtype=bool)
    if any(term.covariate == GOLD_COVARIATE_NAME for term in law.terms):
        if data.gold_nll is None:
            return np.array([], dtype=int)
        keep &= np.isfinite(data.gold_nll).all(axis=1)
    return np.flatnonzero(keep)


def law_log_covariates(law: Law, data: BenchmarkData, columns: np.ndarray, gold_aggregate: str, weights: np.ndarray | None = None) -> np.ndarray:
    """(n, n_terms) log covariates of the chosen checkpoints, or (n_resamples, n, n_terms) when
    `weights` resample problems and the law's covariate depends on them (the gold likelihood)."""
    covariates = {name: data.checkpoints[name].to_numpy(dtype=float)[columns] for name in ("compute", "params", "tokens")}
    if GOLD_COVARIATE_NAME in law.covariates:
        gold = aggregate_neg_log_gold_prob(data.gold_nll[columns], gold_aggregate, weights)
        if weights is not None:
            return np.log(gold)[..., None]
        covariates[GOLD_COVARIATE_NAME] = gold
    return log_covariates(law, covariates)


def resampled_targets(data: BenchmarkData, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(n_resamples, n_k, n) −log pass@k recomputed from problem resamples; NaN wherever the point
    target is unusable, so every resample is fit to the same checkpoints as the point fit."""
    resampled = neg_log(weighted_benchmark_pass_at_k(data.problem_pass_at_k[:, columns, :], weights))
    return np.where(usable_targets(data.targets[:, columns])[None], resampled, np.nan)


def fit_benchmark(
    data: BenchmarkData,
    laws: Sequence[str],
    estimator: str,
    n_resamples: int,
    seed: int,
    quantiles: tuple[float, float] = (0.05, 0.95),
    gold_aggregate: str = "mean_log_likelihood",
    apply_exclusions: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit every law at every k with the bootstrap over problems.

    Returns (fits, diagnostics): fits has the columns of `fits_columns(quantiles)`; diagnostics has
    law, estimator, k, n_points, n_points_excluded, n_resamples, n_resamples_converged, n_checkpoints.
    Laws without data (the gold law where no gold likelihoods exist) are skipped.
    """
    weights = resample_weights(len(data.problems), n_resamples, seed) if n_resamples > 0 else None
    fits, diagnostics = [], []
    for name in laws:
        law = LAWS[name]
        columns = law_columns(law, data, apply_exclusions)
        if len(columns) == 0:
            continue
        log_x = law_log_covariates(law, data, columns, gold_aggregate)
        log_reference = log_x.mean(axis=0)
        point = fit_across_k(law, log_x, data.targets[:, columns])
        replicates = None
        if weights is not None:
            replicate_log_x = law_log_covariates(law, data, columns, gold_aggregate, weights) if GOLD_COVARIATE_NAME in law.covariates else log_x
            replicates = bootstrap_across_k(law, replicate_log_x, resampled_targets(data, columns, weights), point, log_reference)
        summary = summarize_fits(law, data.ks, point, replicates, quantiles)
        summary.insert(1, "estimator", estimator)
        fits.append(summary[fits_columns(quantiles)])
        diagnostics.append(
            pd.DataFrame(
                {
                    "law": law.name,
                    "estimator": estimator,
                    "k": data.ks,
                    "n_checkpoints": len(columns),
                    "n_points": point.n_points,
                    "n_points_excluded": len(columns) - point.n_points,
                    "n_resamples": n_resamples,
                    "n_resamples_converged": summary["n_resamples_converged"].to_numpy(),
                }
            )
        )
    return pd.concat(fits, ignore_index=True), pd.concat(diagnostics, ignore_index=True)


def fit_variants(
    data: BenchmarkData,
    laws: Sequence[str],
    estimator: str,
    gold_aggregate: str,
    apply_exclusions: bool,
) -> pd.DataFrame:
    """Point fits (no bootstrap) under the configured choices and their alternatives.

    variant `configured`: as fits.csv; `exclusions_toggled`: with the checkpoint exclusions switched
    (off when configured on); `gold_aggregate_toggled`: the gold law under the other aggregate.
    Columns: variant, apply_exclusions, gold_aggregate, law, estimator, k, parameters, sse_log, n_points, converged.
    """
    other_aggregate = next(name for name in AGGREGATES if name != gold_aggregate)
    settings = [
        ("configured", apply_exclusions, gold_aggregate, laws),
        ("exclusions_toggled", not apply_exclusions, gold_aggregate, laws),
        ("gold_aggregate_toggled", apply_exclusions, other_aggregate, [name for name in laws if GOLD_COVARIATE_NAME in LAWS[name].covariates]),
    ]
    rows = []
    for variant, exclusions, aggregate, variant_laws in settings:
        for name in variant_laws:
            law = LAWS[name]
            columns = law_columns(law, data, exclusions)
            if len(columns) == 0:
                continue
            point = fit_across_k(law, law_log_covariates(law, data, columns, aggregate), data.targets[:, columns])
            summary = summarize_fits(law, data.ks, point, None)
            summary = summary[["law", "k", *ALL_PARAMETER_NAMES, *FIT_STATUS_COLUMNS]]
            summary.insert(0, "gold_aggregate", aggregate if GOLD_COVARIATE_NAME in law.covariates else "")
            summary.insert(0, "apply_exclusions", exclusions)
            summary.insert(0, "variant", variant)
            summary.insert(4, "estimator", estimator)
            rows.append(summary)
    return pd.concat(rows, ignore_index=True)


def point_target_discrepancy(data: BenchmarkData) -> float:
    """Largest |Eq. 2 recomputed from the per-problem table − benchmark pass@k table| (a consistency check)."""
    recomputed = weighted_benchmark_pass_at_k(data.problem_pass_at_k, np.ones((1, len(data.problems))))[0]
    with np.errstate(invalid="ignore"):
        difference = np.abs(recomputed - np.exp(-data.targets))
    return float(np.nanmax(difference)) if np.isfinite(difference).any() else 0.0
