"""Paper C §2-3: the Chinchilla fit per interpretation and the four perturbations (Figs. 2-5).

The paper's own tables are Table 1 (a snippet) and Table 2 (Appendix B, the full Table A9); the
tables below have no counterpart there, so they take supplementary ids numbered after them:
`chinchilla_tableS03` (the fits with their standard errors, §2), `chinchilla_tableS04` (App. C
predictions against the refits, §3), `chinchilla_tableS05` (how the tokens-per-parameter trend
moves under each perturbation, §3) and `chinchilla_tableS06` (the slope on the formula counts as
printed in whole millions vs exact, §2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...chinchilla.perturb import PERTURBATIONS, grid_values
from ...pipeline import paths
from ..target import Target

FITS_NOTEBOOK = str(paths.NOTEBOOKS / "chinchilla_fits.ipynb")

# Values the paper states, drawn or tabulated only as comparison marks.
# §2 and the Fig. 2 caption: slope of the compute-optimal tokens per parameter per decade of compute.
PAPER_SLOPES_PER_DECADE = {"standard": -0.572, "best_fit": -1.049, "reported": -1.248}
# §3.3: fitted alpha vs the systematic bias s, alpha = 10^-0.46 s^-1, R² > 0.999, p ≈ 5.9e-90.
PAPER_BIAS_POWER_LAW = {"log10_prefactor": -0.46, "exponent": -1.0, "r_squared": "> 0.999", "p_value": 5.9e-90}
# §3.1-3.4 and the Fig. 5 caption: how the compute-optimal tokens per parameter moves.
PAPER_TREND_STATEMENTS = {
    "multiplicative": "stays flat with compute; the constant shifts by a power of c_m (§3.1)",
    "additive": "less constant: c_a > 0 needs more tokens per parameter at larger compute, c_a < 0 fewer (§3.2)",
    "systematic_bias": "less constant: s > 1 gives fewer tokens per parameter at larger compute, s < 1 more (§3.3)",
    "log_normal_noise": "roughly constant with compute; noise raises the ratio, widens the 80% interval ~10x, and too much noise gives NaNs (§3.4)",
}
# Besiroglu et al. (2024)'s published refit of Chinchilla's Approach 3 (Epoch AI's model sizes).
EPOCH_PUBLISHED = {"E": 1.8172, "A": 482.01, "alpha": 0.3478, "B": 2085.43, "beta": 0.3658}

# The perturbation whose "no change" value is left out of the Fig. 3 schematic.
IDENTITY_VALUES = {"multiplicative": 1.0, "additive": 0.0, "systematic_bias": 1.0, "log_normal_noise": 0.0}
SCHEMATIC_VALUES_PER_PERTURBATION = 4
COUNT_NAMES = {"standard": "standard-formula", "best_fit": "best-fit-formula", "reported": "reported", "epoch_model_size": "Epoch AI model-size"}


def schematic_values(perturbation_config: Mapping[str, Any], n_values: int = SCHEMATIC_VALUES_PER_PERTURBATION) -> dict[str, list[float]]:
    """A few values of each configured grid for the Fig. 3 schematic: evenly spread over the
    grid without its identity value, so the extremes of the sweep are shown."""
    chosen = {}
    for kind in PERTURBATIONS:
        values = [float(value) for value in grid_values(perturbation_config["grids"][kind]) if not np.isclose(value, IDENTITY_VALUES[kind])]
        indices = sorted(set(np.linspace(0, len(values) - 1, min(n_values, len(values))).round().astype(int).tolist()))
        chosen[kind] = [values[index] for index in indices]
    return chosen


def chinchilla_fit_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of the Chinchilla fits and perturbations."""
    fit = config["chinchilla"]["fit"]
    perturbations = config["chinchilla"]["perturbations"]
    low, high = fit["quantiles"][0], fit["quantiles"][-1]
    interval = f"{100 * (high - low):g}%"
    relative_error = f"±{100 * perturbations['realistic_relative_error']:g}%"
    interpretation_inputs = {
        "fits": str(paths.chinchilla("fits.csv")),
        "tokens_per_parameter": str(paths.chinchilla("tokens_per_parameter.csv")),
        "slopes": str(paths.chinchilla("tokens_per_parameter_slopes.csv")),
    }
    interpretation_parameters = {"paper_slopes": PAPER_SLOPES_PER_DECADE, "epoch_published": EPOCH_PUBLISHED, "quantiles": list(fit["quantiles"])}
    realistic_bands = {"realistic_bands": str(paths.chinchilla("perturbation_realistic_bands.csv"))}
    perturbed = f"the {COUNT_NAMES[perturbations['counts']]} counts"
    return [
        Target(
            id="chinchilla_fig02",
            kind="figure",
            slug="fits_and_tokens_per_parameter_by_interpretation",
            notebook=FITS_NOTEBOOK,
            inputs=interpretation_inputs,
            parameters={"view": "interpretations_figure", **interpretation_parameters},
            caption=f"The Chinchilla fit L(N, D) = E + A/N^α + B/D^β (Eq. 4) under each interpretation of the parameter "
            f"counts. Top: fitted E, A, α, B, β with bootstrap standard errors ({fit['n_bootstraps']} resamples; grey "
            f"×: Besiroglu et al.'s published values). Bottom: compute-optimal tokens per parameter D/N vs compute C "
            f"= 6ND, median and {interval} interval over {fit['n_draws']} parameter draws; legend: slope per decade "
            "of compute (paper's in brackets).",
        ),
        Target(
            id="chinchilla_fig03",
            kind="figure",
            slug="perturbation_schematic",
            notebook=FITS_NOTEBOOK,
            inputs={"runs": str(paths.chinchilla("runs.csv"))},
            parameters={
                "view": "schematic_figure",
                "counts_interpretation": perturbations["counts"],
                "n_excluded_highest_loss": int(fit["n_excluded_highest_loss"]),
                "noise_seed": int(perturbations["noise_seed"]),
                "schematic_values": schematic_values(perturbations),
            },
            caption=f"The four perturbations of the parameter counts (Eqs. 6-9) applied to {perturbed} of the fitted "
            "models: perturbed vs true count for a few values of each sweep (dashed: no perturbation). Additive "
            "constants that make a count ≤ 0 leave those models off the log axes; the noise panel shows one seeded repeat.",
        ),
        Target(
            id="chinchilla_fig04",
            kind="figure",
            slug="perturbed_fit_parameters",
            notebook=FITS_NOTEBOOK,
            inputs={
                "perturbation_fits": str(paths.chinchilla("perturbation_fits.csv")),
                "predictions": str(paths.chinchilla("perturbation_predictions.csv")),
                **realistic_bands,
            },
            parameters={"view": "perturbed_parameters_figure"},
            caption=f"Refitted E, A, α, B, β (± bootstrap SE, {fit['n_bootstraps']} resamples) vs the perturbation value, "
            "one row per perturbation. Lines: App. C predictions (noise: errors-in-variables attenuation, not derived "
            f"in the paper); shaded: perturbations that move no count by more than {relative_error}. Noise: median over "
            f"{perturbations['noise_repeats']} seeded repeats (dots: single repeats). Invalid configurations are left out "
            "and listed in the panel.",
        ),
        Target(
            id="chinchilla_fig05",
            kind="figure",
            slug="perturbed_tokens_per_parameter",
            notebook=FITS_NOTEBOOK,
            inputs={"perturbation_tokens_per_parameter": str(paths.chinchilla("perturbation_tokens_per_parameter.csv")), **realistic_bands},
            parameters={"view": "perturbed_tokens_per_parameter_figure", "quantiles": list(fit["quantiles"])},
            caption=f"Compute-optimal tokens per parameter vs compute under each perturbation, one line per perturbation "
            f"value (median, shaded {interval} interval); thick lines: values within the realistic {relative_error} "
            "range. Noise: median over repeats. Invalid configurations have no line.",
        ),
        Target(
            id="chinchilla_tableS03",
            kind="table",
            slug="fits_by_interpretation",
            notebook=FITS_NOTEBOOK,
            inputs=interpretation_inputs,
            parameters={"view": "interpretations_table", **interpretation_parameters},
            caption=f"The Chinchilla fit per interpretation of the parameter counts: estimates ± bootstrap SE "
            f"({fit['n_bootstraps']} resamples), slope of the compute-optimal tokens per parameter per decade of "
            "compute beside the paper's, and Besiroglu et al.'s published fit.",
        ),
        Target(
            id="chinchilla_tableS04",
            kind="table",
            slug="perturbation_theory_vs_simulation",
            notebook=FITS_NOTEBOOK,
            inputs={
                "agreement": str(paths.chinchilla("perturbation_agreement.csv")),
                "power_law": str(paths.chinchilla("systematic_bias_power_law.csv")),
            },
            parameters={
                "view": "agreement_table",
                "paper_power_law": PAPER_BIAS_POWER_LAW,
                "agreement_standard_errors": float(perturbations["agreement_standard_errors"]),
            },
            caption="App. C predictions of Â and α̂ against the refits over the valid configurations of each sweep "
            f"(relative errors, share within {perturbations['agreement_standard_errors']:g} bootstrap SEs, R² of log "
            "fitted vs log predicted), and the power law α̂ = 10^c s^p fitted to the systematic-bias sweep beside the "
            "paper's 10^−0.46 s^−1.",
        ),
        Target(
            id="chinchilla_tableS05",
            kind="table",
            slug="perturbation_tokens_per_parameter_trends",
            notebook=FITS_NOTEBOOK,
            inputs={"trend_summary": str(paths.chinchilla("perturbation_trend_summary.csv"))},
            parameters={"view": "trend_table", "paper_trend_statements": PAPER_TREND_STATEMENTS},
            caption="How the trend of the compute-optimal tokens per parameter moves under each perturbation: slope per "
            f"decade of compute and exponent of C in D/N (Eq. 16) unperturbed, over the whole sweep and within the "
            f"realistic {relative_error} range, the number of invalid configurations, and the paper's statement.",
        ),
        Target(
            id="chinchilla_tableS06",
            kind="table",
            slug="tokens_per_parameter_slope_by_count_precision",
            notebook=FITS_NOTEBOOK,
            inputs={"count_precision_slopes": str(paths.chinchilla("count_precision_slopes.csv"))},
            parameters={"view": "count_precision_table"},
            caption="Slope of the compute-optimal tokens per parameter per decade of compute when the standard and "
            "best-fit formula counts are fitted as printed in the paper's tables (whole millions) and exactly, the "
            "shift between them, and the fitted α and β at both precisions (same resamples).",
        ),
    ]
