"""Reading the pipeline's results tables for the claim functions, and the two ways a claim can
be out of reach of the released data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..generative.pythia import CheckpointSelection, fit_selection
from ..pipeline import paths
from ..pipeline.errors import InputError


class NotEstimable(Exception):
    """The released data cannot support the claim's quantity; the message says why."""


class NeedsSamplingStage(Exception):
    """The claim needs data only the sampling stages produce (e.g. MATH gold likelihoods)."""


@dataclass(frozen=True)
class Bound:
    """A limit the released data put on a claim's replicated value under any fit.

    value: the bound; side: `upper` (no fit gives more) or `lower` (no fit gives less); why: how
    the data set it, in a sentence that names the number.
    """

    value: float
    side: str
    why: str


class Results:
    """The results tables under `root` (a repository root), read once each.

    `read` records every table a claim function reads, so the verdict can name its inputs and
    a test can tell a function that reads results from one that returns a constant.
    """

    def __init__(self, root: str | Path, config: Mapping[str, Any], selection: CheckpointSelection | None = None):
        self.root = Path(root)
        self.config = config
        # The checkpoints the fits use: the configured selection unless a specification sets its own.
        self.selection = selection or fit_selection(config["generative"]["outcomes"], config["generative"]["fit"])
        self._cache: dict[Path, pd.DataFrame] = {}
        # Views of the tables that many claims filter alike (a law's fits, its stability rows), by key.
        self.views: dict[tuple, pd.DataFrame] = {}
        self.read: list[str] = []

    def table(self, relative: str | Path) -> pd.DataFrame:
        """A results table (csv or parquet) by its path relative to the repository root."""
        relative = Path(relative)
        if relative not in self._cache:
            path = self.root / relative
            if not path.is_file():
                raise InputError(
                    str(path),
                    "this results table does not exist, so the claims reading it cannot be checked.",
                    "build it first (`snakemake --cores all`), or run the claim check from the repository root that holds results/.",
                )
            self._cache[relative] = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        if str(relative) not in self.read:
            self.read.append(str(relative))
        return self._cache[relative]

    def chinchilla(self, name: str) -> pd.DataFrame:
        return self.table(paths.chinchilla(name))

    def generative(self, benchmark: str, name: str) -> pd.DataFrame:
        return self.table(paths.generative(benchmark, name))

    def has_generative(self, benchmark: str, name: str) -> bool:
        return (self.root / paths.generative(benchmark, name)).is_file()

    def start_claim(self) -> None:
        """Forget which tables were read (the cache stays): call before each claim function."""
        self.read = []
