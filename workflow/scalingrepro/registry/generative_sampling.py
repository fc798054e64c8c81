"""Paper G: pass@k and sampling figures/tables (Figs. 9-10, Tables 1-2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .target import Target


def sampling_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of this part of paper G."""
    return []
