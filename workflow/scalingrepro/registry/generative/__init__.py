"""Registered outputs of paper G (Pretraining Scaling Laws for Generative Evaluations)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..target import Target
from .backtest import backtest_targets
from .fits import fit_targets
from .multiverse import multiverse_targets
from .samples import sampling_targets


def generative_targets(config: Mapping[str, Any]) -> list[Target]:
    """Paper G's figures and tables."""
    return sampling_targets(config) + fit_targets(config) + backtest_targets(config) + multiverse_targets(config)
