"""The graders on a table of completions: the prompts' answer formats, fallbacks and traps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from scalingrepro.sampling import grading

GSM8K_GOLD = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips.\n#### 72"

# (completion, gold solution, expected extracted answer, expected verdict)
GSM8K_CASES = [
    ("She sold 72 clips.\n#### 72", GSM8K_GOLD, "72", True),
    ("#### 72", GSM8K_GOLD, "72", True),
    ("####72", GSM8K_GOLD, "72", True),
    ("#### 72.", GSM8K_GOLD, "72", True),
    ("#### 72.00", GSM8K_GOLD, "72", True),
    ("#### $72", GSM8K_GOLD, "72", True),
    ("#### 72 clips", GSM8K_GOLD, "72", True),
    ("#### 71", GSM8K_GOLD, "71", False),
    ("#### 720", GSM8K_GOLD, "720", False),
    ("#### 7.2", GSM8K_GOLD, "7.2", False),
    ("#### -72", GSM8K_GOLD, "-72", False),
    ("The answer is 72.", GSM8K_GOLD, "72", True),
    ("The answer is $72.", GSM8K_GOLD, "72", True),
    ("So the final answer is 72", GSM8K_GOLD, "72", True),
    ("The answer is 70. Wait, the answer is 72.", GSM8K_GOLD, "72", True),
    ("The answer is: 72", GSM8K_GOLD, "72", True),
    ("#### 72\n\nQuestion: How many?\nAnswer: 5\n#### 5", GSM8K_GOLD, "72", True),
    ("#### 5\nThe answer is 72", GSM8K_GOLD, "5", False),
    ("She sold 72 clips.", GSM8K_GOLD, None, False),
    ("", GSM8K_GOLD, None, False),
    ("#### seventy-two", GSM8K_GOLD, None, False),
    ("#### ", GSM8K_GOLD, None, False),
    ("The answer is unknown.", GSM8K_GOLD, None, False),
    ("#### 1,000", "x\n#### 1000", "1000", True),
    ("#### 1000", "x\n#### 1,000", "1000", True),
    ("#### $1,234,567.00", "x\n#### 1234567", "1234567", True),
    ("#### 1,234", "x\n#### 1234", "1234", True),
    ("#### 0.5", "x\n#### .5", "0.5", True),
    ("#### .50", "x\n#### 0.5", "0.5", True),
    ("#### -3", "x\n#### -3", "-3", True),
    ("#### -$3", "x\n#### -3", "-3", True),
    ("#### $-3", "x\n#### -3", "-3", True),
    ("#### 3", "x\n#### -3", "3", False),
    ("#### 18 dollars per hour", "x\n#### 18", "18", True),
    ("#### 5%", "x\n#### 5", "5%", True),
    ("#### 0", "x\n#### 0", "0", True),
    ("#### 00", "x\n#### 0", "0", True),
    ("#### 12.5", "x\n#### 12.50", "12.5", True),
    ("#### 12.05", "x\n#### 12.5", "12.05", False),
    ("#### 100000000000000000001", "x\n#### 100000000000000000000", "100000000000000000001", False),
    ("Answer: 6 * 7 = <<6*7=42>>42\n#### 42", "x\n#### 42", "42", True),
    ("#### \u22125", "x\n#### -5", "-5", True),
    ("#### \u22125", "x\n#### 5", "-5", False),
    ("#### 1 000", "x\n#### 1000", "1000", True),
    ("#### 1\u202f000", "x\n#### 1000", "1000", True),
    ("#### 100000000000", "x\n#### 99999999999", "100000000000", False),
    ("#### 12345678902", "x\n#### 12345678901", "12345678902", False),
    ("#### 5866609", "x\n#### 5866608", "5866609", False),
    ("#### 10%", "x\n#### 0.1", "10%", True),
    ("#### 10%", "x\n#### 1", "10%", False),
    ("#### +7", "x\n#### 7", "7", True),
    ("Final answer: -3.5", "x\n#### -3.5", "-3.5", True),
    ("The result is \\boxed{-3}.", "x\n#### -3", "-3", True),
    ("#### " + "9" * 5000, "x\n#### 9", None, False),
    ("#### 1/0", "x\n#### 1", None, False),
    ("#### 3/4", "x\n#### 3", "0.75", False),
]

MATH_GOLD_FRACTION = "We have $\\frac{a}{b} = \\boxed{-\\frac{2}{3}}$."
MINERVA = "Final Answer: The final answer is {}. I hope it is correct."

MATH_CASES = [
    (MINERVA.format("$-\\frac{2}{3}$"), MATH_GOLD_FRACTION, "-\\frac{2}{3}", True),
    (MINERVA.format("$-\\dfrac{2}{3}$"), MATH_GOLD_FRACTION, "-\\dfrac{2}{3}", True),
    (MINERVA.format("$-2/3$"), MATH_GOLD_FRACTION, "-2/3", True),
    (MINERVA.format("$\\frac{-2}{3}$"), MATH_GOLD_FRACTION, "\\frac{-2}{3}", True),
    (MINERVA.format("$\\frac{2}{3}$"), MATH_GOLD_FRACTION, "\\frac{2}{3}", False),
    ("so $\\boxed{-\\frac{2}{3}}$.", MATH_GOLD_FRACTION, "-\\frac{2}{3}", True),
    ("first $\\boxed{1}$ then $\\boxed{-\\frac{2}{3}}$", MATH_GOLD_FRACTION, "-\\frac{2}{3}", True),
    ("$\\boxed{-\\frac{2}{3}}$ then $\\boxed{1}$", MATH_GOLD_FRACTION, "1", False),
    ("no answer here", MATH_GOLD_FRACTION, None, False),
    ("", MATH_GOLD_FRACTION, None, False),
    ("unbalanced $\\boxed{-\\frac{2}{3}$", MATH_GOLD_FRACTION, None, False),
    (MINERVA.format("$24$"), "... = \\boxed{24}.$", "24", True),
    (MINERVA.format("24"), "... = \\boxed{24}.$", "24", True),
    (MINERVA.format("$24.0$"), "\\boxed{24}", "24.0", True),
    (MINERVA.format("$25$"), "\\boxed{24}", "25", False),
    (MINERVA.format("$[2,5)$"), "domain is $\\boxed{[2,5)}$.", "[2,5)", True),
    (MINERVA.format("$[2, 5)$"), "domain is $\\boxed{[2,5)}$.", "[2, 5)", True),
    (MINERVA.format("$[2,5]$"), "domain is $\\boxed{[2,5)}$.", "[2,5]", False),
    (MINERVA.format("$(2,5)$"), "domain is $\\boxed{[2,5)}$.", "(2,5)", False),
    (MINERVA.format("$\\left[2,5\\right)$"), "\\boxed{[2,5)}", "\\left[2,5\\right)", True),
    (MINERVA.format("$16$") + "\n\nProblem:\nNext\n" + MINERVA.format("$3$"), "\\boxed{16}", "16", True),
    ("Thus $x = \\boxed{4a-2}$.", "\\boxed{4a - 2}", "4a-2", True),
    (MINERVA.format("$-2+4a$"), "\\boxed{4a-2}", "-2+4a", True),
    (MINERVA.format("$4a$"), "\\boxed{4a-2}", "4a", False),
    (MINERVA.format("$\\sqrt{8}$"), "\\boxed{2\\sqrt{2}}", "\\sqrt{8}", True),
    (MINERVA.format("$2\\sqrt2$"), "\\boxed{2\\sqrt{2}}", "2\\sqrt2", True),
    (MINERVA.format("$\\sqrt{2}$"), "\\boxed{2\\sqrt{2}}", "\\sqrt{2}", False),
    (MINERVA.format("$0.5$"), "\\boxed{\\frac{1}{2}}", "0.5", True),
    (MINERVA.format("$0.111$"), "\\boxed{\\frac{1}{9}}", "0.111", False),
    (MINERVA.format("$\\pi$"), "\\boxed{\\pi}", "\\pi", True),
    (MINERVA.format("$3.14$"), "\\boxed{\\pi}", "3.14", False),
    (MINERVA.format("$x^2+2x+1$"), "\\boxed{(x+1)^2}", "x^2+2x+1", True),
    (MINERVA.format("$\\text{4:30 p.m.}$"), "\\boxed{\\text{4:30 p.m.}}", "\\text{4:30 p.m.}", True),
    (MINERVA.format("$\\text{(C)}$"), "\\boxed{\\text{(C)}}", "\\text{(C)}", True),
    (MINERVA.format("$\\text{(D)}$"), "\\boxed{\\text{(C)}}", "\\text{(D)}", False),
    ("The value is $\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}$", "\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", True),
    (MINERVA.format("$\\{1,2\\}$"), "\\boxed{\\{1, 2\\}}", "\\{1,2\\}", True),
    (MINERVA.format("$90^\\circ$"), "\\boxed{90^\\circ}", "90^\\circ", True),
    (MINERVA.format("$10\\%$"), "\\boxed{10\\%}", "10\\%", True),
    (MINERVA.format("$\\frac{\\sqrt{3}}{2}$"), "\\boxed{\\frac{\\sqrt3}{2}}", "\\frac{\\sqrt{3}}{2}", True),
    ("\\fbox{7}", "\\boxed{7}", "7", True),
    ("so the answer is \\boxed 7.", "\\boxed{7}", "7", True),
    ("$\\boxed{x=3}$", "\\boxed{3}", "x=3", True),
    ("$\\boxed{}$", "\\boxed{3}", None, False),
    (MINERVA.format("$3\\sqrt{2}$"), "\\boxed{\\sqrt{18}}", "3\\sqrt{2}", True),
    (MINERVA.format("$-\\frac{\\sqrt{3}}{2}$"), "\\boxed{\\frac{\\sqrt{3}}{2}}", "-\\frac{\\sqrt{3}}{2}", False),
    (MINERVA.format("$x+1$"), "\\boxed{2}", "x+1", False),
    (MINERVA.format("$2$"), "\\boxed{x+1}", "2", False),
    # Exact where a shortcut decides: no tolerance turns an off-by-one into a match.
    (MINERVA.format("$99999999999$"), "\\boxed{100000000000}", "99999999999", False),
    (MINERVA.format("$12345678901$"), "\\boxed{12345678902}", "12345678901", False),
    (MINERVA.format("$5866608$"), "\\boxed{5866609}", "5866608", False),
    (MINERVA.format("$0.3333333$"), "\\boxed{\\frac{1}{3}}", "0.3333333", True),
    (MINERVA.format("$0.3333$"), "\\boxed{\\frac{1}{3}}", "0.3333", False),
    (MINERVA.format("$1.0000001$"), "\\boxed{1}", "1.0000001", False),
    (MINERVA.format("$2.8284271$"), "\\boxed{2\\sqrt{2}}", "2.8284271", True),
    (MINERVA.format("$2.8284$"), "\\boxed{2\\sqrt{2}}", "2.8284", False),
    (MINERVA.format("$2^{2025}$"), "\\boxed{3^{2025}}", "2^{2025}", False),
    (MINERVA.format("$3^{2025}$"), "\\boxed{3^{2025}}", "3^{2025}", True),
    # Equivalences the shortcuts must hand on or decide right.
    (MINERVA.format("$0$"), "\\boxed{x^2 - x^2}", "0", True),
    (MINERVA.format("$i(2-i)$"), "\\boxed{1+2i}", "i(2-i)", True),
    (MINERVA.format("$1-2i$"), "\\boxed{1+2i}", "1-2i", False),
    (MINERVA.format("$74^\\circ$"), "\\boxed{74°}", "74^\\circ", True),
    (MINERVA.format("$0.005$"), "\\boxed{\\frac{1}{2}\\%}", "0.005", True),
    (MINERVA.format("$\\frac{1}{2}$"), "\\boxed{\\frac{1}{2}\\%}", "\\frac{1}{2}", True),
    (MINERVA.format("$0.05$"), "\\boxed{\\frac{1}{2}\\%}", "0.05", False),
    (MINERVA.format("$2$"), "\\boxed{2=x}", "2", True),
    (MINERVA.format("$y=3$"), "\\boxed{x=3}", "y=3", False),
    (MINERVA.format("$5x$"), "\\boxed{3\\sqrt{2}}", "5x", False),
    (MINERVA.format("$x^2+1$"), "\\boxed{1+x^2}", "x^2+1", True),
    # Several boxed answers: the list the problem asks for, in order.
    ("so $\\boxed{1}, \\boxed{-2}$", "\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).", "1, -2", True),
    ("so $\\boxed{1}$", "\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).", "1", False),
    ("$\\boxed{-2, 1}$", "\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).", "-2, 1", False),
    ("$\\boxed{1}, \\boxed{2}, \\boxed{3}$", "\\boxed{1,2,3}", "1, 2, 3", True),
    ("$\\boxed{1} \\quad \\text{and} \\quad \\boxed{2}$", "\\boxed{1,2}", "1, 2", True),
    ("first $\\boxed{7}$. Then, thinking again, the answer is $\\boxed{1}, \\boxed{2}$", "\\boxed{1,2}", "1, 2", True),
    ("$\\boxed{32, 349}$", "\\boxed{32349}", "32, 349", False),
    ("$\\boxed{32,349}$", "\\boxed{32349}", "32,349", True),
    ("$\\boxed{11+x}$", "This yields $\\boxed{x+11}$ or $\\boxed{11+x}$.", "11+x", True),
    # Minerva's line without its closing sentence, quoted, or twice (the first counts).
    ("Final Answer: The final answer is 7.78.", "\\boxed{7.78}", "7.78", True),
    ("Final Answer: The final answer is $7.78$", "\\boxed{7.78}", "7.78", True),
    ('Final Answer: The final answer is "$12$ and $13$". I hope it is correct.', "\\boxed{12\\text{ and }13}", "12$ and $13", True),
    ('"Final Answer: The final answer is $5$. I hope it is correct."', "\\boxed{5}", "5", True),
    ("Final Answer: The final answer is 7.78.\n\nProblem: next\nFinal Answer: The final answer is 3.", "\\boxed{7.78}", "7.78", True),
    ("Final Answer: The final answer is\n$\\boxed{4}$", "\\boxed{4}", "4", True),
]


@pytest.mark.parametrize(("completion", "gold", "expected_answer", "expected_correct"), GSM8K_CASES)
def test_gsm8k_corpus(completion, gold, expected_answer, expected_correct):
    grader = grading.Grader()
    extracted, correct = grader.grade("gsm8k", [completion], [grading.gold_answer("gsm8k", gold)])
    assert (extracted[0], correct[0]) == (expected_answer, expected_correct)


@pytest.mark.parametrize(("completion", "gold", "expected_answer", "expected_correct"), MATH_CASES)
def test_math_corpus(completion, gold, expected_answer, expected_correct):
    grader = grading.Grader()
    extracted, correct = grader.grade("math", [completion], [grading.gold_answer("math", gold)])
    assert (extracted[0], correct[0]) == (expected_answer, expected_correct)


def test_corpus_is_large_enough():
    assert len(GSM8K_CASES) >= 40 and len(MATH_CASES) >= 40


def test_each_distinct_pair_is_checked_once_and_the_pool_agrees_with_the_serial_grader():
    completions = [case[0] for case in MATH_CASES] * 3
    golds = [grading.gold_answer("math", case[1]) for case in MATH_CASES] * 3
    serial = grading.Grader(workers=0)
    pooled = grading.Grader(workers=1)
    with pooled:
        assert serial.grade("math", completions, golds) == pooled.grade("math", completions, golds)
    assert pooled._pool is None
    distinct = {(gold, answer) for gold, answer in zip(golds, serial.grade("math", completions, golds)[0]) if answer is not None}
    assert serial.checks <= len(distinct)


def test_gold_without_answer_is_an_error():
    with pytest.raises(ValueError, match="####"):
        grading.gold_answer("gsm8k", "no marked answer")
    with pytest.raises(ValueError, match="boxed"):
        grading.gold_answer("math", "no boxed answer")


def _run_grade(tmp_path, lines):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(line + "\n" for line in lines))
    result = subprocess.run([sys.executable, "-m", "scalingrepro.sampling.grade", str(source), str(target)], capture_output=True, text=True)
    return result, target


def test_grade_command_adds_extracted_and_correct(tmp_path):
    lines = [json.dumps({"benchmark": "gsm8k", "completion": c, "gold": g}) for c, g, _, _ in GSM8K_CASES[:5]]
    lines += [json.dumps({"benchmark": "math", "completion": c, "gold": g, "id": n}) for n, (c, g, _, _) in enumerate(MATH_CASES[:5])]
    result, target = _run_grade(tmp_path, lines)
    assert result.returncode == 0, result.stderr
    graded = [json.loads(line) for line in target.read_text().splitlines()]
    expected = GSM8K_CASES[:5] + MATH_CASES[:5]
    assert [(row["extracted"], row["correct"], row["reason"]) for row in graded] == [(case[2], case[3], None) for case in expected]
    assert graded[5]["id"] == 0
    assert "no failed checks" in result.stderr


def test_grade_command_grades_every_odd_completion(tmp_path):
    # Gold 3^{2025} against 2^{2025} once stopped the command with an OverflowError.
    lines = [json.dumps({"benchmark": "math", "completion": completion, "gold": "\\boxed{3^{2025}}"}) for completion in [*ODD_COMPLETIONS, "\\boxed{2^{2025}}"]]
    lines += [json.dumps({"benchmark": "gsm8k", "completion": completion, "gold": "#### 5"}) for completion in ODD_COMPLETIONS]
    result, target = _run_grade(tmp_path, lines)
    assert result.returncode == 0, result.stderr
    graded = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(graded) == len(lines) and not any(row["correct"] for row in graded)
    assert f"graded {len(lines)} completions" in result.stderr


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"benchmark": "aime", "completion": "x", "gold": "#### 1"}), "benchmark"),
        (json.dumps({"benchmark": "gsm8k", "gold": "#### 1"}), "completion"),
        (json.dumps({"benchmark": "gsm8k", "completion": "x", "gold": "no answer"}), "####"),
    ],
)
def test_grade_command_names_the_bad_line_and_leaves_no_output(tmp_path, bad_line, message):
    good = json.dumps({"benchmark": "gsm8k", "completion": "#### 1", "gold": "#### 1"})
    result, target = _run_grade(tmp_path, [good, good, bad_line])
    assert result.returncode != 0
    assert "line 3" in result.stderr and message in result.stderr
    assert not target.exists()


# --- The grader never raises: failed checks are recorded outcomes ---------------------------

ODD_COMPLETIONS = [
    "", "\\boxed{", "\\boxed{}}}", "\\boxed{\\boxed{\\boxed{1}}}", "{" * 5000 + "\\boxed{1", "\\boxed{" + "9" * 5000 + "}",
    MINERVA.format("$" + "(" * 300 + "x" + ")" * 300 + "$"), MINERVA.format("\\frac{1}{0}"), MINERVA.format("\\sqrt{" + "9" * 40 + "}"),
    MINERVA.format("10^{10^{10}}"), MINERVA.format("$\\begin{pmatrix} 1 \\\\ $"), MINERVA.format("x = y = z ="), MINERVA.format("\\text{"),
    "#### " + "1," * 3000, "#### 1/0", "####", "The answer is $", "\u2212" * 100, "\x00\ufffd", MINERVA.format("−5"),
]


@pytest.mark.parametrize("benchmark", grading.BENCHMARKS)
def test_no_completion_makes_the_grader_raise(benchmark):
    gold = grading.gold_answer(benchmark, "#### 5" if benchmark == "gsm8k" else "\\boxed{3^{2025}}")
    with grading.Grader(workers=0, timeout_seconds=2) as grader:
        grades = grader.grade_detailed(benchmark, ODD_COMPLETIONS, [gold] * len(ODD_COMPLETIONS))
    assert len(grades) == len(ODD_COMPLETIONS)
    assert not any(grade.correct for grade in grades)
    assert all(grade.reason in (None, *grading.FAILURE_REASONS) for grade in grades)


def test_grade_is_grade_detailed_without_the_reasons():
    completions = [case[0] for case in MATH_CASES]
    golds = [grading.gold_answer("math", case[1]) for case in MATH_CASES]
    detailed = grading.Grader().grade_detailed("math", completions, golds)
    assert all(isinstance(grade, grading.Grade) for grade in detailed)
    assert grading.Grader().grade("math", completions, golds) == ([grade.extracted for grade in detailed], [grade.correct for grade in detailed])
    assert [grade.extracted for grade in detailed] == [case[2] for case in MATH_CASES]


def _raise(exception):
    def raising(*args, **kwargs):
        raise exception
    return raising


@pytest.mark.parametrize(
    ("patched", "replacement", "reason"),
    [
        ("verify", _raise(__import__("math_verify.errors", fromlist=["TimeoutException"]).TimeoutException("slow")), "timeout"),
        ("verify", _raise(OverflowError("absolute value too large")), "check_error"),
        ("parse", lambda *args, **kwargs: [], "parse_error"),
    ],
)
def test_a_failed_check_is_incorrect_with_its_reason_and_counted(monkeypatch, patched, replacement, reason):
    import math_verify

    monkeypatch.setattr(math_verify, patched, replacement)
    grading._parsed.cache_clear()
    with grading.Grader(workers=0) as grader:
        # Parenthesised products need math-verify; the plain number beside them does not.
        grades = grader.grade_detailed("math", [MINERVA.format("$(x+1)(x-1)$"), MINERVA.format("$(x+1)(x-1)$"), MINERVA.format("$3$")], ["x^2-1", "x^2-1", "3"])
    grading._parsed.cache_clear()
    assert grades == [grading.Grade("(x+1)(x-1)", False, reason)] * 2 + [grading.Grade("3", True, None)]
    assert grader.failures == {reason: 1} and grader.symbolic_checks == 1 and grader.checks == 2


def _check_that_hangs_or_kills_its_worker(pair):
    """Stands in for the worker's check: hangs on `\\hang` (as a check stuck in compiled code would), kills its process on `\\die`."""
    if pair[0] == "\\hang":
        time.sleep(600)
    if pair[0] == "\\die":
        os._exit(1)
    return grading.math_verdict(*pair)


