"""MATH answers without a LaTeX parser: the normal form two answers are compared in, and the
comparisons that are exact without one.

`normalized` applies the conventions of Minerva's answer normalisation and of the MATH paper's
grader to one answer: math delimiters, `$`, spacing commands, `\\left`/`\\right`, degrees and
trailing units dropped, `\\dfrac`/`\\tfrac` read as `\\frac`, `\\frac12` and `\\sqrt3` shorthand
spelled out, `{,}` and `,\\!` thousands separators removed, `\\text{...}` unwrapped, "and"
between items read as a comma, `A \\approx B` read as A. A percent sign is kept as a trailing `%`.

`verdict` compares two normalized answers: comma-separated lists and bracketed tuples or
intervals item by item, in order; `x = 3` against `3`; a percentage as its number or its value.
It decides exactly where that needs no symbolic algebra, and hands the rest to the check it is
given (math-verify): identical text; plain numbers (integers, decimals, fractions, mixed
numbers) and surds `c\\sqrt{r}/d`, compared as exact rationals and square-free radicands; a
decimal of six or more places against a value whose expansion does not terminate, within one
unit of its last place (such a decimal is itself an approximation); polynomials in
single-letter variables, compared as expanded coefficient tables (a non-constant one is no
number). `gold_alternatives` reads a gold "A or B" as accepting either, or both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

# --- Normal form -------------------------------------------------------------------------

_DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "\\displaystyle", "$")
# Spacing commands (not the `\\` row break of a matrix), \left and \right.
_SPACING = re.compile(r"(?<!\\)\\[!,;:> ]|\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|\\q?quad(?![a-zA-Z])|~")
_FRAC_VARIANTS = re.compile(r"\\[dtc]frac(?![a-zA-Z])")
# Degrees: `^\circ`, `^{\circ}`, `°`, `\degree`, and `\circ` right after a number (not `f \circ g`).
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![a-zA-Z])|(?<=\d)\s*\\circ(?![a-zA-Z])")
_PERCENT = re.compile(r"\s*(?:\\%|%|\\text\{\s*(?:percent|percentage|pct)\s*\}|(?<=\d)\s*(?:percent|percentage|pct))$")
_TEXT_WRAPPER = re.compile(r"\\(?:text|textbf|textnormal|textrm|textup|textit|mbox|mathrm|mathbf|boxed)\s*\{([^{}]*)\}")
# Units a MATH answer may carry after its number: Minerva's list of removed words (as whole
# words after a space, so that `3m` stays an expression in m) or any trailing `\text{...}`.
_UNIT_WORDS = (
    "square", "ways", "integers", "dollars", "mph", "inches", "inch", "ft", "hours", "hour", "km", "units", "unit", "points",
    "feet", "foot", "minutes", "minute", "seconds", "digits", "cents", "degrees", "cm", "gm", "pounds", "meters", "meter",
    "meals", "edges", "students", "multiples", "miles", "mile", "days", "years", "centimeters", "yards", "liters",
)
_TRAILING_UNIT = re.compile(
    r"(?<=[\d}.])(?:\s*\\(?:text|textnormal|textrm|mbox|mathrm)\s*\{[^{}]*\}|(?:\s+(?:" + "|".join(_UNIT_WORDS) + r")\b)+)(?:\s*\^\s*\{?\d\}?)?\s*$"
)
_AND_BETWEEN_ITEMS = re.compile(r",?\s*(?:\\text\{\s*(?:and|or)\s*\}|\b(?:and|or)\b)\s*")
_OR = re.compile(r"\s*(?:\\text\{\s*or\s*\}|\bor\b)\s*")
_FRAC_SHORTHAND_BOTH = re.compile(r"\\frac\s*(\d)\s*(\d)")
_FRAC_SHORTHAND_FIRST = re.compile(r"\\frac\s*(\d)\s*(?=\{)")
_FRAC_SHORTHAND_SECOND = re.compile(r"(\\frac\{[^{}]*\})\s*(\d)")
_SQRT_SHORTHAND = re.compile(r"\\sqrt\s*(\d|[a-zA-Z](?![a-zA-Z]))")
# `{,}` and `,\!` are how LaTeX writes a thousands separator (`10{,}000`, `32,\! 349`).
_THOUSANDS_SEPARATOR = re.compile(r"\{,\}\s*|,\\!\s*")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+)(?:\.\d+)?")


def _without_outer_braces(text: str) -> str:
    """`{...}` around the whole answer is LaTeX grouping, not a set: drop it."""
    while text.startswith("{") and text.endswith("}") and _closing_index(text, 0) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing_index(text: str, opening: int) -> int:
    """Index of the bracket closing the one at `opening` (any of ([{ closes with any of )]}), or -1."""
    depth = 0
    for position in range(opening, len(text)):
        if text[position] in "([{":
            depth += 1
        elif text[position] in ")]}":
            depth -= 1
            if depth == 0:
                return position
    return -1


def _squeeze_spaces(text: str) -> str:
    """Whitespace dropped except between two letters or two digits (`\\pi r` must not become `\\pir`, nor `1 2` become 12)."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(" ", lambda space: _kept_space(text, space.start()), text)


