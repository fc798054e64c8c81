"""Paper G: full fits of the three laws and their parameters vs k (Figs. 1-2, 4, 6, 11-14, 16, 18, 20-22, §7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .target import Target


def fit_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of this part of paper G."""
    return []
