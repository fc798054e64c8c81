"""From a claim's paper value, its replicated value and its check to a verdict with a note.

Verdicts: reproduced; deviates (the note gives the size); not reachable from the released data
(it deviates, and a bound computed from the data shows no fit can reach the paper's value: the
claim's `bound` function, its value in the note); not estimable from the released data and needs
the sampling stage (raised by the computing function, with the reason); paper inconsistent (the
paper contradicts itself; the note says where).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .claims import Claim
from .results import Bound, NeedsSamplingStage, NotEstimable, Results

REPRODUCED = "reproduced"
DEVIATES = "deviates"
NOT_REACHABLE = "not reachable from the released data"
NOT_ESTIMABLE = "not estimable from the released data"
NEEDS_SAMPLING = "needs the sampling stage"
INCONSISTENT = "paper inconsistent"
VERDICTS = (REPRODUCED, DEVIATES, NOT_REACHABLE, NOT_ESTIMABLE, NEEDS_SAMPLING, INCONSISTENT)


@dataclass(frozen=True)
class ClaimResult:
    """A checked claim: the replicated value (None when out of reach), the verdict and why."""

    claim: Claim
    replicated: Any
    verdict: str
    note: str
    tables_read: tuple[str, ...]


def format_number(value: float) -> str:
    """Four significant digits, plain where readable."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e6):
        return str(int(value))
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.4g}"
    return f"{value:.3e}"


def format_value(value: Any) -> str:
    """A paper or replicated value as one short string."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return "; ".join(f"{key} {format_value(item)}" for key, item in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value)


def describe_check(check: Mapping[str, Any]) -> str:
    """The check in words, e.g. 'value within ±0.05' or 'increasing (slack 0.01)'."""
    kind = check["kind"]
    if kind in ("value", "values"):
        tolerance = f"±{100 * check['tolerance']:g}%" if check.get("relative") else f"±{check['tolerance']:g}"
        return f"{'each value' if kind == 'values' else 'value'} within {tolerance}"
    if kind in ("increasing", "decreasing"):
        return f"{kind} (slack {check['slack']:g})"
    if kind == "sign":
        return f"{check['sign']} sign"
    if kind == "order":
        return "ascending order"
    return kind.replace("_", " ")


def _deviation(paper: float, replicated: float, check: Mapping[str, Any]) -> tuple[bool, str]:
    difference = replicated - paper
    allowed = check["tolerance"] * (abs(paper) if check.get("relative") else 1.0)
    within = abs(difference) <= allowed + 1e-12
    relative = f" ({100 * difference / paper:+.1f}%)" if paper else ""
    return within, f"{format_number(replicated)} vs {format_number(paper)}: {difference:+.4g}{relative}"


def judge(claim: Claim, replicated: Any) -> tuple[str, str]:
    """The verdict and its note for a computed replicated value."""
    check, paper = claim.check, claim.paper_value
    kind = check["kind"]
    if kind == "inconsistent":
        return INCONSISTENT, check["conflict"]
    if kind == "value":
        within, size = _deviation(float(paper), float(replicated), check)
        return (REPRODUCED, "") if within else (DEVIATES, f"deviates by {size}")
    if kind == "values":
        if len(paper) != len(replicated):
            raise ValueError(f"claim {claim.id}: {len(replicated)} replicated values for {len(paper)} paper values")
        outcomes = [_deviation(float(p), float(r), check) for p, r in zip(paper, replicated)]
        off = [size for within, size in outcomes if not within]
        return (REPRODUCED, "") if not off else (DEVIATES, "deviates by " + "; ".join(off))
    if kind == "interval":
        low, high = (float(bound) for bound in paper)
        value = float(replicated)
        if low <= value <= high:
            return REPRODUCED, ""
        distance = low - value if value < low else value - high
        return DEVIATES, f"{format_number(value)} lies {format_number(distance)} outside [{format_number(low)}, {format_number(high)}]"
    if kind in ("at_least", "at_most"):
        value, bound = float(replicated), float(paper)
        holds = value >= bound - 1e-9 if kind == "at_least" else value <= bound + 1e-9
        return (REPRODUCED, "") if holds else (DEVIATES, f"{format_number(value)} is {'below' if kind == 'at_least' else 'above'} the bound {format_number(bound)} by {format_number(abs(value - bound))}")
    if kind in ("increasing", "decreasing"):
        values = [float(value) for value in replicated]
        steps = [b - a for a, b in itertools.pairwise(values)]
        against = [-step if kind == "increasing" else step for step in steps]
        worst = max(against, default=0.0)
        net = values[-1] - values[0] if kind == "increasing" else values[0] - values[-1]
        if net <= check["slack"]:
            # A direction needs a net move, not only the absence of steps against it.
            return DEVIATES, f"no net {kind[:-3]}e over the {len(values)} values (from {format_number(values[0])} to {format_number(values[-1])})"
        if worst <= check["slack"] + 1e-12:
            return REPRODUCED, ""
        n_against = sum(step > check["slack"] for step in against)
        return DEVIATES, f"{n_against} of {len(steps)} steps go against the direction; the largest by {format_number(worst)}"
    if kind == "sign":
        value = float(replicated)
        holds = value > 0 if check["sign"] == "positive" else value < 0
        return (REPRODUCED, "") if holds else (DEVIATES, f"the value is {format_number(value)}, not {check['sign']}")
    if kind == "order":
        ascending = sorted(replicated, key=lambda name: replicated[name])
        return (REPRODUCED, "") if ascending == list(paper) else (DEVIATES, f"ascending order is {', '.join(ascending)}")
    raise ValueError(f"claim {claim.id}: unknown check kind {kind}")


def accepted_range(claim: Claim) -> tuple[float, float] | None:
    """(low, high) of the replicated values a numeric check accepts; None for other kinds."""
    check, paper = claim.check, claim.paper_value
    kind = check["kind"]
    if kind == "value":
        allowed = check["tolerance"] * (abs(float(paper)) if check.get("relative") else 1.0)
        return float(paper) - allowed, float(paper) + allowed
    if kind == "interval":
        return float(paper[0]), float(paper[1])
    if kind == "at_least":
        return float(paper), math.inf
    if kind == "at_most":
        return -math.inf, float(paper)
    return None


def beyond_bound(claim: Claim, bound: Bound) -> bool:
    """True when every value the claim's check accepts lies beyond `bound` (no fit can reach it)."""
    accepted = accepted_range(claim)
    if accepted is None:
        raise ValueError(f"claim {claim.id}: a bound needs a value, interval, at_least or at_most check, not {claim.check['kind']}")
    low, high = accepted
    return low > bound.value + 1e-12 if bound.side == "upper" else high < bound.value - 1e-12


