"""Prompts of the sampling stage, after the conventions of the Large Language Monkeys code.

GSM8K: `n_shots` exemplars from the train split, drawn per problem with a seeded generator,
each "Question: {question}\\nAnswer: {answer}\\n\\n", then "Question: {question}\\nAnswer:".
MATH: Minerva's fixed exemplars (Lewkowycz et al. 2022), "Problem:\\n{problem}\\n\\nSolution:\\n
{solution}" joined by blank lines, then "\\n\\nProblem:\\n{problem}\\n\\nSolution:". Each exemplar
solution ends with the "Final Answer: The final answer is X. I hope it is correct." line the
MATH grader reads. The gold continuation scored for likelihoods follows the exemplars' layout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..pipeline.errors import InputError
from . import grading

PROBLEM_COLUMNS = ["benchmark", "problem_idx", "prompt", "gold_solution", "gold_continuation", "gold_answer", "prompt_version"]


def read_jsonl(path: str | Path, required: Sequence[str]) -> list[dict]:
    """The records of a JSON Lines dataset file; InputError naming the line that lacks a key."""
    records = []
    with open(path, encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            record = json.loads(text)
            missing = [key for key in required if key not in record]
            if missing:
                raise InputError(str(path), f"line {number} lacks {missing}.", "use the dataset file of config/sources.yaml unchanged.")
            records.append(record)
    return records


def gsm8k_exemplar_indices(problem_idx: int, n_train: int, n_shots: int, seed: int) -> list[int]:
    """Train-split rows serving as one test problem's exemplars: distinct, seeded by (seed, problem)."""
    rng = np.random.default_rng([seed, problem_idx])
    return [int(i) for i in rng.choice(n_train, size=n_shots, replace=False)]


def gsm8k_prompt(question: str, exemplars: Sequence[Mapping[str, str]]) -> str:
    """The few-shot GSM8K prompt for `question` (exemplars: train records with question, answer)."""
    shots = "".join(f"Question: {shot['question']}\nAnswer: {shot['answer']}\n\n" for shot in exemplars)
    return f"{shots}Question: {question}\nAnswer:"


def math_prompt(problem: str, exemplars: Sequence[Mapping[str, str]]) -> str:
    """The Minerva-style MATH prompt for `problem` (exemplars: problem, solution)."""
    shots = "\n\n".join(f"Problem:\n{shot['problem']}\n\nSolution:\n{shot['solution']}" for shot in exemplars)
    return f"{shots}\n\nProblem:\n{problem}\n\nSolution:"


def build_problems(benchmark: str, test: Sequence[Mapping[str, Any]], train: Sequence[Mapping[str, Any]], problem_ids: Sequence[int], prompts_config: Mapping[str, Any], source: str) -> pd.DataFrame:
    """One row per problem to sample: PROBLEM_COLUMNS.

    test: the benchmark's test split in canonical order (problem_idx = row number); train: the
    GSM8K train split (exemplars; unused for MATH); prompts_config: `sampling.prompts`. The gold
    continuation is the gold solution laid out as the exemplars lay out theirs.
    """
    settings = prompts_config[benchmark]
    bad = [int(i) for i in problem_ids if not 0 <= int(i) < len(test)]
    if bad:
        raise InputError(source, f"problem ids {bad[:10]} lie outside the {len(test)} problems of the {benchmark} test split.", f"choose ids in [0, {len(test) - 1}] in sampling.problems.{benchmark}.")
    rows = []
    for problem_idx in sorted(int(i) for i in problem_ids):
        record = test[problem_idx]
        if benchmark == "gsm8k":
            shots = [train[i] for i in gsm8k_exemplar_indices(problem_idx, len(train), settings["n_shots"], settings["exemplar_seed"])]
            prompt = gsm8k_prompt(record["question"], shots)
            continuation = " " + record["answer"]
        else:
            prompt = math_prompt(record["question"], settings["exemplars"][: settings["n_shots"]])
            continuation = "\n" + record["answer"]
        try:
            answer = grading.gold_answer(benchmark, record["answer"])
        except ValueError as error:
            raise InputError(source, f"the gold solution of {benchmark} problem {problem_idx} has no answer: {error}.", "use the dataset file unchanged or drop the problem.") from None
        rows.append((benchmark, problem_idx, prompt, record["answer"], continuation, answer, str(prompts_config["version"])))
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
