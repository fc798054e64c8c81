"""Grading sampled completions against gold solutions (GSM8K and MATH).

Where the field's graders disagree, this module follows the MATH paper's grader
(hendrycks/math, modeling/math_equivalence.py) and Minerva's (Lewkowycz et al. 2022, App. D):
the first final-answer line, and lists compared in order.

GSM8K. The answer is the number after the first `####` (the format the few-shot prompt
teaches; later ones belong to text the model wrote past its answer), else after the last "The
answer is" or "Final answer:", else in the last `\\boxed{}`. Numbers are read with `$`, units and
a trailing period dropped, comma or space thousands separators, a Unicode minus, fractions
`3/4`; they compare exactly, a percentage also as its value (`10%` is 10 or 0.1).

MATH. The answer is the first Minerva line "Final Answer: The final answer is X. I hope it is
correct." (with or without its closing sentence, quoted or not), else the last `\\boxed{}`
together with the boxed answers just before it that only punctuation, spacing and "and"/"or"
separate from it (`\\boxed{1}, \\boxed{2}` is the list "1, 2"; in a gold, "or" offers
alternatives). The gold answer is read from the gold solution the same way, boxed answers first:
its last group of boxed answers (a solution that boxes its answer again after a second method
gives it once). Both are normalized as Minerva's grader does (`math_answers.normalized`) and
compared exactly where that needs no symbolic algebra (numbers, surds, polynomials;
`math_answers.verdict`); everything else goes to math-verify, with `i` read as the imaginary
unit. Comma-separated lists compare item by item in order, as the MATH paper's grader does
("10, 4, -2" is not "4, 10, -2"; math-verify would compare them as sets); sets written
`\\{...\\}` compare as sets.

At the paper's scale (~5·10^8 completions per benchmark) the expensive part, math-verify, runs
once per distinct (gold answer, extracted answer) pair: `Grader` caches verdicts, and the
completions of one problem repeat a small set of answers. math-verify checks run in a process
pool (its time limits use `signal.alarm`, which only works in a process's main thread), each
parse and check bounded by `timeout_seconds`; a check that times out, raises or cannot parse is
recorded as incorrect with a reason (`Grade.reason`, counted in `Grader.failures`), and a worker
that hangs or dies is replaced. No completion makes `Grader.grade` raise.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from . import math_answers

BENCHMARKS = ("gsm8k", "math")

# Changes whenever any verdict can change: sampled records store it with their settings.
GRADER_VERSION = "2"


class Grade(NamedTuple):
    """One completion's grade: the answer found (None: none), whether it is correct, and why the
    check failed (None for an ordinary verdict; "timeout", "parse_error" or "check_error")."""

    extracted: str | None
    correct: bool
    reason: str | None = None


# --- GSM8K -------------------------------------------------------------------------------

_UNICODE_SIGNS_AND_SPACES = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " "})
# A signed number (sign before or after `$`), comma or space thousands, decimals, `/denominator`, `%`.
_GSM8K_NUMBER = re.compile(r"([-+]?)\s*\$?\s*([-+]?)((?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:\s*/\s*(\d+))?(\s*%)?")
_GSM8K_STATED = re.compile(r"(?:[Tt]he (?:final )?answer is|[Ff]inal [Aa]nswer(?: is)?\s*:)((?:(?![Tt]he (?:final )?answer is|[Ff]inal [Aa]nswer)[^\n])*)")


def _decimal_text(value: Fraction) -> str:
    """'72', '0.75', '-1234.5' for a terminating value; 'p/q' otherwise."""
    if value.denominator == 1:
        return str(value.numerator)
    twos = fives = 0
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    digits = str(scaled).rjust(places + 1, "0")
    return ("-" if value < 0 else "") + f"{digits[:-places]}.{digits[-places:]}".rstrip("0")


def canonical_number(text: str) -> str | None:
    """The first number of `text` as a canonical string ('$1,234.50 each' -> '1234.5', '−5' -> '-5',
    '3/4' -> '0.75', '5%' -> '5%'), or None."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) < 4000:
        return str(int(stripped))  # '#### 72', the prompt's own format, needs no pattern
    match = _GSM8K_NUMBER.search(text.translate(_UNICODE_SIGNS_AND_SPACES))
    if match is None:
        return None
    signs, digits, denominator, percent = match.group(1) + match.group(2), match.group(3), match.group(4), match.group(5)
    negative = signs.count("-") % 2 == 1
    digits = digits.replace(",", "").replace(" ", "")
    try:
        if denominator is None:
            value = Decimal(digits)
            number = str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
            number = "-" + number if negative and number != "0" else number
        else:
            fraction = Fraction(Decimal(digits)) / int(denominator)
            number = _decimal_text(-fraction if negative else fraction)
    except (ValueError, ZeroDivisionError, ArithmeticError):  # a zero denominator, or more digits than Python reads
        return None
    return number + ("%" if percent else "")


