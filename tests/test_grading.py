"""The graders on a table of completions: the prompts' answer formats, fallbacks and traps."""

from __future__ import annotations

import json
import subprocess
import sys

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
    assert [(row["extracted"], row["correct"]) for row in graded] == [(case[2], case[3]) for case in expected]
    assert graded[5]["id"] == 0


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
