"""Paper G: pass@k and sampling figures/tables (Figs. 9-10, Tables 1-2) and the estimator comparison."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...pipeline import paths
from ..target import Target
from .common import BENCHMARK_NAMES

SAMPLING_NOTEBOOK = str(paths.NOTEBOOKS / "generative_sampling.ipynb")
PASSK_NOTEBOOK = str(paths.NOTEBOOKS / "generative_passk.ipynb")

# Paper numbering: App. B Fig. 9 (GSM8K) and Fig. 10 (MATH); App. C Table 1 (GSM8K) and Table 2 (MATH).
HEATMAP_FIGURES = {"gsm8k": "generative_fig09", "math": "generative_fig10"}
COST_TABLES = {"gsm8k": "generative_table01", "math": "generative_table02"}


def sampling_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of this part of paper G, for the configured benchmarks."""
    benchmarks = config["generative"]["outcomes"]["benchmarks"]
    targets = [heatmap_target(benchmark) for benchmark in benchmarks]
    targets += [cost_target(benchmark) for benchmark in benchmarks]
    if set(BENCHMARK_NAMES) <= set(benchmarks):
        targets.append(estimator_agreement_target())
    return sorted(targets, key=lambda target: target.id)


def heatmap_target(benchmark: str) -> Target:
    name = BENCHMARK_NAMES[benchmark]
    return Target(
        id=HEATMAP_FIGURES[benchmark],
        kind="figure",
        slug=f"samples_per_problem_{benchmark}",
        notebook=SAMPLING_NOTEBOOK,
        inputs={"outcomes": str(paths.generative(benchmark, "outcomes.parquet"))},
        parameters={"view": "samples_heatmap", "benchmark": benchmark},
        caption=f"Number of samples per model checkpoint (rows) per {name} problem (columns) in the "
        "released data (log colour scale; blank: not sampled).",
    )


def cost_target(benchmark: str) -> Target:
    name = BENCHMARK_NAMES[benchmark]
    return Target(
        id=COST_TABLES[benchmark],
        kind="table",
        slug=f"sampling_cost_{benchmark}",
        notebook=SAMPLING_NOTEBOOK,
        inputs={"sampling_cost": str(paths.generative(benchmark, "sampling_cost.csv"))},
        parameters={"view": "cost_table", "benchmark": benchmark},
        caption=f"{name}: reported A100-seconds per 128 samples by model size (the paper's measurements) "
        "and App. C's cost arithmetic under its three readings of the samples per problem and for the "
        "released sample counts, with the paper's stated totals beside them.",
    )


def estimator_agreement_target() -> Target:
    inputs = {}
    for benchmark in BENCHMARK_NAMES:
        inputs[f"{benchmark}_pass_at_k"] = str(paths.generative(benchmark, "pass_at_k.csv"))
        inputs[f"{benchmark}_problem_pass_at_k"] = str(paths.generative(benchmark, "problem_pass_at_k.parquet"))
        inputs[f"{benchmark}_outcomes"] = str(paths.generative(benchmark, "outcomes.parquet"))
    return Target(
        id="generative_figS01",
        kind="figure",
        slug="estimator_agreement",
        notebook=PASSK_NOTEBOOK,
        inputs=inputs,
        parameters={"view": "estimator_agreement"},
        caption="Where the unbiased and the beta-binomial pass@k estimators agree. Left: benchmark "
        "-log pass@k of every checkpoint and k the unbiased estimator can estimate. Right: per-problem "
        "relative difference against samples per attempt n/k (median and 10-90% band).",
    )
