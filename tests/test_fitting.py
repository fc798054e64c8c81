"""Fitting the scaling laws: recovery of known parameters, exclusions, failures, the bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_generative import checkpoint_table, simulate_pass_at_1

from scalingrepro.generative import fitting, pythia
from scalingrepro.generative.laws import LAWS

TRUE = {
    "compute": {"E0": 0.6, "C0": 5e3, "alpha": 0.2},
    "params_tokens": {"E0": 0.3, "N0": 300.0, "beta": 0.3, "D0": 50.0, "gamma": 0.2},
    "gold_likelihood": {"xi0": 0.1, "K0": 1e-3, "kappa": 2.0},
}


@pytest.fixture(scope="module")
def covariates() -> pd.DataFrame:
    table = checkpoint_table()
    table["neg_log_gold_prob"] = np.geomspace(20, 150, len(table))
    return table


@pytest.mark.parametrize("law", list(TRUE))
def test_fit_law_recovers_known_parameters_from_noiseless_data(law, covariates):
    target = LAWS[law].predict(TRUE[law], covariates)
    result = fitting.fit_law(law, covariates, target)
    assert result.converged, result.message
    assert result.n_points == len(covariates) and result.n_excluded == 0
    for name, value in TRUE[law].items():
        assert result.parameters[name] == pytest.approx(value, rel=1e-4), name
    assert result.sse_log < 1e-12


@pytest.mark.parametrize("law", list(TRUE))
def test_fit_law_recovers_parameters_under_1pct_noise(law, covariates):
    rng = np.random.default_rng(7)
    target = LAWS[law].predict(TRUE[law], covariates) * np.exp(rng.normal(0, 0.01, len(covariates)))
    result = fitting.fit_law(law, covariates, target)
    assert result.converged
    # exponents are the best-determined parameters; 1% noise over 81 points moves them by < 5%
    for term in LAWS[law].terms:
        assert result.parameters[term.exponent] == pytest.approx(TRUE[law][term.exponent], rel=0.05)


def test_offset_at_its_bound_when_the_truth_is_a_pure_power_law(covariates):
    target = LAWS["compute"].predict({"E0": 0.0, "C0": 1e4, "alpha": 0.3}, covariates)
    result = fitting.fit_law("compute", covariates, target)
    assert result.converged
    assert result.parameters["E0"] == pytest.approx(0.0, abs=1e-8)
    assert result.parameters["alpha"] == pytest.approx(0.3, rel=1e-5)


def test_zero_pass_rates_and_non_finite_targets_are_excluded_and_counted(covariates):
    target = LAWS["compute"].predict(TRUE["compute"], covariates)
    target[[0, 5]] = np.inf  # pass@k = 0
    target[7] = np.nan  # not estimable
    target[9] = 0.0  # pass@k = 1
    result = fitting.fit_law("compute", covariates, target)
    assert (result.n_points, result.n_excluded) == (len(covariates) - 4, 4)
    assert result.parameters["alpha"] == pytest.approx(TRUE["compute"]["alpha"], rel=1e-5)


def test_a_fit_without_enough_points_is_a_recorded_failure(covariates):
    target = np.full(len(covariates), np.inf)
    target[:2] = 1.0
    result = fitting.fit_law("params_tokens", covariates, target)
    assert not result.converged
    assert np.isnan(result.parameters["beta"]) and result.n_points == 2
    assert "2 usable points" in result.message


def test_warm_start_reaches_the_same_solution(covariates):
    target = LAWS["params_tokens"].predict(TRUE["params_tokens"], covariates)
    cold = fitting.fit_law("params_tokens", covariates, target)
    warm = fitting.fit_law("params_tokens", covariates, target, initial=cold.parameters)
    assert warm.sse_log <= cold.sse_log + 1e-12
    assert warm.parameters["gamma"] == pytest.approx(cold.parameters["gamma"], rel=1e-6)


def test_fit_result_row_has_every_parameter_column():
    result = fitting.FitResult("compute", {"E0": 1.0, "C0": 2.0, "alpha": 0.1}, 0.5, 9, 0, True, "converged")
    row = fitting.fit_result_row(result)
    assert np.isnan(row["kappa"]) and row["alpha"] == 0.1 and row["n_points"] == 9


def test_weighted_benchmark_pass_at_k_is_eq2_and_propagates_undefined_problems():
    per_problem = np.array([[0.2, 0.4, np.nan], [0.1, 0.3, 0.5]])
    ones = np.ones((1, 3))
    result = fitting.weighted_benchmark_pass_at_k(per_problem, ones)[0]
    assert np.isnan(result[0])  # a problem with an undefined estimate makes Eq. 2 undefined
    assert result[1] == pytest.approx(0.3)
    drawn = fitting.weighted_benchmark_pass_at_k(per_problem, np.array([[2, 1, 0]]))[0]
    np.testing.assert_allclose(drawn, [(0.4 + 0.4) / 3, (0.2 + 0.3) / 3])


def test_resample_weights_are_seeded_and_sum_to_the_problem_count():
    first = fitting.resample_weights(130, 5, seed=3)
    assert np.array_equal(first, fitting.resample_weights(130, 5, seed=3))
    assert (first.sum(axis=1) == 130).all() and not np.array_equal(first, fitting.resample_weights(130, 5, seed=4))


def test_synthetic_benchmark_recovers_the_compute_law_within_its_bootstrap_interval():
    """Per-problem pass rates whose benchmark pass@1 follows a known compute law; binomial counts;
    the pipeline's own code (alignment, point fit, bootstrap over problems) recovers the law."""
    checkpoints = checkpoint_table(excluded={("14M", 143000)})
    truth = {"E0": 0.8, "C0": 3e3, "alpha": 0.2}
    pass_at_k, problem_pass_at_k = simulate_pass_at_1(checkpoints, truth, n_problems=130, n_samples=4096, seed=11)
    data = fitting.benchmark_data(pass_at_k, problem_pass_at_k, checkpoints, "unbiased")
    selection = pythia.CheckpointSelection(excluded=frozenset({("14M", 143000)}))
    fits, diagnostics = fitting.fit_benchmark(data, ["compute"], "unbiased", n_resamples=100, seed=5, selection=selection)
    row = fits.iloc[0]
    assert list(fits.columns) == fitting.fits_columns()
    assert bool(row["converged"]) and row["n_points"] == 80  # one checkpoint excluded by config
    for name, value in truth.items():
        assert row[f"{name}_q05"] <= value <= row[f"{name}_q95"], (name, row[f"{name}_q05"], value, row[f"{name}_q95"])
        assert row[f"{name}_se"] > 0
    assert diagnostics.iloc[0]["n_resamples_converged"] == 100


