"""Backtesting (paper G §3.2): caps, the relative error, fits under caps and stability horizons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scalingrepro.generative import backtest
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
    stability = backtest.stability_table(table, pd.DataFrame(truth), 0.1, {"E0": 0.01}, 0.1)
    assert list(stability.columns) == backtest.STABILITY_COLUMNS
    assert len(stability) == 2 * 3
    smallest_fitted = table.loc[table["skip_reason"] == "", "c_max_over_target"].min()
    # 3 exactly-fitting points determine the 3-parameter law: stable all the way down
    np.testing.assert_allclose(stability["stable_orders"], -np.log10(smallest_fitted), rtol=1e-9)
    np.testing.assert_allclose(stability["error_first_below_orders"], -np.log10(smallest_fitted), rtol=1e-9)


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


def test_anchor_caps_count_down_from_the_largest_and_keep_the_smallest():
    assert backtest.anchor_caps(10, 4).tolist() == [0, 1, 5, 9]
    assert backtest.anchor_caps(5, 1).tolist() == [0, 1, 2, 3, 4]
    assert backtest.anchor_caps(0, 3).tolist() == []


def test_sparse_multi_start_with_warm_passes_matches_multi_start_at_every_cap():
    checkpoints = synthetic_checkpoints()
    pass_at_k = synthetic_pass_at_k("params_tokens", checkpoints, noise=0.03, seed=5)
    every = backtest.run_backtest("params_tokens", checkpoints, pass_at_k, TARGET, ["synthetic"], [1, 10], multi_start_every=1)
    sparse = backtest.run_backtest("params_tokens", checkpoints, pass_at_k, TARGET, ["synthetic"], [1, 10], multi_start_every=5)
    fitted = every["skip_reason"] == ""
    assert (sparse["skip_reason"] == every["skip_reason"]).all()
    # warm passes never end worse than the grid (up to optimizer tolerance) and usually land on the same optimum
    assert (sparse.loc[fitted, "sse_log"] <= every.loc[fitted, "sse_log"] * (1 + 1e-6) + 1e-9).mean() > 0.9
