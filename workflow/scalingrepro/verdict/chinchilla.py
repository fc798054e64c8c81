"""Replicated values of paper C's claims (Chinchilla robustness), computed from results/chinchilla/.

Every function takes the Results of a run and returns a number (or a list / mapping of numbers)
that config/claims.yaml compares with the paper's value; none holds a paper value itself.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from .results import NotEstimable, Results

PARAMETERS = ("E", "A", "alpha", "B", "beta")
INTERPRETATIONS = ("reported", "standard", "best_fit")


# ---------------------------------------------------------------- §2: the parameter counts


def _relative_errors(results: Results, formula: str) -> pd.Series:
    return results.chinchilla("parameter_counts.csv")[f"rel_err_{formula}_pct"].abs()


def max_abs_relative_error_standard_pct(results: Results) -> float:
    return float(_relative_errors(results, "standard").max())


def mean_abs_relative_error_standard_pct(results: Results) -> float:
    return float(_relative_errors(results, "standard").mean())


def min_abs_relative_error_standard_pct(results: Results) -> float:
    return float(_relative_errors(results, "standard").min())


def max_abs_relative_error_best_fit_pct(results: Results) -> float:
    return float(_relative_errors(results, "best_fit").max())


def _n_matching(results: Results, formula: str) -> int:
    tolerance = results.config["chinchilla"]["match_tolerance_pct"]
    return int((_relative_errors(results, formula) < tolerance).sum())


def n_models_mismatched_standard(results: Results) -> int:
    return int(len(_relative_errors(results, "standard")) - _n_matching(results, "standard"))


def n_models_matched_best_fit(results: Results) -> int:
    return _n_matching(results, "best_fit")


def n_models(results: Results) -> int:
    return len(results.chinchilla("parameter_counts.csv"))


def _counts_in_millions(row: pd.Series) -> list[float]:
    """Reported, best-fit and standard counts of one model, in whole millions as the tables print them."""
    return [float(round(row[column] / 1e6)) for column in ("reported", "best_fit", "standard")]


def smallest_model_counts_millions(results: Results) -> list[float]:
    counts = results.chinchilla("parameter_counts.csv")
    return _counts_in_millions(counts.loc[counts["reported"].idxmin()])


def largest_model_counts_millions(results: Results) -> list[float]:
    counts = results.chinchilla("parameter_counts.csv")
    return _counts_in_millions(counts.loc[counts["reported"].idxmax()])


def third_largest_model_counts_millions(results: Results) -> list[float]:
    """Table 1's fourth row: the third-largest model (d_model 4864), whose best-fit count misses."""
    counts = results.chinchilla("parameter_counts.csv").sort_values("reported")
    return _counts_in_millions(counts.iloc[-3])


# ---------------------------------------------------------------- §2: the fits and tokens per parameter


def _fits(results: Results) -> pd.DataFrame:
    return results.chinchilla("fits.csv").set_index("interpretation")


def max_interpretation_difference_in_standard_errors(results: Results) -> float:
    """Largest |θ_i − θ_j| / sqrt(se_i² + se_j²) over parameters and pairs of the three interpretations."""
    fits = _fits(results)
    largest = 0.0
    for first, second in itertools.combinations(INTERPRETATIONS, 2):
        for name in PARAMETERS:
            difference = abs(fits.loc[first, name] - fits.loc[second, name])
            largest = max(largest, difference / np.hypot(fits.loc[first, f"{name}_se"], fits.loc[second, f"{name}_se"]))
    return float(largest)


def tokens_per_parameter_range_over_interpretations(results: Results) -> float:
    """The median ratio farthest from 20 (in log) over interpretations and the compute grid."""
    bands = results.chinchilla("tokens_per_parameter.csv")
    medians = bands.loc[bands["interpretation"].isin(INTERPRETATIONS), "median"]
    return float(medians.loc[np.abs(np.log(medians / 20.0)).idxmax()])


def _slopes(results: Results) -> pd.Series:
    return results.chinchilla("tokens_per_parameter_slopes.csv").set_index("interpretation")["slope_per_decade"]


def slope_standard(results: Results) -> float:
    return float(_slopes(results)["standard"])


def slope_best_fit(results: Results) -> float:
    return float(_slopes(results)["best_fit"])


def slope_reported(results: Results) -> float:
    return float(_slopes(results)["reported"])


def slopes_by_interpretation(results: Results) -> dict[str, float]:
    slopes = _slopes(results)
    return {name: float(slopes[name]) for name in INTERPRETATIONS}


