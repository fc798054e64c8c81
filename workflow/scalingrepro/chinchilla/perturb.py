"""Paper C §3 and App. C: four perturbations of parameter counts and their analytic predictions.

Perturbations (Eqs. 6-9) map true counts N to perturbed counts Ñ:
multiplicative Ñ = c_m N; additive Ñ = N + c_a; systematic bias Ñ = μ_geo (N/μ_geo)^s;
log-normal noise Ñ = exp(δ) N with δ ~ Normal(0, σ²), one δ per distinct model.
App. C predicts the fitted (Â, α̂) from the unperturbed fit (A, α).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PERTURBATIONS = ("multiplicative", "additive", "systematic_bias", "log_normal_noise")
VALUE_SYMBOLS = {"multiplicative": "c_m", "additive": "c_a", "systematic_bias": "s", "log_normal_noise": "σ"}


@dataclass(frozen=True)
class Configuration:
    """One perturbed dataset: perturbation type, value and repeat (repeat > 0 only for noise)."""

    perturbation: str
    value: float
    repeat: int


# ---------------------------------------------------------------------------------------------
# Perturbations (pure functions of the true counts)


def multiplicative(counts: np.ndarray, c_m: float) -> np.ndarray:
    """Eq. 6: Ñ = c_m · N."""
    return c_m * np.asarray(counts, dtype=float)


def additive(counts: np.ndarray, c_a: float) -> np.ndarray:
    """Eq. 7: Ñ = N + c_a (may be ≤ 0 for large negative c_a; callers check)."""
    return np.asarray(counts, dtype=float) + c_a


def geometric_mean_of_models(counts: np.ndarray) -> float:
    """μ_geo of Eq. 8: the geometric mean over distinct models (distinct counts), not over runs."""
    return float(np.exp(np.log(np.unique(np.asarray(counts, dtype=float))).mean()))


def systematic_bias(counts: np.ndarray, s: float) -> np.ndarray:
    """Eq. 8: Ñ = μ_geo (N / μ_geo)^s."""
    counts = np.asarray(counts, dtype=float)
    mu_geo = geometric_mean_of_models(counts)
    return mu_geo * (counts / mu_geo) ** s


def log_normal_noise(counts: np.ndarray, sigma: float, standard_normals: np.ndarray) -> np.ndarray:
    """Eq. 9: Ñ = exp(σ z) N, with one standard normal z per distinct model (in sorted order).

    The same z for every σ of a repeat (common random numbers) makes the σ sweep smooth.
    """
    counts = np.asarray(counts, dtype=float)
    models, model_of_run = np.unique(counts, return_inverse=True)
    if len(standard_normals) < len(models):
        raise ValueError(f"need {len(models)} standard normals, got {len(standard_normals)}")
    return np.exp(sigma * standard_normals[model_of_run]) * counts


def noise_standard_normals(n_models: int, seed: int, repeat: int) -> np.ndarray:
    """The standard normals of one noise repeat, from default_rng([seed, repeat])."""
    return np.random.default_rng([seed, repeat]).standard_normal(n_models)


def perturb(counts: np.ndarray, configuration: Configuration, noise_seed: int | None) -> np.ndarray:
    """The perturbed counts of one configuration (`noise_seed` is read by the noise sweep only)."""
    kind, value = configuration.perturbation, configuration.value
    if kind == "multiplicative":
        return multiplicative(counts, value)
    if kind == "additive":
        return additive(counts, value)
    if kind == "systematic_bias":
        return systematic_bias(counts, value)
    if kind == "log_normal_noise":
        n_models = len(np.unique(counts))
        return log_normal_noise(counts, value, noise_standard_normals(n_models, noise_seed, configuration.repeat))
    raise ValueError(f"unknown perturbation {kind!r}; expected one of {PERTURBATIONS}")


def invalid_count_reason(perturbed: np.ndarray) -> str:
    """'' when every perturbed count is finite and positive, else why not."""
    perturbed = np.asarray(perturbed, dtype=float)
    if not np.isfinite(perturbed).all():
        return f"{int((~np.isfinite(perturbed)).sum())} perturbed count(s) not finite"
    if (perturbed <= 0).any():
        return f"{int((perturbed <= 0).sum())} perturbed count(s) ≤ 0 (smallest {perturbed.min():.4g})"
    return ""


# ---------------------------------------------------------------------------------------------
# Grids


def grid_values(spec: dict) -> np.ndarray:
    """Values of one perturbation grid from its config spec.

    spec keys: `logspace` [start, stop, num] (values 10^…), optional `negate_logspace` (also
    the negated values), `include_zero`. Sorted ascending.
    """
    start, stop, num = spec["logspace"]
    positive = np.logspace(start, stop, int(num))
    values = [positive]
    if spec.get("negate_logspace", False):
        values.append(-positive)
    if spec.get("include_zero", False):
        values.append(np.zeros(1))
    return np.sort(np.concatenate(values))


def configurations(perturbation_config: dict, kinds: tuple[str, ...] = PERTURBATIONS) -> list[Configuration]:
    """Every configuration of the requested perturbation kinds, in a fixed order."""
    result = []
    for kind in kinds:
        values = grid_values(perturbation_config["grids"][kind])
        repeats = int(perturbation_config["noise_repeats"]) if kind == "log_normal_noise" else 1
        result += [Configuration(kind, float(value), repeat) for value in values for repeat in range(repeats)]
    return result


# ---------------------------------------------------------------------------------------------
# App. C predictions


def predicted_parameters(kind: str, value: float, baseline: dict[str, float], counts: np.ndarray) -> dict[str, float]:
    """App. C prediction of (E, A, alpha, B, beta) for one perturbation value.

    baseline: the unperturbed fit {E, A, alpha, B, beta}; counts: the true counts of the fitted
    runs. E, B, beta are predicted unchanged (the data term is not perturbed).
    - multiplicative (C.2.1): Â = A c_m^α, α̂ = α.
    - additive (C.2.2): α̂ = α / ⟨N/(N + c_a)⟩ (effective slope averaged over the runs),
      Â = A (1 + c_a/N₀)^α̂ at the pivot N₀ = μ_geo (Eq. 23).
    - systematic bias (C.2.3): α̂ = α/s, Â = μ_geo^(α(1−s)/s) A.
    - log-normal noise (no App. C derivation; classical errors-in-variables attenuation):
      α̂ = α · Var(log N) / (Var(log N) + σ²), Â from matching at the pivot μ_geo.
    """
    A, alpha = baseline["A"], baseline["alpha"]
    counts = np.asarray(counts, dtype=float)
    mu_geo = geometric_mean_of_models(counts)
    if kind == "multiplicative":
        alpha_hat, A_hat = alpha, A * value**alpha
    elif kind == "additive":
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha_hat = alpha / np.mean(counts / (counts + value))
            A_hat = A * (1 + value / mu_geo) ** alpha_hat
    elif kind == "systematic_bias":
        alpha_hat, A_hat = alpha / value, mu_geo ** (alpha * (1 - value) / value) * A
    elif kind == "log_normal_noise":
        variance = np.log(np.unique(counts)).var()
        alpha_hat = alpha * variance / (variance + value**2)
        A_hat = A * mu_geo ** (alpha_hat - alpha)
    else:
        raise ValueError(f"unknown perturbation {kind!r}")
    return {"E": baseline["E"], "A": float(A_hat), "alpha": float(alpha_hat), "B": baseline["B"], "beta": baseline["beta"]}


def predicted_ratio_exponent(alpha: float, beta: float) -> float:
    """Exponent of C in D_opt/N_opt (Eq. 16): (α − β)/(α + β)."""
    return (alpha - beta) / (alpha + beta)


def predictions_table(fits: pd.DataFrame, baseline: dict[str, float], counts: np.ndarray) -> pd.DataFrame:
    """One row per distinct (perturbation, value): the App. C predictions of the five parameters."""
    rows = []
    for (kind, value), _ in fits.groupby(["perturbation", "value"], sort=False):
        rows.append({"perturbation": kind, "value": value, **predicted_parameters(kind, value, baseline, counts)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Summaries


@dataclass(frozen=True)
class PowerLawFit:
    """α̂ = 10^c · s^p fitted by least squares in log10-log10, with R² and the slope's p-value."""

    log10_prefactor: float
    exponent: float
    r_squared: float
    p_value: float


