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

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
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
        return bare.group(1) if bare else None
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


def math_equivalent(extracted: str, gold: str, timeout_seconds: int = 5) -> bool:
    """Whether math-verify finds `extracted` equivalent to the gold answer (both LaTeX, no `$`).

    Both are wrapped in `$...$` before parsing: math-verify reads a bare `4a-2` as `4`. A
    parse or check that runs past `timeout_seconds` counts as not equivalent.
    """
    if _normalized_latex(extracted) == _normalized_latex(gold):
        return True
    from math_verify import parse, verify

    gold_parsed = parse(f"${gold}$", parsing_timeout=timeout_seconds)
    answer_parsed = parse(f"${extracted}$", parsing_timeout=timeout_seconds)
    if not gold_parsed or not answer_parsed:
        return False
    return bool(verify(gold_parsed, answer_parsed, timeout_seconds=timeout_seconds))


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
        # A handful of new pairs is cheaper to check here than to ship to the pool.
        if self.workers > 0 and len(pairs) >= 4 * self.workers:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers)
            results = list(self._pool.map(_math_equivalent_pair, pairs, chunksize=max(1, len(pairs) // (4 * self.workers))))
        else:
            results = [_math_equivalent_pair(pair) for pair in pairs]
        self.checks += len(pairs)
        self.verdicts.update(zip(symbolic, results))