def flattening_standard_vs_reported(results: Results) -> float:
    slopes = _slopes(results)
    return float(abs(slopes["reported"]) - abs(slopes["standard"]))


def min_converged_bootstraps_interpretations(results: Results) -> int:
    return int(_fits(results).loc[list(INTERPRETATIONS), "n_bootstraps"].min())


def _count_precision(results: Results) -> pd.DataFrame:
    return results.chinchilla("count_precision_slopes.csv").set_index("interpretation")


def slope_standard_exact_counts(results: Results) -> float:
    return float(_count_precision(results).loc["standard", "slope_exact"])


def slope_best_fit_exact_counts(results: Results) -> float:
    return float(_count_precision(results).loc["best_fit", "slope_exact"])


def max_abs_slope_shift_printed_vs_exact(results: Results) -> float:
    return float(_count_precision(results)["shift_per_decade"].abs().max())


# ---------------------------------------------------------------- §3: the perturbation sweeps


def _sweep(results: Results, kind: str) -> pd.DataFrame:
    """Valid configurations of one perturbation, medians over noise repeats, ordered by value."""
    fits = results.chinchilla("perturbation_fits.csv")
    valid = fits[(fits["perturbation"] == kind) & fits["valid"].astype(bool)]
    if valid.empty:
        raise NotEstimable(f"no valid {kind} configuration in perturbation_fits.csv")
    columns = [*PARAMETERS, *[f"{name}_se" for name in PARAMETERS]]
    return valid.groupby("value")[columns].median().sort_index()


def _trends(results: Results, kind: str) -> pd.DataFrame:
    """Tokens-per-parameter trend of the valid configurations of one perturbation (medians over repeats)."""
    trends = results.chinchilla("perturbation_trends.csv")
    valid = trends[(trends["perturbation"] == kind) & trends["valid"].astype(bool)]
    columns = ["slope_per_decade", "ratio_exponent", "median_ratio_low_compute", "median_ratio_high_compute"]
    return valid.groupby("value")[columns].median().sort_index()


def _identity_row(sweep: pd.DataFrame, identity: float) -> pd.Series:
    return sweep.loc[sweep.index[np.argmin(np.abs(sweep.index.to_numpy() - identity))]]


def multiplicative_max_alpha_change(results: Results) -> float:
    sweep = _sweep(results, "multiplicative")
    return float((sweep["alpha"] - _identity_row(sweep, 1.0)["alpha"]).abs().max())


def _agreement(results: Results, kind: str, parameter: str) -> float:
    agreement = results.chinchilla("perturbation_agreement.csv")
    row = agreement[(agreement["perturbation"] == kind) & (agreement["parameter"] == parameter)]
    return float(row["median_abs_relative_error"].iloc[0])


def multiplicative_prefactor_median_relative_error(results: Results) -> float:
    return _agreement(results, "multiplicative", "A")


def multiplicative_invalid_smallest_two(results: Results) -> int:
    fits = results.chinchilla("perturbation_fits.csv")
    sweep = fits[fits["perturbation"] == "multiplicative"]
    smallest = np.sort(sweep["value"].unique())[:2]
    return int((~sweep.loc[sweep["value"].isin(smallest), "valid"].astype(bool)).sum())


def multiplicative_ratio_exponent_spread(results: Results) -> float:
    exponents = _trends(results, "multiplicative")["ratio_exponent"]
    return float(exponents.max() - exponents.min())


def multiplicative_ratio_exponent_in_cm(results: Results) -> float:
    """Slope of log10(median tokens per parameter, low-compute end) against log10(c_m) over the sweep."""
    trends = _trends(results, "multiplicative")
    return float(stats.linregress(np.log10(trends.index.to_numpy()), np.log10(trends["median_ratio_low_compute"].to_numpy())).slope)


def additive_E_ends(results: Results) -> list[float]:
    sweep = _sweep(results, "additive")
    return [float(sweep["E"].iloc[0]), float(sweep["E"].iloc[-1])]


def additive_E_rise_pct(results: Results) -> float:
    low, high = additive_E_ends(results)
    return 100.0 * (high - low) / low


def additive_A_growth_factor(results: Results) -> float:
    sweep = _sweep(results, "additive")
    return float(sweep["A"].iloc[-1] / sweep["A"].iloc[0])


def additive_alpha_ends(results: Results) -> list[float]:
    sweep = _sweep(results, "additive")
    return [float(sweep["alpha"].iloc[0]), float(sweep["alpha"].iloc[-1])]