def fit_power_law(values: np.ndarray, fitted: np.ndarray) -> PowerLawFit:
    """Regress log10(fitted) on log10(values) (positive, finite pairs only)."""
    from scipy import stats  # noqa: PLC0415 (the workflow imports this module when it is parsed; scipy.stats is slow to import)

    values, fitted = np.asarray(values, dtype=float), np.asarray(fitted, dtype=float)
    usable = (values > 0) & (fitted > 0) & np.isfinite(values) & np.isfinite(fitted)
    regression = stats.linregress(np.log10(values[usable]), np.log10(fitted[usable]))
    return PowerLawFit(float(regression.intercept), float(regression.slope), float(regression.rvalue**2), float(regression.pvalue))


def agreement_table(fits: pd.DataFrame, predictions: pd.DataFrame, parameters: tuple[str, ...] = ("A", "alpha"), n_standard_errors: float = 2.0) -> pd.DataFrame:
    """Theory vs simulation per perturbation and parameter, over the valid configurations.

    Columns: perturbation, parameter, n_configurations, median_abs_relative_error,
    max_abs_relative_error, within_se_fraction (share of fits within n_standard_errors SE of
    the prediction), log_r_squared (R² of log fitted vs log predicted; NaN if either is constant).
    """
    merged = fits[fits["valid"]].merge(predictions, on=["perturbation", "value"], suffixes=("", "_predicted"))
    rows = []
    for kind, group in merged.groupby("perturbation", sort=False):
        for name in parameters:
            fitted, predicted, se = group[name].to_numpy(), group[f"{name}_predicted"].to_numpy(), group[f"{name}_se"].to_numpy()
            relative = np.abs(fitted - predicted) / np.abs(fitted)
            rows.append(
                {
                    "perturbation": kind,
                    "parameter": name,
                    "n_configurations": len(group),
                    "median_abs_relative_error": float(np.median(relative)),
                    "max_abs_relative_error": float(np.max(relative)),
                    "within_se_fraction": float(np.mean(np.abs(fitted - predicted) <= n_standard_errors * se)),
                    "log_r_squared": _log_r_squared(fitted, predicted),
                }
            )
    return pd.DataFrame(rows)