def _kept_space(text: str, position: int) -> str:
    """The space at `position` if it parts two letters or two digits, else nothing."""
    before, after = text[position - 1], text[position + 1]
    return " " if (before.isalpha() and after.isalpha()) or (before.isdigit() and after.isdigit()) else ""


def _without_approximation(text: str) -> str:
    """`x \\approx 2.5` is the value 2.5 named x; `\\frac{1}{3} \\approx 0.33` is the exact value given first."""
    before, approximately, after = text.partition("\\approx")
    if not approximately:
        return text
    return f"{before}={after}" if _NAMES.fullmatch(before) and after else before


@lru_cache(maxsize=65536)
def normalized(answer: str) -> str:
    """The normal form of one MATH answer (see the module docstring)."""
    text = answer.strip().replace("\\$", " ")
    for delimiter in _DELIMITERS:
        text = text.replace(delimiter, " ")
    text = _THOUSANDS_SEPARATOR.sub(",", text)
    text = _SPACING.sub(" ", text)
    text = _FRAC_VARIANTS.sub(r"\\frac", text)
    text = _DEGREES.sub("", text)
    text = text.strip().rstrip("\\").strip().rstrip(".").strip()
    percent = _PERCENT.search(text)
    if percent:
        text = text[: percent.start()]
    unit = _TRAILING_UNIT.search(text)
    while unit is not None and unit.start() > 0:
        text = text[: unit.start()].rstrip()
        unit = _TRAILING_UNIT.search(text)
    previous = None
    while previous != text:
        previous, text = text, _TEXT_WRAPPER.sub(r"\1", text)
    text = _AND_BETWEEN_ITEMS.sub(",", text)
    text = _FRAC_SHORTHAND_BOTH.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_SHORTHAND_FIRST.sub(r"\\frac{\1}", text)
    text = _FRAC_SHORTHAND_SECOND.sub(r"\1{\2}", text)
    text = _SQRT_SHORTHAND.sub(r"\\sqrt{\1}", text)
    # `32,349` and `32 349` are numbers, `32, 349` a list of two.
    thousands = _THOUSANDS.fullmatch(text.strip())
    text = _without_approximation(_without_outer_braces(_squeeze_spaces(text)).strip(","))
    if thousands:
        text = text.replace(",", "").replace(" ", "")
    return text + "%" if percent and text else text


# --- Structure: alternatives, lists, brackets, named values ---------------------------------

def gold_alternatives(gold: str) -> list[str]:
    """The answers a gold accepts: `A or B` (outside braces) accepts A, B, and the list "A, B"."""
    pieces, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|" + _OR.pattern, gold):
        if match.group(0) == "{":
            depth += 1
        elif match.group(0) == "}":
            depth -= 1
        elif depth == 0:
            pieces.append(gold[start : match.start()])
            start = match.end()
    pieces = [piece.strip() for piece in [*pieces, gold[start:]] if piece.strip()]
    return pieces + [", ".join(pieces)] if len(pieces) > 1 else [gold]


def top_level_items(text: str) -> list[str]:
    """The comma-separated items of an answer, splitting only outside brackets."""
    items, depth, start = [], 0, 0
    for position, character in enumerate(text):
        if character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif character == "," and depth == 0:
            items.append(text[start:position])
            start = position + 1
    items.append(text[start:])
    return [item for item in items if item]


def bracketed(text: str) -> tuple[str, list[str], str] | None:
    """(opening bracket, items, closing bracket) of a tuple, interval or point `(a, b)`, `[a, b)`; None otherwise."""
    if len(text) < 2 or text[0] not in "([" or text[-1] not in ")]" or _closing_index(text, 0) != len(text) - 1:
        return None
    return text[0], top_level_items(text[1:-1]), text[-1]


