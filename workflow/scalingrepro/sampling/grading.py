"""Grading sampled completions against gold solutions (GSM8K and MATH).

GSM8K: the answer the few-shot prompt teaches (`#### N`), else "The answer is N", compared
numerically with the gold's `#### N` after dropping thousands separators, `$`, units and a
trailing period. MATH: Minerva's "Final Answer: The final answer is X. I hope it is correct."
line, else the last balanced `\\boxed{...}`, checked for equivalence with the gold solution's
last boxed answer by math-verify.

At the paper's scale (~5·10^8 completions per benchmark) the expensive part, math-verify, runs
once per distinct (gold answer, extracted answer) pair: `Grader` caches verdicts, and the
completions of one problem repeat a small set of answers. Equivalence checks of new pairs run
in a process pool (math-verify's time limits use `signal.alarm`, which only works in a
process's main thread), each bounded by `timeout_seconds`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from decimal import Decimal, InvalidOperation

BENCHMARKS = ("gsm8k", "math")

# --- GSM8K -------------------------------------------------------------------------------

_GSM8K_MARKED = re.compile(r"####\s*([^\n]*)")
# Up to the next "answer is" on the line, so the last of several statements is found.
_GSM8K_ANSWER_IS = re.compile(r"[Tt]he (?:final )?answer is[:\s]*((?:(?![Tt]he (?:final )?answer is)[^\n])*)")
# A signed number with optional thousands separators and decimals, optionally after `$`.
_NUMBER = re.compile(r"-?\$?\s*-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\$?\s*-?\.\d+")


def _leading_number(text: str) -> str | None:
    """The first number in `text` ('$1,234.50 dollars.' -> '1234.50'), or None."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    number = match.group(0).replace("$", "").replace(",", "").replace(" ", "")
    # '-$5' and '$-5' both mean -5; a doubled sign cannot occur after the cleanup above.
    return "-" + number.replace("-", "") if "-" in number else number


def canonical_number(text: str) -> str | None:
    """The first number of `text` as a canonical decimal string ('$1,234.50 each' -> '1234.5'), or None."""
    number = _leading_number(text)
    if number is None:
        return None
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def extract_gsm8k(completion: str) -> str | None:
    """The numeric answer of a GSM8K completion, canonical, or None.

    The first `#### N` (the format the few-shot prompt teaches; later ones belong to text the
    model wrote past its answer), else the last "The answer is N".
    """
    marked = _GSM8K_MARKED.search(completion)
    if marked is not None:
        return canonical_number(marked.group(1))
    stated = _GSM8K_ANSWER_IS.findall(completion)
    return canonical_number(stated[-1]) if stated else None


def gsm8k_gold_answer(gold_solution: str) -> str:
    """The canonical `#### N` answer of a GSM8K gold solution; ValueError if it has none."""
    marked = _GSM8K_MARKED.search(gold_solution)
    answer = canonical_number(marked.group(1)) if marked else None
    if answer is None:
        raise ValueError("a GSM8K gold solution must end with a '#### <number>' line")
    return answer


# --- MATH --------------------------------------------------------------------------------

_MINERVA_FINAL = re.compile(r"Final Answer: The final answer is (.*?)\. I hope it is correct\.", re.DOTALL)


def last_boxed(text: str) -> str | None:
    """The content of the last `\\boxed{...}` (or `\\fbox{...}`) with balanced braces, or None."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    brace = text.find("{", start)
    # `\boxed 5` (no braces) is valid LaTeX for a one-token argument.
    if brace < 0 or text[start:brace].strip() not in ("\\boxed", "\\fbox"):
        bare = re.match(r"\\boxed ([^\s$]+)", text[start:])
        # A sentence's full stop is not part of the argument: "\boxed 7." boxes 7.
        return bare.group(1).rstrip(".") or None if bare else None
    depth = 0
    for position in range(brace, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1 : position]
    return None


def _strip_dollars(answer: str) -> str:
    answer = answer.strip()
    while len(answer) >= 2 and answer.startswith("$") and answer.endswith("$"):
        answer = answer[1:-1].strip()
    return answer


def extract_math(completion: str) -> str | None:
    """The answer of a MATH completion: Minerva's final-answer line (first), else the last boxed answer."""
    final = _MINERVA_FINAL.search(completion)
    if final is not None:
        answer = _strip_dollars(final.group(1))
        return answer or None
    boxed = last_boxed(completion)
    return _strip_dollars(boxed) if boxed else None


def math_gold_answer(gold_solution: str) -> str:
    """The last boxed answer of a MATH gold solution; ValueError if it has none."""
    boxed = last_boxed(gold_solution)
    if not boxed:
        raise ValueError("a MATH gold solution must contain a \\boxed{...} answer")
    return boxed.strip()


