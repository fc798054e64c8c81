"""Paper C §3 and App. C: the four perturbations, their grids, invalid configurations, the analytic
predictions against refits, and the paper's systematic-bias power law."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_chinchilla import load_real_runs, point_fit, synthetic_runs

from scalingrepro.chinchilla import fit as chinchilla_fit
from scalingrepro.chinchilla import perturb
from scalingrepro.chinchilla import solver as chinchilla_solver

COUNTS = np.array([4e7, 1e8, 1e8, 4e8, 1.6e9, 1.6e9, 1.6e9, 1e10])  # runs of 5 distinct models


@pytest.fixture(scope="module")
def settings(config):
    return chinchilla_fit.FitSettings.from_config(config["chinchilla"]["fit"])


@pytest.fixture(scope="module")
def kept_real_runs(repo_root, tmp_path_factory, config):
    runs = load_real_runs(repo_root, tmp_path_factory.mktemp("epoch"))
    return chinchilla_fit.kept_runs(runs, config["chinchilla"]["fit"]["n_excluded_highest_loss"])


def geometric_mean(values: np.ndarray) -> float:
    return float(np.exp(np.mean(np.log(values))))


# ---------------------------------------------------------------------------------------------
# Eqs. 6-9


def test_multiplicative_is_eq_6():
    np.testing.assert_allclose(perturb.multiplicative(COUNTS, 0.25), 0.25 * COUNTS)


def test_additive_is_eq_7_and_may_leave_counts_non_positive():
    np.testing.assert_allclose(perturb.additive(COUNTS, 5e7), COUNTS + 5e7)
    assert perturb.additive(COUNTS, -5e7)[0] < 0


def test_geometric_mean_is_over_distinct_models_not_runs():
    assert perturb.geometric_mean_of_models(COUNTS) == pytest.approx(geometric_mean(np.unique(COUNTS)))
    assert perturb.geometric_mean_of_models(COUNTS) != pytest.approx(geometric_mean(COUNTS))


def test_systematic_bias_is_eq_8():
    mu = geometric_mean(np.unique(COUNTS))
    np.testing.assert_allclose(perturb.systematic_bias(COUNTS, 0.5), mu * (COUNTS / mu) ** 0.5)
    np.testing.assert_allclose(perturb.systematic_bias(COUNTS, 1.0), COUNTS)
    # s < 1 shrinks large models and inflates small ones; the geometric mean stays put.
    shrunk = perturb.systematic_bias(COUNTS, 0.5)
    assert shrunk[0] > COUNTS[0] and shrunk[-1] < COUNTS[-1]
    assert perturb.geometric_mean_of_models(shrunk) == pytest.approx(mu)


def test_log_normal_noise_is_eq_9_with_one_draw_per_model():
    normals = np.array([0.5, -1.0, 0.2, 1.5, -0.3])
    noisy = perturb.log_normal_noise(COUNTS, 0.4, normals)
    models, model_of_run = np.unique(COUNTS, return_inverse=True)
    np.testing.assert_allclose(noisy, COUNTS * np.exp(0.4 * normals[model_of_run]))
    # Runs of the same model get the same perturbed count.
    assert len(np.unique(noisy)) == len(models)
    np.testing.assert_allclose(perturb.log_normal_noise(COUNTS, 0.0, normals), COUNTS)
    with pytest.raises(ValueError, match="need 5 standard normals"):
        perturb.log_normal_noise(COUNTS, 0.4, normals[:3])


def test_noise_is_seeded_per_repeat_and_shared_across_sigma():
    first = perturb.perturb(COUNTS, perturb.Configuration("log_normal_noise", 0.5, 3), noise_seed=9)
    np.testing.assert_array_equal(first, perturb.perturb(COUNTS, perturb.Configuration("log_normal_noise", 0.5, 3), noise_seed=9))
    other_repeat = perturb.perturb(COUNTS, perturb.Configuration("log_normal_noise", 0.5, 4), noise_seed=9)
    assert not np.array_equal(first, other_repeat)
    # Common random numbers: doubling σ doubles every log-ratio of the same repeat.
    doubled = perturb.perturb(COUNTS, perturb.Configuration("log_normal_noise", 1.0, 3), noise_seed=9)
    np.testing.assert_allclose(np.log(doubled / COUNTS), 2 * np.log(first / COUNTS))


def test_unknown_perturbation_is_rejected():
    with pytest.raises(ValueError, match="unknown perturbation"):
        perturb.perturb(COUNTS, perturb.Configuration("rotation", 1.0, 0), noise_seed=0)


def test_invalid_count_reason():
    assert perturb.invalid_count_reason(COUNTS) == ""
    assert "≤ 0" in perturb.invalid_count_reason(perturb.additive(COUNTS, -1e8))
    assert "not finite" in perturb.invalid_count_reason(np.array([1.0, np.inf]))


# ---------------------------------------------------------------------------------------------
# Grids and configurations


def test_default_grids_are_the_papers_sweeps(config):
    grids = {kind: perturb.grid_values(spec) for kind, spec in config["chinchilla"]["perturbations"]["grids"].items()}
    # §3.1: c_m in logspace(-3, 3, 11)
    np.testing.assert_allclose(grids["multiplicative"], np.logspace(-3, 3, 11))
    # §3.2: c_a in -logspace(6.6, 7.6, 5) ∪ {0} ∪ logspace(6.6, 7.6, 5)
    np.testing.assert_allclose(grids["additive"], np.concatenate([-np.logspace(6.6, 7.6, 5)[::-1], [0.0], np.logspace(6.6, 7.6, 5)]))
    # §3.3: s in logspace(-0.5, 0.5, 11)
    np.testing.assert_allclose(grids["systematic_bias"], np.logspace(-0.5, 0.5, 11))
    # §3.4 states "1e-2 to 1e2" but its largest σ is 3.162 = 10^0.5: σ = 0 and logspace(-0.5, 0.5, 10).
    np.testing.assert_allclose(grids["log_normal_noise"], np.concatenate([[0.0], np.logspace(-0.5, 0.5, 10)]))
    assert {kind: len(values) for kind, values in grids.items()} == dict.fromkeys(perturb.PERTURBATIONS, 11)


def test_default_configuration_count(config):
    """11 multiplicative + 11 additive + 11 systematic-bias values, and 11 noise levels × 17 seeded
    repeats = 33 + 187 = 220 configurations. The 17 repeats of σ = 0 are the same data set and are fitted once,
    so a sweep performs 204 distinct fits."""
    configurations = perturb.configurations(config["chinchilla"]["perturbations"])
    assert len(configurations) == 220
    kinds = pd.Series([c.perturbation for c in configurations]).value_counts().to_dict()
    assert kinds == {"multiplicative": 11, "additive": 11, "systematic_bias": 11, "log_normal_noise": 187}
    assert len(set(configurations)) == 220
    distinct = {(c.perturbation, c.value, c.repeat if c.value != 0 or c.perturbation != "log_normal_noise" else 0) for c in configurations}
    assert len(distinct) == 204


def test_shards_partition_the_configurations(config):
    everything = perturb.configurations(config["chinchilla"]["perturbations"])
    shards = [perturb.shard_configurations(everything, 4, shard) for shard in range(4)]
    assert sorted(sum(shards, []), key=everything.index) == everything
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


# ---------------------------------------------------------------------------------------------
# App. C predictions


BASELINE = {"E": 1.8, "A": 500.0, "alpha": 0.35, "B": 1800.0, "beta": 0.36}


def test_predictions_are_app_c():
    mu = geometric_mean(np.unique(COUNTS))
    multiplicative = perturb.predicted_parameters("multiplicative", 10.0, BASELINE, COUNTS)
    assert multiplicative["alpha"] == BASELINE["alpha"] and multiplicative["A"] == pytest.approx(500.0 * 10.0**0.35)
    bias = perturb.predicted_parameters("systematic_bias", 2.0, BASELINE, COUNTS)
    assert bias["alpha"] == pytest.approx(0.175) and bias["A"] == pytest.approx(mu ** (0.35 * (1 - 2.0) / 2.0) * 500.0)
    additive = perturb.predicted_parameters("additive", 4e7, BASELINE, COUNTS)
    assert additive["alpha"] == pytest.approx(0.35 / np.mean(COUNTS / (COUNTS + 4e7)))
    assert additive["A"] == pytest.approx(500.0 * (1 + 4e7 / mu) ** additive["alpha"])
    for kind, identity in [("multiplicative", 1.0), ("additive", 0.0), ("systematic_bias", 1.0), ("log_normal_noise", 0.0)]:
        assert perturb.predicted_parameters(kind, identity, BASELINE, COUNTS) == pytest.approx(BASELINE), kind
        # The data term is not perturbed: E, B and beta are predicted unchanged.
        predicted = perturb.predicted_parameters(kind, 0.5 if kind != "additive" else 1e7, BASELINE, COUNTS)
        assert {name: predicted[name] for name in ("E", "B", "beta")} == {name: BASELINE[name] for name in ("E", "B", "beta")}


def test_multiplicative_refit_matches_app_c(settings):
    """Ñ = c_m N is an exact reparametrization (Â = A c_m^α, α̂ = α), so the refit finds it."""
    data = synthetic_runs(log_noise=0.01)
    baseline = point_fit(data, settings)
    for c_m in (1e-2, 10.0):
        scaled = chinchilla_solver.FitData(log_n=data.log_n + np.log(c_m), log_d=data.log_d, log_loss=data.log_loss)
        refit = dict(zip(chinchilla_solver.PARAMETER_NAMES, chinchilla_solver.untransform(point_fit(scaled, settings).theta)))
        unperturbed = dict(zip(chinchilla_solver.PARAMETER_NAMES, chinchilla_solver.untransform(baseline.theta)))
        predicted = perturb.predicted_parameters("multiplicative", c_m, unperturbed, np.exp(data.log_n))
        assert refit == pytest.approx(predicted, rel=1e-5), c_m


def test_systematic_bias_refit_divides_alpha_by_s(settings):
    """Eq. 25: α̂ = α/s and Â = μ_geo^(α(1−s)/s) A — also an exact reparametrization."""
    data = synthetic_runs(log_noise=0.01)
    unperturbed = dict(zip(chinchilla_solver.PARAMETER_NAMES, chinchilla_solver.untransform(point_fit(data, settings).theta)))
    counts = np.exp(data.log_n)
    for s in (0.5, 2.0):
        biased = chinchilla_solver.fit_data(perturb.systematic_bias(counts, s), np.exp(data.log_d), np.exp(data.log_loss))
        refit = dict(zip(chinchilla_solver.PARAMETER_NAMES, chinchilla_solver.untransform(point_fit(biased, settings).theta)))
        assert refit == pytest.approx(perturb.predicted_parameters("systematic_bias", s, unperturbed, counts), rel=1e-5), s


def test_additive_refit_moves_alpha_the_predicted_way(settings):
    """App. C.2.2: c_a > 0 raises α̂, c_a < 0 lowers it (the prediction is approximate)."""
    data = synthetic_runs(log_noise=0.01)
    counts = np.exp(data.log_n)
    alphas = {}
    for c_a in (-1e7, 0.0, 1e7):
        shifted = chinchilla_solver.fit_data(perturb.additive(counts, c_a), np.exp(data.log_d), np.exp(data.log_loss))
        alphas[c_a] = chinchilla_solver.untransform(point_fit(shifted, settings).theta)[2]
    assert alphas[-1e7] < alphas[0.0] < alphas[1e7]


def test_invalid_configurations_are_recorded_not_raised(settings):
    """An additive constant below minus the smallest count leaves counts ≤ 0: the sweep records the
    configuration as invalid with the reason and goes on."""
    data = synthetic_runs(log_noise=0.01, n_models=8, runs_per_model=3)
    runs = pd.DataFrame({"standard": np.exp(data.log_n), "tokens": np.exp(data.log_d), "loss": np.exp(data.log_loss)})
    small = chinchilla_fit.FitSettings(**{**settings.__dict__, "n_bootstraps": 20, "n_draws": 200, "compute": np.logspace(18, 28, 5)})
    configurations = [perturb.Configuration("additive", -1e12, 0), perturb.Configuration("additive", 0.0, 0), perturb.Configuration("multiplicative", 2.0, 0)]
    fits, bands = perturb.analyze_configurations(runs, configurations, "standard", small, n_excluded=0, noise_seed=0)
    assert list(fits["valid"]) == [False, True, True]
    assert "≤ 0" in fits.loc[0, "reason"] and fits.loc[1:, "reason"].eq("").all()
    assert fits.loc[0, list(chinchilla_solver.PARAMETER_NAMES)].isna().all()
    assert len(bands) == 3 * 5 and bands.loc[bands["value"] == -1e12, "median"].isna().all()


# ---------------------------------------------------------------------------------------------
# Summaries


def test_power_law_fit_recovers_an_exact_power_law():
    s = np.logspace(-0.5, 0.5, 11)
    fit = perturb.fit_power_law(s, 10**-0.46 * s**-1.0)
    assert fit.log10_prefactor == pytest.approx(-0.46) and fit.exponent == pytest.approx(-1.0)
    assert fit.r_squared == pytest.approx(1.0)


def test_realistic_bands_keep_every_count_within_the_error():
    relative_error = 0.15
    for kind in ("multiplicative", "additive", "systematic_bias"):
        low, high = perturb.realistic_band(kind, COUNTS, relative_error)
        for value in (low, high):
            perturbed = perturb.perturb(COUNTS, perturb.Configuration(kind, value, 0), noise_seed=0)
            assert np.abs(perturbed / COUNTS - 1).max() <= relative_error + 1e-12, kind
    assert perturb.realistic_band("log_normal_noise", COUNTS, relative_error) == pytest.approx((0.0, np.log(1.15)))


def test_agreement_table_counts_the_valid_configurations():
    fits = pd.DataFrame(
        {"perturbation": "multiplicative", "value": [0.5, 1.0, 2.0], "A": [10.0, 20.0, 40.0], "alpha": 0.3, "A_se": 1.0, "alpha_se": 0.01, "valid": [True, True, False]}
    )
    predictions = pd.DataFrame({"perturbation": "multiplicative", "value": [0.5, 1.0, 2.0], "A": [11.0, 20.0, 40.0], "alpha": 0.3})
    table = perturb.agreement_table(fits, predictions).set_index("parameter")
    assert table.loc["A", "n_configurations"] == 2
    assert table.loc["A", "max_abs_relative_error"] == pytest.approx(0.1)
    assert table.loc["A", "within_se_fraction"] == 1.0 and table.loc["alpha", "median_abs_relative_error"] == 0.0


# ---------------------------------------------------------------------------------------------
# The paper's §3.3 power law on the real runs


def test_systematic_bias_power_law_matches_the_paper(kept_real_runs, settings, config):
    """§3.3: α̂ = 10^−0.46 s^−1 with R² > 0.999 over the s sweep of the standard-formula counts.

    Point fits suffice (the power law is fitted to the estimates). The exponent is exactly −1
    because Eq. 8 reparametrizes the model (α̂ = α/s); the prefactor is log10 of the unperturbed
    α, ours 0.3532 (−0.452) against the paper's ~0.347 (−0.46, given to two decimals): the paper's
    refit used Besiroglu et al.'s code, whose optimizer lands ~2% lower in α, so 0.015 in
    log10 (3.5% in α) is allowed.
    """
    counts = kept_real_runs["standard"].to_numpy(dtype=float)
    values = perturb.grid_values(config["chinchilla"]["perturbations"]["grids"]["systematic_bias"])
    alphas = []
    for s in values:
        data = chinchilla_solver.fit_data(perturb.systematic_bias(counts, s), kept_real_runs["tokens"], kept_real_runs["loss"])
        alphas.append(chinchilla_solver.untransform(point_fit(data, settings).theta)[2])
    fit = perturb.fit_power_law(values, np.array(alphas))
    assert fit.exponent == pytest.approx(-1.0, abs=1e-4)
    assert fit.log10_prefactor == pytest.approx(-0.46, abs=0.015)
    assert fit.r_squared > 0.999


def test_additive_sweep_end_points_match_the_paper(kept_real_runs, settings, config):
    """§3.2: over c_a from −10^7.6 to +10^7.6, Ê rises from 1.565 to 1.897 and α̂ from 0.199 to 0.481.

    The paper gives three decimals from Besiroglu et al.'s optimizer; 0.005 (0.3% of Ê, ~1-2% of
    α̂) allows for that and nothing more. (Its "Â increases by ~2.5x" does not reproduce: Â grows
    from 36 to 5600, about 2.2 orders of magnitude.)"""
    counts = kept_real_runs["standard"].to_numpy(dtype=float)
    largest = perturb.grid_values(config["chinchilla"]["perturbations"]["grids"]["additive"]).max()
    fitted = {}
    for c_a in (-largest, largest):
        data = chinchilla_solver.fit_data(perturb.additive(counts, c_a), kept_real_runs["tokens"], kept_real_runs["loss"])
        fitted[c_a] = dict(zip(chinchilla_solver.PARAMETER_NAMES, chinchilla_solver.untransform(point_fit(data, settings).theta)))
    assert fitted[-largest]["E"] == pytest.approx(1.565, abs=0.005)
    assert fitted[largest]["E"] == pytest.approx(1.897, abs=0.005)
    assert fitted[-largest]["alpha"] == pytest.approx(0.199, abs=0.005)
    assert fitted[largest]["alpha"] == pytest.approx(0.481, abs=0.005)
