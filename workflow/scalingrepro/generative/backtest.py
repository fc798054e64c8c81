"""Paper G §3.2, §4.2, §5.2: backtesting the scaling laws against the most expensive checkpoint.

For every compute cap C_max below the target's compute (each distinct compute of the checkpoints a
law is fit on), each law is fit to the checkpoints with C ≤ C_max and extrapolated to the target;
the paper's relative error is |actual − predicted| / actual in −log pass@k. From the backtested
parameters, stability is measured as the number of orders of magnitude of C_max below the target
over which a parameter stays within a tolerance of its full-fit value.

Fits use `scalingrepro.generative.fitting` (the objective and optimizer of the full fits). The points above a cap
are masked out, so all (cap, estimator, k) fits of a law run as batches: the multi-start grid at every
cap, then warm-started refits passed down and up the caps and across neighbouring k as further starts,
each (cap, estimator, k) keeping the solution with the lowest SSE. A warm start only ever adds a
candidate: it never replaces the grid, so a cap cannot inherit a poor optimum from its neighbour.
Fits whose exponent ends on its bound are kept but marked `at_bound`: such a fit is not an estimate
(the data do not determine the exponent), so stability horizons leave it out. So do fits with fewer
residual degrees of freedom (points − parameters, `residual_dof`) than the stability settings ask:
a law through as many points as it has parameters interpolates them, whatever their trend.
Series whose target pass@k is unusable are recorded without fitting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .solver import BatchFit, fit_law_batch, usable_targets
from .laws import ALL_PARAMETER_NAMES, LAWS, MAX_EXPONENT, MIN_EXPONENT, Law

BACKTEST_COLUMNS = [
    "law", "estimator", "k", "c_max", "c_max_over_target", "n_points", "predicted", "actual", "relative_error",
]
BACKTEST_EXTRA_COLUMNS = ["sse_log", "residual_dof", "converged", "at_bound", "skip_reason"]
STABILITY_COLUMNS = [
    "law", "estimator", "k", "parameter", "full_fit", "tolerance", "stable_orders", "stable_c_max_over_target",
    "nearest_cap_orders", "n_caps_fitted", "n_caps_at_bound", "n_caps_below_min_dof", "min_residual_dof",
    "relative_error_tolerance", "error_first_below_orders", "error_stays_below_orders", "final_relative_error",
]
# The definitions of the relative-error horizon, named as the columns of stability.csv that hold them.
HORIZON_COLUMNS = {"first_below": "error_first_below_orders", "stays_below": "error_stays_below_orders"}
SKIP_TOO_FEW_POINTS = "fewer usable points than the law has parameters"
SKIP_TARGET_NOT_ESTIMABLE = "the target's pass@k is not estimable (or is 0 or 1) for this estimator and k"
SKIP_FIT_FAILED = "the fit returned no admissible parameters"
# An exponent within this relative distance of a bound sits on it: towards the bound the loss goes
# flat, and the optimizer stops a little short of it (alpha 9.95 for a bound of 10 on GSM8K).
BOUND_RELATIVE_TOLERANCE = 0.01


@dataclass(frozen=True)
class CapFits:
    """Backtest fits of one law: arrays with caps along axis 0 and series (estimator, k) along axis 1."""

    caps: np.ndarray  # (n_caps,) ascending
    fits: BatchFit  # parameters (n_caps, n_series, p); sse_log, n_points, converged (n_caps, n_series)


def relative_error(predicted: np.ndarray | float, actual: np.ndarray | float) -> np.ndarray | float:
    """The paper's relative error |actual − predicted| / actual, in −log pass@k (§3.2)."""
    return np.abs(np.asarray(actual) - np.asarray(predicted)) / np.asarray(actual)


def compute_caps(compute: np.ndarray, target_compute: float) -> np.ndarray:
    """Every distinct checkpoint compute strictly below the target's, ascending."""
    compute = np.asarray(compute, dtype=float)
    return np.unique(compute[compute < target_compute])


