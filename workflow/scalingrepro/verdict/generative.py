"""Replicated values of paper G's claims (generative evaluations), computed from results/generative/.

Every function takes the Results of a run and returns a number (or a list of numbers) that
config/claims.yaml compares with the paper's value. Fits and backtests are read under the
estimator drawn under the paper's figure names (generative.passk.default_estimator) unless a
function says otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..generative.backtest import HORIZON_COLUMNS
from ..sampling.source import gold_benchmarks
from .results import Bound, NeedsSamplingStage, NotEstimable, Results

GSM8K, MATH = "gsm8k", "math"
LAW_PARAMETER_COUNT = {"compute": 3, "params_tokens": 5, "gold_likelihood": 3}


def _default_estimator(results: Results) -> str:
    return results.config["generative"]["passk"]["default_estimator"]


def _gold_fits_available(results: Results, benchmark: str) -> None:
    """Raise NeedsSamplingStage when the benchmark has no gold-reference likelihoods."""
    if benchmark not in gold_benchmarks(results.config):
        raise NeedsSamplingStage(
            f"the released data has no gold-reference likelihoods for {benchmark.upper()}; the likelihood-scoring stage produces them"
        )


def _law_fits(results: Results, benchmark: str, law: str, estimator: str | None = None) -> pd.DataFrame:
    """One law's fits, one row per k (ascending), under `estimator` (default: the default estimator)."""
    if law == "gold_likelihood":
        _gold_fits_available(results, benchmark)
    fits = results.generative(benchmark, "fits.csv")
    key = ("fits", benchmark, law, estimator or _default_estimator(results))
    if key not in results.views:
        chosen = fits[(fits["law"] == law) & (fits["estimator"] == key[-1])]
        results.views[key] = chosen.sort_values("k").set_index("k")
    return results.views[key]


def _finite(value: float, what: str) -> float:
    """`value` as a float; NotEstimable naming `what` when it is NaN (no fit or backtest supports it)."""
    if pd.isna(value):
        raise NotEstimable(f"no {what}: the fits or backtests it needs have too few usable checkpoints under this estimator")
    return float(value)


def _by_k(fits: pd.DataFrame, parameter: str) -> list[float]:
    """The parameter over the k grid, at the k where the law could be fit."""
    values = fits[parameter].dropna()
    if values.empty:
        raise NotEstimable(f"no fit of {parameter} at any k")
    return values.tolist()


def _at_k(fits: pd.DataFrame, k: int, parameter: str) -> float:
    if k not in fits.index or pd.isna(fits.loc[k, parameter]):
        raise NotEstimable(f"no fit at k = {k}")
    return float(fits.loc[k, parameter])


# ---------------------------------------------------------------- §2: models, checkpoints, problems


def n_model_sizes_gsm8k(results: Results) -> int:
    return int(results.generative(GSM8K, "outcomes.parquet")["size"].nunique())


def median_checkpoints_per_size_gsm8k(results: Results) -> float:
    outcomes = results.generative(GSM8K, "outcomes.parquet")
    return float(outcomes.groupby("size")["step"].nunique().median())


def _n_problems(results: Results, benchmark: str) -> int:
    return int(results.generative(benchmark, "pass_at_k.csv")["n_problems"].max())


def n_problems_gsm8k(results: Results) -> int:
    return _n_problems(results, GSM8K)


def n_problems_math(results: Results) -> int:
    return _n_problems(results, MATH)


def _target(results: Results) -> dict:
    return results.config["generative"]["backtest"]["target"]


def target_compute(results: Results) -> float:
    passk = results.generative(GSM8K, "pass_at_k.csv")
    target = _target(results)
    rows = passk[(passk["size"] == target["size"]) & (passk["step"] == target["step"])]
    return float(rows["compute"].iloc[0])


