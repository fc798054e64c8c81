"""Paper G: full fits of the three laws and their parameters vs k (Figs. 1-2, 4, 6, 11-14, 16, 20-21, §7).

Every figure exists once per pass@k estimator: the default estimator
(generative.passk.default_estimator) under the paper's id, the other with `_<estimator>` appended.
Figs. 18 and 22 (the gold law on MATH) need MATH gold likelihoods, which the released data lacks:
they are registered when the sampling stages score them (generative_source: sampled) and listed
by `registry.unavailable` otherwise.

Outputs without a number in the paper use supplementary ids: `generative_figS02` (fitted exponents
with and without the checkpoint exclusions, §2), `generative_figS07` and `generative_tableS07`
(§7, MATH vs GSM8K), `generative_tableS05` (the gold law under both GoldProb aggregates, §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...generative.pythia import fit_selection
from ...pipeline import paths
from ...sampling.source import TINY_MODELS_FAILED_FIT, uses_tiny_models
from ...sampling.source import gold_benchmarks as gold_benchmarks_of
from ..target import Target
from .common import BENCHMARK_NAMES, LAW_EQUATIONS, LAW_TITLES, estimator_variants

FIT_NOTEBOOK = str(paths.NOTEBOOKS / "generative_fit.ipynb")
MATH_VS_GSM8K_NOTEBOOK = str(paths.NOTEBOOKS / "generative_math_vs_gsm8k.ipynb")

# (paper figure number, law, benchmark) of the full fits and of the parameters-vs-k figures.
# Figs. 18 and 22 (the gold law on MATH) are built only where MATH gold likelihoods exist (sampled and scored).
FULL_FITS = [(1, "compute", "gsm8k"), (4, "params_tokens", "gsm8k"), (6, "gold_likelihood", "gsm8k"), (14, "compute", "math"), (16, "params_tokens", "math"), (18, "gold_likelihood", "math")]
PARAMETERS_VS_K = [
    (2, "compute", "gsm8k", "main"),
    (11, "compute", "gsm8k", "appendix"),
    (12, "params_tokens", "gsm8k", "appendix"),
    (13, "gold_likelihood", "gsm8k", "appendix"),
    (20, "compute", "math", "appendix"),
    (21, "params_tokens", "math", "appendix"),
    (22, "gold_likelihood", "math", "appendix"),
]

# Values the paper states, drawn only as comparison marks: (benchmark, law, parameter, k, value, where).
PAPER_STATED_VALUES = [
    ("gsm8k", "compute", "E0", 1, 2.0, "Fig. 1 caption: E0 from ≈2"),
    ("gsm8k", "compute", "E0", 100, 0.0, "§3.1, §7: E0 ≈ 0 by k ≈ 1e2"),
    ("gsm8k", "compute", "alpha", 1, 0.121, "§3.1, Fig. 1: alpha 0.121"),
    ("gsm8k", "compute", "alpha", 10000, 0.375, "§3.1, Fig. 1: alpha 0.375 (§7: ≈0.38)"),
    ("gsm8k", "params_tokens", "E0", 1, 3.87, "Fig. 4 caption: 𝓔0 3.87"),
    ("gsm8k", "params_tokens", "E0", 300, 0.0, "§4.1, Fig. 4: 𝓔0 ≈ 0 by k ≈ 3e2"),
    ("math", "compute", "E0", 10000, 0.45, "§7: E0 ≈ 0.45 at k = 1e4"),
    ("math", "compute", "alpha", 10000, 0.58, "§7: alpha ≈ 0.58 at k = 1e4"),
]


def paper_values(benchmarks: list[str], law: str) -> list[dict[str, Any]]:
    """The stated values for `law` on `benchmarks`, as plain records for a notebook parameter."""
    return [
        {"benchmark": benchmark, "parameter": parameter, "k": k, "value": value, "where": where}
        for benchmark, stated_law, parameter, k, value, where in PAPER_STATED_VALUES
        if stated_law == law and benchmark in benchmarks
    ]


def fit_inputs(benchmark: str, law: str) -> dict[str, str]:
    """The result tables a fit figure of `law` on `benchmark` reads."""
    inputs = {"fits": str(paths.generative(benchmark, "fits.csv"))}
    if law == "gold_likelihood":
        inputs["gold_likelihood"] = str(paths.generative(benchmark, "gold_likelihood.csv"))
    return inputs


def excluded_checkpoints(config: Mapping[str, Any]) -> list[list[Any]]:
    """[size, step] pairs kept out of the fits (drawn hollow): the configured selection's complement."""
    outcomes = config["generative"]["outcomes"]
    selection = fit_selection(outcomes, config["generative"]["fit"])
    pairs = [(str(size["size"]), int(step["step"])) for size in outcomes["pythia"]["sizes"] for step in outcomes["pythia"]["steps"]]
    kept = selection.keeps([size for size, _ in pairs], [step for _, step in pairs])
    return [[size, step] for (size, step), keep in zip(pairs, kept) if not keep]


def failed_fit_label(config: Mapping[str, Any]) -> dict[str, str]:
    """The panel text of a failed fit, when it is expected (the smoke run's tiny models); else
    nothing, and the notebook's own default ("fit failed")."""
    return {"failed_fit_label": TINY_MODELS_FAILED_FIT} if uses_tiny_models(config) else {}


