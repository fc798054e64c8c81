"""The figure registry: every paper figure and table, the notebook that draws it and its inputs.

`paper.smk` generates one named rule per entry (`snakemake chinchilla_fig01`), and `rule all`
asks for every entry's outputs. Entries are grouped by paper in the submodules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .chinchilla import chinchilla_targets
from .generative import generative_targets
from .target import Target

__all__ = ["Target", "all_targets"]


def all_targets(config: Mapping[str, Any]) -> list[Target]:
    """Every registered figure and table, in paper order; ids are unique."""
    targets = chinchilla_targets(config) + generative_targets(config)
    ids = [target.id for target in targets]
    duplicated = sorted({target_id for target_id in ids if ids.count(target_id) > 1})
    if duplicated:
        raise ValueError(f"figure registry: duplicate target ids {duplicated}")
    return targets