def _log_r_squared(fitted: np.ndarray, predicted: np.ndarray) -> float:
    usable = (fitted > 0) & (predicted > 0)
    if usable.sum() < 3 or np.ptp(np.log(predicted[usable])) == 0 or np.ptp(np.log(fitted[usable])) == 0:
        return float("nan")
    return float(np.corrcoef(np.log(fitted[usable]), np.log(predicted[usable]))[0, 1] ** 2)


def realistic_band(kind: str, counts: np.ndarray, relative_error: float) -> tuple[float, float]:
    """The perturbation values whose perturbed counts all stay within ±relative_error of the truth.

    multiplicative: c_m ∈ [1 − r, 1 + r]; additive: |c_a| ≤ r · min N; systematic bias: the s
    with max_i |(N_i/μ_geo)^(s−1) − 1| ≤ r; log-normal noise: σ ≤ log(1 + r) (one-σ change).
    """
    counts = np.asarray(counts, dtype=float)
    if kind == "multiplicative":
        return 1 - relative_error, 1 + relative_error
    if kind == "additive":
        return -relative_error * counts.min(), relative_error * counts.min()
    if kind == "systematic_bias":
        # |(N/μ)^(s−1) − 1| ≤ r at the most extreme model; the upper deviation binds on both sides.
        spread = np.abs(np.log(counts / geometric_mean_of_models(counts))).max()
        return 1 - np.log(1 + relative_error) / spread, 1 + np.log(1 + relative_error) / spread
    if kind == "log_normal_noise":
        return 0.0, float(np.log(1 + relative_error))
    raise ValueError(f"unknown perturbation {kind!r}")