def thin_caps(caps: np.ndarray, target_compute: float, per_decade: int) -> np.ndarray:
    """The largest cap in each 1/per_decade of a decade of C_max / C_target, ascending."""
    caps = np.asarray(caps, dtype=float)
    bins = np.floor(np.log10(caps / target_compute) * per_decade)
    return np.array([caps[bins == value].max() for value in np.unique(bins)])


def _keep_better(best: BatchFit, candidate: BatchFit) -> BatchFit:
    """Row-wise, the candidate where its SSE is finite and lower, else `best`."""
    better = np.isfinite(candidate.sse_log) & (~np.isfinite(best.sse_log) | (candidate.sse_log < best.sse_log - 1e-12))
    return BatchFit(
        parameters=np.where(better[:, None], candidate.parameters, best.parameters),
        sse_log=np.where(better, candidate.sse_log, best.sse_log),
        n_points=best.n_points,
        converged=np.where(better, candidate.converged, best.converged),
    )


def _neighbour_starts(parameters: np.ndarray, series_groups: np.ndarray, shift: int) -> np.ndarray:
    """Each series' neighbour (by `shift`) within its group (estimator), NaN at the group's edges."""
    rolled = np.roll(parameters, shift, axis=0)
    same_group = np.roll(series_groups, shift) == series_groups
    return np.where(same_group[:, None], rolled, np.nan)


def _warm_fit(law: Law, log_x: np.ndarray, targets: np.ndarray, starts: np.ndarray, log_reference: np.ndarray) -> BatchFit:
    """One warm-started fit per row from `starts` (public parameters); rows without a finite start get SSE NaN."""
    usable_start = np.isfinite(starts).all(axis=1)
    fit = fit_law_batch(law, log_x, targets, initial=starts, multi_start=False, log_reference=log_reference)
    return BatchFit(fit.parameters, np.where(usable_start, fit.sse_log, np.nan), fit.n_points, fit.converged)


def _flat(fits: BatchFit, shape: tuple[int, int]) -> BatchFit:
    """Reshape (caps * series) fit arrays to (caps, series, ...)."""
    return BatchFit(
        parameters=fits.parameters.reshape(shape + (-1,)),
        sse_log=fits.sse_log.reshape(shape),
        n_points=fits.n_points.reshape(shape),
        converged=fits.converged.reshape(shape),
    )


def _row(fits: BatchFit, index: int) -> BatchFit:
    return BatchFit(fits.parameters[index], fits.sse_log[index], fits.n_points[index], fits.converged[index])


def _set_row(fits: BatchFit, index: int, row: BatchFit) -> None:
    fits.parameters[index], fits.sse_log[index], fits.n_points[index], fits.converged[index] = row.parameters, row.sse_log, row.n_points, row.converged


def exponent_at_bound(law: Law, parameters: np.ndarray) -> np.ndarray:
    """(rows,) True where any exponent of `parameters` (rows, p) lies on its bound (MIN_EXPONENT or
    MAX_EXPONENT, within BOUND_RELATIVE_TOLERANCE); False for unfitted (NaN) rows."""
    parameters = np.atleast_2d(np.asarray(parameters, dtype=float))
    exponents = parameters[:, [law.parameter_names.index(term.exponent) for term in law.terms]]
    with np.errstate(invalid="ignore"):
        on_bound = (exponents >= MAX_EXPONENT * (1 - BOUND_RELATIVE_TOLERANCE)) | (exponents <= MIN_EXPONENT * (1 + BOUND_RELATIVE_TOLERANCE))
    return on_bound.any(axis=1)


