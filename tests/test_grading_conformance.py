"""The graders against public graders' labelled answer-equivalence cases (tests/data/grading_conformance.yaml)."""

from __future__ import annotations

import re

import pytest
import yaml

from scalingrepro.commands import grading_conformance
from scalingrepro.pipeline import paths
from scalingrepro.pipeline.files import marked_block
from scalingrepro.sampling import conformance, grading

# Agreement the graders must reach on the scored cases of each benchmark, and how few scored
# cases a benchmark may have before the agreement says nothing.
MINIMUM_AGREEMENT = 0.98
MINIMUM_SCORED = {"gsm8k": 25, "math": 200}
EXCLUSION_KINDS = ("free text:", "convention:", "non-default setting:", "mislabelled:", "malformed gold:", "no gold answer")


@pytest.fixture(scope="module")
def suite(repo_root):
    return conformance.load_cases(repo_root / paths.GRADING_CONFORMANCE)


@pytest.fixture(scope="module")
def graded(suite):
    with grading.Grader(workers=2) as grader:
        verdicts = conformance.grade_cases(suite, grader)
    return verdicts, grader


def test_every_case_names_its_source_and_how_it_reaches_the_grader(repo_root, suite):
    document = yaml.safe_load((repo_root / paths.GRADING_CONFORMANCE).read_text(encoding="utf-8"))
    sources = {source["repository"]: source["commit"] for source in document["sources"]}
    assert all(re.fullmatch(r"[0-9a-f]{40}", commit) for commit in sources.values())
    assert len({case.id for case in suite}) == len(suite)
    for case in suite:
        assert case.repository in sources and case.file, case.id
        assert case.benchmark in grading.BENCHMARKS, case.id
        assert case.gold_form in ("answer", "solution", "text") and case.prediction_form in ("answer", "solution", "text"), case.id
        assert isinstance(case.equivalent, bool), case.id
        assert case.excluded is None or case.excluded.startswith(EXCLUSION_KINDS), case.id


@pytest.mark.parametrize("benchmark", grading.BENCHMARKS)
def test_the_graders_agree_with_the_labelled_cases_and_accept_no_wrong_answer(suite, graded, benchmark):
    verdicts, _ = graded
    overall = next(row for row in conformance.agreement_rows(suite, verdicts) if row.benchmark == benchmark and row.source == "all")
    assert overall.scored >= MINIMUM_SCORED[benchmark]
    wrong = [f"{case.id}: labelled {case.equivalent}, graded {verdict}" for case, verdict in conformance.disagreements(suite, verdicts) if case.benchmark == benchmark]
    assert overall.agreement >= MINIMUM_AGREEMENT, wrong
    assert overall.false_accepts == 0, wrong


def test_no_case_makes_the_graders_fail(suite, graded):
    verdicts, grader = graded
    # Only a gold that is no gold solution (free text, an unbalanced \boxed{) is refused, as the grade command refuses its line.
    refused = [case.id for case, verdict in zip(suite, verdicts) if verdict is None]
    assert all((case.excluded or "").startswith(("malformed gold", "free text: the gold")) for case in suite if case.id in refused), refused
    assert not grader.failures, grader.failures


def test_the_readme_table_is_the_one_the_cases_give(repo_root, suite, graded):
    verdicts, _ = graded
    table = conformance.markdown_table(conformance.agreement_rows(suite, verdicts))
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert marked_block(readme, grading_conformance.MARKER) == table, "README.md's conformance table is stale: run `python -m scalingrepro.commands.grading_conformance README.md`"


def _case(benchmark, repository, equivalent, excluded=None):
    return conformance.Case(id=f"{repository}-{equivalent}-{excluded}", benchmark=benchmark, repository=repository, file="t.py", gold="1", gold_form="answer", prediction="1", prediction_form="answer", equivalent=equivalent, excluded=excluded)


def test_agreement_rows_count_per_source_and_overall_and_a_crash_is_a_disagreement():
    cases = [_case("math", "a/x", True), _case("math", "a/x", False), _case("math", "b/y", True), _case("math", "b/y", False, "convention: z"), _case("gsm8k", "a/x", False)]
    verdicts = [True, True, None, True, False]
    rows = {(row.benchmark, row.source): row for row in conformance.agreement_rows(cases, verdicts)}
    assert (rows["math", "a/x"].agreeing, rows["math", "a/x"].scored, rows["math", "a/x"].false_accepts) == (1, 2, 1)
    assert (rows["math", "b/y"].cases, rows["math", "b/y"].excluded, rows["math", "b/y"].agreeing) == (2, 1, 0)
    assert (rows["math", "all"].agreeing, rows["math", "all"].scored, rows["math", "all"].false_accepts) == (1, 3, 1)
    assert rows["gsm8k", "all"].agreement == 1.0
    assert [case.id for case, _ in conformance.disagreements(cases, verdicts)] == [cases[1].id, cases[2].id]


def test_a_bare_answer_is_placed_where_the_benchmark_puts_it():
    math_case = conformance.Case("c", "math", "r", "f", "$\\frac{1}{2}$", "answer", "\\(0.5\\)", "answer", True)
    assert (conformance.gold_solution(math_case), conformance.completion(math_case)) == ("\\boxed{\\frac{1}{2}}", "\\boxed{0.5}")
    gsm8k_case = conformance.Case("c", "gsm8k", "r", "f", "1,000", "answer", "The answer is 1000.", "solution", True)
    assert (conformance.gold_solution(gsm8k_case), conformance.completion(gsm8k_case)) == ("#### 1,000", "The answer is 1000.")
