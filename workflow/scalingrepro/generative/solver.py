"""The batched, bound-respecting Levenberg–Marquardt solver of paper G's scaling-law fits.

Objective: the sum of squared residuals log(predicted −log pass@k) − log(observed −log pass@k)
over the checkpoints with a usable target (the targets span orders of magnitude). Points with
pass@k = 0 (−log pass@k infinite), pass@k = 1 (log of 0) or any non-finite value get weight 0.

Many fits of the same law over the same checkpoints (multi-start, every k, every bootstrap
resample, every backtest cap) run as one array computation. Internally each power term is written
exp(a_j + s_j·e_j·(log x_j − m_j)) with m_j the mean log covariate, which decorrelates the log
prefactor a_j from the exponent e_j; the public prefactor is exp(a_j − s_j·e_j·m_j).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .laws import LAWS, MAX_EXPONENT, MIN_EXPONENT, Law

# Starting exponents of the multi-start grid (log-spaced over the range seen in scaling laws).
START_EXPONENTS = (0.03, 0.1, 0.3, 1.0, 3.0)
# Starting offsets as fractions of the smallest target (irreducible error below every point).
START_OFFSET_FRACTIONS = (0.0, 0.5, 0.9)
MAX_ITERATIONS = 300
RELATIVE_COST_TOLERANCE = 1e-10
ABSOLUTE_COST_TOLERANCE = 1e-14
MAX_DAMPING = 1e12
LOG_AMPLITUDE_LIMIT = 300.0  # keeps exp() finite while the optimizer explores


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


def _screen_starts(
    law: Law, starts: np.ndarray, centered: np.ndarray, log_y: np.ndarray, weights: np.ndarray, screening: tuple[int, int]
) -> tuple[np.ndarray, int]:
    """(batch, kept, p) the `kept` starts per row with the lowest SSE after `iterations` iterations
    (their iterates, from which the full fit continues), and `kept`."""
    iterations, kept = screening
    batch, n_starts, n_parameters = starts.shape
    shared = centered if centered.shape[0] == 1 or batch == 1 else np.repeat(centered, n_starts, axis=0)
    theta, cost, _ = levenberg_marquardt(
        law, starts.reshape(-1, n_parameters), shared, np.repeat(log_y, n_starts, axis=0), np.repeat(weights, n_starts, axis=0), max_iterations=iterations
    )
    cost = np.where(np.isfinite(cost), cost, np.inf).reshape(batch, n_starts)
    best = np.argsort(cost, axis=1, kind="stable")[:, :kept]
    return theta.reshape(batch, n_starts, n_parameters)[np.arange(batch)[:, None], best], kept


def fit_law_batch(
    law: Law | str,
    log_x: np.ndarray,
    neg_log_pass_at_k: np.ndarray,
    initial: np.ndarray | None = None,
    multi_start: bool = True,
    log_reference: np.ndarray | None = None,
    screening: tuple[int, int] | None = None,
) -> BatchFit:
    """Fit `law` independently to each row of `neg_log_pass_at_k`.

    log_x: (n, n_terms) or (batch, n, n_terms) natural logs of the covariates.
    neg_log_pass_at_k: (batch, n) targets; unusable entries (see `usable_targets`) are excluded.
    initial: optional (batch, p) public parameters used as an extra start (warm start); NaN rows ignored.
    multi_start: also run the start grid (off: only `initial`, for warm-started bootstrap refits).
    log_reference: mean log covariate per term used to centre; default from log_x.
    screening: (iterations, kept): run every start for `iterations`, then only each row's `kept`
    lowest-SSE starts to convergence (default None: every start to convergence).
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
    if screening is not None and n_starts > screening[1]:
        starts, n_starts = _screen_starts(law, starts, centered, log_y, weights, screening)

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