def test_bootstrap_is_reproducible_byte_for_byte():
    checkpoints = checkpoint_table()
    pass_at_k, problem_pass_at_k = simulate_pass_at_1(checkpoints, {"E0": 0.5, "C0": 1e3, "alpha": 0.15}, 40, 512, seed=2)
    data = fitting.benchmark_data(pass_at_k, problem_pass_at_k, checkpoints, "unbiased")
    first, _ = fitting.fit_benchmark(data, ["compute"], "unbiased", n_resamples=10, seed=1)
    second, _ = fitting.fit_benchmark(data, ["compute"], "unbiased", n_resamples=10, seed=1)
    assert first.to_csv(index=False) == second.to_csv(index=False)


def test_variants_toggle_exclusions_and_the_minimum_step():
    checkpoints = checkpoint_table(excluded={("14M", 143000), ("70M", 143000)})
    pass_at_k, problem_pass_at_k = simulate_pass_at_1(checkpoints, {"E0": 0.5, "C0": 1e3, "alpha": 0.15}, 40, 2048, seed=2)
    data = fitting.benchmark_data(pass_at_k, problem_pass_at_k, checkpoints, "unbiased")
    listed = frozenset({("14M", 143000), ("70M", 143000)})
    configured = pythia.CheckpointSelection(min_step=1000, excluded=listed)
    gold_choice = frozenset({("14M", 30000), ("14M", 100000), ("14M", 143000)})
    selections = fitting.selection_variants(configured, listed, gold_choice)
    variants = fitting.fit_variants(data, ["compute"], "unbiased", "mean_log_likelihood", selections)
    points = variants.set_index("variant")["n_points"]
    # 9 sizes x 6 steps from step 1000 on, less the two listed; every step; the listed back in
    assert points["configured"] == 52 and points["all_checkpoints"] == 79 and points["exclusions_toggled"] == 54
    assert points["gold_file_exclusions"] == 50  # the listed two and 14M at steps 30000, 100000
    assert variants.set_index("variant").loc["all_checkpoints", "min_step"] == 1