def trend_table(fits: pd.DataFrame, slopes: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """How the D/N trend moves: per configuration, the slope per decade, the exponent of C
    from the fit, and the median ratio at the smallest and largest compute budget."""
    keys = ["perturbation", "value", "repeat"]
    first = bands.sort_values("compute").groupby(keys, sort=False).first()["median"].rename("median_ratio_low_compute")
    last = bands.sort_values("compute").groupby(keys, sort=False).last()["median"].rename("median_ratio_high_compute")
    table = fits[keys + ["alpha", "beta", "valid"]].merge(slopes, on=keys, how="left")
    table["ratio_exponent"] = predicted_ratio_exponent(table["alpha"], table["beta"])
    table = table.merge(first.reset_index(), on=keys, how="left").merge(last.reset_index(), on=keys, how="left")
    return table[keys + ["valid", "slope_per_decade", "ratio_exponent", "median_ratio_low_compute", "median_ratio_high_compute"]]


def trend_summary(trends: pd.DataFrame, counts: np.ndarray, relative_error: float, baseline_slope: float) -> pd.DataFrame:
    """Per perturbation: range of the slope per decade and of the exponent of C in D_opt/N_opt
    (Eq. 16, scale-free: a multiplicative shift of the ratio changes the slope, not the exponent)
    over the whole sweep and within the realistic band."""
    rows = []
    for kind, group in trends[trends["valid"]].groupby("perturbation", sort=False):
        low, high = realistic_band(kind, counts, relative_error)
        in_band = group[(group["value"] >= low) & (group["value"] <= high)]
        rows.append(
            {
                "perturbation": kind,
                "baseline_slope_per_decade": baseline_slope,
                "sweep_min_slope_per_decade": group["slope_per_decade"].min(),
                "sweep_max_slope_per_decade": group["slope_per_decade"].max(),
                "band_low": low,
                "band_high": high,
                "band_n_configurations": len(in_band),
                "band_min_slope_per_decade": in_band["slope_per_decade"].min() if len(in_band) else np.nan,
                "band_max_slope_per_decade": in_band["slope_per_decade"].max() if len(in_band) else np.nan,
                "n_invalid": int((~trends.loc[trends["perturbation"] == kind, "valid"]).sum()),
                "sweep_min_ratio_exponent": group["ratio_exponent"].min(),
                "sweep_max_ratio_exponent": group["ratio_exponent"].max(),
                "band_min_ratio_exponent": in_band["ratio_exponent"].min() if len(in_band) else np.nan,
                "band_max_ratio_exponent": in_band["ratio_exponent"].max() if len(in_band) else np.nan,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Running a sweep


def shard_count(kind: str, perturbation_config: dict) -> int:
    """How many jobs the sweep of `kind` is split into: `noise_shards` for the noise sweep (its
    repeats make it by far the largest), one for the others."""
    return int(perturbation_config["noise_shards"]) if kind == "log_normal_noise" else 1


def shard_configurations(all_configurations: list[Configuration], n_shards: int, shard: int) -> list[Configuration]:
    """The configurations of one shard (round-robin by position, so shards get similar work)."""
    return all_configurations[shard::n_shards]


def analyze_configurations(runs: pd.DataFrame, configurations_to_run: list[Configuration], counts_column: str, settings, n_excluded: int, noise_seed: int | None, on_done=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Perturb, fit, bootstrap and compute tokens per parameter for each configuration.

    runs: runs.csv; counts_column: the counts perturbed; settings: chinchilla_fit.FitSettings.
    Returns (fits, bands): fits has perturbation, value, repeat, E, A, alpha, B, beta, their
    _se, valid, reason; bands has perturbation, value, repeat, compute, low, median, high.
    Invalid configurations are rows with valid False and the reason; nothing raises.
    Identical perturbed counts (e.g. the repeats of σ = 0) are fitted once.
    on_done(configuration, valid, reason), if given, is called after each configuration (progress).
    """
    from . import fit as fitting
    from . import solver

    kept = fitting.kept_runs(runs, n_excluded)
    true_counts = kept[counts_column].to_numpy(dtype=float)
    counts = solver.bootstrap_counts(len(kept), settings.n_bootstraps, settings.bootstrap_seed)
    fit_rows, band_tables, cache = [], [], {}
    for configuration in configurations_to_run:
        keys = {"perturbation": configuration.perturbation, "value": configuration.value, "repeat": configuration.repeat}
        perturbed = perturb(true_counts, configuration, noise_seed)
        reason = invalid_count_reason(perturbed)
        if reason:
            result = None
        else:
            cache_key = perturbed.tobytes()
            if cache_key not in cache:
                data = solver.fit_data(perturbed, kept["tokens"], kept["loss"])
                cache[cache_key] = fitting.analyze_configuration(data, settings, counts)
            result = cache[cache_key]
            reason = result.reason
        if result is None:
            estimates = {name: np.nan for name in solver.PARAMETER_NAMES} | {f"{name}_se": np.nan for name in solver.PARAMETER_NAMES}
            bands = pd.DataFrame({"compute": settings.compute, "low": np.nan, "median": np.nan, "high": np.nan})
            valid = False
        else:
            estimates, bands, valid = fitting.estimate_columns(result), fitting.band_rows(result, settings.compute), result.valid
        fit_rows.append({**keys, **estimates, "valid": valid, "reason": reason})
        band_tables.append(bands.assign(**keys))
        if on_done is not None:
            on_done(configuration, valid, reason)
    band_columns = ["perturbation", "value", "repeat", "compute", "low", "median", "high"]
    return pd.DataFrame(fit_rows), pd.concat(band_tables, ignore_index=True)[band_columns]


def sort_sweep(table: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    """Rows in a fixed order: perturbation (PERTURBATIONS order), value, repeat, then `extra`."""
    order = table["perturbation"].map({kind: index for index, kind in enumerate(PERTURBATIONS)})
    keys = ["_order", "value", "repeat"] + (extra or [])
    return table.assign(_order=order).sort_values(keys, kind="mergesort").drop(columns="_order").reset_index(drop=True)


def slopes_table(bands: pd.DataFrame) -> pd.DataFrame:
    """perturbation, value, repeat, slope_per_decade (of the median ratio vs log10 C) per configuration."""
    from .fit import slope_per_decade

    rows = [
        {"perturbation": kind, "value": value, "repeat": repeat, "slope_per_decade": slope_per_decade(group["compute"].to_numpy(), group["median"].to_numpy())}
        for (kind, value, repeat), group in bands.groupby(["perturbation", "value", "repeat"], sort=False)
    ]
    return pd.DataFrame(rows)


def summarize_sweep(
    runs: pd.DataFrame,
    interpretation_fits: pd.DataFrame,
    interpretation_slopes: pd.DataFrame,
    fits: pd.DataFrame,
    bands: pd.DataFrame,
    n_excluded: int,
    perturbation_config: dict,
) -> dict[str, pd.DataFrame]:
    """The combined sweep tables and their diagnostics, keyed by the combine rule's output names.

    runs: runs.csv; interpretation_fits / interpretation_slopes: fits.csv and
    tokens_per_parameter_slopes.csv (the baseline is the row of the perturbed interpretation);
    fits / bands: the concatenated shard tables (any order). Returns fits,
    tokens_per_parameter, slopes, predictions, agreement, power_law, trends, trend_summary, bands.
    """
    from .fit import INTERPRETATION_COLUMNS, kept_runs
    from .solver import PARAMETER_NAMES

    interpretation = perturbation_config["counts"]
    true_counts = kept_runs(runs, n_excluded)[INTERPRETATION_COLUMNS[interpretation]].to_numpy(dtype=float)
    baseline = interpretation_fits.set_index("interpretation").loc[interpretation, list(PARAMETER_NAMES)].to_dict()
    baseline_slope = float(interpretation_slopes.set_index("interpretation").loc[interpretation, "slope_per_decade"])
    fits = sort_sweep(fits)
    fits["reason"] = fits["reason"].fillna("")
    bands = sort_sweep(bands, extra=["compute"])
    slopes = slopes_table(bands)
    predictions = predictions_table(fits, baseline, true_counts)
    bias = fits[(fits["perturbation"] == "systematic_bias") & fits["valid"]]
    power_law = fit_power_law(bias["value"].to_numpy(), bias["alpha"].to_numpy())
    trends = trend_table(fits, slopes, bands)
    relative_error = float(perturbation_config["realistic_relative_error"])
    realistic = pd.DataFrame(
        [{"perturbation": kind, "relative_error": relative_error, **dict(zip(("low", "high"), realistic_band(kind, true_counts, relative_error)))} for kind in PERTURBATIONS]
    )
    return {
        "fits": fits,
        "tokens_per_parameter": bands,
        "slopes": slopes,
        "predictions": predictions,
        "agreement": agreement_table(fits, predictions, n_standard_errors=float(perturbation_config["agreement_standard_errors"])),
        "power_law": pd.DataFrame([power_law.__dict__]),
        "trends": trends,
        "trend_summary": trend_summary(trends, true_counts, relative_error, baseline_slope),
        "bands": realistic,
    }