# A lone name an answer may be assigned to: x, x_1, x_{12}, \alpha, f(x), f', AB, |AB|, (p, q).
_NAME = r"(?:\|?[A-Z]{1,3}\|?|[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?\w+\}?)?'*(?:\([a-zA-Z,]*\))?"
_NAMES = re.compile(rf"{_NAME}|\((?:{_NAME},)+{_NAME}\)")


def _top_level_relation_parts(text: str) -> list[str]:
    """`text` split at `=` and `\\in` outside brackets (not the `=` of `\\sum_{k=0}`)."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[([{]|[)\]}]|=|\\in(?![a-zA-Z])", text):
        token = match.group(0)
        if token in "([{":
            depth += 1
        elif token in ")]}":
            depth -= 1
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def named_value(text: str) -> tuple[str | None, str]:
    """(name, value) of `x = 3`, `3 = x`, `x \\in [0, 1)` or `x = 1 + 1 = 2` (the last value when the
    name comes first); (None, text) when no lone name is assigned a value."""
    parts = _top_level_relation_parts(text)
    if len(parts) < 2 or not all(parts):
        return None, text
    if _NAMES.fullmatch(parts[0]):
        return parts[0], parts[-1]
    if len(parts) == 2 and _NAMES.fullmatch(parts[1]):
        return parts[1], parts[0]
    return None, text


def comparable_values(answer: str, gold: str) -> tuple[str, str]:
    """The two sides with an assigned name dropped where that changes no meaning: a named value
    set against a bare value, or two values assigned to the same name. Two equations, or values
    assigned to different names, stay whole (math-verify compares relations)."""
    answer_name, answer_value = named_value(answer)
    gold_name, gold_value = named_value(gold)
    if answer_name is not None and gold_name is not None:
        return (answer_value, gold_value) if answer_name == gold_name else (answer, gold)
    if answer_name is not None and len(_top_level_relation_parts(gold)) == 1:
        return answer_value, gold
    if gold_name is not None and len(_top_level_relation_parts(answer)) == 1:
        return answer, gold_value
    return answer, gold


# --- Exact values ------------------------------------------------------------------------

_DECIMAL = re.compile(r"([-+]?)(\d*)\.(\d+)|([-+]?\d+)")
_SLASH_FRACTION = re.compile(r"([-+]?\d+)/(\d+)")
_LATEX_FRACTION = re.compile(r"([-+]?)(\d*)\\frac\{([-+]?\d+)\}\{([-+]?\d+)\}")
_SURD = re.compile(r"([-+]?)(\d*)\\sqrt\{(\d+)\}")
_SURD_FRACTION = re.compile(r"([-+]?)\\frac\{(\d*)\\sqrt\{(\d+)\}\}\{(\d+)\}")
# Square factors are taken out of radicands up to this size (trial division stays cheap).
_LARGEST_RADICAND = 10**10
# A decimal with at least this many places, set against a value whose expansion does not
# terminate, is an approximation of it (math-verify compares numbers rounded to 6 places).
APPROXIMATION_PLACES = 6


@dataclass(frozen=True, eq=False)
class ExactValue:
    """The real number `coefficient · √radicand` (radicand square-free, 1 for a rational), and the
    number of places when it was written as a decimal."""

    coefficient: Fraction
    radicand: int = 1
    decimal_places: int | None = None

    def same_as(self, other: ExactValue) -> bool:
        return (self.coefficient, self.radicand) == (other.coefficient, other.radicand)

    def terminates(self) -> bool:
        """Whether the value has a finite decimal expansion."""
        if self.radicand != 1:
            return False
        denominator = self.coefficient.denominator
        for prime in (2, 5):
            while denominator % prime == 0:
                denominator //= prime
        return denominator == 1

    def within(self, low: Fraction, high: Fraction) -> bool:
        """Whether low ≤ value ≤ high, decided exactly (by squares for a surd)."""
        if self.radicand == 1:
            return low <= self.coefficient <= high
        if self.coefficient < 0:
            return ExactValue(-self.coefficient, self.radicand).within(-high, -low)
        square = self.coefficient**2 * self.radicand
        return (low <= 0 or low * low <= square) and high >= 0 and square <= high * high


def _surd(sign: str, coefficient: Fraction, radicand: int) -> ExactValue | None:
    """±coefficient·√radicand with the square factors taken out of the radicand; None when it is too large."""
    if radicand > _LARGEST_RADICAND:
        return None
    outside, inside, factor = 1, radicand, 2
    while factor * factor <= inside:
        while inside % (factor * factor) == 0:
            inside //= factor * factor
            outside *= factor
        factor += 1
    value = (-1 if sign == "-" else 1) * coefficient * outside
    return ExactValue(value, inside) if inside > 1 else ExactValue(value * inside)


def exact_value(text: str) -> ExactValue | None:
    """The exact value of an integer, decimal, `p/q`, `\\frac{p}{q}`, mixed number `2\\frac{1}{4}`
    or surd `c\\sqrt{r}`, `\\frac{c\\sqrt{r}}{d}`; None for anything else."""
    try:
        decimal = _DECIMAL.fullmatch(text)
        if decimal:
            if decimal.group(4) is not None:
                return ExactValue(Fraction(int(decimal.group(4))))
            sign, whole, places = decimal.groups()[:3]
            return ExactValue(Fraction(f"{sign}{whole or 0}.{places}"), decimal_places=len(places))
        slash = _SLASH_FRACTION.fullmatch(text)
        if slash:
            return ExactValue(Fraction(int(slash.group(1)), int(slash.group(2))))
        fraction = _LATEX_FRACTION.fullmatch(text)
        if fraction:
            sign, whole, numerator, denominator = fraction.groups()
            value = Fraction(int(numerator), int(denominator)) + int(whole or 0)
            return ExactValue(-value if sign == "-" else value)
        surd = _SURD.fullmatch(text)
        if surd:
            return _surd(surd.group(1), Fraction(int(surd.group(2) or 1)), int(surd.group(3)))
        surd_fraction = _SURD_FRACTION.fullmatch(text)
        if surd_fraction:
            sign, coefficient, radicand, denominator = surd_fraction.groups()
            return _surd(sign, Fraction(int(coefficient or 1), int(denominator)), int(radicand))
    except (ZeroDivisionError, ValueError):  # a zero denominator, or more digits than Python reads
        return None
    return None


def _values_verdict(first: ExactValue, second: ExactValue) -> bool:
    """Equal values; or a decimal of APPROXIMATION_PLACES or more places within one unit of its
    last place of a value that does not terminate."""
    if first.same_as(second):
        return True
    for decimal, other in ((first, second), (second, first)):
        if decimal.decimal_places is not None and decimal.decimal_places >= APPROXIMATION_PLACES and not other.terminates():
            unit = Fraction(1, 10**decimal.decimal_places)
            return other.within(decimal.coefficient - unit, decimal.coefficient + unit)
    return False


# --- Polynomials -------------------------------------------------------------------------

# Longer numbers than this are left to math-verify (Python reads at most 4300 digits at once).
_LONGEST_NUMBER = 1000
# Digits, single-letter variables (not e or i, which may be constants), powers, + - * and \cdot.
_POLYNOMIAL = re.compile(r"[-+]?(?:[0-9a-df-hj-zA-Z.^{}*]|\\cdot)+(?:[-+](?:[0-9a-df-hj-zA-Z.^{}*]|\\cdot)+)*")
_MONOMIAL_FACTOR = re.compile(r"(\d+(?:\.\d+)?)|([a-df-hj-zA-Z])(?:\^(?:(\d)|\{(\d+)\}))?")


def polynomial(text: str) -> dict[tuple[tuple[str, int], ...], Fraction] | None:
    """The expanded coefficients of a sum of monomials (`4a-2`, `x^2+2x+1`, `3xy^{2}`) keyed by
    sorted (variable, power) pairs, zero terms dropped; None for anything else."""
    if not _POLYNOMIAL.fullmatch(text) or not re.search(r"[a-df-hj-zA-Z]", text):
        return None
    coefficients: dict[tuple[tuple[str, int], ...], Fraction] = {}
    for sign, term in re.findall(r"([-+]?)([^-+]+)", text):
        body = term.replace("\\cdot", "").replace("*", "")
        coefficient, powers, position = Fraction(-1 if sign == "-" else 1), {}, 0
        while position < len(body):
            factor = _MONOMIAL_FACTOR.match(body, position)
            if factor is None or factor.end() == position:
                return None
            number, variable, power, braced_power = factor.groups()
            if number is not None:
                if len(number) > _LONGEST_NUMBER:
                    return None
                coefficient *= Fraction(number)
            else:
                powers[variable] = powers.get(variable, 0) + int(power or braced_power or 1)
            position = factor.end()
        key = tuple(sorted(powers.items()))
        coefficients[key] = coefficients.get(key, 0) + coefficient
    return {key: value for key, value in coefficients.items() if value}


def _polynomial_and_value_verdict(coefficients: dict[tuple[tuple[str, int], ...], Fraction], value: ExactValue) -> bool:
    """A polynomial equals a number only if it is that constant (answers are expressions, not equations)."""
    if any(key for key in coefficients):
        return False
    constant = coefficients.get((), Fraction(0))
    return value.radicand == 1 and value.coefficient == constant


# --- Verdicts ----------------------------------------------------------------------------

def _percent_readings(text: str) -> list[str]:
    """A percentage is its number (MATH's convention drops the sign) or, as a number, its value."""
    if not text.endswith("%"):
        return [text]
    number = text[:-1]
    value = exact_value(number)
    if value is None or value.radicand != 1:
        return [number]
    hundredth = value.coefficient / 100
    return [number, str(hundredth.numerator) if hundredth.denominator == 1 else f"{hundredth.numerator}/{hundredth.denominator}"]


_CLOCK_OR_RATIO = re.compile(r"\d+:\d+")


def _single_verdict(answer: str, gold: str) -> bool | None:
    """Exact verdict on two single (non-list) normalized answers, or None."""
    if answer == gold:
        return True
    if _CLOCK_OR_RATIO.fullmatch(answer) and _CLOCK_OR_RATIO.fullmatch(gold):
        return False  # a time or a ratio in lowest terms: only the same digits are the same answer
    answer_value, gold_value = exact_value(answer), exact_value(gold)
    if answer_value is not None and gold_value is not None:
        return _values_verdict(answer_value, gold_value)
    answer_polynomial = polynomial(answer) if answer_value is None else None
    gold_polynomial = polynomial(gold) if gold_value is None else None
    if answer_polynomial is not None and gold_polynomial is not None:
        return answer_polynomial == gold_polynomial
    if answer_polynomial is not None and gold_value is not None:
        return _polynomial_and_value_verdict(answer_polynomial, gold_value)
    if gold_polynomial is not None and answer_value is not None:
        return _polynomial_and_value_verdict(gold_polynomial, answer_value)
    return None


Undecided = Callable[[str, str], "tuple[bool, str | None]"]


def verdict(answer: str, gold: str, undecided: Undecided) -> tuple[bool, str | None]:
    """(correct, reason) for two normalized answers: exact where the text allows, `undecided`
    (a symbolic check returning the same pair) for the rest. Lists compare item by item in order,
    brackets must match."""
    if answer == gold:
        return True, None
    if not answer:
        return False, None
    answer_items, gold_items = top_level_items(answer), top_level_items(gold)
    if len(answer_items) > 1 or len(gold_items) > 1:
        if len(answer_items) != len(gold_items):
            # Lists of different lengths differ, unless a ± stands for two items.
            return (False, None) if "\\pm" not in answer + gold else undecided(answer, gold)
        return _all_items(answer_items, gold_items, undecided)
    answer, gold = comparable_values(answer, gold)
    answer_brackets, gold_brackets = bracketed(answer), bracketed(gold)
    if answer_brackets and gold_brackets and len(answer_brackets[1]) > 1 and len(gold_brackets[1]) > 1:
        same_shape = answer_brackets[0] == gold_brackets[0] and answer_brackets[2] == gold_brackets[2] and len(answer_brackets[1]) == len(gold_brackets[1])
        return _all_items(answer_brackets[1], gold_brackets[1], undecided) if same_shape else (False, None)
    readings = [(a, g) for a in _percent_readings(answer) for g in _percent_readings(gold)]
    decided = [_single_verdict(a, g) for a, g in readings]
    if any(decided):
        return True, None
    if all(result is False for result in decided):
        return False, None
    return undecided(answer.rstrip("%"), gold.rstrip("%"))


def _all_items(answer_items: list[str], gold_items: list[str], undecided: Undecided) -> tuple[bool, str | None]:
    for answer_item, gold_item in zip(answer_items, gold_items):
        correct, reason = verdict(answer_item, gold_item, undecided)
        if not correct:
            return False, reason
    return True, None
