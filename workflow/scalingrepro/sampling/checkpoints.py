"""Per-checkpoint settings of the sampling stages: where weights come from (and the offline cache
jobs read them from), job resources and shards sized to the partition's time limit,
released-style model names, and the cost plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import math

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


def offline_environment(cache_dir: str | Path) -> dict[str, str]:
    """Environment of a job that reads prefetched weights: the Hugging Face cache, and no network."""
    return {"HF_HOME": str(cache_dir), "HF_HUB_OFFLINE": "1"}


def seconds_per_batch(sampling_config: Mapping[str, Any], cost_config: Mapping[str, Any], benchmark: str, size: str) -> tuple[float, str]:
    """GPU-seconds per batch of `sampling.budget.batch_size` samples, and where the figure comes
    from: `sampling.plan.gpu_seconds_per_batch` where measured, else App. C's A100-seconds per
    128 samples scaled to the batch size."""
    measured = sampling_config["plan"]["gpu_seconds_per_batch"].get(benchmark, {})
    if str(size) in measured:
        return float(measured[str(size)]), "measured"
    reported = cost_config["reported_a100_seconds_per_batch"][benchmark][str(size)]
    return float(reported) * sampling_config["budget"]["batch_size"] / float(cost_config["samples_per_batch"]), "App. C A100-s"


def worst_case_minutes(sampling_config: Mapping[str, Any], cost_config: Mapping[str, Any], benchmark: str, size: str, n_problems: int) -> float:
    """GPU-minutes of sampling one checkpoint if every problem ran to the stopping rule's maximum."""
    budget = sampling_config["budget"]
    batches = math.ceil(budget["max_samples"] / budget["batch_size"])
    return n_problems * batches * seconds_per_batch(sampling_config, cost_config, benchmark, size)[0] / 60.0


def shard_count(sampling_config: Mapping[str, Any], cost_config: Mapping[str, Any], benchmark: str, size: str, n_problems: int) -> int:
    """Sampling jobs per checkpoint of one size: `shards_per_checkpoint`, or as many more as it
    takes for the largest shard's worst case (with `runtime_margin`, after `startup_minutes`) to
    fit `time_limit_minutes`; at most one job per problem."""
    resources = sampling_config["resources"]
    usable = resources["time_limit_minutes"] - resources["startup_minutes"]
    if usable <= 0:
        raise ValueError(f"sampling.resources.time_limit_minutes ({resources['time_limit_minutes']}) leaves no time after startup_minutes ({resources['startup_minutes']})")
    shards = min(sampling_config["shards_per_checkpoint"], n_problems)
    while shards < n_problems and worst_case_minutes(sampling_config, cost_config, benchmark, size, math.ceil(n_problems / shards)) * resources["runtime_margin"] > usable:
        shards += 1
    return int(shards)


def job_resources(sampling_config: Mapping[str, Any], cost_config: Mapping[str, Any], benchmark: str, size: str, n_problems: int, job: str) -> dict[str, int]:
    """gpus, mem_mb and runtime (minutes) of a `sample` or `score` job of one (benchmark, size):
    the runtime is the job's worst case with margin plus startup, at most the partition's limit."""
    resources = sampling_config["resources"]
    chosen = dict(resources["per_size"].get(str(size), resources["default"]))
    if job == "sample":
        shards = shard_count(sampling_config, cost_config, benchmark, size, n_problems)
        work = worst_case_minutes(sampling_config, cost_config, benchmark, size, math.ceil(n_problems / shards))
    else:  # one forward pass per gold solution: at most a batch's time each
        work = n_problems * seconds_per_batch(sampling_config, cost_config, benchmark, size)[0] / 60.0
    if job == "sample" and sampling_config["score_in_sampling_job"]:
        work += n_problems * seconds_per_batch(sampling_config, cost_config, benchmark, size)[0] / 60.0
    runtime = math.ceil(work * resources["runtime_margin"] + resources["startup_minutes"])
    return {"gpus": int(chosen["gpus"]), "mem_mb": int(chosen["mem_mb"]), "runtime": int(min(runtime, resources["time_limit_minutes"]))}


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
    prices = cost_config["usd_per_a100_hour"]
    rows = []
    for benchmark in benchmarks:
        steps = n_steps[benchmark] if isinstance(n_steps, Mapping) else n_steps
        problems = problem_count(sampling_config, benchmark, int(cost_config["problems_per_checkpoint"]))
        for size in sizes:
            batch_seconds, throughput_source = seconds_per_batch(sampling_config, cost_config, benchmark, size)
            jobs = steps * shard_count(sampling_config, cost_config, benchmark, size, problems)
            row = {"benchmark": benchmark, "size": size, "checkpoints": steps, "problems": problems, "jobs": jobs}
            for bound, per_problem in (("min", budget["min_samples"]), ("max", budget["max_samples"])):
                samples = steps * problems * per_problem
                gpu_hours = samples / budget["batch_size"] * batch_seconds / 3600.0
                row |= {f"samples_{bound}": samples, f"gpu_hours_{bound}": gpu_hours, f"usd_{bound}": gpu_hours * min(prices.values()) if bound == "min" else gpu_hours * max(prices.values())}
            row |= {"gpu_seconds_per_batch": batch_seconds, "throughput_source": throughput_source}
            rows.append(row)
    table = pd.DataFrame(rows)
    numeric = ["checkpoints", "problems", "jobs", "samples_min", "samples_max", "gpu_hours_min", "gpu_hours_max", "usd_min", "usd_max"]
    total = {"benchmark": "total", "size": "all", **table[numeric].sum().to_dict(), "gpu_seconds_per_batch": float("nan"), "throughput_source": ""}
    total["problems"] = None
    combined = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return combined.astype({"checkpoints": "int64", "problems": "Int64", "jobs": "int64", "samples_min": "int64", "samples_max": "int64"})
