"""Adaptive sampling of one shard of problems, resumable from atomically written batch records.

Each problem is sampled in batches of `batch_size` completions of its prompt until the stopping
rule holds (App. B: at least `min_samples`, then on until `target_successes` correct or
`max_samples`). Batch b of problem i is drawn with a seed derived from (seed, i, b) alone, so a
run that is killed and resumed draws exactly the batches an uninterrupted run draws.

Every finished batch is one JSON record in the shard's records directory, written to a
temporary file and renamed into place: a record exists whole or not at all. A resumed run
reads the records, skips the problems that are done and continues the others at their next
batch. The directory also holds the settings the records were drawn under; records drawn under
other settings are refused rather than mixed in.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ..pipeline.errors import InputError
from ..pipeline.files import write_text_atomically
from .backends import Backend
from .grading import Grader

SETTINGS_FILE = "settings.json"
COMPLETION_COLUMNS = ["problem_idx", "batch_index", "sample_index", "completion", "extracted", "correct"]


@dataclass(frozen=True)
class StoppingRule:
    """App. B's adaptive stopping: batches of `batch_size` until min/target/max say stop."""

    batch_size: int
    min_samples: int
    max_samples: int
    target_successes: int

    def done(self, n_samples: int, n_correct: int) -> bool:
        return n_samples >= self.max_samples or (n_samples >= self.min_samples and n_correct >= self.target_successes)


def stopping_rule(settings: Mapping[str, Any]) -> StoppingRule:
    """The stopping rule of a `sampling.budget` config block."""
    return StoppingRule(int(settings["batch_size"]), int(settings["min_samples"]), int(settings["max_samples"]), int(settings["target_successes"]))


def batch_seed(seed: int, problem_idx: int, batch_index: int) -> int:
    """The seed of one batch: a function of (run seed, problem, batch) only."""
    return int(np.random.SeedSequence([seed, problem_idx, batch_index]).generate_state(1)[0] & 0x7FFFFFFF)


def retained_count(batch_index: int, batch_size: int, retain_per_problem: int) -> int:
    """How many completions of a batch are kept: the first `retain_per_problem` of the problem (-1: all)."""
    if retain_per_problem < 0:
        return batch_size
    return int(min(batch_size, max(0, retain_per_problem - batch_index * batch_size)))


def record_path(records: Path, problem_idx: int, batch_index: int) -> Path:
    return records / f"problem{problem_idx:06d}_batch{batch_index:06d}.json"


def open_records(records: Path, run_settings: Mapping[str, Any]) -> None:
    """Create the records directory, or check that its records were drawn under `run_settings`."""
    records.mkdir(parents=True, exist_ok=True)
    settings_path = records / SETTINGS_FILE
    expected = json.dumps(run_settings, sort_keys=True, indent=1)
    if settings_path.exists():
        if settings_path.read_text(encoding="utf-8") != expected:
            raise InputError(
                str(records),
                "holds batch records drawn under other settings (model, prompts, seed or budget differ from this run's).",
                f"delete {records} to sample afresh, or restore the settings in {settings_path}.",
            )
        return
    write_text_atomically(settings_path, expected)


