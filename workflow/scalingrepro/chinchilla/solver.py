"""The Chinchilla parametric fit's solver (Besiroglu et al. 2024 method), batched.

Model (Eq. 4 in log space): log L = LSE(a − α log N, b − β log D, e) with A = eᵃ, B = eᵇ,
E = eᵉ. Internally a parameter vector is theta = (a, b, e, alpha, beta).

- Point estimate: maximum likelihood under a Huber error density (δ on standardized
  log-loss residuals) with a free scale σ. Since ρ_δ(r/σ) = ρ_{δσ}(r)/σ², the likelihood in
  theta at fixed σ is a plain Huber fit with threshold δσ; we alternate that fit with the
  one-dimensional scale update until both stop moving.
- Bootstrap: resamples of the kept runs are multinomial count vectors over the runs, so all
  resamples are one stacked weighted problem, refit by minimizing the Huber loss (δ) on
  log-loss residuals with a batched semismooth-Newton / IRLS solver. The solver treats E ≥ 0
  as a bound, so fits whose minimum lies at E = 0 (common under strong count noise) converge
  there (e = −inf) instead of crawling towards it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import Sequence

import numpy as np

# scipy is imported where it is used: importing this module (as the workflow does when it is
# parsed, and every notebook) then does not pay for scipy.optimize and scipy.stats.

THETA_NAMES = ("a", "b", "e", "alpha", "beta")
PARAMETER_NAMES = ("E", "A", "alpha", "B", "beta")  # column order of the result tables
LOG_SCALE_BOUNDS = (-40.0, 5.0)  # log σ search interval of the likelihood's scale update

@dataclass(frozen=True)
class FitData:
    """Log parameter counts, log tokens and log losses of the runs that enter a fit (1-D arrays)."""

    log_n: np.ndarray
    log_d: np.ndarray
    log_loss: np.ndarray

    @property
    def n_runs(self) -> int:
        return len(self.log_loss)

    @cached_property
    def term_designs(self) -> tuple[np.ndarray, np.ndarray]:
        """(2, n) matrices M, D with theta[:, (a, alpha)] @ M = a − α log N and
        theta[:, (b, beta)] @ D = b − β log D: one small matrix product per block of problems
        is several times faster than broadcasting."""
        ones = np.ones(self.n_runs)
        return np.stack([ones, -self.log_n]), np.stack([ones, -self.log_d])


@dataclass(frozen=True)
class BatchFit:
    """Result of a batched Huber fit: theta (B, 5), objective (B,), converged (B,), iterations (B,).

    A fit at the E = 0 boundary has e = −inf in theta (untransform gives E = 0)."""

    theta: np.ndarray
    objective: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray


@dataclass(frozen=True)
class PointFit:
    """Maximum-likelihood point estimate: theta (5,), log scale, negative log-likelihood, success."""

    theta: np.ndarray
    log_scale: float
    negative_log_likelihood: float
    converged: bool


# ---------------------------------------------------------------------------------------------
# Data


def fit_data(parameters: np.ndarray, tokens: np.ndarray, loss: np.ndarray) -> FitData:
    """FitData from positive parameter counts, token counts and losses (1-D arrays)."""
    return FitData(
        log_n=np.log(np.asarray(parameters, dtype=float)),
        log_d=np.log(np.asarray(tokens, dtype=float)),
        log_loss=np.log(np.asarray(loss, dtype=float)),
    )


def theta_from_parameters(A: float, B: float, E: float, alpha: float, beta: float) -> np.ndarray:
    """(a, b, e, alpha, beta) from the untransformed parameters."""
    return np.array([np.log(A), np.log(B), np.log(E), alpha, beta], dtype=float)


def untransform(theta: np.ndarray) -> np.ndarray:
    """(..., 5) theta -> (..., 5) parameters in PARAMETER_NAMES order (E, A, alpha, B, beta)."""
    theta = np.asarray(theta, dtype=float)
    return np.stack([np.exp(theta[..., 2]), np.exp(theta[..., 0]), theta[..., 3], np.exp(theta[..., 1]), theta[..., 4]], axis=-1)


# ---------------------------------------------------------------------------------------------
# Model and loss


def predict_log_loss(theta: np.ndarray, data: FitData) -> np.ndarray:
    """log L̂ for (B, 5) theta over the runs: a (B, n) array (stable log-sum-exp)."""
    return _prediction_terms(np.atleast_2d(theta), data)[0]


def _prediction_terms(theta: np.ndarray, data: FitData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """log L̂ (B, n) and the softmax weights of the three terms (the Jacobian needs them)."""
    model_term = theta[:, 0, None] - theta[:, 3, None] * data.log_n
    data_term = theta[:, 1, None] - theta[:, 4, None] * data.log_d
    constant_term = theta[:, 2, None]
    largest = np.maximum(np.maximum(model_term, data_term), constant_term)
    exp_model = np.exp(model_term - largest)
    exp_data = np.exp(data_term - largest)
    exp_constant = np.exp(constant_term - largest)
    total = exp_model + exp_data + exp_constant
    return largest + np.log(total), exp_model / total, exp_data / total, exp_constant / total


def huber(residuals: np.ndarray, delta: float) -> np.ndarray:
    """Huber's ρ_δ elementwise: r²/2 inside [−δ, δ], δ(|r| − δ/2) outside."""
    magnitude = np.abs(residuals)
    return np.where(magnitude <= delta, 0.5 * residuals**2, delta * (magnitude - 0.5 * delta))


