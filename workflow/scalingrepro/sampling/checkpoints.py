"""Per-checkpoint settings of the sampling stages: where weights come from, job resources,
released-style model names, and the cost plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from . import locations

_SUFFIXES = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))


def model_location(sampling_config: Mapping[str, Any], size: str, step: int, hf_repo: str) -> tuple[str, str | None]:
    """(model, revision) of one checkpoint: the Hub repository at `step<step>`, or a tiny local model."""
    models = sampling_config["models"]
    if models["source"] == "tiny":
        return str(locations.tiny_model(size, step)), None
    return hf_repo, models["revision_template"].format(step=step)


def sampled_steps(sampling_config: Mapping[str, Any], benchmark: str, steps: Sequence[int]) -> list[int]:
    """The registry's steps sampled on a benchmark: all but `sampling.excluded_steps.<benchmark>`."""
    excluded = set(sampling_config["excluded_steps"].get(benchmark, []))
    return [int(step) for step in steps if int(step) not in excluded]


def job_resources(sampling_config: Mapping[str, Any], size: str) -> dict[str, int]:
    """gpus, mem_mb and runtime (minutes) of a sampling or scoring job of one model size."""
    resources = sampling_config["resources"]
    return dict(resources["per_size"].get(str(size), resources["default"]))


def pythia_nickname(size: str, tokens: float) -> str:
    """'Pythia_<size>_<tokens>' as in the released files (2e10 tokens -> '20B'), so the released readers parse it."""
    for suffix, multiplier in _SUFFIXES:
        if tokens >= multiplier:
            return f"Pythia_{size}_{tokens / multiplier:g}{suffix}"
    return f"Pythia_{size}_{tokens / 1e3:g}K"


def problem_count(sampling_config: Mapping[str, Any], benchmark: str, released_problems: int) -> int:
    """Problems sampled on a benchmark: the listed ids, or the released data's problem count."""
    chosen = sampling_config["problems"][benchmark]
    return released_problems if chosen == "released" else len(chosen)


def plan_table(sampling_config: Mapping[str, Any], cost_config: Mapping[str, Any], benchmarks: Sequence[str], sizes: Sequence[str], n_steps: int | Mapping[str, int]) -> pd.DataFrame:
    """Jobs, samples, GPU-hours and dollars per (benchmark, model size) and in total.

    Samples per problem lie between the stopping rule's minimum and maximum (the minimum is
    reached by every problem, the maximum by problems with under `target_successes` correct);
    GPU-seconds per batch come from `sampling.plan.gpu_seconds_per_batch` where measured, else
    from App. C's reported A100-seconds per 128 samples, scaled to the configured batch size.
    Dollars at the cheapest and the dearest listed A100-hour price. n_steps: checkpoints per
    size, one count for every benchmark or a count per benchmark.
    """
    budget = sampling_config["budget"]
    measured = sampling_config["plan"]["gpu_seconds_per_batch"]
    reported = cost_config["reported_a100_seconds_per_batch"]
    prices = cost_config["usd_per_a100_hour"]
    rows = []
    for benchmark in benchmarks:
        steps = n_steps[benchmark] if isinstance(n_steps, Mapping) else n_steps
        problems = problem_count(sampling_config, benchmark, int(cost_config["problems_per_checkpoint"]))
        for size in sizes:
            if size in measured.get(benchmark, {}):
                seconds_per_batch, throughput_source = float(measured[benchmark][size]), "measured"
            else:
                seconds_per_batch = float(reported[benchmark][size]) * budget["batch_size"] / float(cost_config["samples_per_batch"])
                throughput_source = "App. C A100-s"
            row = {"benchmark": benchmark, "size": size, "checkpoints": steps, "problems": problems, "jobs": steps * sampling_config["shards_per_checkpoint"]}
            for bound, per_problem in (("min", budget["min_samples"]), ("max", budget["max_samples"])):
                samples = steps * problems * per_problem
                gpu_hours = samples / budget["batch_size"] * seconds_per_batch / 3600.0
                row |= {f"samples_{bound}": samples, f"gpu_hours_{bound}": gpu_hours, f"usd_{bound}": gpu_hours * min(prices.values()) if bound == "min" else gpu_hours * max(prices.values())}
            row |= {"gpu_seconds_per_batch": seconds_per_batch, "throughput_source": throughput_source}
            rows.append(row)
    table = pd.DataFrame(rows)
    numeric = ["checkpoints", "problems", "jobs", "samples_min", "samples_max", "gpu_hours_min", "gpu_hours_max", "usd_min", "usd_max"]
    total = {"benchmark": "total", "size": "all", **table[numeric].sum().to_dict(), "gpu_seconds_per_batch": float("nan"), "throughput_source": ""}
    total["problems"] = None
    combined = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return combined.astype({"checkpoints": "int64", "problems": "Int64", "jobs": "int64", "samples_min": "int64", "samples_max": "int64"})
