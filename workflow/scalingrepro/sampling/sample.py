"""Sample one shard of problems outside Snakemake (the sampling rule's job, as a command):

    python -m scalingrepro.sampling.sample PROBLEMS.parquet MODEL RECORDS_DIR [options]

PROBLEMS.parquet: the build_sampling_problems table (benchmark, problem_idx, prompt, gold_answer).
Batch records go to RECORDS_DIR; rerunning the same command after a kill resumes there. Prints
per-problem counts (problem_idx, n_samples, n_correct) as CSV when every problem is done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..pipeline.errors import InputError
from . import sampler
from .backends import backend_dtype, load_backend
from .grading import Grader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scalingrepro.sampling.sample", description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("problems", type=Path)
    parser.add_argument("model", help="model directory or Hugging Face repository")
    parser.add_argument("records", type=Path)
    parser.add_argument("--revision", default=None)
    parser.add_argument("--backend", default="transformers", choices=["transformers", "vllm"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--min-samples", type=int, default=16384)
    parser.add_argument("--max-samples", type=int, default=32768)
    parser.add_argument("--target-successes", type=int, default=10)
    parser.add_argument("--max-new-tokens", type=int, default=512)
    parser.add_argument("--stop", action="append", default=[], help="stop string (repeatable)")
    parser.add_argument("--retain", type=int, default=-1, help="completions kept per problem (-1: all)")
    parser.add_argument("--prompt-version", default="command-line")
    parser.add_argument("--schedule", default="rounds", choices=sampler.SCHEDULES, help="rounds: one engine call per round over every unfinished problem (default); sequential: one per batch")
    parser.add_argument("--grading-workers", type=int, default=0, help="processes for math-verify checks (0: in this process, no overlap of grading and generation)")
    arguments = parser.parse_args(argv)
    problems = pd.read_parquet(arguments.problems)
    rule = sampler.StoppingRule(arguments.batch_size, arguments.min_samples, arguments.max_samples, arguments.target_successes)
    benchmark = str(problems["benchmark"].iloc[0])
    backend_settings = {"device": arguments.device} if arguments.backend == "transformers" else {}
    settings = sampler.run_settings(
        arguments.model, arguments.revision, benchmark, arguments.prompt_version, arguments.seed, rule, arguments.max_new_tokens, arguments.stop, arguments.retain,
        problems=problems, backend=arguments.backend, dtype=backend_dtype(arguments.backend, backend_settings),
    )
    try:
        with sampler.shard_lock(arguments.records), Grader(workers=arguments.grading_workers) as grader:
            sampler.open_records(arguments.records, settings)
            grader.start()  # before the engine: forking after it has started threads is unsafe
            backend = load_backend(arguments.backend, arguments.model, arguments.revision, backend_settings)
            progress = sampler.Progress(len(problems), emit=lambda line: print(line, file=sys.stderr, flush=True))
            sampler.sample_problems(problems, backend, grader, rule, arguments.seed, arguments.max_new_tokens, arguments.stop, arguments.retain, arguments.records, progress, schedule=arguments.schedule)
        counts, _ = sampler.shard_tables(arguments.records, problems, rule)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(counts.to_csv(index=False), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
