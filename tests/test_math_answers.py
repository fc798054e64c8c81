"""MATH answers without a LaTeX parser: the normal form, and the exact comparisons against brute force."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

from scalingrepro.sampling import math_answers


@pytest.mark.parametrize(
    ("answer", "normal_form"),
    [
        ("$\\frac{1}{2}\\%$", "\\frac{1}{2}%"),
        ("74^\\circ", "74"),
        ("74^{\\circ}", "74"),
        ("f \\circ g", "f\\circ g"),
        ("10\\text{ units}", "10"),
        ("15\\mbox{ cm}^2", "15"),
        ("16 square units", "16"),
        ("3m", "3m"),
        ("\\$10", "10"),
        ("14{,}916", "14916"),
        ("11,\\! 111,\\! 100", "11111100"),
        ("32,349", "32349"),
        ("32, 349", "32,349"),
        ("1 000", "1000"),
        ("1 2", "1 2"),
        ("\\text{Evelyn}", "Evelyn"),
        ("12\\text{ and }13", "12,13"),
        ("19, 46, and 82", "19,46,82"),
        ("\\frac34i", "\\frac{3}{4}i"),
        ("\\tfrac{1}{2} +\\! \\frac1{72}", "\\frac{1}{2}+\\frac{1}{72}"),
        ("\\sqrt3", "\\sqrt{3}"),
        ("\\left(x-2\\right)\\left(x+2\\right)", "(x-2)(x+2)"),
        ("185\\", "185"),
        ("x \\approx 11", "x=11"),
        ("\\frac{\\sqrt{3}}{3} \\approx 0.577", "\\frac{\\sqrt{3}}{3}"),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
        ("{2, 3, 5}", "2,3,5"),
        ("\\pi r", "\\pi r"),
        ("28 pct", "28%"),
    ],
)
def test_normal_form(answer, normal_form):
    assert math_answers.normalized(answer) == normal_form


def _surd_text(rng):
    coefficient, radicand, denominator = (int(v) for v in rng.integers(1, 30, size=3))
    form = int(rng.integers(0, 3))
    value = coefficient * math.sqrt(radicand) / (denominator if form == 2 else 1)
    text = [f"{coefficient}\\sqrt{{{radicand}}}", f"\\sqrt{{{coefficient * coefficient * radicand}}}", f"\\frac{{{coefficient}\\sqrt{{{radicand}}}}}{{{denominator}}}"][form]
    return text, value


def test_surds_compare_as_their_values_do():
    rng = np.random.default_rng(7)
    for _ in range(2000):
        (first, first_value), (second, second_value) = _surd_text(rng), _surd_text(rng)
        exact = math_answers.exact_value(first).same_as(math_answers.exact_value(second))
        assert exact == math.isclose(first_value, second_value, rel_tol=1e-12), (first, second)


def _polynomial_text(rng, terms):
    """A sum of monomials in x, y in random order and notation, and its sympy expression."""
    x, y = sympy.symbols("x y")
    pieces, expression = [], 0
    for coefficient, x_power, y_power in terms:
        rng.shuffle(factors := [("x", x_power), ("y", y_power)])
        body = "".join(name if power == 1 else f"{name}^{{{power}}}" if rng.random() < 0.5 else f"{name}^{power}" for name, power in factors if power)
        pieces.append((f"{abs(coefficient)}" if abs(coefficient) != 1 or not body else "") + body)
        expression += coefficient * x**x_power * y**y_power
    order = rng.permutation(len(pieces))
    text = "".join(("-" if terms[i][0] < 0 else "+" if position else "") + pieces[i] for position, i in enumerate(order))
    return text, expression


def test_polynomials_compare_as_sympy_expands_them():
    rng = np.random.default_rng(11)
    for _ in range(500):
        first_terms = [(int(c), int(a), int(b)) for c, a, b in zip(rng.choice([-3, -2, -1, 1, 2, 3], 3), rng.integers(0, 3, 3), rng.integers(0, 3, 3))]
        # Half the time the same polynomial rewritten, otherwise one coefficient changed.
        second_terms = list(first_terms) if rng.random() < 0.5 else [(first_terms[0][0] + 1, *first_terms[0][1:]), *first_terms[1:]]
        first, first_expression = _polynomial_text(rng, first_terms)
        second, second_expression = _polynomial_text(rng, second_terms)
        first_polynomial, second_polynomial = math_answers.polynomial(first), math_answers.polynomial(second)
        if first_polynomial is None or second_polynomial is None:
            assert sympy.expand(first_expression).is_number or sympy.expand(second_expression).is_number, (first, second)
            continue
        assert (first_polynomial == second_polynomial) == (sympy.expand(first_expression - second_expression) == 0), (first, second)


@pytest.mark.parametrize(
    ("answer", "gold", "correct"),
    [
        ("0.5", "\\frac{1}{2}", True),
        ("\\frac{5}{2}", "2\\frac{1}{2}", True),
        ("1", "2\\frac{1}{2}", False),
        ("-0", "0", True),
        ("033", "33", True),
        ("\\sqrt{18}", "3\\sqrt{2}", True),
        ("\\sqrt{2}", "1.414214", True),
        ("\\sqrt{2}", "1.4142", False),
        ("0.1428571", "\\frac{1}{7}", True),
        ("0.1428572", "\\frac{1}{7}", True),
        ("0.1428574", "\\frac{1}{7}", False),
        ("0.500001", "\\frac{1}{2}", False),
        ("x^2-x^2", "0", True),
        ("4a-2", "-2+4a", True),
        ("4a-2", "4a-3", False),
        ("2x", "3\\sqrt{2}", False),
        ("10,4,-2", "4,10,-2", False),
        ("4,10,-2", "4,10,-2", True),
        ("(1,\\frac{9}{2})", "(1,4.5)", True),
        ("[2,5)", "(2,5)", False),
        ("[2,5)", "[2,5)", True),
        ("x=3", "3", True),
        ("x=3", "y=3", None),
        ("12:00", "1:00", False),
        ("50%", "\\frac{1}{2}", True),
        ("50%", "50", True),
        ("50%", "5", False),
    ],
)
def test_exact_verdicts_and_what_is_left_to_the_symbolic_check(answer, gold, correct):
    def undecided(first, second):
        return None, "undecided"

    result = math_answers.verdict(answer, gold, undecided)
    assert result == ((correct, None) if correct is not None else (None, "undecided"))


def test_a_gold_with_or_accepts_either_answer_or_both():
    assert math_answers.gold_alternatives("x+11 or 11+x") == ["x+11", "11+x", "x+11, 11+x"]
    assert math_answers.gold_alternatives("\\text{odd or even}") == ["\\text{odd or even}"]


def test_exact_values_are_rationals_and_square_free_surds():
    assert math_answers.exact_value("\\sqrt{72}").coefficient == 6 and math_answers.exact_value("\\sqrt{72}").radicand == 2
    assert math_answers.exact_value("\\sqrt{49}").coefficient == Fraction(7) and math_answers.exact_value("\\sqrt{49}").radicand == 1
    assert math_answers.exact_value("-\\frac{3\\sqrt{8}}{4}").coefficient == Fraction(-3, 2)
    assert math_answers.exact_value("1/0") is None and math_answers.exact_value("9" * 5000) is None
    assert math_answers.exact_value("\\pi") is None