def read_records(records: Path) -> dict[int, list[dict]]:
    """The batch records of a records directory, per problem, in batch order."""
    by_problem: dict[int, list[dict]] = {}
    for path in sorted(records.glob("problem*_batch*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        by_problem.setdefault(int(record["problem_idx"]), []).append(record)
    for problem_idx, batches in by_problem.items():
        indices = [batch["batch_index"] for batch in batches]
        if indices != list(range(len(indices))):
            raise InputError(str(records), f"problem {problem_idx} has batch records {indices}, not 0..{len(indices) - 1}.", f"delete {records} and sample this shard afresh.")
    return by_problem


class Progress:
    """One status line (problems done, samples, samples/s) at most every `interval` seconds."""

    def __init__(self, total_problems: int, stream: TextIO = sys.stderr, interval: float = 10.0):
        self.total, self.stream, self.interval = total_problems, stream, interval
        self.start = self.last = time.monotonic()
        self.problems_done = self.samples = 0

    def update(self, samples: int = 0, problems_done: int = 0, force: bool = False) -> None:
        self.samples += samples
        self.problems_done += problems_done
        now = time.monotonic()
        if force or now - self.last >= self.interval:
            rate = self.samples / max(now - self.start, 1e-9)
            print(f"problems {self.problems_done}/{self.total} | samples {self.samples:,} | {rate:,.1f} samples/s", file=self.stream, flush=True)
            self.last = now


def sample_problems(
    problems: pd.DataFrame,
    backend: Backend,
    grader: Grader,
    rule: StoppingRule,
    seed: int,
    max_new_tokens: int,
    stop: Sequence[str],
    retain_per_problem: int,
    records: Path,
    progress: Progress | None = None,
    after_batch: Callable[[dict], None] | None = None,
) -> None:
    """Sample every problem of `problems` (benchmark, problem_idx, prompt, gold_answer) to its
    stopping rule, writing one record per batch into `records` and resuming from those there."""
    done = read_records(records)
    progress = progress or Progress(len(problems))
    for problem in problems.itertuples(index=False):
        batches = done.get(int(problem.problem_idx), [])
        n_samples = sum(batch["n_samples"] for batch in batches)
        n_correct = sum(batch["n_correct"] for batch in batches)
        batch_index = len(batches)
        while not rule.done(n_samples, n_correct):
            completions = backend.sample(problem.prompt, rule.batch_size, max_new_tokens, stop, batch_seed(seed, int(problem.problem_idx), batch_index))
            extracted, correct = grader.grade(problem.benchmark, completions, [problem.gold_answer] * len(completions))
            kept = retained_count(batch_index, rule.batch_size, retain_per_problem)
            record = {
                "problem_idx": int(problem.problem_idx),
                "batch_index": batch_index,
                "n_samples": len(completions),
                "n_correct": int(sum(correct)),
                "completions": completions[:kept],
                "extracted": extracted[:kept],
                "correct": correct[:kept],
            }
            write_text_atomically(record_path(records, int(problem.problem_idx), batch_index), json.dumps(record))
            n_samples += record["n_samples"]
            n_correct += record["n_correct"]
            batch_index += 1
            progress.update(samples=record["n_samples"])
            if after_batch is not None:
                after_batch(record)
        progress.update(problems_done=1)
    progress.update(force=True)


def shard_tables(records: Path, problems: pd.DataFrame, rule: StoppingRule) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A finished shard's per-problem counts (problem_idx, n_samples, n_correct) and retained
    completions (COMPLETION_COLUMNS). InputError if a problem is missing or not finished."""
    by_problem = read_records(records)
    counts, completions = [], []
    for problem_idx in problems["problem_idx"].astype(int):
        batches = by_problem.get(problem_idx, [])
        n_samples = sum(batch["n_samples"] for batch in batches)
        n_correct = sum(batch["n_correct"] for batch in batches)
        if not rule.done(n_samples, n_correct):
            raise InputError(str(records), f"problem {problem_idx} stopped at {n_samples} samples ({n_correct} correct) before its stopping rule holds.", "rerun the sampling job; it resumes from the records.")
        counts.append((problem_idx, n_samples, n_correct))
        for batch in batches:
            for sample_index, (text, answer, verdict) in enumerate(zip(batch["completions"], batch["extracted"], batch["correct"])):
                completions.append((problem_idx, batch["batch_index"], sample_index, text, answer, verdict))
    count_table = pd.DataFrame(counts, columns=["problem_idx", "n_samples", "n_correct"]).astype("int64")
    completion_table = pd.DataFrame(completions, columns=COMPLETION_COLUMNS).astype({"problem_idx": "int64", "batch_index": "int64", "sample_index": "int64", "correct": bool})
    return count_table, completion_table


def shard_of(problems: pd.DataFrame, shard_index: int, n_shards: int) -> pd.DataFrame:
    """Shard k of n: every n-th problem from the k-th, so shards carry alike mixes of problems."""
    if not 0 <= shard_index < n_shards:
        raise ValueError(f"shard {shard_index} outside 0..{n_shards - 1}")
    return problems.sort_values("problem_idx").iloc[shard_index::n_shards].reset_index(drop=True)


def run_settings(model: str, revision: str | None, benchmark: str, prompt_version: str, seed: int, rule: StoppingRule, max_new_tokens: int, stop: Sequence[str], retain_per_problem: int) -> dict:
    """The settings a shard's records depend on (stored beside them, checked on resume)."""
    return {
        "model": model,
        "revision": revision,
        "benchmark": benchmark,
        "prompt_version": prompt_version,
        "seed": seed,
        "stopping": asdict(rule),
        "max_new_tokens": max_new_tokens,
        "stop": list(stop),
        "retain_per_problem": retain_per_problem,
    }