def fitted_compute_span_orders_gsm8k(results: Results) -> float:
    """log10(max / min compute) over the checkpoints the compute law's fit uses at k = 1."""
    passk = results.generative(GSM8K, "pass_at_k.csv")
    selection = results.selection
    rows = passk[(passk["k"] == 1) & (passk["estimator"] == _default_estimator(results)) & (passk["pass_at_k"] > 0)]
    kept = rows[selection.keeps_table(rows)]
    return float(np.log10(kept["compute"].max() / kept["compute"].min()))


# ---------------------------------------------------------------- §3.1: the compute law


def compute_law_E0_k1_gsm8k(results: Results) -> float:
    return _at_k(_law_fits(results, GSM8K, "compute"), 1, "E0")


def compute_law_alpha_k1_gsm8k(results: Results) -> float:
    return _at_k(_law_fits(results, GSM8K, "compute"), 1, "alpha")


def compute_law_alpha_k10000_gsm8k(results: Results) -> float:
    return _at_k(_law_fits(results, GSM8K, "compute"), 10000, "alpha")


def compute_law_alpha_k10000_unbiased_gsm8k(results: Results) -> float:
    """α(10⁴) under the unbiased estimator (Eq. 1), which needs n ≥ k samples on every problem.

    Not estimable when the checkpoints it can estimate stop more than an order of magnitude of
    compute below the largest one: such a fit would not cover the range the paper's law spans.
    """
    passk = results.generative(GSM8K, "pass_at_k.csv")
    rows = passk[(passk["k"] == 10000) & (passk["estimator"] == "unbiased")]
    estimable = rows[(rows["n_problems_estimable"] == rows["n_problems"]) & rows["pass_at_k"].notna()]
    gap_orders = np.log10(rows["compute"].max() / estimable["compute"].max()) if len(estimable) else np.inf
    if len(estimable) <= LAW_PARAMETER_COUNT["compute"] or gap_orders > 1.0:
        raise NotEstimable(
            f"too few samples for k = 10⁴ under the unbiased estimator: only {len(estimable)} of {len(rows)} GSM8K "
            f"checkpoints have at least 10⁴ samples on every problem, the largest of them {gap_orders:.1f} orders of "
            "magnitude of compute below the largest checkpoint"
        )
    return _at_k(_law_fits(results, GSM8K, "compute", "unbiased"), 10000, "alpha")


def compute_law_alpha_ends_gsm8k(results: Results) -> list[float]:
    fits = _law_fits(results, GSM8K, "compute")
    return [_at_k(fits, 1, "alpha"), _at_k(fits, 10000, "alpha")]


def compute_law_E0_by_k_gsm8k(results: Results) -> list[float]:
    return _by_k(_law_fits(results, GSM8K, "compute"), "E0")


def compute_law_max_E0_from_k100_gsm8k(results: Results) -> float:
    fits = _law_fits(results, GSM8K, "compute")
    return _finite(fits.loc[fits.index >= 100, "E0"].max(), "E0 at k ≥ 100")


def compute_law_log10_C0_by_k_gsm8k(results: Results) -> list[float]:
    return np.log10(_by_k(_law_fits(results, GSM8K, "compute"), "C0")).tolist()


def compute_law_C0_rise_orders_gsm8k(results: Results) -> float:
    fits = _law_fits(results, GSM8K, "compute")
    return float(np.log10(_at_k(fits, 10000, "C0") / _at_k(fits, 1, "C0")))


def compute_law_alpha_by_k_gsm8k(results: Results) -> list[float]:
    return _by_k(_law_fits(results, GSM8K, "compute"), "alpha")


# ---------------------------------------------------------------- §3.2, §4.2, §5.2: backtests


def _stability(results: Results, benchmark: str, law: str) -> pd.DataFrame:
    if law == "gold_likelihood":
        _gold_fits_available(results, benchmark)
    stability = results.generative(benchmark, "stability.csv")
    key = ("stability", benchmark, law, _default_estimator(results))
    if key not in results.views:
        results.views[key] = stability[(stability["law"] == law) & (stability["estimator"] == key[-1])]
    return results.views[key]


