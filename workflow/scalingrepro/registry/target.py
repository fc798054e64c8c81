"""One registered paper output: a figure (pdf + png) or a table (csv + tex)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..pipeline import paths

PAPER_NAMES = ("generative", "chinchilla")


@dataclass(frozen=True)
class Target:
    """A figure or table of a paper, drawn by a parameterized notebook.

    id: `<paper>_figNN` or `<paper>_tableNN` (NN as numbered in the paper), optionally with a
        suffix for a variant (e.g. `generative_fig01_beta_binomial`); it names the rule.
    slug: a few words saying what it shows; part of the file name.
    notebook: the notebook under notebooks/ that draws it.
    inputs: notebook parameter name -> path of a results table it reads (a rule input).
    parameters: further notebook parameters (plain values).
    caption: one or two sentences for the Snakemake report.
    """

    id: str
    kind: Literal["figure", "table"]
    slug: str
    notebook: str
    inputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    caption: str = ""

    def __post_init__(self) -> None:
        if self.paper not in PAPER_NAMES:
            raise ValueError(f"target {self.id}: id must start with one of {PAPER_NAMES}")

    @property
    def paper(self) -> str:
        return self.id.split("_", 1)[0]

    @property
    def output_stem(self) -> Path:
        """The output path without suffix: paper/figures/<id>_<slug> or paper/tables/<id>_<slug>."""
        folder = paths.FIGURES if self.kind == "figure" else paths.TABLES
        return folder / f"{self.id}_{self.slug}"

    @property
    def outputs(self) -> list[str]:
        suffixes = paths.FIGURE_SUFFIXES if self.kind == "figure" else paths.TABLE_SUFFIXES
        return [str(self.output_stem) + suffix for suffix in suffixes]

    @property
    def notebook_parameters(self) -> dict[str, Any]:
        """What papermill injects: the input paths, the output stem and the extra parameters."""
        return {**self.inputs, "output_stem": str(self.output_stem), **self.parameters}
