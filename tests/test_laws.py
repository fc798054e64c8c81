"""The three scaling laws of paper G (Eqs. 3, 4, 6): parameters, covariates, predictions, bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scalingrepro.generative.laws import ALL_PARAMETER_NAMES, LAWS


def test_each_law_names_its_parameters_and_covariates():
    assert LAWS["compute"].parameter_names == ("E0", "C0", "alpha")
    assert LAWS["compute"].covariates == ("compute",)
    assert LAWS["params_tokens"].parameter_names == ("E0", "N0", "beta", "D0", "gamma")
    assert LAWS["params_tokens"].covariates == ("params", "tokens")
    assert LAWS["gold_likelihood"].parameter_names == ("xi0", "K0", "kappa")
    assert LAWS["gold_likelihood"].covariates == ("neg_log_gold_prob",)
    for law in LAWS.values():
        assert set(law.parameter_names) <= set(ALL_PARAMETER_NAMES)


def test_compute_law_matches_eq3_by_hand():
    covariates = pd.DataFrame({"compute": [1e18, 2.16e22]})
    parameters = {"E0": 0.3, "C0": 2e4, "alpha": 0.25}
    expected = 0.3 + 2e4 * np.array([1e18, 2.16e22]) ** -0.25
    np.testing.assert_allclose(LAWS["compute"].predict(parameters, covariates), expected, rtol=1e-12)
    np.testing.assert_allclose(LAWS["compute"].pass_at_k(parameters, covariates), np.exp(-expected), rtol=1e-12)


def test_params_tokens_law_matches_eq4_by_hand():
    covariates = pd.DataFrame({"params": [1.4e7, 1.2e10], "tokens": [2e6, 3e11]})
    parameters = {"E0": 0.1, "N0": 50.0, "beta": 0.2, "D0": 300.0, "gamma": 0.3}
    expected = 0.1 + 50 * covariates["params"] ** -0.2 + 300 * covariates["tokens"] ** -0.3
    np.testing.assert_allclose(LAWS["params_tokens"].predict(parameters, covariates), expected, rtol=1e-12)


def test_gold_law_grows_with_the_gold_negative_log_likelihood():
    covariates = pd.DataFrame({"neg_log_gold_prob": [20.0, 40.0, 120.0]})
    parameters = {"xi0": 0.05, "K0": 1e-3, "kappa": 2.0}
    predicted = LAWS["gold_likelihood"].predict(parameters, covariates)
    np.testing.assert_allclose(predicted, 0.05 + 1e-3 * covariates["neg_log_gold_prob"] ** 2.0, rtol=1e-12)
    assert np.all(np.diff(predicted) > 0)


def test_prediction_does_not_overflow_for_huge_prefactors():
    # C0 ~ 1e30 with C ~ 1e22 and alpha ~ 1.5 is representable only in log space
    predicted = LAWS["compute"].predict({"E0": 0.0, "C0": 1e30, "alpha": 1.5}, {"compute": np.array([2.16e22])})
    np.testing.assert_allclose(predicted, np.exp(np.log(1e30) - 1.5 * np.log(2.16e22)), rtol=1e-12)


@pytest.mark.parametrize(
    ("parameters", "admissible"),
    [
        ({"E0": 0.0, "C0": 1.0, "alpha": 0.1}, True),
        ({"E0": -0.1, "C0": 1.0, "alpha": 0.1}, False),
        ({"E0": 0.1, "C0": 0.0, "alpha": 0.1}, False),
        ({"E0": 0.1, "C0": 1.0, "alpha": 0.0}, False),
        ({"E0": 0.1, "C0": np.nan, "alpha": 0.1}, False),
    ],
)
def test_bounds_offset_nonnegative_prefactor_and_exponent_positive(parameters, admissible):
    assert LAWS["compute"].is_admissible(parameters) is admissible