def test_checkpoint_selection_keeps_steps_from_the_minimum_without_dropped_steps_and_exclusions():
    table = checkpoint_table()
    selection = pythia.CheckpointSelection(min_step=32, dropped_steps=(256,), excluded=frozenset({("12B", 1000)}))
    kept = table[selection.keeps_table(table)]
    assert sorted(kept["step"].unique()) == [32, 1000, 3000, 10000, 30000, 100000, 143000]
    assert len(kept) == 9 * 7 - 1 and not ((kept["size"] == "12B") & (kept["step"] == 1000)).any()


def test_gold_file_choice_excludes_every_later_checkpoint_of_its_size():
    table = checkpoint_table()
    gold = pd.DataFrame({"size": ["14M", "70M", "12B"], "step": [10000, 30000, 143000]})
    assert pythia.gold_file_overtrained(gold, table) == {("14M", 30000), ("14M", 100000), ("14M", 143000), ("70M", 100000), ("70M", 143000)}


def test_default_reading_of_the_released_gsm8k_data_gives_the_papers_compute_and_params_tokens_laws(mirror, config):
    """The paper's reading (checkpoints from step 1000 on, the configured exclusions) on the released
    GSM8K outcomes, beta-binomial pass@1: E0(1) ≈ 2, α(1) ≈ 0.121 (Fig. 1), 𝓔0(1) ≈ 3.87 (Fig. 4),
    ∼5 orders of compute (Fig. 1)."""
    from scalingrepro.generative import outcomes, passk

    generative = config["generative"]
    released = outcomes.read_released(mirror / "gsm8k_pass_at_k.parquet")
    table = outcomes.select_problem_set(outcomes.from_released(released, "gsm8k", generative["outcomes"], source="gsm8k"), generative["outcomes"]["problem_set"])
    problems, _ = passk.problem_pass_at_k(table, [1], ["beta_binomial"], generative["passk"]["beta_prior_log10_bounds"])
    data = fitting.benchmark_data(passk.benchmark_pass_at_k(problems), problems, pythia.checkpoint_table(generative["outcomes"]), "beta_binomial")
    selection = pythia.fit_selection(generative["outcomes"], generative["fit"])
    assert selection.min_step == 1000
    fits, _ = fitting.fit_benchmark(data, ["compute", "params_tokens"], "beta_binomial", n_resamples=0, seed=0, selection=selection)
    compute, params_tokens = (fits[fits["law"] == law].iloc[0] for law in ("compute", "params_tokens"))
    assert 1.6 <= compute["E0"] <= 2.4 and 0.103 <= compute["alpha"] <= 0.139
    assert 3.5 <= params_tokens["E0"] <= 4.3
    chosen = data.checkpoints.iloc[fitting.law_columns(LAWS["compute"], data, selection)]
    assert 4.6 <= np.log10(chosen["compute"].max() / chosen["compute"].min()) <= 5.6
    # every checkpoint (steps 1, 32, 256 at pass@1 ≈ 1e-7) pins the floor at 0: the paper's reading matters
    everything, _ = fitting.fit_benchmark(data, ["compute"], "beta_binomial", n_resamples=0, seed=0, selection=pythia.CheckpointSelection(excluded=selection.excluded))
    assert everything["E0"].iloc[0] < 0.5