def fit_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of this part of paper G."""
    benchmarks = [name for name in config["generative"]["outcomes"]["benchmarks"] if name in BENCHMARK_NAMES]
    laws = config["generative"]["fit"]["laws"]
    gold_benchmarks = set(gold_benchmarks_of(config))
    available = lambda law, benchmark: benchmark in benchmarks and law in laws and (law != "gold_likelihood" or benchmark in gold_benchmarks)  # noqa: E731
    sizes = [str(entry["size"]) for entry in sorted(config["generative"]["outcomes"]["pythia"]["sizes"], key=lambda entry: float(entry["params"]))]
    targets: list[Target] = []
    for estimator, suffix in estimator_variants(config):
        for number, law, benchmark in FULL_FITS:
            if not available(law, benchmark):
                continue
            targets.append(
                Target(
                    id=f"generative_fig{number:02d}{suffix}",
                    kind="figure",
                    slug=f"{law}_law_full_fit_{benchmark}",
                    notebook=FIT_NOTEBOOK,
                    inputs={"pass_at_k": str(paths.generative(benchmark, "pass_at_k.csv")), **fit_inputs(benchmark, law)},
                    parameters={
                        "view": "full_fit",
                        "law": law,
                        "benchmark": benchmark,
                        "estimator": estimator,
                        "figure_k": list(config["generative"]["fit"]["figure_k"]),
                        "size_order": sizes,
                        "excluded_checkpoints": excluded_checkpoints(config),
                        **failed_fit_label(config),
                    },
                    caption=f"{BENCHMARK_NAMES[benchmark]} −log pass@k ({estimator} estimator) against {LAW_TITLES[law]} with the "
                    f"full fit of {LAW_EQUATIONS[law]} per k (panels); points coloured by model size, hollow points excluded from the fit.",
                )
            )
        for number, law, benchmark, style in PARAMETERS_VS_K:
            if not available(law, benchmark):
                continue
            targets.append(
                Target(
                    id=f"generative_fig{number:02d}{suffix}",
                    kind="figure",
                    slug=f"{law}_law_parameters_vs_k_{benchmark}",
                    notebook=FIT_NOTEBOOK,
                    inputs=fit_inputs(benchmark, law),
                    parameters={
                        "view": "parameters_vs_k",
                        "law": law,
                        "benchmark": benchmark,
                        "estimator": estimator,
                        "style": style,
                        "paper_values": paper_values([benchmark], law) if style == "main" else [],
                    },
                    caption=f"{BENCHMARK_NAMES[benchmark]}: parameters of {LAW_EQUATIONS[law]} ({LAW_TITLES[law]} law, {estimator} "
                    f"estimator) as functions of k (full fits), with 90% bootstrap intervals over problems"
                    + (" and the values the paper states marked." if style == "main" else "."),
                )
            )
        if set(benchmarks) >= {"gsm8k", "math"} and "compute" in laws:
            comparison_inputs = {f"fits_{name}": str(paths.generative(name, "fits.csv")) for name in ("gsm8k", "math")}
            comparison_parameters = {"estimator": estimator, "paper_values": paper_values(["gsm8k", "math"], "compute")}
            targets.append(
                Target(
                    id=f"generative_figS07{suffix}",
                    kind="figure",
                    slug="math_vs_gsm8k_compute_law",
                    notebook=MATH_VS_GSM8K_NOTEBOOK,
                    inputs=comparison_inputs,
                    parameters={"view": "figure", **comparison_parameters},
                    caption=f"§7: irreducible error E0(k) and compute exponent alpha(k) of Eq. 3 for GSM8K and MATH ({estimator} "
                    "estimator), 90% bootstrap intervals, the values §3 and §7 state marked.",
                )
            )
            targets.append(
                Target(
                    id=f"generative_tableS07{suffix}",
                    kind="table",
                    slug="math_vs_gsm8k_compute_law",
                    notebook=MATH_VS_GSM8K_NOTEBOOK,
                    inputs=comparison_inputs,
                    parameters={"view": "table", **comparison_parameters},
                    caption=f"§7: E0, C0 and alpha of Eq. 3 at k = 1, 10, 100, 1000, 10000 for GSM8K and MATH ({estimator} "
                    "estimator) with 90% bootstrap intervals, beside the values the paper states.",
                )
            )
        exclusion_benchmarks = list(benchmarks)
        if exclusion_benchmarks:
            targets.append(
                Target(
                    id=f"generative_figS02{suffix}",
                    kind="figure",
                    slug="fitted_exponents_with_and_without_exclusions",
                    notebook=FIT_NOTEBOOK,
                    inputs={f"variants_{name}": str(paths.generative(name, "fit_variants.csv")) for name in exclusion_benchmarks}
                    | {f"fits_{name}": str(paths.generative(name, "fits.csv")) for name in exclusion_benchmarks},
                    parameters={"view": "exclusions", "estimator": estimator, "benchmarks": exclusion_benchmarks},
                    caption=f"§2: fitted exponents (alpha of Eq. 3; beta, gamma of Eq. 4; {estimator} estimator) vs k with the "
                    "configured checkpoint exclusions (line, 90% bootstrap band) and without them (dashed).",
                )
            )
        if "gold_likelihood" in laws and gold_benchmarks & set(benchmarks):
            gold_benchmark = sorted(gold_benchmarks & set(benchmarks))[0]
            targets.append(
                Target(
                    id=f"generative_tableS05{suffix}",
                    kind="table",
                    slug=f"gold_law_by_goldprob_aggregate_{gold_benchmark}",
                    notebook=FIT_NOTEBOOK,
                    inputs={f"variants_{gold_benchmark}": str(paths.generative(gold_benchmark, "fit_variants.csv"))},
                    parameters={"view": "gold_aggregate_table", "estimator": estimator, "benchmarks": [gold_benchmark], "figure_k": list(config["generative"]["fit"]["figure_k"])},
                    caption=f"§5: the gold-reference law (Eq. 6, {BENCHMARK_NAMES[gold_benchmark]}, {estimator} estimator) fit with −log GoldProb "
                    "as the mean gold NLL (the text) and as −log of the mean gold probability (Eq. 5 as printed).",
                )
            )
    return targets