def additive_alpha_by_value(results: Results) -> list[float]:
    return [float(alpha) for alpha in _sweep(results, "additive")["alpha"]]


def additive_max_data_term_change_in_se(results: Results) -> float:
    sweep = _sweep(results, "additive")
    baseline = _identity_row(sweep, 0.0)
    return float(max(((sweep[name] - baseline[name]).abs() / baseline[f"{name}_se"]).max() for name in ("B", "beta")))


def additive_slope_by_value(results: Results) -> list[float]:
    return [float(slope) for slope in _trends(results, "additive")["slope_per_decade"]]


def additive_alpha_side_margin(results: Results) -> float:
    """min over c_a ≠ 0 of (α̂(c_a) − α̂(0)) · sign(c_a): positive when α̂ sits on the predicted side everywhere."""
    sweep = _sweep(results, "additive")
    baseline = _identity_row(sweep, 0.0)["alpha"]
    values = sweep.index.to_numpy()
    nonzero = values != 0
    return float(np.min((sweep["alpha"].to_numpy()[nonzero] - baseline) * np.sign(values[nonzero])))


def smallest_perturbed_count_millions(results: Results) -> float:
    """The smallest count of the interpretation the perturbations start from, in millions."""
    counts = results.chinchilla("parameter_counts.csv")
    return float(counts[results.config["chinchilla"]["perturbations"]["counts"]].min() / 1e6)


def _power_law(results: Results) -> pd.Series:
    return results.chinchilla("systematic_bias_power_law.csv").iloc[0]


def systematic_bias_log10_prefactor(results: Results) -> float:
    return float(_power_law(results)["log10_prefactor"])


def systematic_bias_exponent(results: Results) -> float:
    return float(_power_law(results)["exponent"])


def systematic_bias_r_squared(results: Results) -> float:
    return float(_power_law(results)["r_squared"])


def systematic_bias_A_by_value(results: Results) -> list[float]:
    return [float(prefactor) for prefactor in _sweep(results, "systematic_bias")["A"]]


def systematic_bias_slope_by_value(results: Results) -> list[float]:
    return [float(slope) for slope in _trends(results, "systematic_bias")["slope_per_decade"]]


def systematic_bias_alpha_median_relative_error(results: Results) -> float:
    return _agreement(results, "systematic_bias", "alpha")


def largest_noise_sigma(results: Results) -> float:
    fits = results.chinchilla("perturbation_fits.csv")
    return float(fits.loc[fits["perturbation"] == "log_normal_noise", "value"].max())


def noise_alpha_relative_se_at_largest_sigma(results: Results) -> float:
    largest = _sweep(results, "log_normal_noise").iloc[-1]
    return float(largest["alpha_se"] / abs(largest["alpha"]))


def noise_alpha_rank_correlation(results: Results) -> float:
    sweep = _sweep(results, "log_normal_noise")
    return float(stats.spearmanr(sweep.index.to_numpy(), sweep["alpha"].to_numpy()).statistic)


def noise_E_rank_correlation(results: Results) -> float:
    sweep = _sweep(results, "log_normal_noise")
    return float(stats.spearmanr(sweep.index.to_numpy(), sweep["E"].to_numpy()).statistic)


def noise_log10_ratio_rise(results: Results) -> float:
    trends = _trends(results, "log_normal_noise")
    ratio = trends["median_ratio_low_compute"]
    return float(np.log10(ratio.iloc[-1]) - np.log10(_identity_row(trends, 0.0)["median_ratio_low_compute"]))


def noise_interval_widening_orders(results: Results) -> float:
    """log10 of how much wider (in log10 of the ratio) the 80% band is at the largest valid σ than at σ = 0."""
    bands = results.chinchilla("perturbation_tokens_per_parameter.csv")
    noise = bands[bands["perturbation"] == "log_normal_noise"].dropna(subset=["low", "high"])
    noise = noise.assign(width=np.log10(noise["high"]) - np.log10(noise["low"]))
    width = noise.groupby("value")["width"].median().sort_index()
    valid_values = _sweep(results, "log_normal_noise").index
    width = width.loc[width.index.isin(valid_values)]
    return float(np.log10(width.iloc[-1] / _identity_row(width.to_frame(), 0.0)["width"]))


def noise_n_invalid(results: Results) -> int:
    fits = results.chinchilla("perturbation_fits.csv")
    return int((~fits.loc[fits["perturbation"] == "log_normal_noise", "valid"].astype(bool)).sum())
