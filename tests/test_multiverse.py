"""Paper G's multiverse: the specifications, the shared fits, thinned caps, the screened multi-start,
and a specification's results overriding the run's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_generative import checkpoint_table, simulate_pass_at_1

from scalingrepro.generative import backtest, fitting, multiverse, solver
from scalingrepro.generative.laws import LAWS
from scalingrepro.pipeline import paths
from scalingrepro.verdict import checks
from scalingrepro.verdict.claims import load_claims
from scalingrepro.verdict.multiverse import SpecificationResults, specification_config


def test_every_combination_is_a_specification_and_the_configured_analysis_is_one(config):
    table = multiverse.specification_table(config["generative"])
    assert list(table.columns) == multiverse.SPECIFICATION_COLUMNS
    assert len(table) == 4 * 2 * 2 * 2 * 2 and table["specification"].is_unique
    assert table["refit"].sum() == 16  # subset × exclusion × estimator; horizon and dof reuse the fits
    default = table[table["default"]]
    assert len(default) == 1
    assert default[multiverse.CHOICES].iloc[0].tolist() == ["from_step_1000", "configured", "beta_binomial", "stays_below", 1]


def test_a_multiverse_without_the_configured_analysis_is_refused(config):
    generative = {**config["generative"], "multiverse": {**config["generative"]["multiverse"], "horizons": ["first_below"]}}
    with pytest.raises(ValueError, match="does not hold the configured analysis"):
        multiverse.default_specification(generative)


def test_gold_file_exclusion_adds_the_gold_files_choice_to_the_listed_ones(config):
    outcomes = config["generative"]["outcomes"]
    listed = multiverse.exclusions("configured", outcomes, None)
    assert ("14M", 143000) in listed and ("12B", 1) in listed
    extra = frozenset({("410M", 143000)})
    assert multiverse.exclusions("gold_file", outcomes, extra) == listed | extra
    with pytest.raises(ValueError, match="gold-likelihood file"):
        multiverse.exclusions("gold_file", outcomes, None)


def test_thinned_caps_keep_the_largest_cap_of_each_quarter_decade():
    caps = np.array([1e-6, 1.5e-6, 3e-6, 9e-6, 2e-3, 0.6, 0.9]) * 1e22
    thinned = backtest.thin_caps(caps, 1e22, 4)
    brute = [max(cap for cap in caps if np.floor(4 * np.log10(cap / 1e22)) == value) for value in sorted({np.floor(4 * np.log10(cap / 1e22)) for cap in caps})]
    np.testing.assert_array_equal(thinned, brute)
    assert len(thinned) == 5  # 1e-6 and 1.5e-6 share a bin, 3e-6 and 9e-6 do not; 0.6 and 0.9 share one


def test_the_screened_multi_start_reaches_the_full_grids_minimum_on_noisy_data():
    rng = np.random.default_rng(4)
    table = checkpoint_table()
    law = LAWS["params_tokens"]
    truth = {"E0": 0.3, "N0": 300.0, "beta": 0.3, "D0": 50.0, "gamma": 0.2}
    log_x = np.log(table[["params", "tokens"]].to_numpy())
    targets = law.predict(truth, table)[None] * np.exp(rng.normal(0, 0.05, (6, len(table))))
    full = solver.fit_law_batch(law, log_x, targets)
    screened = solver.fit_law_batch(law, log_x, targets, screening=(10, 3))
    np.testing.assert_allclose(screened.sse_log, full.sse_log, rtol=1e-6)


def test_subsets_selecting_the_same_checkpoints_share_their_fits():
    """MATH has no step 256: there `all` and `without_step_256` are one fit."""
    checkpoints = checkpoint_table()
    checkpoints = checkpoints[checkpoints["step"] != 256].reset_index(drop=True)
    pass_at_k, problem_pass_at_k = simulate_pass_at_1(checkpoints, {"E0": 0.5, "C0": 1e3, "alpha": 0.15}, 30, 2048, seed=2)
    data = {"unbiased": fitting.benchmark_data(pass_at_k, problem_pass_at_k, checkpoints, "unbiased")}
    subsets = {"all": {"min_step": 1, "dropped_steps": []}, "without_step_256": {"min_step": 1, "dropped_steps": [256]}, "from_step_1000": {"min_step": 1000, "dropped_steps": []}}
    settings = {"k_values": [1], "target": {"size": "12B", "step": 143000}, "gold_aggregate": "mean_log_likelihood", "caps_per_decade": 4, "screening": (10, 3)}
    fits, tests = multiverse.fit_subsets(data, subsets, frozenset(), ["compute"], ["compute"], settings)
    by_subset = fits.set_index("checkpoint_subset")
    assert by_subset.loc["all", "n_points"] == 72 and by_subset.loc["from_step_1000", "n_points"] == 54
    assert by_subset.loc["all"].drop("checkpoint_subset", errors="ignore").equals(by_subset.loc["without_step_256"])
    assert set(tests["checkpoint_subset"]) == set(subsets)
    full = fitting.fit_benchmark(data["unbiased"], ["compute"], "unbiased", n_resamples=0, seed=0)[0]
    assert by_subset.loc["all", "alpha"] == pytest.approx(full["alpha"].iloc[0], rel=1e-6)


def test_a_specifications_results_replace_the_runs_tables_and_choices(tmp_path, config, repo_root):
    specification = multiverse.Specification("all", "configured", "unbiased", "first_below", 0)
    chosen = specification_config(config, specification)
    assert chosen["generative"]["passk"]["default_estimator"] == "unbiased" and chosen["generative"]["fit"]["min_step"] == 1
    assert chosen["generative"]["backtest"]["stability"] == {**config["generative"]["backtest"]["stability"], "horizon": "first_below", "min_residual_dof": 0}
    assert config["generative"]["fit"]["min_step"] == 1000  # the run's configuration is left alone
    fits = pd.DataFrame({"law": ["compute"], "estimator": ["unbiased"], "k": [1], "E0": [1.23], "alpha": [0.2], "C0": [10.0]})
    results = SpecificationResults(tmp_path, chosen, None, {("gsm8k", "fits.csv"): fits})
    claim = next(claim for claim in load_claims(repo_root / "config/claims.yaml", repo_root / "workflow/schemas/claims.schema.yaml") if claim.id == "G-fig1-E0-k1")
    result = checks.evaluate(claim, results)
    assert result.replicated == pytest.approx(1.23) and result.tables_read == (str(paths.generative("gsm8k", "fits.csv")),)