def _error_horizon(results: Results, benchmark: str, law: str, k: int) -> float:
    """Orders of magnitude below the target of the prediction's horizon under the configured
    definition (generative.backtest.stability.horizon: the first cap from which the relative error
    stays below the tolerance, or the first cap below it); 0 when no cap qualifies, i.e. only the
    target itself would predict it."""
    rows = _stability(results, benchmark, law)
    rows = rows[rows["k"] == k]
    if rows.empty:
        raise NotEstimable(f"no {law} backtest at k = {k}")
    if rows["n_caps_fitted"].iloc[0] == 0:
        raise NotEstimable(f"no cap of the {law} backtest predicts the target at k = {k} (its pass@k is not estimable under this estimator)")
    horizon = rows[HORIZON_COLUMNS[results.config["generative"]["backtest"]["stability"]["horizon"]]].iloc[0]
    return 0.0 if pd.isna(horizon) else float(horizon)


def _final_error(results: Results, benchmark: str, law: str, k: int) -> float:
    rows = _stability(results, benchmark, law)
    rows = rows[rows["k"] == k]
    if rows.empty:
        raise NotEstimable(f"no {law} backtest at k = {k}")
    return _finite(rows["final_relative_error"].iloc[0], f"{law} prediction of the target at k = {k}")


def _median_stability_orders(results: Results, benchmark: str, law: str, parameters: list[str] | None = None) -> float:
    rows = _stability(results, benchmark, law)
    if parameters is not None:
        rows = rows[rows["parameter"].isin(parameters)]
    return _finite(rows["stable_orders"].median(), f"{law} stability horizon")


def compute_law_error_horizons_small_k_gsm8k(results: Results) -> list[float]:
    return [_error_horizon(results, GSM8K, "compute", k) for k in (1, 10, 100)]


def compute_law_error_horizon_k1_gsm8k(results: Results) -> float:
    return _error_horizon(results, GSM8K, "compute", 1)


def compute_law_error_horizon_k10000_gsm8k(results: Results) -> float:
    return _error_horizon(results, GSM8K, "compute", 10000)


def compute_law_final_errors_small_k_gsm8k(results: Results) -> float:
    """The larger (worse) of the final relative errors at k = 1 and 100."""
    return max(_final_error(results, GSM8K, "compute", k) for k in (1, 100))


def compute_law_final_error_k10000_gsm8k(results: Results) -> float:
    return _final_error(results, GSM8K, "compute", 10000)


def compute_law_median_stability_orders_gsm8k(results: Results) -> float:
    return _median_stability_orders(results, GSM8K, "compute")


def params_tokens_law_max_error_horizon_gsm8k(results: Results) -> float:
    k_values = _stability(results, GSM8K, "params_tokens")["k"].unique()
    return max(_error_horizon(results, GSM8K, "params_tokens", int(k)) for k in k_values)


def compute_minus_params_tokens_final_error_k1_gsm8k(results: Results) -> float:
    return _final_error(results, GSM8K, "compute", 1) - _final_error(results, GSM8K, "params_tokens", 1)


def gold_law_median_stability_orders_gsm8k(results: Results) -> float:
    return _median_stability_orders(results, GSM8K, "gold_likelihood")


def gold_minus_other_laws_stability_orders_gsm8k(results: Results) -> float:
    others = max(_median_stability_orders(results, GSM8K, law) for law in ("compute", "params_tokens"))
    return _median_stability_orders(results, GSM8K, "gold_likelihood") - others


def compute_minus_gold_final_error_k1_gsm8k(results: Results) -> float:
    return _final_error(results, GSM8K, "compute", 1) - _final_error(results, GSM8K, "gold_likelihood", 1)


def gold_minus_best_other_final_error_k10000_gsm8k(results: Results) -> float:
    others = min(_final_error(results, GSM8K, law, 10000) for law in ("compute", "params_tokens"))
    return _final_error(results, GSM8K, "gold_likelihood", 10000) - others


