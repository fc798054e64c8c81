"""Backtesting (paper G §3.2): caps, the relative error, fits under caps and stability horizons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scalingrepro.generative import backtest, fitting
from scalingrepro.generative.laws import LAWS

SIZES = {"14M": 1.4e7, "160M": 1.6e8, "1B": 1.0e9, "2.8B": 2.8e9, "12B": 1.2e10}
STEPS = {1000: 2.0e9, 10000: 2.0e10, 30000: 6.0e10, 100000: 2.0e11, 143000: 3.0e11}
TARGET = {"size": "12B", "step": 143000}
TRUE_PARAMETERS = {
    "compute": {"E0": 0.4, "C0": 2.0e3, "alpha": 0.17},
    "params_tokens": {"E0": 0.3, "N0": 80.0, "beta": 0.22, "D0": 3.0e3, "gamma": 0.33},
}


def synthetic_checkpoints() -> pd.DataFrame:
    """A 5 x 5 grid of Pythia-like checkpoints with C = 6ND."""
    rows = [(size, step, n, d) for size, n in SIZES.items() for step, d in STEPS.items()]
    table = pd.DataFrame(rows, columns=["size", "step", "params", "tokens"])
    table["compute"] = 6.0 * table["params"] * table["tokens"]
    return table


def synthetic_pass_at_k(law_name: str, checkpoints: pd.DataFrame, noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """pass_at_k.csv rows for two series (estimator `synthetic`, k = 1 and 10) following `law_name` exactly
    (k = 10 scales the reducible part by 1/2), with optional multiplicative log-normal noise."""
    law = LAWS[law_name]
    rng = np.random.default_rng(seed)
    rows = []
    for k, scale in [(1, 1.0), (10, 0.5)]:
        parameters = dict(TRUE_PARAMETERS[law_name])
        for term in law.terms:
            parameters[term.prefactor] *= scale
        values = law.predict(parameters, checkpoints) * np.exp(noise * rng.standard_normal(len(checkpoints)))
        rows.append(checkpoints.assign(k=k, estimator="synthetic", neg_log_pass_at_k=values, pass_at_k=np.exp(-values)))
    return pd.concat(rows, ignore_index=True)


def test_relative_error_is_the_papers_definition():
    assert backtest.relative_error(0.9, 1.0) == pytest.approx(0.1)
    assert backtest.relative_error(1.2, 1.0) == pytest.approx(0.2)
    np.testing.assert_allclose(backtest.relative_error(np.array([2.0, 0.5]), np.array([1.0, 1.0])), [1.0, 0.5])


def test_caps_are_the_distinct_computes_below_the_target():
    caps = backtest.compute_caps(np.array([5.0, 1.0, 3.0, 3.0, 9.0, 7.0]), target_compute=7.0)
    np.testing.assert_array_equal(caps, [1.0, 3.0, 5.0])


def test_stable_orders_counts_the_run_down_from_the_largest_cap():
    ratio = np.array([1e-4, 1e-3, 1e-2, 1e-1, 0.5])
    assert backtest.stable_orders(ratio, np.array([True, False, True, True, True]))[0] == pytest.approx(2.0)
    assert backtest.stable_orders(ratio, np.ones(5, bool))[0] == pytest.approx(4.0)
    assert backtest.stable_orders(ratio, np.array([True, True, True, True, False])) == (0.0, pytest.approx(np.nan, nan_ok=True))
    # order of the input does not matter
    assert backtest.stable_orders(ratio[::-1], np.array([True, True, True, False, True]))[0] == pytest.approx(2.0)


def test_within_tolerance_uses_an_absolute_floor_for_parameters_near_zero():
    assert backtest.within_tolerance(np.array([1.05, 1.2, np.nan]), 1.0, 0.1).tolist() == [True, False, False]
    assert backtest.within_tolerance(np.array([0.005, 0.02]), 0.0, 0.1, absolute_tolerance=0.01).tolist() == [True, False]


def test_error_horizons_first_and_persistent():
    ratio = np.array([1e-4, 1e-3, 1e-2, 1e-1, 0.5])
    errors = np.array([0.5, 0.05, 0.3, 0.02, 0.01])
    first, stays = backtest.error_horizons(ratio, errors, tolerance=0.1)
    assert first == pytest.approx(3.0) and stays == pytest.approx(1.0)
    assert np.isnan(backtest.error_horizons(ratio, errors + 1, tolerance=0.1)[0])
    assert np.isnan(backtest.error_horizons(ratio, np.array([0.01, 0.01, 0.01, 0.01, 0.5]), 0.1)[1])


@pytest.mark.parametrize("law_name", ["compute", "params_tokens"])
def test_noise_free_backtest_predicts_the_target_and_recovers_the_law(law_name):
    checkpoints = synthetic_checkpoints()
    pass_at_k = synthetic_pass_at_k(law_name, checkpoints)
    table = backtest.run_backtest(law_name, checkpoints, pass_at_k, TARGET, estimators=["synthetic"], ks=[1, 10])
    assert list(table.columns[: len(backtest.BACKTEST_COLUMNS)]) == backtest.BACKTEST_COLUMNS
    target_compute = 6.0 * 1.2e10 * 3.0e11
    assert (table["c_max"] < target_compute).all()
    # every distinct compute below the target is a cap, for each series
    expected_caps = np.unique(checkpoints.loc[checkpoints["compute"] < target_compute, "compute"])
    assert table.groupby("k")["c_max"].apply(lambda caps: np.array_equal(np.sort(caps.to_numpy()), expected_caps)).all()
    n_parameters = len(LAWS[law_name].parameter_names)
    skipped = table[table["n_points"] < n_parameters]
    assert (skipped["skip_reason"] == backtest.SKIP_TOO_FEW_POINTS).all() and skipped["predicted"].isna().all()
    # with a third of the grid or more, a noise-free law is recovered and the target predicted exactly
    well_covered = table[table["n_points"] >= 12]
    assert len(well_covered) > 0
    np.testing.assert_allclose(well_covered["relative_error"], 0.0, atol=1e-5)
    k1 = well_covered[well_covered["k"] == 1]
    for name, value in TRUE_PARAMETERS[law_name].items():
        np.testing.assert_allclose(k1[name], value, rtol=1e-3, atol=1e-6)


def test_stability_of_a_noise_free_law_spans_every_well_covered_cap():
    checkpoints = synthetic_checkpoints()
    pass_at_k = synthetic_pass_at_k("compute", checkpoints)
    table = backtest.run_backtest("compute", checkpoints, pass_at_k, TARGET, estimators=["synthetic"], ks=[1, 10])
    truth = [
        {"law": "compute", "estimator": "synthetic", "k": 1, **TRUE_PARAMETERS["compute"]},
        {"law": "compute", "estimator": "synthetic", "k": 10, **{**TRUE_PARAMETERS["compute"], "C0": 1.0e3}},
    ]
    stability = backtest.stability_table(table, pd.DataFrame(truth), 0.1, {"E0": 0.01}, 0.1, min_residual_dof=0)
    assert list(stability.columns) == backtest.STABILITY_COLUMNS
    assert len(stability) == 2 * 3
    smallest_fitted = table.loc[table["skip_reason"] == "", "c_max_over_target"].min()
    # 3 exactly-fitting points determine the 3-parameter law: stable all the way down
    np.testing.assert_allclose(stability["stable_orders"], -np.log10(smallest_fitted), rtol=1e-9)
    np.testing.assert_allclose(stability["error_first_below_orders"], -np.log10(smallest_fitted), rtol=1e-9)
    # With one residual degree of freedom asked for, the interpolating 3-point caps no longer count.
    robust = backtest.stability_table(table, pd.DataFrame(truth), 0.1, {"E0": 0.01}, 0.1, min_residual_dof=1)
    smallest_with_dof = table.loc[(table["skip_reason"] == "") & (table["residual_dof"] >= 1), "c_max_over_target"].min()
    assert smallest_with_dof > smallest_fitted
    np.testing.assert_allclose(robust["stable_orders"], -np.log10(smallest_with_dof), rtol=1e-9)
    np.testing.assert_allclose(robust["error_stays_below_orders"], -np.log10(smallest_with_dof), rtol=1e-9)
    assert (robust["n_caps_below_min_dof"] == ((table["skip_reason"] == "") & (table["residual_dof"] < 1)).sum() // 2).all()


def test_a_lucky_cap_sets_the_first_below_horizon_but_not_the_stays_below_one():
    ratio = [1e-4, 1e-3, 1e-2, 1e-1]
    rows = pd.DataFrame(
        {
            "law": "compute", "estimator": "e", "k": 1, "c_max_over_target": ratio, "relative_error": [0.006, 0.5, 0.05, 0.02],
            "n_points": [4, 10, 20, 40], "E0": 1.0, "C0": 10.0, "alpha": 0.2, "skip_reason": "", "at_bound": False,
        }
    )
    full_fits = pd.DataFrame({"law": ["compute"], "estimator": ["e"], "k": [1], "E0": [1.0], "C0": [10.0], "alpha": [0.2]})
    row = backtest.stability_table(rows, full_fits, 0.1, {}, 0.1).iloc[0]
    assert row["error_first_below_orders"] == pytest.approx(4.0) and row["error_stays_below_orders"] == pytest.approx(2.0)
    assert backtest.HORIZON_COLUMNS == {"first_below": "error_first_below_orders", "stays_below": "error_stays_below_orders"}


def test_noisy_backtest_errors_shrink_towards_the_target():
    checkpoints = synthetic_checkpoints()
    pass_at_k = synthetic_pass_at_k("compute", checkpoints, noise=0.05, seed=3)
    table = backtest.run_backtest("compute", checkpoints, pass_at_k, TARGET, estimators=["synthetic"], ks=[1])
    fitted = table[table["skip_reason"] == ""].sort_values("c_max")
    assert fitted["relative_error"].iloc[-1] < 0.1
    assert fitted["relative_error"].iloc[-3:].mean() < fitted["relative_error"].iloc[:3].mean()


def test_an_unestimable_target_is_recorded_not_predicted():
    checkpoints = synthetic_checkpoints()
    pass_at_k = synthetic_pass_at_k("compute", checkpoints)
    at_target = (pass_at_k["size"] == "12B") & (pass_at_k["step"] == 143000) & (pass_at_k["k"] == 10)
    pass_at_k.loc[at_target, "neg_log_pass_at_k"] = np.nan
    table = backtest.run_backtest("compute", checkpoints, pass_at_k, TARGET, estimators=["synthetic"], ks=[1, 10])
    k10 = table[table["k"] == 10]
    assert (k10["skip_reason"] == backtest.SKIP_TARGET_NOT_ESTIMABLE).all() and k10["relative_error"].isna().all()
    assert (table.loc[(table["k"] == 1) & (table["n_points"] >= 3), "skip_reason"] == "").all()


# The twelve smallest-compute checkpoints of GSM8K as the compute law is fit on them (beta-binomial
# pass@1 as −log pass@k, exclusions applied): (compute in FLOP, −log pass@1). With four to nine of
# them the best fit puts the exponent on its bound; with three it does not, so a warm start passed
# down from the cap above lands in the wrong basin.
SMALL_CAPS_GSM8K = np.array([
    (1.68e14, 14.514346309891113), (8.4e14, 14.21441222412864), (1.92e15, 13.844714653317585),
    (4.92e15, 15.157968249267642), (5.376e15, 13.940178728420182), (1.2e16, 14.614035838334926),
    (1.68e16, 14.016422013203407), (2.688e16, 15.482890922190913), (3.36e16, 13.960350502923719),
    (4.3008e16, 11.822623462028258), (6.144e16, 14.894213060115247), (8.28e16, 12.135451209630839),
])


def test_every_cap_gets_at_least_the_best_fit_of_its_own_multi_start():
    compute, targets = SMALL_CAPS_GSM8K[:, 0], SMALL_CAPS_GSM8K[:, 1][None]
    log_x = np.log(compute)[:, None]
    law = LAWS["compute"]
    caps = backtest.compute_caps(compute, np.inf)
    fits = backtest.fit_under_caps(law, log_x, compute, targets, caps).fits
    for index, cap in enumerate(caps):
        if fits.n_points[index, 0] < len(law.parameter_names):
            continue
        alone = fitting.fit_law_batch(law, log_x, np.where(compute <= cap, targets, np.nan), log_reference=log_x.mean(axis=0))
        assert fits.sse_log[index, 0] <= alone.sse_log[0] * (1 + 1e-6) + 1e-12, f"cap {cap:g}: {fits.sse_log[index, 0]} vs {alone.sse_log[0]}"
    three_checkpoints = int(np.flatnonzero(fits.n_points[:, 0] == 3)[0])
    assert fits.sse_log[three_checkpoints, 0] == pytest.approx(6.9e-5, rel=0.05)  # not the bound-basin 3.5e-4
    assert fits.parameters[three_checkpoints, 0, law.parameter_names.index("alpha")] < 1


def test_fits_on_the_exponent_bound_are_marked():
    compute, targets = SMALL_CAPS_GSM8K[:, 0], SMALL_CAPS_GSM8K[:, 1][None]
    law = LAWS["compute"]
    caps = backtest.compute_caps(compute, np.inf)
    cap_fits = backtest.fit_under_caps(law, np.log(compute)[:, None], compute, targets, caps)
    series = pd.DataFrame({"estimator": ["beta_binomial"], "k": [1]})
    table = backtest.backtest_table(law, cap_fits, series, {"compute": 2.16e22}, np.array([1.0]), 2.16e22)
    fitted = table[table["skip_reason"] == ""].set_index("n_points")
    assert not fitted.loc[3, "at_bound"]
    assert fitted.loc[[4, 5, 6, 7, 8, 9], "at_bound"].all()  # alpha = 10: the data do not determine it
    assert (fitted.loc[fitted["at_bound"], "alpha"] > 9.9).all()
    unfitted = table[table["skip_reason"] != ""]
    assert not unfitted["at_bound"].any()


def test_fits_on_a_bound_are_left_out_of_the_stability_horizons():
    ratio = [1e-3, 1e-2, 1e-1]
    backtest_rows = pd.DataFrame(
        {
            "law": "compute", "estimator": "e", "k": 1, "c_max_over_target": ratio, "relative_error": [0.01, 0.01, 0.01],
            "n_points": 10, "E0": 1.0, "C0": 10.0, "alpha": 0.2, "skip_reason": "", "at_bound": [False, True, False],
        }
    )
    full_fits = pd.DataFrame({"law": ["compute"], "estimator": ["e"], "k": [1], "E0": [1.0], "C0": [10.0], "alpha": [0.2]})
    table = backtest.stability_table(backtest_rows, full_fits, 0.1, {}, 0.1).set_index("parameter")
    # Every value equals its full fit, but the bound fit at 1e-2 is not an estimate: the run stops there.
    assert table.loc["alpha", "stable_orders"] == pytest.approx(1.0)
    assert table.loc["alpha", "error_stays_below_orders"] == pytest.approx(1.0)
    assert table.loc["alpha", "n_caps_at_bound"] == 1


def test_no_setting_thins_out_the_multi_start(config):
    # A setting that ran the grid at every n-th cap only left the caps between to warm starts,
    # which is how the three-checkpoint cap above inherited the bound basin.
    assert not [key for key in config["generative"]["backtest"] if "multi_start" in key]
