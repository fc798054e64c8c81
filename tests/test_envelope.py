"""The compute-optimal envelope of Eq. 4 and the misallocation penalty (paper G §6, App. E), numerically."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar

from scalingrepro.generative import envelope

# Eq. 4 parameters of the magnitude fitted to Pythia (raw N and D), and two asymmetric cases.
CASES = [
    dict(n0=40.0, beta=0.30, d0=900.0, gamma=0.35),
    dict(n0=3.0e3, beta=0.45, d0=12.0, gamma=0.12),
    dict(n0=0.7, beta=0.08, d0=5.0e4, gamma=0.60),
]
C = 6.0


def brute_force_envelope(compute: float, n0: float, beta: float, d0: float, gamma: float) -> tuple[float, float]:
    """min over N of F(N, C/(cN)), by a bounded 1-d search in log N; returns (F_min, N_argmin)."""
    budget = compute / C

    def excess(log_n: float) -> float:
        n = np.exp(log_n)
        return np.log(envelope.excess_neg_log_pass(n, budget / n, n0, beta, d0, gamma))

    result = minimize_scalar(excess, bounds=(-20.0, np.log(budget) + 20.0), method="bounded", options={"xatol": 1e-10})
    return float(np.exp(result.fun)), float(np.exp(result.x))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("compute", [1e18, 1e20, 2.16e22, 1e25])
def test_envelope_is_the_minimum_of_eq4_over_the_compute_budget(case, compute):
    minimum, argmin = brute_force_envelope(compute, **case)
    prefactor = envelope.envelope_prefactor(case["n0"], case["beta"], case["d0"], case["gamma"], C)
    alpha = envelope.envelope_exponent(case["beta"], case["gamma"])
    assert prefactor * compute ** (-alpha) == pytest.approx(minimum, rel=1e-9)
    assert envelope.optimal_params(compute, **case, flop_per_parameter_token=C) == pytest.approx(argmin, rel=1e-4)
    n_star = envelope.optimal_params(compute, **case, flop_per_parameter_token=C)
    d_star = envelope.optimal_tokens(compute, **case, flop_per_parameter_token=C)
    assert n_star * d_star * C == pytest.approx(compute, rel=1e-12)
    # the first-order condition βA N*^(−β) = γB D*^(−γ) holds at the allocation
    assert case["beta"] * case["n0"] * n_star ** -case["beta"] == pytest.approx(case["gamma"] * case["d0"] * d_star ** -case["gamma"], rel=1e-10)


def test_envelope_exponent_is_the_parallel_sum_and_equal_exponents_halve():
    assert envelope.envelope_exponent(0.3, 0.6) == pytest.approx(1 / (1 / 0.3 + 1 / 0.6))
    # Remark 2: β = γ gives α = β/2, N* ∝ C^(1/2) and, from Eq. 13 and the direct minimum alike,
    # C0 = 2·(AB)^(1/2)·c^(β/2); the remark prints an extra factor β^(−1), which neither supports.
    beta, a, b = 0.25, 7.0, 11.0
    assert envelope.envelope_exponent(beta, beta) == pytest.approx(beta / 2)
    assert envelope.envelope_prefactor(a, beta, b, beta, C) == pytest.approx(2 * (a * b) ** 0.5 * C ** (beta / 2))
    minimum, _ = brute_force_envelope(1e20, a, beta, b, beta)
    assert minimum == pytest.approx(2 * (a * b) ** 0.5 * (1e20 / C) ** (-beta / 2), rel=1e-9)
    ratio = envelope.optimal_params(4e20, a, beta, b, beta, C) / envelope.optimal_params(1e20, a, beta, b, beta, C)
    assert ratio == pytest.approx(2.0)


def test_conversion_constant_enters_only_the_prefactor():
    case = CASES[0]
    alpha = envelope.envelope_exponent(case["beta"], case["gamma"])
    ratio = envelope.envelope_prefactor(**case, flop_per_parameter_token=8.0) / envelope.envelope_prefactor(**case, flop_per_parameter_token=6.0)
    assert ratio == pytest.approx((8.0 / 6.0) ** alpha)


@pytest.mark.parametrize("case", CASES)
def test_penalty_is_the_exact_ratio_of_off_ridge_to_optimal_excess(case):
    compute = 3e21
    n_star = envelope.optimal_params(compute, **case, flop_per_parameter_token=C)
    optimal = envelope.envelope_prefactor(**case, flop_per_parameter_token=C) * compute ** -envelope.envelope_exponent(case["beta"], case["gamma"])
    for r in [1e-3, 0.1, 0.5, 1.0, 2.0, 30.0, 1e4]:
        n = r * n_star
        off_ridge = envelope.excess_neg_log_pass(n, compute / C / n, **case)
        assert off_ridge / optimal == pytest.approx(envelope.misallocation_penalty(r, case["beta"], case["gamma"]), rel=1e-10)


@pytest.mark.parametrize("case", CASES)
def test_penalty_is_at_least_one_with_equality_only_at_r_equal_one(case):
    r = np.logspace(-6, 6, 20001)
    phi = envelope.misallocation_penalty(r, case["beta"], case["gamma"])
    assert np.all(phi >= 1.0 - 1e-15)
    assert envelope.misallocation_penalty(1.0, case["beta"], case["gamma"]) == pytest.approx(1.0, abs=1e-15)
    away = np.abs(np.log(r)) > 1e-3
    assert np.all(phi[away] > 1.0)
    assert r[np.argmin(phi)] == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize("case", CASES)
def test_penalty_is_quadratic_in_log_r_near_the_optimum(case):
    beta, gamma = case["beta"], case["gamma"]
    for t in [1e-2, -1e-2, 1e-3, -1e-3]:
        phi = envelope.misallocation_penalty(np.exp(t), beta, gamma)
        # Eq. 18: Φ = 1 + βγ/2·t² + O(t³); the cubic remainder bounds the relative discrepancy by O(t)
        assert (phi - 1.0) / t**2 == pytest.approx(beta * gamma / 2, rel=5 * abs(t) * (1 + beta + gamma))


@pytest.mark.parametrize("case", CASES)
def test_penalty_asymptotes_of_eq19(case):
    beta, gamma = case["beta"], case["gamma"]
    over = 1e40  # over-allocating N: the r^γ branch dominates
    assert envelope.misallocation_penalty(over, beta, gamma) / (beta / (beta + gamma) * over**gamma) == pytest.approx(1.0, rel=1e-4)
    under = 1e-40  # under-allocating N: the r^(−β) branch dominates
    assert envelope.misallocation_penalty(under, beta, gamma) / (gamma / (beta + gamma) * under**-beta) == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("case", CASES)
def test_fixed_ratio_path_degrades_the_exponent_to_half_the_smaller_exponent(case):
    # Remark 3: N = ρ·D at fixed ρ, so N, D ∝ C^(1/2) and the excess decays as C^(−min(β, γ)/2) asymptotically
    ratio = 1.0 / 20.0
    log_compute = np.array([200.0, 220.0]) * np.log(10.0)
    log_budget = log_compute - np.log(C)
    log_n = 0.5 * (log_budget + np.log(ratio))
    log_d = 0.5 * (log_budget - np.log(ratio))
    # log F via logaddexp: raw powers overflow this far out
    log_excess = np.logaddexp(np.log(case["n0"]) - case["beta"] * log_n, np.log(case["d0"]) - case["gamma"] * log_d)
    slope = -np.diff(log_excess)[0] / np.diff(log_compute)[0]
    assert slope == pytest.approx(min(case["beta"], case["gamma"]) / 2, rel=1e-3)
    assert slope < envelope.envelope_exponent(case["beta"], case["gamma"])


def test_effective_compute_multiplier_reproduces_the_penalised_loss():
    case = CASES[1]
    alpha = envelope.envelope_exponent(case["beta"], case["gamma"])
    prefactor = envelope.envelope_prefactor(**case, flop_per_parameter_token=C)
    compute, r = 1e21, 0.05
    phi = envelope.misallocation_penalty(r, case["beta"], case["gamma"])
    multiplier = envelope.effective_compute_multiplier(phi, alpha)
    assert 0 < multiplier < 1
    # Eq. 17 = the envelope evaluated at the effective compute (Eq. 7)
    assert prefactor * compute**-alpha * phi == pytest.approx(prefactor * (multiplier * compute) ** -alpha, rel=1e-12)


def test_envelope_and_misallocation_tables_from_fits_rows():
    fits = pd.DataFrame(
        [
            dict(law="compute", estimator="unbiased", k=1, E0=1.0, C0=50.0, alpha=0.1, converged=True),
            dict(law="params_tokens", estimator="unbiased", k=1, E0=0.9, N0=40.0, beta=0.3, D0=900.0, gamma=0.35, converged=True),
            dict(law="gold_likelihood", estimator="unbiased", k=1, xi0=0.1, K0=1.0, kappa=2.0, converged=True),
        ]
    )
    table = envelope.envelope_table(fits)
    assert list(table.columns[: len(envelope.ENVELOPE_COLUMNS)]) == envelope.ENVELOPE_COLUMNS
    row = table.iloc[0]
    assert row["alpha_envelope"] == pytest.approx(0.3 * 0.35 / 0.65)
    assert row["E0_envelope"] == 0.9 and row["alpha_fit"] == 0.1
    # a checkpoint placed on the ridge has r = 1, Φ = 1 and multiplier 1
    compute = 1e20
    n_star = envelope.optimal_params(compute, 40.0, 0.3, 900.0, 0.35)
    checkpoints = pd.DataFrame(
        dict(size=["on", "big"], step=[1, 2], params=[n_star, 10 * n_star], tokens=[compute / 6 / n_star, compute / 60 / n_star], compute=[compute, compute])
    )
    misallocation = envelope.misallocation_table(checkpoints, fits)
    on_ridge = misallocation.set_index("size").loc["on"]
    assert on_ridge["r"] == pytest.approx(1.0) and on_ridge["phi"] == pytest.approx(1.0)
    assert on_ridge["effective_compute_multiplier"] == pytest.approx(1.0)
    big = misallocation.set_index("size").loc["big"]
    assert big["r"] == pytest.approx(10.0) and big["effective_compute_multiplier"] < 1
