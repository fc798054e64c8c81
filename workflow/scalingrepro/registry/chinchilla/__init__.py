"""Registered outputs of paper C (Evaluating the Robustness of Chinchilla Compute-Optimal Scaling)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...pipeline import paths
from ..target import Target
from .fit import chinchilla_fit_targets

PARAMETER_COUNTS_NOTEBOOK = str(paths.NOTEBOOKS / "chinchilla_parameter_counts.ipynb")


def chinchilla_targets(config: Mapping[str, Any]) -> list[Target]:
    """Paper C's figures and tables."""
    return parameter_count_targets(config) + chinchilla_fit_targets(config)


def parameter_count_targets(config: Mapping[str, Any]) -> list[Target]:
    """§2: Fig. 1 and Tables 1-2."""
    counts = {"parameter_counts": str(paths.chinchilla("parameter_counts.csv"))}
    match_tolerance = {"match_tolerance_pct": config["chinchilla"]["match_tolerance_pct"]}
    return [
        Target(
            id="chinchilla_fig01",
            kind="figure",
            slug="parameter_count_relative_error",
            notebook=PARAMETER_COUNTS_NOTEBOOK,
            inputs=counts,
            parameters={"view": "relative_error_figure", **match_tolerance},
            caption="Relative error (Eq. 2) of the standard-formula (left, Eq. 1) and best-fit-formula "
            "(right, Eq. 3) parameter counts against the counts reported in Chinchilla's Table A9, "
            "for each of the 50 models.",
        ),
        Target(
            id="chinchilla_table01",
            kind="table",
            slug="parameter_count_interpretations_snippet",
            notebook=PARAMETER_COUNTS_NOTEBOOK,
            inputs=counts,
            parameters={"view": "snippet_table", "snippet_rows": 3, **match_tolerance},
            caption="The three interpretations of Chinchilla's parameter counts (millions) for the "
            "three smallest and three largest models.",
        ),
        Target(
            id="chinchilla_table02",
            kind="table",
            slug="parameter_count_interpretations",
            notebook=PARAMETER_COUNTS_NOTEBOOK,
            inputs=counts,
            parameters={"view": "full_table", **match_tolerance},
            caption="Table A9 of Hoffmann et al. with the reported, best-fit-formula and "
            "standard-formula parameter counts (millions) of all 50 models.",
        ),
    ]