def huber_objective(theta: np.ndarray, data: FitData, delta: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Σ_i w_i ρ_δ(log L̂_i − log L_i) for (B, 5) theta; weights (B, n), (n,) or None (all 1). Returns (B,)."""
    residuals = predict_log_loss(theta, data) - data.log_loss
    losses = huber(residuals, delta)
    if weights is not None:
        losses = losses * weights
    return losses.sum(axis=-1)


def huber_log_normalizer(delta: float) -> float:
    """log of the normalizing constant of the unit-scale Huber density exp(−ρ_δ(x))."""
    from scipy.stats import norm  # noqa: PLC0415 (see the note on imports above)

    return float(np.log(np.sqrt(2 * np.pi) * (1 - 2 * norm.sf(delta)) + 2 * np.exp(-0.5 * delta**2) / delta))


def huber_negative_log_likelihood(theta: np.ndarray, log_scale: float, data: FitData, delta: float) -> float:
    """−log-likelihood of the log losses under the Huber density with scale e^log_scale."""
    residuals = predict_log_loss(theta, data)[0] - data.log_loss
    standardized = residuals / np.exp(log_scale)
    return float(huber(standardized, delta).sum() + data.n_runs * (huber_log_normalizer(delta) + log_scale))


# ---------------------------------------------------------------------------------------------
# Batched Huber minimization


def fit_huber_batched(
    start: np.ndarray,
    data: FitData,
    delta: float,
    weights: np.ndarray | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-10,
    max_backtracks: int = 20,
) -> BatchFit:
    """Minimize Σ w ρ_δ(residual) for B stacked problems sharing the runs in `data`.

    start: (B, 5) starting thetas; weights: (B, n) counts per run (bootstrap) or None.
    Each iteration takes a semismooth-Newton step (curvature from the residuals inside the
    Huber threshold; fast once that set is right) with a backtracking line search; where that
    step needs shortening or fails, an IRLS step (the majorizer ρ'(r)/r, always a descent
    direction) is tried too and the better decrease kept. Each direction's line search starts
    from its previous step length grown by STEP_GROWTH (the full step while steps are not
    cut). A problem stops when its objective falls by no more than 1e-13 relative, or its
    step is below `tolerance`; problems stop independently (the active set shrinks).

    The irreducible loss is optimized as E itself under E ≥ 0 (projected Newton with E held
    at 0 while the objective rises with E), not as e = log E: where the minimum lies at
    E = 0, e would only drift towards −∞ with ever smaller effect and never converge. Such a
    fit returns e = −inf (E = 0). Returns a BatchFit; `converged` is False where the
    iteration cap was hit or a parameter is not finite.
    """
    theta = np.array(np.atleast_2d(start), dtype=float)
    with np.errstate(over="ignore"):
        theta[:, 2] = np.exp(theta[:, 2])
    n_problems, n_runs = len(theta), data.n_runs
    counts = np.ones((n_problems, n_runs)) if weights is None else np.broadcast_to(np.asarray(weights, dtype=float), (n_problems, n_runs))
    objective = _weighted_huber(theta, data, delta, counts)
    converged = np.zeros(n_problems, dtype=bool)
    iterations = np.zeros(n_problems, dtype=int)
    # Each problem's first trial step of the next line search, per direction (Newton, IRLS).
    newton_start, irls_start = np.ones(n_problems), np.ones(n_problems)
    active = np.flatnonzero(np.isfinite(objective))
    for _ in range(max_iterations):
        if len(active) == 0:
            break
        current, current_counts, current_objective = theta[active], counts[active], objective[active]
        gradient, newton_curvature, irls_curvature = _huber_derivatives(current, data, delta, current_counts)
        at_bound = (current[:, 2] <= 0.0) & (gradient[:, 2] > 0.0)
        newton = _line_search(current, gradient, newton_curvature, at_bound, current_objective, data, delta, current_counts, max_backtracks, tolerance, newton_start[active])
        newton_start[active] = newton.next_first_fraction
        best_theta, best_objective, best_step = newton.theta, newton.objective, newton.step_length
        shortened = np.flatnonzero(newton.fraction < 1.0)
        if len(shortened):
            irls = _line_search(
                current[shortened],
                gradient[shortened],
                irls_curvature[shortened],
                at_bound[shortened],
                current_objective[shortened],
                data,
                delta,
                current_counts[shortened],
                max_backtracks,
                tolerance,
                irls_start[active[shortened]],
            )
            irls_start[active[shortened]] = irls.next_first_fraction
            better = irls.objective < best_objective[shortened]
            best_theta[shortened[better]] = irls.theta[better]
            best_objective[shortened[better]] = irls.objective[better]
            best_step[shortened[better]] = irls.step_length[better]
        improved = best_objective < current_objective
        best_objective = np.where(improved, best_objective, current_objective)
        best_theta[~improved] = current[~improved]
        theta[active], objective[active] = best_theta, best_objective
        iterations[active] += 1
        stalled = (current_objective - best_objective <= 1e-13 * np.abs(current_objective)) | (best_step < tolerance)
        converged[active[stalled]] = True
        active = active[~stalled]
    with np.errstate(divide="ignore", invalid="ignore"):
        theta[:, 2] = np.log(theta[:, 2])
    converged &= np.isfinite(objective) & np.isfinite(np.delete(theta, 2, axis=1)).all(axis=1) & (theta[:, 2] < np.inf)
    return BatchFit(theta=theta, objective=objective, converged=converged, iterations=iterations)


# Rows per block in the batched kernels: a block's temporaries (a few (rows, n) arrays) stay in
# cache, which is several times faster than whole-batch temporaries of tens of MB.
BLOCK_ROWS = 128
DERIVATIVE_BLOCK_ROWS = 32  # the derivatives' ~16 (rows, n) arrays fit in L2 at this size
# A line search starts at STEP_GROWTH × the previous iteration's last fraction (at most the full
# step): where the step had to be cut by orders of magnitude, as in the flat valleys of strongly
# perturbed data, it is not cut from the full step again at every iteration.
STEP_GROWTH = 10.0
MODEL_TERM, DATA_TERM = [0, 3], [1, 4]  # theta columns (a, alpha) and (b, beta)
# Share of the IRLS majorizer added to the Newton curvature, so that the matrix stays
# invertible when fewer than five residuals lie inside the Huber threshold.
NEWTON_IRLS_SHARE = 1e-2


# The kernels below take "linear" thetas (a, b, E, alpha, beta): column 2 is E ≥ 0 itself.


def _weighted_huber(theta: np.ndarray, data: FitData, delta: float, counts: np.ndarray) -> np.ndarray:
    """Σ_i counts_i ρ_δ(r_i) per row of linear thetas; +inf where not finite.

    log L̂ is computed without the max shift: fitted terms are O(1), and an overflowing trial
    point only yields an infinite objective, which the line search rejects.
    """
    total = np.empty(len(theta))
    model_design, data_design = data.term_designs
    with np.errstate(all="ignore"):
        for start in range(0, len(theta), BLOCK_ROWS):
            block = slice(start, start + BLOCK_ROWS)
            rows = theta[block]
            prediction = np.exp(rows[:, MODEL_TERM] @ model_design)
            data_term = np.exp(rows[:, DATA_TERM] @ data_design)
            prediction += data_term
            prediction += rows[:, 2, None]
            magnitude = np.log(prediction, out=prediction)
            magnitude -= data.log_loss
            np.abs(magnitude, out=magnitude)
            # ρ_δ(r) = m(|r| − m/2) with m = min(|r|, δ) covers both branches in one pass
            # (r²/2 inside the threshold, δ(|r| − δ/2) outside).
            clipped = np.minimum(magnitude, delta, out=data_term)
            magnitude -= 0.5 * clipped
            magnitude *= clipped
            total[block] = np.einsum("bn,bn->b", counts[block], magnitude)
    return np.where(np.isfinite(total), total, np.inf)


def _huber_derivatives(theta: np.ndarray, data: FitData, delta: float, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At linear thetas: gradient (B, 5) and the semismooth-Newton and IRLS Gauss-Newton
    curvatures (B, 5, 5).

    Only called at points with a finite objective, so the unshifted terms do not overflow.
    """
    n_problems, n_runs = len(theta), data.n_runs
    products = np.empty((n_problems, 5, 11))
    negative_log_n, negative_log_d = -data.log_n, -data.log_d
    model_design, data_design = data.term_designs
    with np.errstate(all="ignore"):
        for start in range(0, n_problems, DERIVATIVE_BLOCK_ROWS):
            block = slice(start, start + DERIVATIVE_BLOCK_ROWS)
            rows, weights = theta[block], counts[block]
            # Rows of the transposed Jacobian of log L̂ = log(A N^−α + B D^−β + E): the shares
            # of the model and data terms (∂/∂a, ∂/∂b), 1/L̂ (∂/∂E), then ∂/∂alpha =
            # −share_N log N and ∂/∂beta = −share_D log D. Stored as (5, rows, n) so that every
            # elementwise pass runs over one contiguous array.
            jacobian = np.empty((5, len(rows), n_runs))
            model_share, data_share, inverse = jacobian[0], jacobian[1], jacobian[2]
            np.matmul(rows[:, MODEL_TERM], model_design, out=model_share)
            np.exp(model_share, out=model_share)
            np.matmul(rows[:, DATA_TERM], data_design, out=data_share)
            np.exp(data_share, out=data_share)
            total = model_share + data_share
            total += rows[:, 2, None]
            np.divide(1.0, total, out=inverse)
            model_share *= inverse
            data_share *= inverse
            np.multiply(model_share, negative_log_n, out=jacobian[3])
            np.multiply(data_share, negative_log_d, out=jacobian[4])
            residuals = np.log(total, out=total)
            residuals -= data.log_loss
            magnitude = np.abs(residuals)
            # IRLS weight min(1, δ/|r|) = δ / max(|r|, δ): exactly 1 inside the threshold.
            irls_weights = np.maximum(magnitude, delta, out=magnitude)
            np.divide(delta, irls_weights, out=irls_weights)
            # Newton: unit curvature inside the threshold plus a small share of the IRLS majorizer.
            newton_weights = np.where(irls_weights == 1.0, 1.0 + NEWTON_IRLS_SHARE, NEWTON_IRLS_SHARE * irls_weights)
            irls_weights *= weights
            newton_weights *= weights
            # One batched product gives J^T ψ and both J^T W J (rows: ψ, then 5 + 5 weighted copies of J).
            right = np.empty((11, len(rows), n_runs))
            np.clip(residuals, -delta, delta, out=right[0])
            right[0] *= weights
            np.multiply(jacobian, newton_weights, out=right[1:6])
            np.multiply(jacobian, irls_weights, out=right[6:11])
            np.matmul(jacobian.transpose(1, 0, 2), right.transpose(1, 2, 0), out=products[block])
    return products[..., 0], products[..., 1:6], products[..., 6:11]


def _solve_batched(matrices: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Solve each 5×5 system; a singular or non-finite one gets a zero step (its problem then stops)."""
    finite = np.flatnonzero(np.isfinite(matrices).all(axis=(1, 2)) & np.isfinite(vectors).all(axis=1))
    solutions = np.zeros_like(vectors)
    try:
        solutions[finite] = np.linalg.solve(matrices[finite], vectors[finite][..., None])[..., 0]
    except np.linalg.LinAlgError:
        # An exactly singular matrix has a zero pivot, so a zero determinant: only those take
        # the least-squares (pseudo-inverse) route; the rest are still solved in one batch.
        with np.errstate(all="ignore"):
            singular = np.linalg.det(matrices[finite]) == 0
        regular, irregular = finite[~singular], finite[singular]
        solutions[regular] = np.linalg.solve(matrices[regular], vectors[regular][..., None])[..., 0]
        solutions[irregular] = (np.linalg.pinv(matrices[irregular]) @ vectors[irregular][..., None])[..., 0]
    return solutions


@dataclass(frozen=True)
class LineSearch:
    """Outcome of one batched line search, per problem: the trial point and its objective, the
    step taken (max |Δθ|) and its fraction of the full step (0 where no decrease was found), and
    the last fraction tried."""

    theta: np.ndarray
    objective: np.ndarray
    step_length: np.ndarray
    fraction: np.ndarray
    last_fraction: np.ndarray

    @property
    def next_first_fraction(self) -> np.ndarray:
        """Where the next search along this kind of direction starts: the last fraction tried,
        grown by STEP_GROWTH, at most the full step."""
        return np.minimum(1.0, STEP_GROWTH * self.last_fraction)


def _line_search(
    theta: np.ndarray,
    gradient: np.ndarray,
    curvature: np.ndarray,
    at_bound: np.ndarray,
    objective: np.ndarray,
    data: FitData,
    delta: float,
    counts: np.ndarray,
    max_backtracks: int,
    tolerance: float,
    first_fraction: np.ndarray,
) -> LineSearch:
    """Projected step along −curvature⁻¹·gradient (E fixed where `at_bound`), backtracking each
    problem until its objective decreases.

    The first trial is `first_fraction` of the full step (1 unless the previous iteration had
    to cut its step by more than STEP_GROWTH). Every trial point is projected onto E ≥ 0. A
    rejected step length t is replaced by the minimizer of the quadratic through f(0), f'(0)
    and f(t), kept within [t/10, t/2] (safeguarded backtracking): far fewer trials than
    halving when the full step overshoots by orders of magnitude. A problem stops
    backtracking once its step would fall below `tolerance` (any step that short ends its fit
    anyway) and then counts as failed.
    """
    # Holding E: drop its row and column from the system (a unit pivot and a zero right side).
    curvature, gradient_free = curvature.copy(), gradient.copy()
    curvature[at_bound, 2, :] = 0.0
    curvature[at_bound, :, 2] = 0.0
    curvature[at_bound, 2, 2] = 1.0
    gradient_free[at_bound, 2] = 0.0
    direction = -_solve_batched(curvature, gradient_free)
    direction = np.where(np.isfinite(direction), direction, 0.0)
    slope = np.einsum("bi,bi->b", gradient_free, direction)  # f'(0) along the direction
    full_step = np.abs(_project(theta + direction) - theta).max(axis=1)
    # A warm-started first trial is kept at least 1000 × tolerance long, so that a short first
    # trial cannot end a fit through the step criterion.
    with np.errstate(divide="ignore"):
        fraction = np.maximum(first_fraction, np.minimum(1.0, 1e3 * tolerance / full_step))
    candidate = _project(theta + fraction[:, None] * direction)
    candidate_objective = _weighted_huber(candidate, data, delta, counts)
    for _ in range(max_backtracks):
        failed = np.flatnonzero(~(candidate_objective < objective))
        shorter = _backtracked_fraction(fraction[failed], objective[failed], candidate_objective[failed], slope[failed])
        long_enough = shorter * full_step[failed] >= tolerance
        failed, shorter = failed[long_enough], shorter[long_enough]
        if len(failed) == 0:
            break
        fraction[failed] = shorter
        candidate[failed] = _project(theta[failed] + fraction[failed, None] * direction[failed])
        candidate_objective[failed] = _weighted_huber(candidate[failed], data, delta, counts[failed])
    last_fraction = fraction.copy()
    fraction[~(candidate_objective < objective)] = 0.0
    return LineSearch(theta=candidate, objective=candidate_objective, step_length=fraction * full_step, fraction=fraction, last_fraction=last_fraction)


def _project(theta: np.ndarray) -> np.ndarray:
    """Linear thetas with E clipped to E ≥ 0 (in place; returns the array)."""
    np.maximum(theta[:, 2], 0.0, out=theta[:, 2])
    return theta


def _backtracked_fraction(fraction: np.ndarray, objective: np.ndarray, trial_objective: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Next step length after `fraction` was rejected: the quadratic interpolant's minimizer in [t/10, t/2].

    The quadratic q(s) = f(0) + f'(0)s + c s² passes through f(t); its minimizer is
    −f'(0)/(2c). An infinite trial value gives t/10; a non-descent slope gives t/2.
    """
    with np.errstate(all="ignore"):
        excess = trial_objective - objective - slope * fraction  # c t² ≥ 0 for a descent direction
        proposal = -slope * fraction**2 / (2.0 * excess)
    proposal = np.where(np.isnan(proposal) | (slope >= 0), 0.5 * fraction, proposal)
    return np.clip(proposal, 0.1 * fraction, 0.5 * fraction)


# ---------------------------------------------------------------------------------------------
# Point estimate


def start_grid(grid: dict[str, Sequence[float]]) -> np.ndarray:
    """All combinations of starting values: grid maps each of THETA_NAMES to its values. (K, 5)."""
    return np.array(list(product(*(grid[name] for name in THETA_NAMES))), dtype=float)


def fit_point_estimate(
    data: FitData,
    delta: float,
    published_start: np.ndarray,
    grid_starts: np.ndarray,
    max_iterations: int = 200,
    grid_max_iterations: int = 30,
    max_alternations: int = 50,
) -> PointFit:
    """Maximum-likelihood fit under the Huber density with free scale; the best of several starts.

    The starts are the published parameters and the best Huber fit (threshold δ) found from
    `grid_starts` (each given `grid_max_iterations`); from each, the fit alternates (1) the scale σ that maximizes the likelihood
    at fixed theta and (2) the Huber fit of theta with threshold δσ at fixed σ, which is the
    likelihood's maximizer in theta. Keeps the start with the lowest negative log-likelihood.
    """
    candidates = [np.asarray(published_start, dtype=float)]
    if len(grid_starts):
        grid_fit = fit_huber_batched(grid_starts, data, delta, max_iterations=grid_max_iterations)
        with np.errstate(over="ignore"):  # a far grid start may end with an overflowing A or B
            usable = np.isfinite(grid_fit.objective) & np.isfinite(untransform(grid_fit.theta)).all(axis=1)
        if usable.any():
            candidates.append(grid_fit.theta[usable][np.argmin(grid_fit.objective[usable])])
    best: PointFit | None = None
    for start in candidates:
        fit = _alternate_scale_and_theta(start, data, delta, max_iterations, max_alternations)
        if best is None or (fit.converged and not best.converged) or (fit.converged == best.converged and fit.negative_log_likelihood < best.negative_log_likelihood):
            best = fit
    return best


def _alternate_scale_and_theta(start: np.ndarray, data: FitData, delta: float, max_iterations: int, max_alternations: int) -> PointFit:
    # A first Huber fit at threshold δ brings a far start near the data before the scale is set.
    first = fit_huber_batched(start[None], data, delta, max_iterations=max_iterations)
    theta, converged = first.theta[0], bool(first.converged[0])
    log_scale = _best_log_scale(theta, data, delta)
    previous = np.inf
    for _ in range(max_alternations):
        fit = fit_huber_batched(theta[None], data, delta * np.exp(log_scale), max_iterations=max_iterations)
        theta, converged = fit.theta[0], bool(fit.converged[0])
        log_scale = _best_log_scale(theta, data, delta)
        current = huber_negative_log_likelihood(theta, log_scale, data, delta)
        if not np.isfinite(current):
            converged = False
            break
        if previous - current <= 1e-12 * max(1.0, abs(current)):
            break
        previous = current
    nll = huber_negative_log_likelihood(theta, log_scale, data, delta)
    return PointFit(theta=theta, log_scale=log_scale, negative_log_likelihood=nll, converged=converged and bool(np.isfinite(untransform(theta)).all()) and np.isfinite(nll))


def _best_log_scale(theta: np.ndarray, data: FitData, delta: float) -> float:
    from scipy.optimize import minimize_scalar  # noqa: PLC0415 (see the note on imports above)

    residuals = predict_log_loss(theta, data)[0] - data.log_loss
    if not np.isfinite(residuals).all():
        return float("nan")
    result = minimize_scalar(
        lambda log_scale: huber(residuals / np.exp(log_scale), delta).sum() + data.n_runs * log_scale,
        bounds=LOG_SCALE_BOUNDS,
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(result.x)


# ---------------------------------------------------------------------------------------------
# Bootstrap


def bootstrap_counts(n_runs: int, n_resamples: int, seed: int) -> np.ndarray:
    """(n_resamples, n_runs) counts: how often each run is drawn in each resample with replacement."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_runs, size=(n_resamples, n_runs))
    offsets = np.arange(n_resamples)[:, None] * n_runs
    return np.bincount((draws + offsets).ravel(), minlength=n_resamples * n_runs).reshape(n_resamples, n_runs).astype(float)


def bootstrap_fits(data: FitData, counts: np.ndarray, start: np.ndarray, delta: float, max_iterations: int = 200) -> BatchFit:
    """Refit every resample (rows of `counts`) by Huber minimization, all from `start` (5,)."""
    return fit_huber_batched(np.tile(np.asarray(start, dtype=float), (len(counts), 1)), data, delta, weights=counts, max_iterations=max_iterations)


def standard_errors(bootstrap_theta: np.ndarray) -> np.ndarray:
    """SE of (E, A, alpha, B, beta): std (ddof 1) of the untransformed bootstrap fits (rows)."""
    return untransform(bootstrap_theta).std(axis=0, ddof=1)


# ---------------------------------------------------------------------------------------------
# Reference implementation (tests only): one resample at a time with scipy


def fit_huber_scipy(start: np.ndarray, data: FitData, delta: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Straightforward per-problem Huber fit with scipy BFGS and an analytic gradient: theta (5,)."""
    from scipy.optimize import minimize  # noqa: PLC0415 (see the note on imports above)

    counts = np.ones(data.n_runs) if weights is None else np.asarray(weights, dtype=float)

    def objective_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        log_prediction, model_share, data_share, constant_share = _prediction_terms(theta[None], data)
        residuals = log_prediction[0] - data.log_loss
        psi = counts * np.clip(residuals, -delta, delta)
        jacobian = np.stack([model_share[0], data_share[0], constant_share[0], -model_share[0] * data.log_n, -data_share[0] * data.log_d], axis=1)
        return float((counts * huber(residuals, delta)).sum()), jacobian.T @ psi

    return minimize(objective_and_gradient, np.asarray(start, dtype=float), jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000}).x