def test_a_hung_or_dead_worker_is_replaced_and_only_its_pair_fails(monkeypatch):
    monkeypatch.setattr(grading, "_math_verdict_of_pair", _check_that_hangs_or_kills_its_worker)
    monkeypatch.setattr(grading, "WORKER_GRACE_SECONDS", 0)
    with grading.Grader(workers=1, timeout_seconds=1) as grader:
        grades = grader.grade_detailed("math", ["\\boxed{\\die}", "\\boxed{\\hang}", "\\boxed{(x+1)^2}"], ["x", "x", "x^2+2x+1"])
    assert grades == [grading.Grade("\\die", False, "check_error"), grading.Grade("\\hang", False, "timeout"), grading.Grade("(x+1)^2", True, None)]
    assert grader.failures == {"check_error": 1, "timeout": 1}


def test_start_forks_the_workers_once_and_is_a_no_op_without_workers():
    serial = grading.Grader(workers=0)
    serial.start()
    assert serial._pool is None
    with grading.Grader(workers=2) as pooled:
        pooled.start()
        pool = pooled._pool
        assert len(pool._processes) == 2
        pooled.start()
        assert pooled._pool is pool
        assert pooled.grade("math", ["\\boxed{(x+1)^2}"], ["x^2+2x+1"]) == (["(x+1)^2"], [True])
    assert pooled._pool is None


def test_grader_version_is_a_string():
    assert isinstance(grading.GRADER_VERSION, str) and grading.GRADER_VERSION


# --- Every gold answer of the mirrored datasets ------------------------------------------------


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_mirrored_gold_has_an_answer_that_grades_its_own_boxed_answer_correct(mirror):
    for benchmark, file_name in (("gsm8k", "gsm8k_test.jsonl"), ("math", "math_test.jsonl")):
        solutions = [record["answer"] for record in _records(mirror / file_name)]
        golds = [grading.gold_answer(benchmark, solution) for solution in solutions]
        own = [f"#### {gold}" if benchmark == "gsm8k" else f"The answer is $\\boxed{{{gold}}}$." for gold in golds]
        with grading.Grader(workers=0) as grader:
            grades = grader.grade_detailed(benchmark, own, golds)
        wrong = [(gold, grade) for gold, grade in zip(golds, grades) if not grade.correct]
        assert not wrong, f"{benchmark}: {len(wrong)} gold answers not equivalent to themselves, e.g. {wrong[:3]}"
        assert grader.symbolic_checks == 0  # identical answers need no math-verify
