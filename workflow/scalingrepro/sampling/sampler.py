"""Adaptive sampling of one shard of problems, resumable from atomically written batch records.

Each problem is sampled in batches of `batch_size` completions of its prompt until the stopping
rule holds (App. B: at least `min_samples`, then on until `target_successes` correct or
`max_samples`). Every sample has its own seed: problem i's samples take consecutive seeds from
a base of its own (`problem_seed`), batch b starting at base + b·batch_size, so the seeds of all
samples of all problems are distinct under vLLM's rule that child j of a request seeded s is
seeded s + j. A batch is a function of (seed, i, b) alone: a run that is killed and resumed,
and a run in rounds or one problem at a time, draw the same batches (bit for bit where the
engine's logits do not depend on the other sequences of the batch).

Rounds: each engine call carries one batch of every unfinished problem of the shard, and the
round's completions are graded (in a thread, when the grader has worker processes) while the
next round generates. The next round is planned before the grades are in: a problem that the
grades then show finished has its extra batch dropped unrecorded, so records and stopping
decisions are those of the sequential order.

Every finished batch is one JSON record in the shard's records directory, written to a
temporary file and renamed into place: a record exists whole or not at all. A resumed run
reads the records, skips the problems that are done and continues the others at their next
batch. The directory also holds the settings the records were drawn under and a lock that one
job holds while sampling; records drawn under other settings, or past the stopping rule, are
refused rather than mixed in.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..pipeline.errors import InputError
from ..pipeline.files import write_text_atomically
from .backends import Backend, SampleRequest
from .grading import GRADER_VERSION, Grader

SETTINGS_FILE = "settings.json"
LOCK_FILE = ".lock"
COMPLETION_COLUMNS = ["problem_idx", "batch_index", "sample_index", "completion", "extracted", "correct"]
SCHEDULES = ("rounds", "sequential")
# Names the seed layout below; records drawn under another layout are refused.
SEED_LAYOUT = "problem-base+batch*batch_size+sample"


@dataclass(frozen=True)
class StoppingRule:
    """App. B's adaptive stopping: batches of `batch_size` until min/target/max say stop."""

    batch_size: int
    min_samples: int
    max_samples: int
    target_successes: int

    def done(self, n_samples: int, n_correct: int) -> bool:
        return n_samples >= self.max_samples or (n_samples >= self.min_samples and n_correct >= self.target_successes)

    def samples_at_most(self) -> int:
        """The most samples a problem can draw: whole batches until max_samples is reached."""
        return math.ceil(self.max_samples / self.batch_size) * self.batch_size


def stopping_rule(settings: Mapping[str, Any]) -> StoppingRule:
    """The stopping rule of a `sampling.budget` config block."""
    return StoppingRule(int(settings["batch_size"]), int(settings["min_samples"]), int(settings["max_samples"]), int(settings["target_successes"]))


@lru_cache(maxsize=64)
def _run_base(seed: int) -> int:
    return int(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]) >> 2  # < 2^62


def problem_seed(seed: int, problem_idx: int, rule: StoppingRule) -> int:
    """The seed of problem `problem_idx`'s first sample: a run base from `seed`, then one block of
    `rule.samples_at_most()` seeds per problem, so no two samples of a run share a seed."""
    base = _run_base(seed)
    offset = problem_idx * rule.samples_at_most()
    if not 0 <= offset < 2**62:
        raise ValueError(f"problem index {problem_idx} is outside the seed layout")
    return base + offset  # < 2^63: a valid torch and vLLM seed


def batch_seed(seed: int, problem_idx: int, batch_index: int, rule: StoppingRule) -> int:
    """The seed of sample 0 of batch `batch_index` of a problem; sample j has this seed + j."""
    return problem_seed(seed, problem_idx, rule) + batch_index * rule.batch_size


def retained_count(batch_index: int, batch_size: int, retain_per_problem: int) -> int:
    """How many completions of a batch are kept: the first `retain_per_problem` of the problem (-1: all)."""
    if retain_per_problem < 0:
        return batch_size
    return int(min(batch_size, max(0, retain_per_problem - batch_index * batch_size)))


def record_path(records: Path, problem_idx: int, batch_index: int) -> Path:
    return records / f"problem{problem_idx:06d}_batch{batch_index:06d}.json"


