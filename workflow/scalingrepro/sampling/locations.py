"""Every path of the sampling stages, spelled once (relative to the repository root, like pipeline.paths)."""

from __future__ import annotations

from pathlib import Path

from ..pipeline import paths

def sampling_root() -> Path:
    """Where the sampling stages write (under the output root)."""
    return paths.RESULTS / "sampling"


def problems(benchmark: str) -> Path:
    """The problems sampled on a benchmark, with prompts and gold solutions."""
    return sampling_root() / benchmark / "problems.parquet"


def checkpoint(benchmark: str, size: str, step: int | str, name: str) -> Path:
    """A table of one (benchmark, checkpoint)."""
    return sampling_root() / benchmark / str(size) / f"step{step}" / name


def shard(benchmark: str, size: str, step: int | str, shard_index: int | str, name: str) -> Path:
    """A table of one sampling job (benchmark, checkpoint, shard)."""
    return checkpoint(benchmark, size, step, f"shard{shard_index}_{name}")


def shard_records(benchmark: str, size: str, step: int | str, shard_index: int | str) -> Path:
    """The batch records of one sampling job; not a rule output, so a failed job's records survive for resuming."""
    return checkpoint(benchmark, size, step, f"shard{shard_index}.records")


def gold_neg_log_likelihood(benchmark: str) -> Path:
    """Scored gold NLLs of every checkpoint, in the released file's schema (Model, Problem Idx, Neg Log Score)."""
    return sampling_root() / benchmark / "gold_neg_log_likelihood.parquet"


def tiny_model(size: str, step: int | str) -> Path:
    """A locally built tiny GPT-NeoX checkpoint (model and tokenizer)."""
    return paths.OUTPUT_ROOT / "models" / str(size) / f"step{step}"


def model_cache(configured: str = "") -> Path:
    """The Hugging Face cache that prefetched weights go to (sampling.models.cache_dir, or under the output root)."""
    return Path(configured) if configured else paths.OUTPUT_ROOT / "models" / "huggingface"


def prefetched(cache: Path, size: str, step: int | str) -> Path:
    """The marker a prefetch job writes once one checkpoint's weights are in the cache."""
    return cache / "prefetched" / str(size) / f"step{step}.json"


def plan() -> Path:
    """The sampling plan: jobs, samples, GPU-hours and dollars per model size."""
    return sampling_root() / "plan.csv"


def cache_of_prefetched(marker: str | Path) -> Path:
    """The cache a prefetch marker lies in (the inverse of `prefetched`)."""
    return Path(marker).parents[2]