def fit_under_caps(
    law: Law | str,
    log_x: np.ndarray,
    compute: np.ndarray,
    targets: np.ndarray,
    caps: np.ndarray,
    series_groups: np.ndarray | None = None,
    screening: tuple[int, int] | None = None,
) -> CapFits:
    """Fit `law` for every cap and series, on the checkpoints with compute ≤ cap.

    log_x: (n, n_terms) logs of the law's covariates per checkpoint; compute: (n,) checkpoint compute;
    targets: (n_series, n) −log pass@k (NaN or non-positive where unusable); caps: ascending.
    series_groups: (n_series,) labels; neighbour-k warm starts stay within a label (default: one group).
    screening: passed to the multi-start grid (`solver.fit_law_batch`); None runs every start to the end.
    Every (cap, series) starts from the multi-start grid; then every cap is refit warm-started from the
    cap above (down the caps), from the cap below (up the caps) and from its neighbouring k, keeping
    per (cap, series) the solution with the lowest SSE.
    """
    law = LAWS[law] if isinstance(law, str) else law
    log_x = np.asarray(log_x, dtype=float)
    compute = np.asarray(compute, dtype=float)
    targets = np.atleast_2d(np.asarray(targets, dtype=float))
    caps = np.sort(np.asarray(caps, dtype=float))
    groups = np.zeros(len(targets)) if series_groups is None else np.asarray(series_groups)
    log_reference = log_x.mean(axis=0)  # one centring for every cap, so fits differ only by their data
    n_caps, n_series = len(caps), len(targets)
    masked = np.where(compute[None, None, :] <= caps[:, None, None], targets[None], np.nan)  # (caps, series, n)
    flat_targets = masked.reshape(n_caps * n_series, -1)
    # The grid at every cap: warm starts below can only improve on it, never stand in for it.
    gridded = _flat(fit_law_batch(law, log_x, flat_targets, log_reference=log_reference, screening=screening), (n_caps, n_series))
    best = BatchFit(
        parameters=gridded.parameters.copy(),
        sse_log=np.where(np.isfinite(gridded.sse_log), gridded.sse_log, np.inf),
        n_points=usable_targets(masked).sum(axis=-1).astype(np.int64),
        converged=gridded.converged.copy(),
    )
    for order in (range(n_caps - 2, -1, -1), range(1, n_caps)):  # down the caps, then up
        for index in order:
            neighbour = index + 1 if order.step < 0 else index - 1
            candidate = _warm_fit(law, log_x, masked[index], best.parameters[neighbour], log_reference)
            _set_row(best, index, _keep_better(_row(best, index), candidate))
    for shift in (1, -1):  # neighbouring k at every cap at once
        starts = np.stack([_neighbour_starts(best.parameters[index], groups, shift) for index in range(n_caps)])
        candidate = _flat(_warm_fit(law, log_x, flat_targets, starts.reshape(n_caps * n_series, -1), log_reference), (n_caps, n_series))
        merged = _keep_better(_flatten(best), _flatten(candidate))
        best = _flat(merged, (n_caps, n_series))
    unfitted = ~np.isfinite(best.sse_log)
    best.parameters[unfitted] = np.nan
    best.sse_log[unfitted] = np.nan
    best.converged[unfitted] = False
    return CapFits(caps=caps, fits=best)


def _flatten(fits: BatchFit) -> BatchFit:
    """(caps, series, ...) fit arrays as (caps * series, ...)."""
    n = fits.sse_log.size
    return BatchFit(fits.parameters.reshape(n, -1), fits.sse_log.reshape(n), fits.n_points.reshape(n), fits.converged.reshape(n))


