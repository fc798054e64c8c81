"""Least-squares fits of the scaling laws in `scalingrepro.generative.laws` to −log pass@k:
single fits, fits across the k grid, the bootstrap over problems and the assembly of a benchmark's
data. The optimizer is `scalingrepro.generative.solver` (batched Levenberg–Marquardt on log
residuals); this module composes it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .laws import ALL_PARAMETER_NAMES, LAWS, Law
from .laws import GOLD_COVARIATE as GOLD_COVARIATE_NAME
from .likelihood import AGGREGATES, aggregate_neg_log_gold_prob, gold_matrix
from .pythia import CheckpointSelection
from .solver import BatchFit, fit_law_batch, log_covariates, usable_targets  # noqa: F401 (the solver's names, re-exported for this module's callers)


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


def law_columns(law: Law, data: BenchmarkData, selection: CheckpointSelection) -> np.ndarray:
    """Indices of the checkpoints a law is fit to: those `selection` keeps and, for the gold law,
    with a gold likelihood for every benchmark problem."""
    keep = selection.keeps_table(data.checkpoints)
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
    selection: CheckpointSelection = CheckpointSelection(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit every law at every k with the bootstrap over problems.

    Returns (fits, diagnostics): fits has the columns of `fits_columns(quantiles)`; diagnostics has
    law, estimator, k, n_points, n_points_excluded, n_resamples, n_resamples_converged, n_checkpoints.
    Laws without data (the gold law where no gold likelihoods exist) are skipped. `selection`: the
    checkpoints fit (default: every one).
    """
    weights = resample_weights(len(data.problems), n_resamples, seed) if n_resamples > 0 else None
    fits, diagnostics = [], []
    for name in laws:
        law = LAWS[name]
        columns = law_columns(law, data, selection)
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
    selections: Mapping[str, CheckpointSelection],
) -> pd.DataFrame:
    """Point fits (no bootstrap) under the configured choices and their alternatives.

    selections: variant name -> the checkpoints it fits; `configured` (as fits.csv) must be one of
    them. Variant `gold_aggregate_toggled` adds the gold law under the other aggregate, on the
    configured checkpoints. Columns: variant, min_step, apply_exclusions (whether any (size, step)
    is excluded), gold_aggregate, law, estimator, k, parameters, sse_log, n_points, converged.
    """
    other_aggregate = next(name for name in AGGREGATES if name != gold_aggregate)
    settings = [(variant, selection, gold_aggregate, laws) for variant, selection in selections.items()]
    gold_laws = [name for name in laws if GOLD_COVARIATE_NAME in LAWS[name].covariates]
    settings.append(("gold_aggregate_toggled", selections["configured"], other_aggregate, gold_laws))
    rows = []
    for variant, selection, aggregate, variant_laws in settings:
        for name in variant_laws:
            law = LAWS[name]
            columns = law_columns(law, data, selection)
            if len(columns) == 0:
                continue
            point = fit_across_k(law, law_log_covariates(law, data, columns, aggregate), data.targets[:, columns])
            summary = summarize_fits(law, data.ks, point, None)
            summary = summary[["law", "k", *ALL_PARAMETER_NAMES, *FIT_STATUS_COLUMNS]]
            summary.insert(0, "gold_aggregate", aggregate if GOLD_COVARIATE_NAME in law.covariates else "")
            summary.insert(0, "apply_exclusions", bool(selection.excluded))
            summary.insert(0, "min_step", selection.min_step)
            summary.insert(0, "variant", variant)
            summary.insert(5, "estimator", estimator)
            rows.append(summary)
    return pd.concat(rows, ignore_index=True)


def selection_variants(
    configured: CheckpointSelection,
    listed_exclusions: frozenset[tuple[str, int]],
    gold_file_exclusions: frozenset[tuple[str, int]] | None,
) -> dict[str, CheckpointSelection]:
    """The checkpoint selections fit_variants fits: `configured`; `all_checkpoints` (every step, the
    configured exclusions); `exclusions_toggled` (the configured steps, the listed exclusions switched
    off if applied, on if not); `gold_file_exclusions` (the listed exclusions plus the gold file's
    over-training choice), when the gold file's choice is given."""
    variants = {
        "configured": configured,
        "all_checkpoints": replace(configured, min_step=1),
        "exclusions_toggled": replace(configured, excluded=frozenset() if configured.excluded else listed_exclusions),
    }
    if gold_file_exclusions is not None:
        variants["gold_file_exclusions"] = replace(configured, excluded=listed_exclusions | gold_file_exclusions)
    return variants


def point_target_discrepancy(data: BenchmarkData) -> float:
    """Largest |Eq. 2 recomputed from the per-problem table − benchmark pass@k table| (a consistency check)."""
    recomputed = weighted_benchmark_pass_at_k(data.problem_pass_at_k, np.ones((1, len(data.problems))))[0]
    with np.errstate(invalid="ignore"):
        difference = np.abs(recomputed - np.exp(-data.targets))
    return float(np.nanmax(difference)) if np.isfinite(difference).any() else 0.0
