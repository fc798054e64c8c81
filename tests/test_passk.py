"""pass@k estimators: exact rational arithmetic, brute-force enumeration, large-n stability,
the beta-binomial estimator and its prior fit, the k grid and the benchmark table."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from scalingrepro.generative import passk


def exact_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """Eq. 1 in exact rational arithmetic."""
    return 1 - Fraction(comb(n - c, k), comb(n, k))


def enumerated_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """The share of k-subsets of n samples (c of them correct) holding at least one success."""
    outcomes = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(any(outcomes[i] for i in subset) for subset in subsets), len(subsets))


@pytest.mark.parametrize("n", range(1, 9))
def test_unbiased_matches_enumeration_and_exact_fractions(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            expected = exact_pass_at_k(n, c, k)
            assert expected == enumerated_pass_at_k(n, c, k)
            assert passk.unbiased_pass_at_k(n, c, k) == pytest.approx(float(expected), rel=1e-13, abs=1e-15)


def test_unbiased_is_vectorized_over_broadcast_arrays():
    n = np.array([[10], [50], [200]])
    c = np.array([[0], [7], [199]])
    k = np.array([1, 5, 10, 40])
    values = passk.unbiased_pass_at_k(n, c, k)
    assert values.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        expected = float(exact_pass_at_k(int(n[i, 0]), int(c[i, 0]), int(k[j]))) if n[i, 0] >= k[j] else np.nan
        np.testing.assert_allclose(values[i, j], expected, rtol=1e-12, atol=1e-15)


def test_unbiased_is_nan_where_fewer_samples_than_k():
    values = passk.unbiased_pass_at_k([5, 5, 128], [0, 5, 3], [6, 6, 129])
    assert np.isnan(values).all()
    assert passk.unbiased_pass_at_k(128, 3, 128) == 1.0


@pytest.mark.parametrize(
    "n, c, k",
    [(10**7, 1, 1), (10**7, 1, 10**4), (10**7, 3, 10**4), (10**7, 5000, 10**4), (3 * 10**6, 17, 7499), (10**6, 10**6 - 10, 10**4), (20000, 1, 10**4)],
)
def test_unbiased_is_exact_for_large_n_and_k(n, c, k):
    # Exact to ~1e-12 relative even where pass@k is tiny (1e-7) and lgamma differences would
    # cancel catastrophically; Fraction arithmetic on integers with ~1e5 digits is the reference.
    expected = exact_pass_at_k(n, c, k)
    assert passk.unbiased_pass_at_k(n, c, k) == pytest.approx(float(expected), rel=1e-11)


def test_beta_binomial_is_the_posterior_expectation():
    # Direct numerical integral of 1 - (1 - p)^k against the posterior Beta(a + c, b + n - c).
    a, b, n, c = 0.7, 12.0, 40, 3
    for k in [1, 10, 40, 500]:
        posterior = stats.beta(a + c, b + n - c)
        expected, _ = integrate.quad(lambda p: (1 - (1 - p) ** k) * posterior.pdf(p), 0, 1, limit=200)
        assert passk.beta_binomial_pass_at_k(n, c, k, a, b) == pytest.approx(expected, rel=1e-7)


def test_beta_binomial_agrees_with_unbiased_where_n_much_larger_than_k():
    n = np.array([10**5, 10**5, 10**6, 2 * 10**6])
    c = np.array([3, 250, 40, 1])
    for k in [1, 10, 100]:
        unbiased = passk.unbiased_pass_at_k(n, c, k)
        beta = passk.beta_binomial_pass_at_k(n, c, k, 0.3, 30.0)
        # The prior adds a and b pseudo-counts to thousands of samples: a relative difference
        # of order (a + b) / n + 1 / c shrinks as n and c grow.
        np.testing.assert_allclose(beta, unbiased, rtol=0.35)
        np.testing.assert_allclose(beta[1:3], unbiased[1:3], rtol=0.05)


def test_beta_binomial_is_defined_and_monotone_for_k_beyond_n():
    values = passk.beta_binomial_pass_at_k(128, 2, np.array([1, 128, 129, 1000, 10000]), 0.2, 20.0)
    assert np.isfinite(values).all()
    assert np.all(np.diff(values) > 0) and values[-1] < 1


def test_beta_binomial_degenerate_priors():
    assert passk.beta_binomial_pass_at_k(128, 0, 10000, 0.0, np.inf) == 0.0
    assert passk.beta_binomial_pass_at_k(128, 128, 10, np.inf, 0.0) == 1.0


def test_fit_beta_prior_recovers_known_parameters():
    rng = np.random.default_rng(20240514)
    a_true, b_true = 0.4, 25.0
    rates = rng.beta(a_true, b_true, size=4000)
    n = rng.choice([128, 1024, 10112], size=rates.size)
    c = rng.binomial(n, rates)
    a, b = passk.fit_beta_prior(n, c)
    # 4000 problems pin log a and log b to a few percent (asymptotic s.e. ~2-3%).
    assert a == pytest.approx(a_true, rel=0.1)
    assert b == pytest.approx(b_true, rel=0.15)


def test_fit_beta_prior_maximizes_the_marginal_likelihood():
    rng = np.random.default_rng(7)
    n = np.full(200, 512)
    c = rng.binomial(n, rng.beta(2.0, 50.0, size=200))
    a, b = passk.fit_beta_prior(n, c)

    def log_likelihood(a_value, b_value):
        return np.sum(stats.betabinom.logpmf(c, n, a_value, b_value))

    best = log_likelihood(a, b)
    for factor_a, factor_b in itertools.product([0.9, 1.0, 1.1], repeat=2):
        assert log_likelihood(a * factor_a, b * factor_b) <= best + 1e-6
    details = passk.fit_beta_prior_details(n, c)
    assert details["log_marginal_likelihood"] == pytest.approx(best, rel=1e-9)
    assert details["converged"] and not details["at_bound"]


def test_fit_beta_prior_without_successes_is_a_point_mass_at_zero():
    assert passk.fit_beta_prior([128, 256, 1024], [0, 0, 0]) == (0.0, np.inf)


def test_k_grid_is_log_spaced_unique_and_holds_the_powers_of_ten():
    grid = passk.k_grid({"k_grid": {"k_min": 1, "k_max": 10000, "points_per_decade": 8}})
    assert len(grid) >= 25
    assert grid[0] == 1 and grid[-1] == 10000
    assert set([1, 10, 100, 1000, 10000]) <= set(grid.tolist())
    assert np.all(np.diff(grid) > 0)
    assert np.all(np.diff(np.log10(grid[grid >= 10])) < 0.2)
    short = passk.k_grid({"k_grid": {"k_min": 1, "k_max": 10000, "points_per_decade": 1}})
    assert short.tolist() == [1, 10, 100, 1000, 10000]


def synthetic_outcomes() -> pd.DataFrame:
    rows = []
    for size, params, step, tokens, counts in [
        ("14M", 1.4e7, 1000, 2e9, [(128, 0), (128, 0), (256, 0)]),
        ("12B", 1.2e10, 143000, 3e11, [(128, 5), (20000, 3), (256, 0)]),
    ]:
        for problem_idx, (n, c) in enumerate(counts):
            rows.append(dict(benchmark="gsm8k", size=size, step=step, params=params, tokens=tokens, compute=6 * params * tokens, problem_idx=problem_idx, n_samples=n, n_correct=c))
    return pd.DataFrame(rows)


def test_benchmark_table_counts_problems_and_never_fills_in_unestimable_k():
    problems, priors = passk.problem_pass_at_k(synthetic_outcomes(), [1, 100, 200, 1000])
    assert list(problems.columns) == passk.PROBLEM_COLUMNS
    assert len(problems) == 2 * 3 * 4 * 2
    table = passk.benchmark_pass_at_k(problems)
    assert list(table.columns) == passk.BENCHMARK_COLUMNS
    unbiased = table[(table.estimator == "unbiased") & (table["size"] == "12B")].set_index("k")
    assert unbiased.loc[100, "pass_at_k"] == pytest.approx((float(exact_pass_at_k(128, 5, 100)) + float(exact_pass_at_k(20000, 3, 100))) / 3)
    assert np.isnan(unbiased.loc[200, "pass_at_k"]) and unbiased.loc[200, "n_problems_estimable"] == 2
    assert np.isnan(unbiased.loc[1000, "pass_at_k"]) and unbiased.loc[1000, "n_problems_estimable"] == 1
    assert (unbiased["n_problems"] == 3).all()
    beta = table[table.estimator == "beta_binomial"]
    assert beta["pass_at_k"].notna().all() and (beta["n_problems_estimable"] == 3).all()
    # A checkpoint without successes: both estimators give 0 where defined, -log is inf.
    small = table[table["size"] == "14M"]
    assert (small["pass_at_k"].dropna() == 0).all() and np.isinf(small["neg_log_pass_at_k"].dropna()).all()
    assert priors.set_index("size").loc["14M", "a"] == 0.0
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(table["neg_log_pass_at_k"], -np.log(table["pass_at_k"]))


def test_beta_binomial_matches_the_beta_function_ratio_and_stays_stable_for_huge_priors():
    n, c, k = 5000, 12, np.array([1, 37, 5000, 9999])
    a, b = 0.8, 150.0
    reference = -np.expm1(special.betaln(a + c, b + n - c + k) - special.betaln(a + c, b + n - c))
    # The log-beta reference itself loses ~1e-9 to cancellation; k = 1 has the exact posterior mean.
    np.testing.assert_allclose(passk.beta_binomial_pass_at_k(n, c, k, a, b), reference, rtol=1e-7)
    assert passk.beta_binomial_pass_at_k(n, c, 1, a, b) == pytest.approx((a + c) / (a + b + n), rel=1e-14)
    # A prior near the binomial limit (a, b ~ 1e6): the product form stays in [0, 1] and
    # approaches 1 - (1 - p)^k with the pooled rate p = (a + c) / (a + b + n).
    a, b = 3.0e3, 5.0e9
    values = passk.beta_binomial_pass_at_k(10**6, 1, np.array([1, 100, 10**4]), a, b)
    pooled = (a + 1) / (a + b + 10**6)
    np.testing.assert_allclose(values, 1 - (1 - pooled) ** np.array([1, 100, 10**4]), rtol=1e-3)


def test_problem_table_is_complete_on_the_released_data(mirror, config):
    from scalingrepro.generative import outcomes

    outcomes_config = config["generative"]["outcomes"]
    path = mirror / "math_pass_at_k.parquet"
    table = outcomes.from_released(outcomes.read_released(path), "math", outcomes_config, str(path))
    k_values = [1, 100, 1000, 10000]
    problems, priors = passk.problem_pass_at_k(table, k_values)
    assert len(problems) == len(table) * len(k_values) * 2
    unbiased = problems[problems.estimator == "unbiased"].merge(table, on=["size", "step", "problem_idx"])
    assert (unbiased["pass_at_k"].isna() == (unbiased["n_samples"] < unbiased["k"])).all()
    assert problems.loc[problems.estimator == "beta_binomial", "pass_at_k"].between(0, 1).all()
    assert len(priors) == 72 and priors["converged"].all()
    benchmark = passk.benchmark_pass_at_k(problems)
    final = benchmark[(benchmark["size"] == "12B") & (benchmark["step"] == 143000)].set_index(["estimator", "k"])
    # Pythia-12B's final checkpoint has >= 128 samples per MATH problem but not 1e4 for all.
    assert np.isnan(final.loc[("unbiased", 10000), "pass_at_k"])
    assert final.loc[("unbiased", 1), "pass_at_k"] == pytest.approx(final.loc[("beta_binomial", 1), "pass_at_k"], rel=0.05)