def backtest_table(
    law: Law | str,
    cap_fits: CapFits,
    series: pd.DataFrame,
    target_covariates: Mapping[str, float],
    actual: np.ndarray,
    target_compute: float,
) -> pd.DataFrame:
    """One row per (cap, series): the contract columns, every parameter of ALL_PARAMETER_NAMES, and
    `sse_log, converged, skip_reason` (empty when the row holds a prediction).

    series: (n_series) rows with `estimator, k`; target_covariates: the law's covariates at the target;
    actual: (n_series,) the target's −log pass@k.
    """
    law = LAWS[law] if isinstance(law, str) else law
    n_caps, n_series, _ = cap_fits.fits.parameters.shape
    actual = np.asarray(actual, dtype=float)
    flat_parameters = cap_fits.fits.parameters.reshape(-1, len(law.parameter_names))
    covariates = {name: np.full(len(flat_parameters), float(target_covariates[name])) for name in law.covariates}
    predicted = np.full(len(flat_parameters), np.nan)
    fitted = np.isfinite(flat_parameters).all(axis=1)
    for row in np.flatnonzero(fitted):
        values = dict(zip(law.parameter_names, flat_parameters[row]))
        predicted[row] = law.predict(values, {name: column[row : row + 1] for name, column in covariates.items()})[0]
    table = pd.DataFrame(
        {
            "law": law.name,
            "estimator": np.tile(series["estimator"].to_numpy(), n_caps),
            "k": np.tile(series["k"].to_numpy(dtype=np.int64), n_caps),
            "c_max": np.repeat(cap_fits.caps, n_series),
            "c_max_over_target": np.repeat(cap_fits.caps / target_compute, n_series),
            "n_points": cap_fits.fits.n_points.reshape(-1),
            "predicted": predicted,
            "actual": np.tile(actual, n_caps),
        }
    )
    target_usable = np.tile(usable_targets(actual), n_caps)
    table.loc[~target_usable, "predicted"] = np.nan
    table["relative_error"] = relative_error(table["predicted"], table["actual"])
    for name in ALL_PARAMETER_NAMES:
        table[name] = flat_parameters[:, law.parameter_names.index(name)] if name in law.parameter_names else np.nan
    table["sse_log"] = cap_fits.fits.sse_log.reshape(-1)
    table["residual_dof"] = table["n_points"] - len(law.parameter_names)
    table["converged"] = cap_fits.fits.converged.reshape(-1)
    table["at_bound"] = exponent_at_bound(law, flat_parameters) & fitted
    too_few = table["n_points"].to_numpy() < len(law.parameter_names)
    reasons = np.where(~target_usable, SKIP_TARGET_NOT_ESTIMABLE, np.where(too_few, SKIP_TOO_FEW_POINTS, np.where(~fitted, SKIP_FIT_FAILED, "")))
    table["skip_reason"] = reasons
    return table[BACKTEST_COLUMNS + list(ALL_PARAMETER_NAMES) + BACKTEST_EXTRA_COLUMNS]


def within_tolerance(values: np.ndarray, reference: float, relative_tolerance: float, absolute_tolerance: float = 0.0) -> np.ndarray:
    """|value − reference| ≤ max(relative_tolerance·|reference|, absolute_tolerance); NaN is never within."""
    values = np.asarray(values, dtype=float)
    allowed = max(relative_tolerance * abs(reference), absolute_tolerance)
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values - reference) <= allowed)


def stable_orders(c_max_over_target: np.ndarray, within: np.ndarray) -> tuple[float, float]:
    """Orders of magnitude below the target over which a backtested quantity stays within tolerance.

    c_max_over_target, within: per cap (any order). Walking down from the largest cap, the run of caps
    within tolerance ends at the first cap outside it; returns (−log10 of the smallest ratio in the run,
    that ratio), or (0, NaN) when the largest cap is already outside.
    """
    ratio = np.asarray(c_max_over_target, dtype=float)
    order = np.argsort(-ratio)
    ratio, within = ratio[order], np.asarray(within, dtype=bool)[order]
    run = len(within) if within.all() else int(np.argmin(within))
    if run == 0:
        return 0.0, np.nan
    return float(-np.log10(ratio[run - 1])), float(ratio[run - 1])


def error_horizons(c_max_over_target: np.ndarray, errors: np.ndarray, tolerance: float) -> tuple[float, float]:
    """(first_below, stays_below) in orders of magnitude below the target.

    first_below: at the smallest cap whose relative error is below `tolerance`; stays_below: at the
    smallest cap from which every larger cap's error is below it. NaN when no cap qualifies.
    """
    ratio = np.asarray(c_max_over_target, dtype=float)
    order = np.argsort(ratio)
    ratio, errors = ratio[order], np.asarray(errors, dtype=float)[order]
    with np.errstate(invalid="ignore"):
        below = np.isfinite(errors) & (errors < tolerance)
    if not below.any():
        return np.nan, np.nan
    first = float(-np.log10(ratio[np.argmax(below)]))
    if not below[-1]:
        return first, np.nan
    start = len(below) - (int(np.argmin(below[::-1])) if not below.all() else len(below))
    return first, float(-np.log10(ratio[start]))


