"""Paper C §2-3: the Chinchilla fit per interpretation and the four perturbations (Figs. 2-5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .target import Target


def chinchilla_fit_targets(config: Mapping[str, Any]) -> list[Target]:
    """Registered figures and tables of the Chinchilla fits and perturbations."""
    return []
