"""Paper G: backtesting and the compute-optimal envelope (Figs. 3, 5, 7, 8, 15, 17, 19).

Every figure exists for both pass@k estimators: the configured default under the paper's id, the
other with its name as an id suffix. Fig. 19 (gold law, MATH) is registered only once MATH gold
likelihoods exist (scored by the sampling stages, or a gold source for `math` in
generative.fit.gold_likelihood.sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...pipeline import paths
from ...sampling.source import gold_benchmarks as gold_benchmarks_of
from ..target import Target
from .common import BENCHMARK_NAMES, LAW_EQUATIONS, LAW_TITLES, estimator_variants

BACKTEST_NOTEBOOK = str(paths.NOTEBOOKS / "generative_backtest.ipynb")
ENVELOPE_NOTEBOOK = str(paths.NOTEBOOKS / "generative_envelope.ipynb")

# (benchmark, law) -> the paper's figure number of its backtest
BACKTEST_FIGURES = {
    ("gsm8k", "compute"): 3,
    ("gsm8k", "params_tokens"): 5,
    ("gsm8k", "gold_likelihood"): 7,
    ("math", "compute"): 15,
    ("math", "params_tokens"): 17,
    ("math", "gold_likelihood"): 19,
}
ENVELOPE_BENCHMARK = "gsm8k"  # the benchmark of the paper's Fig. 8

# The paper's statements on stability, as comparison targets only: orders of magnitude of C_max below
# the target over which each law's parameters converge to their full-fit values (§3.2, §4.2, §5.2, §7)
# and within which its relative error plateaus (§3.2, §4.2).
PAPER_STABILITY_CLAIMS = {
    "gsm8k": {
        "compute": {"parameters": "~1.5-2.5", "relative_error": "~2 (k = 1, 10, 100); ~1.5 (k = 1e4)"},
        "params_tokens": {"parameters": "~1.5-2.5", "relative_error": "~2-2.5"},
        "gold_likelihood": {"parameters": "~5", "relative_error": "comparable to the other laws"},
    },
    # §7 states MATH horizons for single parameters only: parameter -> orders.
    "math": {
        "compute": {"parameters": {"alpha": "~3"}, "relative_error": "not stated"},
        "params_tokens": {"parameters": {"beta": "~3", "gamma": "~1"}, "relative_error": "not stated"},
        "gold_likelihood": {"parameters": {"kappa": "~2"}, "relative_error": "not stated"},
    },
}


def backtest_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of this part of paper G."""
    return backtest_figure_targets(config) + stability_targets(config) + envelope_targets(config)


def backtest_figure_targets(config: Mapping[str, Any]) -> list[Target]:
    """Figs. 3, 5, 7 (GSM8K) and 15, 17, 19 (MATH): relative error and parameters vs C_max / C_target."""
    generative = config["generative"]
    benchmarks = generative["outcomes"]["benchmarks"]
    gold_benchmarks = gold_benchmarks_of(config)
    laws = generative["backtest"]["laws"]
    targets = []
    for (benchmark, law), number in BACKTEST_FIGURES.items():
        if benchmark not in benchmarks or law not in laws or (law == "gold_likelihood" and benchmark not in gold_benchmarks):
            continue
        for estimator, suffix in estimator_variants(config):
            targets.append(
                Target(
                    id=f"generative_fig{number:02d}{suffix}",
                    kind="figure",
                    slug=f"backtest_{law}_{benchmark}",
                    notebook=BACKTEST_NOTEBOOK,
                    inputs={
                        "backtest": str(paths.generative(benchmark, "backtest.csv")),
                        "stability": str(paths.generative(benchmark, "stability.csv")),
                    },
                    parameters={"view": "backtest_figure", "law": law, "benchmark": benchmark, "estimator": estimator},
                    caption=f"Backtesting the {BENCHMARK_NAMES[benchmark]} scaling law in {LAW_TITLES[law]} ({LAW_EQUATIONS[law]}, {estimator} "
                    "pass@k): fit on the checkpoints with C ≤ C_max, extrapolated to Pythia-12B at 300B tokens. First "
                    "panel: relative error in −log pass@k vs C_max / C_target, one line per k; other panels: each "
                    "backtested parameter, the dashed line its full-fit value.",
                )
            )
    return targets


