"""Paper G: backtesting and the compute-optimal envelope (Figs. 3, 5, 7, 8, 15, 17, 19)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .target import Target


def backtest_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of this part of paper G."""
    return []
