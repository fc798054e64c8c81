"""The graders against other people's labelled answer-equivalence cases.

`tests/data/grading_conformance.yaml` holds the labelled cases of public MATH and GSM8K graders'
test suites (each with its repository and file). `grade_cases` puts every case through
`Grader.grade` the way a completion reaches it; `agreement_rows` counts, per benchmark and
source, how often the verdict matches the source's label and how many non-equivalent pairs were
accepted. Cases marked `excluded` stay listed but out of the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .grading import Grader, gold_answer

# One pair of math delimiters around a whole answer: $...$, $$...$$, \(...\), \[...\].
_DELIMITED = re.compile(r"\$\$(.*)\$\$|\$(.*)\$|\\\((.*)\\\)|\\\[(.*)\\\]", re.DOTALL)


@dataclass(frozen=True)
class Case:
    """One labelled pair: `gold` and `prediction` as the source writes them, and its label."""

    id: str
    benchmark: str
    repository: str
    file: str
    gold: str
    gold_form: str
    prediction: str
    prediction_form: str
    equivalent: bool
    excluded: str | None = None


@dataclass(frozen=True)
class AgreementRow:
    """Agreement of the grader with one group of scored cases."""

    benchmark: str
    source: str
    cases: int
    excluded: int
    agreeing: int
    false_accepts: int

    @property
    def scored(self) -> int:
        return self.cases - self.excluded

    @property
    def agreement(self) -> float:
        return self.agreeing / self.scored if self.scored else float("nan")


def load_cases(path: Path) -> list[Case]:
    """The cases of a conformance file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(**case) for case in document["cases"]]


def _bare(answer: str) -> str:
    """An answer without one pair of math delimiters around the whole of it."""
    stripped = answer.strip()
    whole = _DELIMITED.fullmatch(stripped)
    return next(group for group in whole.groups() if group is not None).strip() if whole else stripped


def _in_answer_slot(benchmark: str, answer: str) -> str:
    """A bare answer placed where the benchmark's solutions put it."""
    return f"#### {_bare(answer)}" if benchmark == "gsm8k" else f"\\boxed{{{_bare(answer)}}}"


def gold_solution(case: Case) -> str:
    """The gold of a case as the grader receives a dataset's gold solution."""
    return _in_answer_slot(case.benchmark, case.gold) if case.gold_form == "answer" else case.gold


def completion(case: Case) -> str:
    """The prediction of a case as the grader receives a model's completion."""
    return _in_answer_slot(case.benchmark, case.prediction) if case.prediction_form == "answer" else case.prediction


def grade_cases(cases: Sequence[Case], grader: Grader) -> list[bool | None]:
    """The grader's verdict on each case; None where grading the case raised (a crash counts as a disagreement)."""
    verdicts: list[bool | None] = []
    for case in cases:
        try:
            gold = gold_answer(case.benchmark, gold_solution(case))
            verdicts.append(bool(grader.grade(case.benchmark, [completion(case)], [gold])[1][0]))
        except Exception:  # noqa: BLE001 (any crash is the finding, whatever its type)
            verdicts.append(None)
    return verdicts


def _row(benchmark: str, source: str, pairs: list[tuple[Case, bool | None]]) -> AgreementRow:
    scored = [(case, verdict) for case, verdict in pairs if case.excluded is None]
    return AgreementRow(
        benchmark=benchmark,
        source=source,
        cases=len(pairs),
        excluded=len(pairs) - len(scored),
        agreeing=sum(verdict is case.equivalent for case, verdict in scored),
        false_accepts=sum(verdict is True and not case.equivalent for case, verdict in scored),
    )


def agreement_rows(cases: Sequence[Case], verdicts: Sequence[bool | None]) -> list[AgreementRow]:
    """Per benchmark: one row per source repository, then the benchmark overall (source "all")."""
    rows = []
    for benchmark in sorted({case.benchmark for case in cases}):
        pairs = [(case, verdict) for case, verdict in zip(cases, verdicts) if case.benchmark == benchmark]
        for source in dict.fromkeys(case.repository for case, _ in pairs):
            rows.append(_row(benchmark, source, [pair for pair in pairs if pair[0].repository == source]))
        rows.append(_row(benchmark, "all", pairs))
    return rows


def disagreements(cases: Sequence[Case], verdicts: Sequence[bool | None]) -> list[tuple[Case, bool | None]]:
    """The scored cases whose verdict differs from the label."""
    return [(case, verdict) for case, verdict in zip(cases, verdicts) if case.excluded is None and verdict is not case.equivalent]


def markdown_table(rows: Iterable[AgreementRow]) -> str:
    """The agreement rows as the README's Markdown table."""
    lines = ["| benchmark | source | cases | excluded | agreeing / scored | agreement | wrong answers accepted |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        name = "**all sources**" if row.source == "all" else f"`{row.source}`"
        lines.append(f"| {'GSM8K' if row.benchmark == 'gsm8k' else 'MATH'} | {name} | {row.cases} | {row.excluded} | {row.agreeing} / {row.scored} | {row.agreement:.1%} | {row.false_accepts} |")
    return "\n".join(lines)
