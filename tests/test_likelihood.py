"""Gold-reference likelihoods (Eq. 5): the two aggregates, bootstrap weights, the released file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_generative import checkpoint_table

from scalingrepro.generative import likelihood


def test_mean_log_likelihood_is_the_mean_nll():
    nll = np.array([[50.0, 100.0, 150.0], [10.0, 20.0, np.nan]])
    np.testing.assert_allclose(likelihood.aggregate_neg_log_gold_prob(nll, "mean_log_likelihood"), [100.0, 15.0])


def test_mean_probability_is_eq5_without_underflow():
    nll = np.array([[50.0, 100.0, 800.0]])
    # exp(-800) underflows in float64; the log-sum-exp form keeps Eq. 5 exact
    expected = -(np.log(np.exp(-50.0) + np.exp(-100.0)) - np.log(3.0))
    np.testing.assert_allclose(likelihood.aggregate_neg_log_gold_prob(nll, "mean_probability"), [expected], rtol=1e-12)
    # dominated by the best-predicted problem: ≈ min NLL + log |B|
    assert abs(expected - (50.0 + np.log(3.0))) < 1e-12 + np.exp(-50)


def test_bootstrap_weights_repeat_problems():
    nll = np.array([[10.0, 20.0, 60.0]])
    weights = np.array([[1, 1, 1], [3, 0, 0], [0, 2, 1]])
    result = likelihood.aggregate_neg_log_gold_prob(nll, "mean_log_likelihood", weights)
    np.testing.assert_allclose(result[:, 0], [30.0, 10.0, (2 * 20 + 60) / 3])
    probability = likelihood.aggregate_neg_log_gold_prob(nll, "mean_probability", weights)
    np.testing.assert_allclose(probability[1, 0], 10.0)


def test_unknown_aggregate_is_refused():
    with pytest.raises(ValueError, match="unknown gold aggregate"):
        likelihood.aggregate_neg_log_gold_prob(np.ones((1, 2)), "median")


def test_loader_maps_nicknames_to_registered_checkpoints(tmp_path):
    raw = pd.DataFrame({"Model": ["Pythia_14M_20B", "Pythia_12B_300B"], "Problem Idx": [3, 3], "Neg Log Score": [120.0, 40.0]})
    raw.to_parquet(tmp_path / "gold.parquet")
    table = likelihood.load_gold_neg_log_likelihood(tmp_path / "gold.parquet", checkpoint_table())
    assert table[["size", "step"]].to_records(index=False).tolist() == [("14M", 10000), ("12B", 143000)]


def test_loader_names_an_unknown_model(tmp_path):
    raw = pd.DataFrame({"Model": ["Pythia_13B_300B"], "Problem Idx": [0], "Neg Log Score": [1.0]})
    raw.to_parquet(tmp_path / "gold.parquet")
    with pytest.raises(likelihood.InputError, match="Pythia_13B_300B"):
        likelihood.load_gold_neg_log_likelihood(tmp_path / "gold.parquet", checkpoint_table())


def test_released_gold_file_covers_nine_checkpoints(mirror):
    table = likelihood.load_gold_neg_log_likelihood(mirror / "gsm8k_gold_neg_log_likelihood.parquet", checkpoint_table())
    counts = table.groupby(["size", "step"]).size()
    assert len(counts) == 9 and (counts == 1319).all()
    summary = likelihood.benchmark_gold_table(table, checkpoint_table())
    # bigger, longer-trained models assign the gold solutions more probability
    ordered = summary.sort_values("compute")
    assert ordered["neg_log_gold_prob_mean_log_likelihood"].iloc[0] > ordered["neg_log_gold_prob_mean_log_likelihood"].iloc[-1]