def compute_minus_best_other_final_error_k1_gsm8k(results: Results) -> float:
    others = min(_final_error(results, GSM8K, law, 1) for law in ("params_tokens", "gold_likelihood"))
    return _final_error(results, GSM8K, "compute", 1) - others


def max_log10_final_error_spread_between_laws_gsm8k(results: Results) -> float:
    """Largest, over the backtested k, log10(max / min) of the three laws' final relative errors."""
    k_values = results.config["generative"]["backtest"]["k_values"]
    laws = ("compute", "params_tokens", "gold_likelihood")
    spreads = []
    for k in k_values:
        errors = [_final_error(results, GSM8K, law, k) for law in laws]
        spreads.append(np.log10(max(errors) / min(errors)))
    return float(max(spreads))


# ---------------------------------------------------------------- §4.1, §5.1: the other two laws


def params_tokens_law_E0_k1_gsm8k(results: Results) -> float:
    return _at_k(_law_fits(results, GSM8K, "params_tokens"), 1, "E0")


def params_tokens_law_max_E0_from_k300_gsm8k(results: Results) -> float:
    fits = _law_fits(results, GSM8K, "params_tokens")
    return _finite(fits.loc[fits.index >= 300, "E0"].max(), "ℰ0 at k ≥ 300")


def params_tokens_law_E0_by_k_gsm8k(results: Results) -> list[float]:
    return _by_k(_law_fits(results, GSM8K, "params_tokens"), "E0")


def _fraction_k_tighter(results: Results, benchmark: str, law: str) -> float:
    """Fraction of k where `law` fits tighter than the compute law: a lower residual sum of squares
    (log space) per point, since the laws may be fit to different checkpoints (the gold law only
    where gold likelihoods exist)."""
    law_fits, compute_fits = _law_fits(results, benchmark, law), _law_fits(results, benchmark, "compute")
    law_sse = law_fits["sse_log"] / law_fits["n_points"]
    compute_sse = compute_fits["sse_log"] / compute_fits["n_points"]
    common = law_sse.index.intersection(compute_sse.index)
    return float((law_sse.loc[common] < compute_sse.loc[common]).mean())


def fraction_k_params_tokens_tighter_gsm8k(results: Results) -> float:
    return _fraction_k_tighter(results, GSM8K, "params_tokens")


def fraction_k_gold_tighter_gsm8k(results: Results) -> float:
    return _fraction_k_tighter(results, GSM8K, "gold_likelihood")


def gold_law_xi0_by_k_gsm8k(results: Results) -> list[float]:
    return _by_k(_law_fits(results, GSM8K, "gold_likelihood"), "xi0")


def gold_law_kappa_by_k_gsm8k(results: Results) -> list[float]:
    return _by_k(_law_fits(results, GSM8K, "gold_likelihood"), "kappa")


# ---------------------------------------------------------------- §6, App. E: envelope and penalty


def _envelope(results: Results, benchmark: str) -> pd.DataFrame:
    envelope = results.generative(benchmark, "envelope.csv")
    return envelope[envelope["estimator"] == _default_estimator(results)]


def envelope_alpha_median_relative_difference_gsm8k(results: Results) -> float:
    envelope = _envelope(results, GSM8K)
    return _finite(((envelope["alpha_envelope"] - envelope["alpha_fit"]).abs() / envelope["alpha_fit"]).median(), "envelope exponent")


def envelope_E0_median_abs_difference_gsm8k(results: Results) -> float:
    envelope = _envelope(results, GSM8K)
    return _finite((envelope["E0_envelope"] - envelope["E0_fit"]).abs().median(), "envelope offset")


def _misallocation(results: Results, benchmark: str) -> pd.DataFrame:
    table = results.generative(benchmark, "misallocation.csv")
    return table[table["estimator"] == _default_estimator(results)].dropna(subset=["phi"])


def min_misallocation_penalty_gsm8k(results: Results) -> float:
    return _finite(_misallocation(results, GSM8K)["phi"].min(), "misallocation penalty")