@contextmanager
def shard_lock(records: Path) -> Iterator[None]:
    """Hold the records directory's lock while sampling; InputError if another job holds it (a
    retried job started while the first still runs would otherwise write the same batches)."""
    records.mkdir(parents=True, exist_ok=True)
    with open(records / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(str(records), "is being sampled by another job (it holds the lock file .lock).", "wait for that job to end or cancel it, then rerun; the records it wrote are kept.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_records(records: Path, run_settings: Mapping[str, Any]) -> None:
    """Create the records directory, or check that its records were drawn under `run_settings`."""
    records.mkdir(parents=True, exist_ok=True)
    settings_path = records / SETTINGS_FILE
    expected = json.dumps(run_settings, sort_keys=True, indent=1)
    if settings_path.exists():
        if settings_path.read_text(encoding="utf-8") != expected:
            raise InputError(
                str(records),
                "holds batch records drawn under other settings (model, backend, prompts, problems, seed, budget or grader differ from this run's).",
                f"delete {records} to sample afresh, or restore the settings in {settings_path}.",
            )
        return
    write_text_atomically(settings_path, expected)


def read_records(records: Path, rule: StoppingRule | None = None) -> dict[int, list[dict]]:
    """The batch records of a records directory, per problem, in batch order. InputError if a
    problem's batches are not 0..n-1 or (given `rule`) go on past the batch where the rule held."""
    by_problem: dict[int, list[dict]] = {}
    for path in sorted(records.glob("problem*_batch*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        by_problem.setdefault(int(record["problem_idx"]), []).append(record)
    for problem_idx, batches in by_problem.items():
        indices = [batch["batch_index"] for batch in batches]
        if indices != list(range(len(indices))):
            raise InputError(str(records), f"problem {problem_idx} has batch records {indices}, not 0..{len(indices) - 1}.", f"delete {records} and sample this shard afresh.")
        if rule is not None:
            n_samples = n_correct = 0
            for batch in batches[:-1]:
                n_samples, n_correct = n_samples + batch["n_samples"], n_correct + batch["n_correct"]
                if rule.done(n_samples, n_correct):
                    raise InputError(str(records), f"problem {problem_idx} has batch records past batch {batch['batch_index']}, where its stopping rule already held ({n_samples} samples, {n_correct} correct).", f"delete {records} and sample this shard afresh.")
    return by_problem


@dataclass
class ProblemState:
    """A problem's samples and correct samples so far, and the index of its next batch."""

    n_samples: int = 0
    n_correct: int = 0
    batches: int = 0


def problem_states(problem_ids: Sequence[int], done: Mapping[int, list[dict]]) -> dict[int, ProblemState]:
    """Each problem's state after the batch records already written."""
    return {
        problem_idx: ProblemState(sum(b["n_samples"] for b in done.get(problem_idx, [])), sum(b["n_correct"] for b in done.get(problem_idx, [])), len(done.get(problem_idx, [])))
        for problem_idx in problem_ids
    }


def remaining_samples(states: Mapping[int, ProblemState], rule: StoppingRule) -> tuple[int, int]:
    """Samples still to draw at least (every unfinished problem stops at its first chance) and at most."""
    open_states = [state for state in states.values() if not rule.done(state.n_samples, state.n_correct)]
    least = sum(max(rule.min_samples - state.n_samples, rule.batch_size) for state in open_states)
    most = sum(rule.samples_at_most() - state.n_samples for state in open_states)
    return least, most


def _duration(seconds: float) -> str:
    return "?" if not math.isfinite(seconds) else f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


class Progress:
    """One status line (problems done, samples, samples/s, ETA) at most every `interval` seconds,
    through `emit` (the job's logger: its log file and the console)."""

    def __init__(self, total_problems: int, emit: Callable[[str], None] = print, interval: float = 10.0):
        self.total, self.emit, self.interval = total_problems, emit, interval
        self.start = self.last = time.monotonic()
        self.problems_done = self.samples = 0
        self.remaining = (0, 0)

    def update(self, samples: int = 0, problems_done: int = 0, remaining: tuple[int, int] | None = None, force: bool = False) -> None:
        self.samples += samples
        self.problems_done += problems_done
        self.remaining = remaining if remaining is not None else self.remaining
        now = time.monotonic()
        if force or now - self.last >= self.interval:
            rate = self.samples / max(now - self.start, 1e-9)
            least, most = (math.inf, math.inf) if rate <= 0 else (self.remaining[0] / rate, self.remaining[1] / rate)
            eta = _duration(least) if least == most else f"{_duration(least)} to {_duration(most)}"
            self.emit(f"problems {self.problems_done}/{self.total} | samples {self.samples:,} | {rate:,.1f} samples/s | ETA {eta}")
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
    schedule: str = "rounds",
) -> None:
    """Sample every problem of `problems` (benchmark, problem_idx, prompt, gold_answer) to its
    stopping rule, writing one record per batch into `records` and resuming from those there.
    Callers that may race another job hold `shard_lock(records)`.

    schedule: `rounds` (one engine call per round over every unfinished problem) or
    `sequential` (one call per batch, problem after problem); both write the same records.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of {SCHEDULES}")
    table = {int(problem.problem_idx): problem for problem in problems.itertuples(index=False)}
    for stale in records.glob(".problem*.tmp"):  # left by a job killed mid-write; only the lock holder writes here
        stale.unlink()
    states = problem_states(list(table), read_records(records, rule))

    def open_problems() -> list[int]:
        return [p for p, state in states.items() if not rule.done(state.n_samples, state.n_correct)]

    progress = progress or Progress(len(table))
    progress.update(problems_done=len(table) - len(open_problems()), remaining=remaining_samples(states, rule), force=True)

    def generate(batches: list[tuple[int, int]]) -> list[list[str]]:
        requests = [SampleRequest(table[p].prompt, rule.batch_size, batch_seed(seed, p, b, rule)) for p, b in batches]
        return backend.sample(requests, max_new_tokens, stop) if requests else []

    def grade_and_write(batches: list[tuple[int, int]], completions: list[list[str]]) -> None:
        grades = _grade_round(grader, [table[p] for p, _ in batches], completions)
        for (problem_idx, batch_index), texts, (extracted, correct) in zip(batches, completions, grades):
            state = states[problem_idx]
            if rule.done(state.n_samples, state.n_correct) or batch_index != state.batches:
                raise RuntimeError(f"batch {batch_index} of problem {problem_idx} is not the next batch its stopping rule asks for")
            kept = retained_count(batch_index, rule.batch_size, retain_per_problem)
            record = {
                "problem_idx": problem_idx,
                "batch_index": batch_index,
                "seed": batch_seed(seed, problem_idx, batch_index, rule),
                "n_samples": len(texts),
                "n_correct": int(sum(correct)),
                "completions": texts[:kept],
                "extracted": extracted[:kept],
                "correct": correct[:kept],
            }
            write_text_atomically(record_path(records, problem_idx, batch_index), json.dumps(record))
            state.n_samples, state.n_correct, state.batches = state.n_samples + record["n_samples"], state.n_correct + record["n_correct"], batch_index + 1
            progress.update(samples=record["n_samples"], problems_done=int(rule.done(state.n_samples, state.n_correct)), remaining=remaining_samples(states, rule))
            if after_batch is not None:
                after_batch(record)

    def plan() -> list[tuple[int, int]]:
        chosen = open_problems() if schedule == "rounds" else open_problems()[:1]
        return [(p, states[p].batches) for p in chosen]

    # Grading overlaps generation only with a worker pool: math-verify's alarms need a main thread.
    overlap = schedule == "rounds" and grader.workers > 0
    current = plan()
    completions = generate(current)
    with ThreadPoolExecutor(max_workers=1) as grading_thread:
        while current:
            if overlap:
                # Next round planned before the grades: every problem this round cannot finish for sure.
                following = [(p, b + 1) for p, b in current if not rule.done(states[p].n_samples + rule.batch_size, states[p].n_correct)]
                grading = grading_thread.submit(grade_and_write, current, completions)
                following_completions = generate(following)
                grading.result()
                keep = [i for i, (p, _) in enumerate(following) if not rule.done(states[p].n_samples, states[p].n_correct)]
                current, completions = [following[i] for i in keep], [following_completions[i] for i in keep]
            else:
                grade_and_write(current, completions)
                current = plan()
                completions = generate(current)
    progress.update(force=True)


def _grade_round(grader: Grader, problems: list, completions: list[list[str]]) -> list[tuple[list, list]]:
    """(extracted, correct) of each batch of a round: one grader call per benchmark."""
    results: list[tuple[list, list]] = [([], []) for _ in problems]
    for benchmark in dict.fromkeys(problem.benchmark for problem in problems):
        positions = [i for i, problem in enumerate(problems) if problem.benchmark == benchmark]
        texts = [text for i in positions for text in completions[i]]
        golds = [problems[i].gold_answer for i in positions for _ in completions[i]]
        extracted, correct = grader.grade(benchmark, texts, golds)
        start = 0
        for i in positions:
            n = len(completions[i])
            results[i] = (extracted[start : start + n], correct[start : start + n])
            start += n
    return results


def shard_tables(records: Path, problems: pd.DataFrame, rule: StoppingRule) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A finished shard's per-problem counts (problem_idx, n_samples, n_correct) and retained
    completions (COMPLETION_COLUMNS). InputError if a problem is missing, not finished or sampled past its rule."""
    by_problem = read_records(records, rule)
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


def prompt_hash(problems: pd.DataFrame) -> str:
    """SHA-256 of the shard's problem ids and prompt texts, in problem order."""
    digest = hashlib.sha256()
    for problem in problems.sort_values("problem_idx").itertuples(index=False):
        digest.update(f"{int(problem.problem_idx)}\0{problem.prompt}\0".encode())
    return digest.hexdigest()


def run_settings(
    model: str, revision: str | None, benchmark: str, prompt_version: str, seed: int, rule: StoppingRule, max_new_tokens: int, stop: Sequence[str], retain_per_problem: int,
    *, problems: pd.DataFrame, backend: str, dtype: str,
) -> dict:
    """The settings a shard's records depend on (stored beside them, checked on resume): the
    checkpoint, the engine and its dtype, the problems and a hash of their prompt texts, the
    seed and its layout, the budget and the grader's version."""
    return {
        "model": model,
        "revision": revision,
        "backend": backend,
        "dtype": dtype,
        "benchmark": benchmark,
        "prompt_version": prompt_version,
        "problem_ids": sorted(int(i) for i in problems["problem_idx"]),
        "prompt_sha256": prompt_hash(problems),
        "seed": seed,
        "seed_layout": SEED_LAYOUT,
        "stopping": asdict(rule),
        "max_new_tokens": max_new_tokens,
        "stop": list(stop),
        "retain_per_problem": retain_per_problem,
        "grader_version": GRADER_VERSION,
    }
