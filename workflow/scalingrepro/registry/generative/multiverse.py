"""Paper G across the multiverse of analysis choices: the claims × specifications figure (supplementary)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...pipeline import paths
from ..target import Target

MULTIVERSE_NOTEBOOK = str(paths.NOTEBOOKS / "generative_multiverse.ipynb")


def multiverse_targets(config: Mapping[str, Any]) -> list[Target]:
    """generative_figS12: every paper-G claim under every specification, coloured by verdict."""
    multiverse = config["generative"]["multiverse"]
    choices = " × ".join(
        f"{len(values)} {name}"
        for name, values in (
            ("checkpoint subsets", multiverse["checkpoint_subsets"]),
            ("over-training exclusions", multiverse["overtraining_exclusions"]),
            ("estimators", config["generative"]["passk"]["estimators"]),
            ("horizon definitions", multiverse["horizons"]),
            ("minimum residual dof", multiverse["min_residual_dof"]),
        )
    )
    return [
        Target(
            id="generative_figS12",
            kind="figure",
            slug="claims_across_the_multiverse",
            notebook=MULTIVERSE_NOTEBOOK,
            inputs={"verdicts": str(paths.multiverse("verdicts.csv")), "specifications": str(paths.multiverse("specifications.csv"))},
            caption=f"Every paper-G claim (rows; in brackets the specifications reproducing it) judged under each specification of the analysis "
            f"(columns: {choices}), coloured by verdict; the box marks the configured analysis.",
        )
    ]