def _gsm8k_readings(answer: str) -> tuple[Fraction, ...]:
    """The values a canonical GSM8K answer stands for: a percentage is its number or its value."""
    if answer.endswith("%"):
        number = Fraction(answer[:-1])
        return number, number / 100
    return (Fraction(answer),)


def gsm8k_correct(answer: str, gold: str) -> bool:
    """Whether two canonical GSM8K answers are the same number (exactly)."""
    return any(reading in _gsm8k_readings(gold) for reading in _gsm8k_readings(answer))


def extract_gsm8k(completion: str) -> str | None:
    """The numeric answer of a GSM8K completion, canonical, or None (see the module docstring)."""
    marked = completion.find("####")
    if marked >= 0:
        line_end = completion.find("\n", marked)
        return canonical_number(completion[marked + 4 : line_end if line_end >= 0 else len(completion)])
    if "nswer" in completion:
        for statement in reversed(_GSM8K_STATED.findall(completion)):
            number = canonical_number(statement)
            if number is not None:
                return number
    boxed = last_boxed_group(completion)
    return canonical_number(boxed) if boxed else None


def gsm8k_gold_answer(gold_solution: str) -> str:
    """The canonical `#### N` answer of a GSM8K gold solution; ValueError if it has none."""
    marked = gold_solution.find("####")
    answer = canonical_number(gold_solution[marked + 4 :].split("\n", 1)[0]) if marked >= 0 else None
    if answer is None:
        raise ValueError("a GSM8K gold solution must end with a '#### <number>' line")
    return answer


# --- MATH: extraction --------------------------------------------------------------------

_MINERVA_PREFIX = "Final Answer: The final answer is"
_MINERVA_CLOSING = "I hope it is correct"
# Quotes around a whole answer, also as the escaped \" of a JSON or Python string written out.
_QUOTED = re.compile(r'(\\?["“”`])(.*?)\\?["“”`]', re.DOTALL)
_QUOTE_STARTS = '\\"“”`'
# What may separate boxed answers of one list: spacing, punctuation, math delimiters, and/or.
_CONNECTOR_NOISE = re.compile(r"\\(?:quad|qquad|text|mbox|textnormal)\b|\\[,;:! ()\[\]]|[\s$.,;:{}]")


def _strip_answer(text: str) -> str:
    """An answer without surrounding space, trailing full stop, quotes and `$` delimiters."""
    answer = text.strip().rstrip(". ")
    if answer[:1] == "$" and answer[-1:] == "$" and answer.count("$") == 2:
        return answer[1:-1].strip()  # "$x$." as the prompt's exemplars write it: the common case, quickly
    while True:
        trimmed = answer.rstrip(". ")
        if trimmed[:1] in _QUOTE_STARTS:
            quoted = _QUOTED.fullmatch(trimmed)
            trimmed = quoted.group(2).strip() if quoted else trimmed
        if len(trimmed) >= 2 and trimmed[0] == "$" and trimmed[-1] == "$":
            trimmed = trimmed[1:-1].strip()
        if trimmed == answer:
            return answer
        answer = trimmed


def minerva_answer(completion: str) -> str | None:
    """The answer of the first "Final Answer: The final answer is X." line (closing sentence optional), or None."""
    start = completion.find(_MINERVA_PREFIX)
    if start < 0:
        return None
    start += len(_MINERVA_PREFIX)
    end = completion.find("\n", start)
    line = completion[start : end if end >= 0 else len(completion)]
    closing = line.find(_MINERVA_CLOSING)
    return _strip_answer(line[:closing] if closing >= 0 else line) or None