def max_effective_compute_multiplier_gsm8k(results: Results) -> float:
    return _finite(_misallocation(results, GSM8K)["effective_compute_multiplier"].max(), "effective-compute multiplier")


def penalty_quadratic_max_relative_error_gsm8k(results: Results) -> float:
    """Largest relative error of 1 + βγ/2 (log r)² on Φ − 1 over checkpoints with 0 < |log r| ≤ 0.2."""
    table = results.generative(GSM8K, "misallocation.csv")
    table = table[table["estimator"] == _default_estimator(results)].dropna(subset=["phi", "beta", "gamma"])
    log_r = np.log(table["r"])
    near = table[(log_r.abs() <= 0.2) & (log_r != 0)]
    if near.empty:
        raise NotEstimable("no checkpoint lies within |log r| ≤ 0.2 of the compute-optimal allocation")
    quadratic = near["beta"] * near["gamma"] / 2 * np.log(near["r"]) ** 2
    return _finite(((quadratic - (near["phi"] - 1)).abs() / (near["phi"] - 1)).max(), "quadratic penalty error")


# ---------------------------------------------------------------- §7, App. F/G: MATH


def compute_law_E0_k10000_math(results: Results) -> float:
    return _at_k(_law_fits(results, MATH, "compute"), 10000, "E0")


def compute_law_alpha_k10000_math(results: Results) -> float:
    return _at_k(_law_fits(results, MATH, "compute"), 10000, "alpha")


def math_minus_gsm8k_alpha_k10000(results: Results) -> float:
    return compute_law_alpha_k10000_math(results) - compute_law_alpha_k10000_gsm8k(results)


def math_minus_gsm8k_E0_k10000(results: Results) -> float:
    return compute_law_E0_k10000_math(results) - _at_k(_law_fits(results, GSM8K, "compute"), 10000, "E0")


def compute_law_alpha_stability_orders_math(results: Results) -> float:
    return _median_stability_orders(results, MATH, "compute", ["alpha"])


def params_tokens_law_gamma_stability_orders_math(results: Results) -> float:
    return _median_stability_orders(results, MATH, "params_tokens", ["gamma"])


def gold_law_kappa_stability_orders_math(results: Results) -> float:
    return _median_stability_orders(results, MATH, "gold_likelihood", ["kappa"])


def gold_law_xi0_by_k_math(results: Results) -> list[float]:
    return _by_k(_law_fits(results, MATH, "gold_likelihood"), "xi0")


# ---------------------------------------------------------------- bounds the released data set (claims.yaml `bound`)


def _stability_settings(results: Results) -> dict:
    return results.config["generative"]["backtest"]["stability"]


def _law_backtest(results: Results, benchmark: str, law: str, k: int | None = None) -> pd.DataFrame:
    """The law's backtest rows under the default estimator (at `k` if given) that hold a prediction."""
    if law == "gold_likelihood":
        _gold_fits_available(results, benchmark)
    table = results.generative(benchmark, "backtest.csv")
    rows = table[(table["law"] == law) & (table["estimator"] == _default_estimator(results)) & table["skip_reason"].fillna("").eq("")]
    return rows if k is None else rows[rows["k"] == k]


def compute_law_E0_k10000_ceiling_math(results: Results) -> Bound:
    """E0 is the floor under every prediction of the compute law: a fitted E0 above the smallest
    observed −log pass@10⁴ of MATH's fitted checkpoints would over-predict that checkpoint at any C."""
    passk = results.generative(MATH, "pass_at_k.csv")
    selection = results.selection
    rows = passk[(passk["k"] == 10000) & (passk["estimator"] == _default_estimator(results))]
    rows = rows[selection.keeps_table(rows) & np.isfinite(rows["neg_log_pass_at_k"]) & (rows["neg_log_pass_at_k"] > 0)]
    if rows.empty:
        raise NotEstimable("no fitted MATH checkpoint has a usable pass@10⁴")
    smallest = rows.loc[rows["neg_log_pass_at_k"].idxmin()]
    return Bound(
        float(smallest["neg_log_pass_at_k"]),
        "upper",
        f"E0 is a floor under every prediction, and MATH's fitted checkpoint {smallest['size']} step {int(smallest['step'])} has −log pass@10⁴ = {smallest['neg_log_pass_at_k']:.3g}",
    )


