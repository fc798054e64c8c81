"""Grading throughput on a synthetic stream shaped like real samples.

python -m scalingrepro.commands.grading_benchmark [--completions 1000000] [--problems 128] [--workers 2]

Per benchmark: `--completions` completions spread evenly over `--problems` problems, streamed
problem by problem and graded `--chunk` completions at a time (128: as the sampling stage grades
its batches; larger: as the regrading rule and the grade command grade stored completions). Each problem has a pool of
`--answers-per-problem` candidate answers (the gold among them) drawn with Zipf-like frequencies
(exponent `--zipf`), and a share of completions gives no answer: real samples of one problem
repeat a small set of answers, which is what the verdict cache exploits. Prints completions
graded per second, end to end (extraction, cache, exact comparisons, math-verify in the pool).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ..sampling.grading import Grader, gold_answer

GSM8K_BODY = "Janet has {a} apples. She buys {b} more at $2 each, so she spends 2 * {b} = <<2*{b}={c}>>{c} dollars.\nThen she has {a} + {b} = <<{a}+{b}={d}>>{d} apples.\n"
MATH_BODY = "We have $x^2 - {a}x + {b} = 0$, so by the quadratic formula $x = \\frac{{{a} \\pm \\sqrt{{{a}^2 - 4 \\cdot {b}}}}}{{2}}$. Simplifying,\n"


def math_answer(rng: np.random.Generator) -> str:
    """A MATH-style answer in one of the forms the benchmark's answers take."""
    a, b = (int(v) for v in rng.integers(1, 40, size=2))
    form = int(rng.integers(0, 5))
    return [f"{a}", f"\\frac{{{a}}}{{{b + 1}}}", f"{a}\\sqrt{{{b + 1}}}", f"-\\frac{{{a}}}{{{b + 1}}}", f"{a}x+{b}"][form]


def synthetic_problem(benchmark: str, n: int, answers_per_problem: int, zipf: float, unanswered: float, rng: np.random.Generator) -> tuple[str, list[str]]:
    """The gold answer of one synthetic problem and `n` completions of it."""
    if benchmark == "gsm8k":
        pool = [str(int(v)) for v in rng.choice(100000, size=answers_per_problem, replace=False)]
        gold = gold_answer("gsm8k", f"#### {pool[0]}")
    else:
        pool = list(dict.fromkeys(math_answer(rng) for _ in range(4 * answers_per_problem)))[:answers_per_problem]
        gold = gold_answer("math", f"\\boxed{{{pool[0]}}}")
    weights = 1.0 / np.arange(1, len(pool) + 1) ** zipf
    # The gold answer need not be the most frequent one: shuffle which rank it holds.
    weights = rng.permutation(weights / weights.sum())
    picks = rng.choice(len(pool), size=n, p=weights)
    silent = rng.random(n) < unanswered
    a, b = (int(v) for v in rng.integers(2, 50, size=2))
    body = (GSM8K_BODY if benchmark == "gsm8k" else MATH_BODY).format(a=a, b=b, c=2 * b, d=a + b)
    completions = []
    for pick, no_answer in zip(picks, silent):
        if no_answer:
            completions.append(body + "I am not sure how to continue.")
        elif benchmark == "gsm8k":
            completions.append(body + f"#### {pool[pick]}")
        else:
            completions.append(body + f"$x = \\boxed{{{pool[pick]}}}$.\nFinal Answer: The final answer is ${pool[pick]}$. I hope it is correct.")
    return gold, completions


def measure(benchmark: str, completions: int, problems: int, answers_per_problem: int, zipf: float, unanswered: float, workers: int, seed: int, chunk: int) -> dict:
    """Grade the synthetic stream of one benchmark; returns counts, seconds and completions/s."""
    rng = np.random.default_rng(seed)
    per_problem = completions // problems
    texts, golds = [], []
    for _ in range(problems):
        gold, problem_texts = synthetic_problem(benchmark, per_problem, answers_per_problem, zipf, unanswered, rng)
        texts += problem_texts
        golds += [gold] * len(problem_texts)
    correct = 0
    start = time.perf_counter()
    with Grader(workers=workers) as grader:
        for first in range(0, len(texts), chunk):
            correct += sum(grader.grade(benchmark, texts[first : first + chunk], golds[first : first + chunk])[1])
        seconds = time.perf_counter() - start
    graded = per_problem * problems
    return {
        "benchmark": benchmark, "completions": graded, "correct": correct, "distinct_pairs": len(grader.verdicts), "math_verify_checks": grader.symbolic_checks,
        "failed_checks": sum(grader.failures.values()), "seconds": seconds, "per_second": graded / seconds,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scalingrepro.commands.grading_benchmark", description=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--completions", type=int, default=1_000_000)
    parser.add_argument("--problems", type=int, default=128)
    parser.add_argument("--answers-per-problem", type=int, default=64)
    parser.add_argument("--zipf", type=float, default=1.2)
    parser.add_argument("--unanswered", type=float, default=0.3, help="share of completions without an answer")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--benchmarks", nargs="+", default=["gsm8k", "math"])
    parser.add_argument("--chunk", type=int, default=128, help="completions graded per call (128: a sampling batch)")
    arguments = parser.parse_args(argv)
    for benchmark in arguments.benchmarks:
        result = measure(benchmark, arguments.completions, arguments.problems, arguments.answers_per_problem, arguments.zipf, arguments.unanswered, arguments.workers, arguments.seed, arguments.chunk)
        print(
            f"{benchmark}: {result['completions']:,} completions over {arguments.problems} problems "
            f"({result['distinct_pairs']:,} distinct (problem, answer) pairs, {result['math_verify_checks']:,} of them checked by math-verify, {result['failed_checks']:,} failed checks, "
            f"{result['correct']:,} correct) graded in {result['seconds']:.1f} s: {result['per_second']:,.0f} completions/s "
            f"with {arguments.workers} worker processes, {arguments.chunk} completions per call"
        )


if __name__ == "__main__":
    main()