def stability_table(
    backtest: pd.DataFrame,
    full_fits: pd.DataFrame,
    relative_tolerance: float,
    absolute_tolerances: Mapping[str, float],
    relative_error_tolerance: float,
    min_residual_dof: int = 1,
) -> pd.DataFrame:
    """Per (law, estimator, k, parameter): how far below the target the backtested parameter stays near
    its full-fit value, beside the relative-error horizons of that (law, estimator, k).

    backtest: backtest.csv rows; full_fits: fits.csv rows (`law, estimator, k` and parameters).
    absolute_tolerances: per-parameter floor on the allowed deviation (for parameters whose full-fit
    value is ≈ 0, such as the irreducible errors at large k). Rows with a skip reason, fits on an
    exponent bound (`at_bound`: not estimates) and fits with fewer than `min_residual_dof` residual
    degrees of freedom count as outside for the parameters and the errors.
    """
    rows = []
    reference = full_fits.set_index(["law", "estimator", "k"])
    for (law_name, estimator, k), group in backtest.groupby(["law", "estimator", "k"], sort=True):
        law = LAWS[law_name]
        ratio = group["c_max_over_target"].to_numpy()
        too_few_dof = (group["n_points"].to_numpy() - len(law.parameter_names)) < min_residual_dof
        estimated = (group["skip_reason"].fillna("").eq("") & ~group["at_bound"].astype(bool)).to_numpy()
        fitted = estimated & ~too_few_dof
        errors = np.where(fitted, group["relative_error"].to_numpy(dtype=float), np.nan)
        first_below, stays_below = error_horizons(ratio, errors, relative_error_tolerance)
        nearest = int(np.argmax(ratio))
        key = (law_name, estimator, int(k))
        for parameter in law.parameter_names:
            full_fit = float(reference.loc[key, parameter]) if key in reference.index else np.nan
            tolerance = max(relative_tolerance * abs(full_fit), float(absolute_tolerances.get(parameter, 0.0))) if np.isfinite(full_fit) else np.nan
            values = np.where(fitted, group[parameter].to_numpy(dtype=float), np.nan)
            if np.isfinite(full_fit):
                within = within_tolerance(values, full_fit, relative_tolerance, float(absolute_tolerances.get(parameter, 0.0)))
                orders, smallest_ratio = stable_orders(ratio, within)
            else:
                orders, smallest_ratio = np.nan, np.nan
            rows.append(
                {
                    "law": law_name,
                    "estimator": estimator,
                    "k": int(k),
                    "parameter": parameter,
                    "full_fit": full_fit,
                    "tolerance": tolerance,
                    "stable_orders": orders,
                    "stable_c_max_over_target": smallest_ratio,
                    "nearest_cap_orders": float(-np.log10(ratio[nearest])),
                    "n_caps_fitted": int(fitted.sum()),
                    "n_caps_at_bound": int(group["at_bound"].astype(bool).sum()),
                    "n_caps_below_min_dof": int((estimated & too_few_dof).sum()),
                    "min_residual_dof": int(min_residual_dof),
                    "relative_error_tolerance": relative_error_tolerance,
                    "error_first_below_orders": first_below,
                    "error_stays_below_orders": stays_below,
                    "final_relative_error": errors[nearest],
                }
            )
    return pd.DataFrame(rows, columns=STABILITY_COLUMNS)


