"""Grade anyone's completions: python -m scalingrepro.sampling.grade IN.jsonl OUT.jsonl

Each input line is a JSON object with `benchmark` (gsm8k | math), `completion` and `gold` (the
dataset's gold solution: GSM8K's answer ending in `#### N`, MATH's solution with `\\boxed{}`);
other keys pass through. Each output line adds `extracted` (the answer found, or null),
`correct`, and `reason` (null, or why the equivalence check failed: "timeout", "parse_error",
"check_error"; such a line is graded incorrect). The counts of failed checks are printed. A
malformed line stops the command with its line number; no output file is left. No completion
can stop it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from ..pipeline.files import write_text_atomically
from .grading import BENCHMARKS, FAILURE_REASONS, Grader, gold_answer

REQUIRED_KEYS = ("benchmark", "completion", "gold")


class LineError(Exception):
    """A malformed input line; the message names the file, the line and the fix."""


def parse_line(text: str, source: str, line_number: int) -> tuple[dict, str]:
    """The record of one input line and its gold answer; LineError if the line is malformed."""
    where = f"{source}, line {line_number}"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"{where}: not valid JSON ({error.msg}). Write one JSON object per line.") from None
    if not isinstance(record, dict):
        raise LineError(f"{where}: expected a JSON object, found {type(record).__name__}. Write one object per line.")
    missing = [key for key in REQUIRED_KEYS if not isinstance(record.get(key), str)]
    if missing:
        raise LineError(f"{where}: missing or non-string {', '.join(repr(k) for k in missing)}. Every line needs string keys {', '.join(REQUIRED_KEYS)}.")
    if record["benchmark"] not in BENCHMARKS:
        raise LineError(f"{where}: benchmark {record['benchmark']!r} is not one of {', '.join(BENCHMARKS)}. Use gsm8k or math.")
    try:
        gold = gold_answer(record["benchmark"], record["gold"])
    except ValueError as error:
        raise LineError(f"{where}: {error}; pass the dataset's full gold solution as `gold`.") from None
    return record, gold


def grade_file(source: Path, target: Path, workers: int) -> tuple[int, Counter[str]]:
    """Grade every line of `source` into `target` (written whole, then renamed); returns the line
    count and the failed checks by reason."""
    records, golds = [], []
    with source.open(encoding="utf-8") as lines:
        for line_number, text in enumerate(lines, start=1):
            if text.strip():
                record, gold = parse_line(text, str(source), line_number)
                records.append(record)
                golds.append(gold)
    with Grader(workers=workers) as grader:
        for benchmark in BENCHMARKS:
            positions = [i for i, record in enumerate(records) if record["benchmark"] == benchmark]
            grades = grader.grade_detailed(benchmark, [records[i]["completion"] for i in positions], [golds[i] for i in positions])
            for position, grade in zip(positions, grades):
                records[position] |= {"extracted": grade.extracted, "correct": grade.correct, "reason": grade.reason}
        failures = grader.failures
    write_text_atomically(target, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))
    return len(records), failures


def failure_summary(failures: Counter[str]) -> str:
    """'no failed checks', or '2 failed checks (timeout 1, parse_error 1, check_error 0)'."""
    total = sum(failures.values())
    if not total:
        return "no failed checks"
    return f"{total} failed checks ({', '.join(f'{reason} {failures[reason]}' for reason in FAILURE_REASONS)}), graded incorrect"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scalingrepro.sampling.grade", description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path, help="JSON Lines file of completions to grade")
    parser.add_argument("output", type=Path, help="JSON Lines file to write (replaced only when every line graded)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for MATH equivalence checks (default: all cores)")
    arguments = parser.parse_args(argv)
    if not arguments.input.is_file():
        print(f"error: {arguments.input} does not exist. Pass the path of a JSON Lines file.", file=sys.stderr)
        return 2
    try:
        count, failures = grade_file(arguments.input, arguments.output, arguments.workers)
    except LineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"graded {count} completions into {arguments.output}; {failure_summary(failures)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