def stability_targets(config: Mapping[str, Any]) -> list[Target]:
    """Measured stability horizons beside the paper's statements (all benchmarks, laws, estimators)."""
    benchmarks = config["generative"]["outcomes"]["benchmarks"]
    stability = config["generative"]["backtest"]["stability"]
    return [
        Target(
            id="generative_tableS11",
            kind="table",
            slug="backtest_stability_horizons",
            notebook=BACKTEST_NOTEBOOK,
            inputs={f"stability_{benchmark}": str(paths.generative(benchmark, "stability.csv")) for benchmark in benchmarks},
            parameters={"view": "stability_table", "paper_claims": PAPER_STABILITY_CLAIMS},
            caption="Orders of magnitude of C_max below the target over which each backtested parameter stays within "
            f"{100 * stability['relative_tolerance']:g}% of its full-fit value (median and range over the backtested k), "
            f"and from where the relative error stays below {stability['relative_error_tolerance']:g}, beside the "
            "paper's statements.",
        )
    ]


def envelope_targets(config: Mapping[str, Any]) -> list[Target]:
    """Fig. 8 (effective compute vs misallocation, GSM8K), and the envelope vs the fitted compute law."""
    generative = config["generative"]
    envelope = generative["envelope"]
    benchmarks = generative["outcomes"]["benchmarks"]
    targets = []
    if ENVELOPE_BENCHMARK in benchmarks:
        for estimator, suffix in estimator_variants(config):
            targets.append(
                Target(
                    id=f"generative_fig08{suffix}",
                    kind="figure",
                    slug=f"effective_compute_misallocation_{ENVELOPE_BENCHMARK}",
                    notebook=ENVELOPE_NOTEBOOK,
                    inputs={"misallocation": str(paths.generative(ENVELOPE_BENCHMARK, "misallocation.csv"))},
                    parameters={
                        "view": "misallocation_figure",
                        "benchmark": ENVELOPE_BENCHMARK,
                        "estimator": estimator,
                        "figure_k": list(envelope["figure_k"]),
                        "log10_r_range": list(envelope["log10_r_range"]),
                    },
                    caption=f"Effective-compute multiplier Φ(r; β, γ)^(−1/α) (Eq. 7) vs the misallocation ratio r = N/N*(C) "
                    f"for the Eq. 4 fits to {BENCHMARK_NAMES[ENVELOPE_BENCHMARK]} ({estimator} pass@k) at a few k, with "
                    "α the envelope exponent; markers: the Pythia checkpoints (open: excluded from the fits).",
                )
            )
    envelope_inputs = {f"envelope_{benchmark}": str(paths.generative(benchmark, "envelope.csv")) for benchmark in benchmarks}
    targets.append(
        Target(
            id="generative_figS10",
            kind="figure",
            slug="compute_law_vs_envelope",
            notebook=ENVELOPE_NOTEBOOK,
            inputs=envelope_inputs,
            parameters={"view": "envelope_figure"},
            caption="Is the compute law the envelope of the parameters + tokens law? Fitted Eq. 3 parameters α(k), "
            "C0(k), E0(k) (solid) beside the envelope of each Eq. 4 fit (dashed: α = (1/β + 1/γ)^(−1), C0 from "
            f"Eq. 13 with c = {envelope['flop_per_parameter_token']:g}, E0 = 𝓔0), per benchmark and estimator.",
        )
    )
    targets.append(
        Target(
            id="generative_tableS10",
            kind="table",
            slug="compute_law_vs_envelope",
            notebook=ENVELOPE_NOTEBOOK,
            inputs=envelope_inputs,
            parameters={"view": "envelope_table", "table_k": list(generative["backtest"]["k_values"])},
            caption="Fitted compute-law parameters (Eq. 3) beside the compute-optimal envelope of the Eq. 4 fit "
            "(Eqs. 12-13) at the backtested k, per benchmark and estimator.",
        )
    )
    return targets