def _box_at(text: str, start: int) -> tuple[int, str] | None:
    """(end, content) of the box command starting at `start`, with balanced braces; None if unbalanced."""
    position = start + (len("\\boxed") if text.startswith("\\boxed", start) else len("\\fbox"))
    if position < len(text) and text[position] == " " and text[position + 1 : position + 2] != "{":
        # `\boxed 5` (no braces) is valid LaTeX for a one-token argument; a sentence's full stop is not part of it.
        bare = re.match(r" ([^\s$]+)", text[position:])
        return (position + bare.end(), bare.group(1).rstrip(".")) if bare else None
    brace = text.find("{", position)
    if brace < 0 or text[position:brace].strip():
        return None
    close = text.find("}", brace)
    if close >= 0 and text.find("{", brace + 1, close) < 0:
        return close + 1, text[brace + 1 : close]  # no nested braces: the common case, without a loop
    depth = 0
    for index in range(brace, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1, text[brace + 1 : index]
    return None


def _last_box_before(text: str, end: int) -> int:
    return max(text.rfind("\\boxed", 0, end), text.rfind("\\fbox", 0, end))


def _box_junction(between: str) -> str | None:
    """How the text between two boxed answers joins them: "," (items of one list), "or"
    (alternatives), or None when it is prose and the boxes are separate answers."""
    words = [word.lower() for word in _CONNECTOR_NOISE.sub(" ", between).split()]
    if not words:
        return ","
    # "\boxed{1} and \boxed{2}", or one unit word before it: "\boxed{1} papers and \boxed{2}".
    joining = [word for word in words if word in ("and", "or")]
    if len(joining) != 1 or len(words) > 2:
        return None
    return "or" if joining == ["or"] else ","


def last_boxed_group(text: str) -> str | None:
    """The content of the last `\\boxed{...}` (or `\\fbox{...}`) with the boxed answers just before
    it that only list separators part from it: joined by ", " (a list), or by " or " when an "or"
    joins them (alternatives); None if there is none."""
    start = _last_box_before(text, len(text))
    box = _box_at(text, start) if start >= 0 else None
    if box is None:
        return None
    contents, junctions = [box[1]], []
    while True:
        previous = _last_box_before(text, start)
        previous_box = _box_at(text, previous) if previous >= 0 else None
        junction = _box_junction(text[previous_box[0] : start]) if previous_box is not None and previous_box[0] <= start else None
        if junction is None:
            break
        contents.insert(0, previous_box[1])
        junctions.append(junction)
        start = previous
    separator = " or " if "or" in junctions else ", "
    return separator.join(answer for answer in map(_strip_answer, contents) if answer) or None


def extract_math(completion: str) -> str | None:
    """The answer of a MATH completion: the first Minerva final-answer line, else the last group of boxed answers."""
    return minerva_answer(completion) or last_boxed_group(completion)


def math_gold_answer(gold_solution: str) -> str:
    """The answer of a MATH gold solution (its last group of boxed answers, else a Minerva line); ValueError if it has none."""
    answer = last_boxed_group(gold_solution) or minerva_answer(gold_solution)
    if not answer:
        raise ValueError("a MATH gold solution must contain a \\boxed{...} answer")
    return answer


# --- MATH: equivalence -------------------------------------------------------------------

FAILURE_REASONS = ("timeout", "parse_error", "check_error")
# A pool worker that has not answered after this many times timeout_seconds per pair (two parses
# and a check each have their own alarm), plus a grace, is stuck in compiled code and is killed.
CHECK_BOUND_FACTOR = 4
WORKER_GRACE_SECONDS = 10


@lru_cache(maxsize=65536)
def _parsed(answer: str, timeout_seconds: int) -> tuple:
    """math-verify's parse of one normalized answer (wrapped in `$...$`: a bare `4a-2` parses as `4`), memoized per process."""
    from math_verify import LatexExtractionConfig, parse

    # LaTeX extraction only: the answer is already wrapped in `$...$`, and math-verify's default
    # second pass (plain-expression extraction) would double the parsing time for nothing.
    return tuple(parse(f"${answer}$", extraction_config=[LatexExtractionConfig()], parsing_timeout=timeout_seconds, raise_on_error=True))


def _with_imaginary_unit(parsed: tuple) -> list:
    """A parse with the symbol i read as the imaginary unit, as MATH's answers mean it (`1+2i`)."""
    import sympy

    def unit(item):
        symbols = [symbol for symbol in getattr(item, "free_symbols", ()) if getattr(symbol, "name", None) == "i"]
        return item.xreplace({symbol: sympy.I for symbol in symbols}) if symbols else item

    return [unit(item) for item in parsed]


def _symbolic_verdict(answer: str, gold: str, timeout_seconds: int) -> tuple[bool, str | None]:
    """math-verify's verdict on two normalized answers, as (correct, failure reason or None).

    Like math-verify, correct when any reading of the gold (the expression, the string) matches
    any reading of the answer; each comparison on its own, so that one that fails leaves the
    others standing and is reported only when none matches."""
    from math_verify import verify
    from math_verify.errors import TimeoutException

    try:
        gold_parsed, answer_parsed = _parsed(gold, timeout_seconds), _parsed(answer, timeout_seconds)
    except TimeoutException:
        return False, "timeout"
    except Exception:  # noqa: BLE001 (sympy raises anything from OverflowError to RecursionError on odd input)
        return False, "check_error"
    if not gold_parsed or not answer_parsed:
        return False, "parse_error"
    failures = []
    for gold_reading in _with_imaginary_unit(gold_parsed):
        for answer_reading in _with_imaginary_unit(answer_parsed):
            try:
                if verify(gold_reading, answer_reading, timeout_seconds=timeout_seconds, raise_on_error=True):
                    return True, None
            except TimeoutException:
                failures.append("timeout")
            except Exception:  # noqa: BLE001
                failures.append("check_error")
    return False, (failures[0] if failures else None)


def _verdict_over_alternatives(extracted: str, gold: str, undecided: math_answers.Undecided) -> tuple[bool, str | None]:
    answer = math_answers.normalized(extracted)
    verdicts = [math_answers.verdict(answer, math_answers.normalized(alternative), undecided) for alternative in math_answers.gold_alternatives(gold)]
    return next((verdict for verdict in verdicts if verdict[0]), next((verdict for verdict in verdicts if verdict[1]), (False, None)))


def math_verdict(extracted: str, gold: str, timeout_seconds: int = 5) -> tuple[bool, str | None]:
    """(correct, failure reason or None) of an extracted MATH answer against the gold answer (both LaTeX, no `$`)."""
    try:
        return _verdict_over_alternatives(extracted, gold, lambda answer, reference: _symbolic_verdict(answer, reference, timeout_seconds))
    except Exception:  # noqa: BLE001 (a verdict is recorded whatever the input)
        return False, "check_error"


class _NeedsSymbolicCheck(Exception):
    """Raised where a pair needs math-verify: `exact_math_verdict` then has no verdict."""


def _needs_symbolic_check(answer: str, gold: str) -> tuple[bool, str | None]:
    raise _NeedsSymbolicCheck


def exact_math_verdict(extracted: str, gold: str) -> tuple[bool, str | None] | None:
    """`math_verdict` where it needs no math-verify (cheap, safe in any thread), else None."""
    try:
        return _verdict_over_alternatives(extracted, gold, _needs_symbolic_check)
    except _NeedsSymbolicCheck:
        return None
    except Exception:  # noqa: BLE001 (a verdict is recorded whatever the input)
        return False, "check_error"


def _math_verdict_of_pair(pair: tuple[str, str, int]) -> tuple[bool, str | None]:
    extracted, gold, timeout_seconds = pair
    return math_verdict(extracted, gold, timeout_seconds)


def _load_math_verify(_: int) -> None:
    """Import math-verify and sympy in a worker, so that no check's time limit pays for it."""
    _parsed("1", 5)


# --- Both benchmarks, cached -------------------------------------------------------------


def gold_answer(benchmark: str, gold_solution: str) -> str:
    """The reference answer of a gold solution (GSM8K `#### N`, MATH boxed)."""
    if benchmark == "gsm8k":
        return gsm8k_gold_answer(gold_solution)
    if benchmark == "math":
        return math_gold_answer(gold_solution)
    raise ValueError(f"unknown benchmark {benchmark!r}; known: {BENCHMARKS}")


_EXTRACTORS = {"gsm8k": extract_gsm8k, "math": extract_math}


def extract(benchmark: str, completion: str) -> str | None:
    """The answer a completion gives, in the benchmark's extraction rules, or None."""
    if benchmark not in _EXTRACTORS:
        raise ValueError(f"unknown benchmark {benchmark!r}; known: {BENCHMARKS}")
    return _EXTRACTORS[benchmark](completion)


@dataclass
class Grader:
    """Grades completions with a verdict cache keyed by (benchmark, gold answer, extracted answer).

    workers: processes for math-verify, started by `start` or on first need and kept until
    `close` (0: check in this process, which must then be a main thread, and where a check
    stuck in compiled code cannot be interrupted). timeout_seconds: bound on each math-verify
    parse and check. Use as a context manager to close the pool. `checks` counts distinct
    pairs checked, `symbolic_checks` those that needed math-verify, `failures` the checks that
    failed, by reason.
    """

    workers: int = 0
    timeout_seconds: int = 5
    verdicts: dict[tuple[str, str, str], tuple[bool, str | None]] = field(default_factory=dict)
    checks: int = 0
    symbolic_checks: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the math-verify processes now, math-verify loaded in each (no-op when workers == 0
        or already started), e.g. before an inference engine starts threads that a fork would copy."""
        if self.workers > 0 and self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
            list(self._pool.map(_load_math_verify, range(self.workers)))

    def close(self) -> None:
        """Stop the math-verify processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def grade(self, benchmark: str, completions: Sequence[str], gold_answers: Sequence[str]) -> tuple[list[str | None], list[bool]]:
        """Extracted answers and verdicts of `completions`, each against its own gold answer
        (from `gold_answer`). Unanswered completions are incorrect."""
        grades = self.grade_detailed(benchmark, completions, gold_answers)
        return [grade.extracted for grade in grades], [grade.correct for grade in grades]

    def grade_detailed(self, benchmark: str, completions: Sequence[str], gold_answers: Sequence[str]) -> list[Grade]:
        """The `Grade` of each completion against its own gold answer."""
        if len(completions) != len(gold_answers):
            raise ValueError(f"{len(completions)} completions but {len(gold_answers)} gold answers")
        extractor = _EXTRACTORS.get(benchmark)
        if extractor is None:
            raise ValueError(f"unknown benchmark {benchmark!r}; known: {BENCHMARKS}")
        extracted = [extractor(completion) for completion in completions]
        self._check_new([(benchmark, gold, answer) for gold, answer in zip(gold_answers, extracted) if answer is not None])
        verdicts = self.verdicts
        return [Grade(None, False) if answer is None else Grade(answer, *verdicts[(benchmark, gold, answer)]) for gold, answer in zip(gold_answers, extracted)]

    def _check_new(self, keys: list[tuple[str, str, str]]) -> None:
        symbolic = []
        for key in dict.fromkeys(keys):
            if key in self.verdicts:
                continue
            benchmark, gold, answer = key
            decided = self._gsm8k_verdict(answer, gold) if benchmark == "gsm8k" else exact_math_verdict(answer, gold)
            if decided is None:
                symbolic.append(key)
            else:
                self._record(key, decided)
        if not symbolic:
            return
        pairs = [(answer, gold, self.timeout_seconds) for _, gold, answer in symbolic]
        results = self._in_pool(pairs) if self.workers > 0 else [_math_verdict_of_pair(pair) for pair in pairs]
        self.symbolic_checks += len(pairs)
        for key, result in zip(symbolic, results):
            self._record(key, result)

    @staticmethod
    def _gsm8k_verdict(answer: str, gold: str) -> tuple[bool, str | None]:
        try:
            return gsm8k_correct(answer, gold), None
        except (ValueError, ZeroDivisionError):  # not a canonical number: nothing to compare
            return False, "check_error"

    def _record(self, key: tuple[str, str, str], result: tuple[bool, str | None]) -> None:
        self.verdicts[key] = result
        self.checks += 1
        if result[1] is not None:
            self.failures[result[1]] += 1

    def _in_pool(self, pairs: list[tuple[str, str, int]]) -> list[tuple[bool, str | None]]:
        """Verdicts of `pairs` from the pool; if a worker hangs past every time limit or dies, the
        pool is replaced and the pairs are checked one at a time, so that only the culprit fails."""
        self.start()
        bound = CHECK_BOUND_FACTOR * self.timeout_seconds * math.ceil(len(pairs) / self.workers) + WORKER_GRACE_SECONDS
        try:
            return list(self._pool.map(_math_verdict_of_pair, pairs, chunksize=max(1, len(pairs) // (4 * self.workers)), timeout=bound))
        except (TimeoutError, BrokenProcessPool):
            self._discard_pool()
        return [self._alone_in_pool(pair) for pair in pairs]

    def _alone_in_pool(self, pair: tuple[str, str, int]) -> tuple[bool, str | None]:
        self.start()
        try:
            return self._pool.submit(_math_verdict_of_pair, pair).result(timeout=CHECK_BOUND_FACTOR * self.timeout_seconds + WORKER_GRACE_SECONDS)
        except TimeoutError:
            self._discard_pool()
            return False, "timeout"
        except BrokenProcessPool:
            self._discard_pool()
            return False, "check_error"

    def _discard_pool(self) -> None:
        """Kill the workers (a check stuck in compiled code ignores its alarm) and forget the pool."""
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            process.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