def _normalized_latex(answer: str) -> str:
    """Whitespace- and `\\left`/`\\right`-free form, for the cheap identical-answer check."""
    return re.sub(r"\s+|\\left|\\right|\\!|\\,|\\;", "", answer).replace("dfrac", "frac").replace("tfrac", "frac")


# Two numbers closer than this (relative) are equal; math-verify itself rounds to 6 decimals.
NUMERIC_RELATIVE_TOLERANCE = 1e-6


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?|-?\d+/\d+")
_PLAIN_FRACTION = re.compile(r"(-?)\\[dt]?frac\{(-?\d+)\}\{(-?\d+)\}")


def plain_number(answer: str) -> Fraction | None:
    """The value of an answer that is a plain integer, decimal or `\\frac{p}{q}` (most MATH
    answers), read without a LaTeX parser; None for anything else."""
    text = _normalized_latex(answer)
    try:
        if _PLAIN_NUMBER.fullmatch(text):
            return Fraction(text)
        fraction = _PLAIN_FRACTION.fullmatch(text)
        if fraction:
            sign, numerator, denominator = fraction.groups()
            return (-1 if sign else 1) * Fraction(int(numerator), int(denominator))
    except ZeroDivisionError:
        return None
    return None


_SURD = re.compile(r"(-?)(\d*)\\sqrt\{?(\d+)\}?")
_SURD_FRACTION = re.compile(r"(-?)\\[dt]?frac\{(\d*)\\sqrt\{?(\d+)\}?\}\{(\d+)\}")
# Digits, variables (not e or i, which may be constants), powers and + - *: a polynomial's text.
_POLYNOMIAL = re.compile(r"[0-9a-df-hj-z^{}+\-*]*[a-df-hj-z][0-9a-df-hj-z^{}+\-*]*")


def closed_form_value(answer: str) -> Fraction | float | None:
    """The value of a plain number or a surd (`3\\sqrt{2}`, `\\frac{\\sqrt{3}}{2}`), read without a
    LaTeX parser; None for anything else."""
    number = plain_number(answer)
    if number is not None:
        return number
    text = _normalized_latex(answer)
    surd = _SURD.fullmatch(text)
    if surd:
        sign, coefficient, radicand = surd.groups()
        return (-1.0 if sign else 1.0) * float(coefficient or 1) * math.sqrt(int(radicand))
    surd_fraction = _SURD_FRACTION.fullmatch(text)
    if surd_fraction and int(surd_fraction.group(4)) != 0:
        sign, coefficient, radicand, denominator = surd_fraction.groups()
        return (-1.0 if sign else 1.0) * float(coefficient or 1) * math.sqrt(int(radicand)) / int(denominator)
    return None


def looks_polynomial(answer: str) -> bool:
    """Whether an answer's text is a polynomial in variables (no equation, set or LaTeX command)."""
    return _POLYNOMIAL.fullmatch(_normalized_latex(answer)) is not None


@lru_cache(maxsize=65536)
def _parsed(answer: str, timeout_seconds: int) -> tuple:
    """math-verify's parse of one answer (wrapped in `$...$`: a bare `4a-2` parses as `4`), memoized per process."""
    from math_verify import LatexExtractionConfig, parse

    # LaTeX extraction only: the answer is already wrapped in `$...$`, and math-verify's default
    # second pass (plain-expression extraction) would double the parsing time for nothing.
    return tuple(parse(f"${answer}$", extraction_config=[LatexExtractionConfig()], parsing_timeout=timeout_seconds))


def _as_number(parsed: tuple) -> complex | None:
    """The numeric value of a parse that is a single closed-form number, else None."""
    if not parsed or not hasattr(parsed[0], "is_number") or not parsed[0].is_number:
        return None
    try:
        return complex(parsed[0].evalf())
    except (TypeError, ValueError):
        return None


def _is_expression_in_variables(parsed: tuple) -> bool:
    """Whether a parse is an algebraic expression with free variables (not an equation or a set)."""
    import sympy

    return isinstance(parsed[0], sympy.Expr) and bool(parsed[0].free_symbols)


def _number_or_parse(answer: str, timeout_seconds: int) -> tuple[complex | Fraction | None, tuple | None]:
    """An answer's numeric value (None if it is not a closed-form number) and its math-verify
    parse (None where the value was read without parsing)."""
    number = closed_form_value(answer)
    if number is not None:
        return number, None
    parsed = _parsed(answer, timeout_seconds)
    return _as_number(parsed), parsed