def wide_targets(pass_at_k: pd.DataFrame, checkpoints: pd.DataFrame, estimators: Sequence[str], ks: Sequence[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """(series, targets): one series per (estimator, k) in that order, and the (n_series, n_checkpoints)
    −log pass@k in the row order of `checkpoints` (`size, step`), NaN where pass_at_k.csv has no value."""
    series = pd.DataFrame([(estimator, int(k)) for estimator in estimators for k in ks], columns=["estimator", "k"])
    pivot = pass_at_k.pivot_table(index=["estimator", "k"], columns=["size", "step"], values="neg_log_pass_at_k", aggfunc="first", dropna=False)
    columns = pd.MultiIndex.from_arrays([checkpoints["size"].astype(str), checkpoints["step"].astype(np.int64)])
    rows = pd.MultiIndex.from_frame(series)
    matrix = pivot.reindex(index=rows, columns=columns).to_numpy(dtype=float)
    return series, matrix


def backtest_law(
    law: Law | str,
    log_x: np.ndarray,
    compute: np.ndarray,
    targets: np.ndarray,
    target_index: int,
    series: pd.DataFrame,
    caps_per_decade: int | None = None,
    screening: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Backtest one law: fit under every cap below the target's compute and predict the target.

    log_x: (n, n_terms) log covariates of the checkpoints the law is fit on, the target included;
    compute: (n,) their compute; targets: (n_series, n) −log pass@k; target_index: the target's column;
    series: (n_series) rows with `estimator, k`. caps_per_decade: thin the caps (`thin_caps`; default
    every checkpoint compute); screening: of the multi-start (`fit_under_caps`). Returns the table of
    `backtest_table`.
    """
    law = LAWS[law] if isinstance(law, str) else law
    log_x, compute, targets = np.asarray(log_x, dtype=float), np.asarray(compute, dtype=float), np.atleast_2d(targets)
    target_compute = float(compute[target_index])
    training = np.flatnonzero((np.arange(len(compute)) != target_index) & (compute < target_compute))
    caps = compute_caps(compute[training], target_compute)
    if caps_per_decade is not None:
        caps = thin_caps(caps, target_compute, caps_per_decade)
    active = usable_targets(targets[:, target_index])
    fitted = fit_under_caps(law, log_x[training], compute[training], targets[active][:, training], caps, series["estimator"].to_numpy()[active], screening)
    cap_fits = CapFits(caps=caps, fits=_expand_series(fitted.fits, active, targets[:, training], compute[training], caps))
    target_covariates = dict(zip(law.covariates, np.exp(log_x[target_index])))
    return backtest_table(law, cap_fits, series, target_covariates, targets[:, target_index], target_compute)


def _expand_series(fits: BatchFit, active: np.ndarray, targets: np.ndarray, compute: np.ndarray, caps: np.ndarray) -> BatchFit:
    """Fits of the active series placed among all series; the others unfitted, with their usable points counted."""
    n_caps, n_series = len(caps), len(active)
    masked = np.where(compute[None, None, :] <= caps[:, None, None], targets[None], np.nan)
    parameters = np.full((n_caps, n_series, fits.parameters.shape[-1]), np.nan)
    sse = np.full((n_caps, n_series), np.nan)
    converged = np.zeros((n_caps, n_series), dtype=bool)
    parameters[:, active], sse[:, active], converged[:, active] = fits.parameters, fits.sse_log, fits.converged
    return BatchFit(parameters, sse, usable_targets(masked).sum(axis=-1).astype(np.int64), converged)


def run_backtest(
    law: Law | str,
    checkpoints: pd.DataFrame,
    pass_at_k: pd.DataFrame,
    target: Mapping[str, object],
    estimators: Sequence[str],
    ks: Sequence[int],
) -> pd.DataFrame:
    """Backtest one law from tables.

    checkpoints: one row per checkpoint the law may be fit on (`size, step, compute` and the law's
    covariates), the target included; pass_at_k: pass_at_k.csv rows; target: `size`, `step` of the
    checkpoint to predict. Returns the table of `backtest_table`.
    """
    law = LAWS[law] if isinstance(law, str) else law
    index = target_position(checkpoints, target)
    series, targets = wide_targets(pass_at_k, checkpoints, estimators, ks)
    log_x = np.log(checkpoints[list(law.covariates)].to_numpy(dtype=float))
    return backtest_law(law, log_x, checkpoints["compute"].to_numpy(dtype=float), targets, index, series)


def target_position(checkpoints: pd.DataFrame, target: Mapping[str, object]) -> int:
    """Row position of the target checkpoint (`size`, `step`) in `checkpoints`; ValueError unless exactly one."""
    is_target = (checkpoints["size"].astype(str) == str(target["size"])) & (checkpoints["step"].astype(np.int64) == int(target["step"]))
    if is_target.sum() != 1:
        raise ValueError(f"backtest target {dict(target)} is not exactly one of the {len(checkpoints)} checkpoints fit")
    return int(np.flatnonzero(is_target.to_numpy())[0])