def evaluate(claim: Claim, results: Results) -> ClaimResult:
    """Run the claim's computing function on the results and judge it; a deviation beyond the
    claim's bound (computed from the same results) is not reachable from the released data."""
    results.start_claim()
    try:
        replicated = claim.function(results)
    except NotEstimable as reason:
        return ClaimResult(claim, None, NOT_ESTIMABLE, str(reason), tuple(results.read))
    except NeedsSamplingStage as reason:
        return ClaimResult(claim, None, NEEDS_SAMPLING, str(reason), tuple(results.read))
    if isinstance(replicated, float) and math.isnan(replicated):
        raise ValueError(f"claim {claim.id}: {claim.compute} returned NaN; it must raise NotEstimable with the reason instead")
    verdict, note = judge(claim, replicated)
    if verdict == DEVIATES and claim.bound_function is not None:
        try:
            bound = claim.bound_function(results)
        except NotEstimable:
            bound = None  # the data hold too little to bound the value: the deviation stands
        if bound is not None and beyond_bound(claim, bound):
            verdict = NOT_REACHABLE
            low, high = accepted_range(claim)
            needs = f"at least {format_number(low)}" if bound.side == "upper" else f"at most {format_number(high)}"
            note = f"{bound.why}: {bound.side} bound {format_number(bound.value)}, where the paper's value needs {needs} ({note})"
    return ClaimResult(claim, replicated, verdict, note, tuple(results.read))