def math_equivalent(extracted: str, gold: str, timeout_seconds: int = 5) -> bool:
    """Whether math-verify finds `extracted` equivalent to the gold answer (both LaTeX, no `$`).

    Identical answers (up to spacing) and pairs of numbers are decided without a symbolic check
    (simplifying `3/7 - 12*sqrt(5)` alone can take 30 ms); plain numbers, surds and a number
    against a polynomial without even a LaTeX parse. A parse or check that runs past `timeout_seconds` counts as not equivalent.
    """
    if _normalized_latex(extracted) == _normalized_latex(gold):
        return True
    # A number never equals a polynomial in variables (answers are simplified forms): no parse needed.
    if (closed_form_value(gold) is not None and looks_polynomial(extracted)) or (closed_form_value(extracted) is not None and looks_polynomial(gold)):
        return False
    gold_value, gold_parsed = _number_or_parse(gold, timeout_seconds)
    answer_value, answer_parsed = _number_or_parse(extracted, timeout_seconds)
    if gold_value is not None and answer_value is not None:
        return abs(complex(gold_value) - complex(answer_value)) <= NUMERIC_RELATIVE_TOLERANCE * max(1.0, abs(complex(gold_value)))
    if (gold_parsed is not None and not gold_parsed) or (answer_parsed is not None and not answer_parsed):
        return False
    # A number never equals an expression in free variables (answers are simplified forms).
    if gold_value is not None and _is_expression_in_variables(answer_parsed):
        return False
    if answer_value is not None and _is_expression_in_variables(gold_parsed):
        return False
    from math_verify import verify

    gold_parsed = gold_parsed or _parsed(gold, timeout_seconds)
    answer_parsed = answer_parsed or _parsed(extracted, timeout_seconds)
    if not gold_parsed or not answer_parsed:
        return False
    return bool(verify(list(gold_parsed), list(answer_parsed), timeout_seconds=timeout_seconds))


def _math_equivalent_pair(pair: tuple[str, str, int]) -> bool:
    extracted, gold, timeout_seconds = pair
    return math_equivalent(extracted, gold, timeout_seconds)


# --- Both benchmarks, cached -------------------------------------------------------------


def gold_answer(benchmark: str, gold_solution: str) -> str:
    """The reference answer of a gold solution (GSM8K `#### N`, MATH last boxed)."""
    if benchmark == "gsm8k":
        return gsm8k_gold_answer(gold_solution)
    if benchmark == "math":
        return math_gold_answer(gold_solution)
    raise ValueError(f"unknown benchmark {benchmark!r}; known: {BENCHMARKS}")


def extract(benchmark: str, completion: str) -> str | None:
    """The answer a completion gives, in the benchmark's extraction rules, or None."""
    if benchmark == "gsm8k":
        return extract_gsm8k(completion)
    if benchmark == "math":
        return extract_math(completion)
    raise ValueError(f"unknown benchmark {benchmark!r}; known: {BENCHMARKS}")


@dataclass
class Grader:
    """Grades completions with a verdict cache keyed by (benchmark, gold answer, extracted answer).

    workers: processes for math-verify, started on first need and kept until `close` (0: check
    in this process, which must then be a main thread). timeout_seconds: bound on each
    math-verify parse and check. Use as a context manager to close the pool.
    """

    workers: int = 0
    timeout_seconds: int = 5
    verdicts: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    checks: int = 0
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the math-verify processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def grade(self, benchmark: str, completions: Sequence[str], gold_answers: Sequence[str]) -> tuple[list[str | None], list[bool]]:
        """Extracted answers and verdicts of `completions`, each against its own gold answer
        (from `gold_answer`). Unanswered completions are incorrect."""
        extracted = [extract(benchmark, completion) for completion in completions]
        keys = [(benchmark, gold, answer) for gold, answer in zip(gold_answers, extracted) if answer is not None]
        self._check_new(keys)
        verdicts = [answer is not None and self.verdicts[(benchmark, gold, answer)] for gold, answer in zip(gold_answers, extracted)]
        return extracted, verdicts

    def _check_new(self, keys: Iterable[tuple[str, str, str]]) -> None:
        new = list(dict.fromkeys(key for key in keys if key not in self.verdicts))
        symbolic = []
        for key in new:
            if key[0] == "gsm8k":
                # Both sides are canonical decimal strings: compare exactly.
                self.verdicts[key] = Decimal(key[1]) == Decimal(key[2])
            else:
                symbolic.append(key)
        if not symbolic:
            return
        pairs = [(answer, gold, self.timeout_seconds) for _, gold, answer in symbolic]
        # One new pair is cheaper to check here than to ship to the pool; two already gain from it
        # (a LaTeX parse alone takes milliseconds).
        if self.workers > 0 and len(pairs) >= 2:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers)
            results = list(self._pool.map(_math_equivalent_pair, pairs, chunksize=max(1, len(pairs) // (4 * self.workers))))
        else:
            results = [_math_equivalent_pair(pair) for pair in pairs]
        self.checks += len(pairs)
        self.verdicts.update(zip(symbolic, results))