def gold_law_stability_orders_ceiling_gsm8k(results: Results) -> Bound:
    """No stability horizon reaches below the smallest cap holding enough gold checkpoints for a
    counted fit (the law's parameters plus generative.backtest.stability.min_residual_dof)."""
    rows = _law_backtest(results, GSM8K, "gold_likelihood")
    min_dof = int(_stability_settings(results)["min_residual_dof"])
    needed = LAW_PARAMETER_COUNT["gold_likelihood"] + min_dof
    counted = rows[rows["n_points"] >= needed]
    ceiling = float(-np.log10(counted["c_max_over_target"].min())) if len(counted) else 0.0
    n_checkpoints = int(_law_fits(results, GSM8K, "gold_likelihood")["n_points"].max())
    return Bound(
        ceiling,
        "upper",
        f"the gold law is fit to the {n_checkpoints} checkpoints with gold likelihoods (one per size), and a counted fit needs {needed} "
        f"({LAW_PARAMETER_COUNT['gold_likelihood']} parameters + {min_dof} residual degrees of freedom), which no cap holds more than {ceiling:.3g} orders below the target",
    )


def compute_law_error_horizon_k10000_ceiling_gsm8k(results: Results) -> Bound:
    """No horizon definition reaches below the farthest cap whose prediction at k = 10⁴ is within the
    tolerance (0 when none is: only the target would predict itself)."""
    rows = _law_backtest(results, GSM8K, "compute", 10000)
    if rows.empty:
        raise NotEstimable("no backtest predicts the target at k = 10⁴")
    tolerance = float(_stability_settings(results)["relative_error_tolerance"])
    within = rows[rows["relative_error"] < tolerance]
    ceiling = float(-np.log10(within["c_max_over_target"].min())) if len(within) else 0.0
    smallest = float(rows["relative_error"].min())
    where = "so no cap is within the tolerance" if within.empty else f"the farthest cap within the tolerance {tolerance:g} is {ceiling:.3g} orders below the target"
    return Bound(ceiling, "upper", f"the smallest relative error of any cap's prediction at k = 10⁴ is {smallest:.3g}, {where}")


# ---------------------------------------------------------------- App. B, C: samples and cost


def min_samples_per_problem_gsm8k(results: Results) -> float:
    return float(results.generative(GSM8K, "outcomes.parquet")["n_samples"].min())


def _total_samples(results: Results, benchmark: str) -> float:
    return float(results.generative(benchmark, "outcomes.parquet")["n_samples"].sum())


def total_samples_gsm8k(results: Results) -> float:
    return _total_samples(results, GSM8K)


def total_samples_math(results: Results) -> float:
    return _total_samples(results, MATH)


def _cost_total(results: Results, benchmark: str, unit_prefix: str, reading: str) -> float:
    cost = results.generative(benchmark, "sampling_cost.csv")
    rows = cost[(cost["size"] == "total") & cost["unit"].str.startswith(unit_prefix)]
    return float(rows[reading].iloc[0])


def a100_seconds_app_c_text_gsm8k(results: Results) -> float:
    """Total A100-seconds with the 3.2e4 samples per problem App. C's text names."""
    return _cost_total(results, GSM8K, "A100-s", "app_c_text")


def a100_seconds_app_c_formula_gsm8k(results: Results) -> float:
    return _cost_total(results, GSM8K, "A100-s", "app_c_formula")


def a100_hours_app_c_formula_gsm8k(results: Results) -> float:
    return _cost_total(results, GSM8K, "A100-hours", "app_c_formula")


def cheapest_cost_usd_app_c_formula_gsm8k(results: Results) -> float:
    return _cost_total(results, GSM8K, "USD", "app_c_formula")
