"""The Pythia checkpoint registry of paper G: sizes, steps, nominal N and D, C = 6ND, exclusions.

Everything comes from the `generative.outcomes` config section (see the schema for the
meaning and the source of each value); nothing here is a constant of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# C ≈ 6ND (Kaplan et al. 2020), the approximation paper G uses.
FLOP_PER_PARAMETER_TOKEN = 6.0

CHECKPOINT_COLUMNS = ["size", "step", "params", "tokens", "compute", "hf_repo", "excluded"]

_SUFFIX_MULTIPLIERS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_NICKNAME = re.compile(r"^Pythia_(?P<size>[0-9.]+[MB])_(?P<tokens>[0-9.]+[KMBT])$")


def parse_magnitude(label: str) -> float:
    """'1.4B' -> 1.4e9, '512M' -> 5.12e8: a number with a K/M/B/T suffix, as in Pythia names."""
    match = re.fullmatch(r"([0-9]*\.?[0-9]+)([KMBT])", label.strip())
    if match is None:
        raise ValueError(f"not a magnitude with a K/M/B/T suffix: {label!r}")
    return float(match.group(1)) * _SUFFIX_MULTIPLIERS[match.group(2)]


def parse_nickname(nickname: str) -> tuple[str, float] | None:
    """'Pythia_1.4B_20B' -> ('1.4B', 2e10); None if the name does not follow Pythia_<size>_<tokens>."""
    match = _NICKNAME.fullmatch(nickname)
    if match is None:
        return None
    return match.group("size"), parse_magnitude(match.group("tokens"))


def excluded_keys(outcomes_config: Mapping[str, Any]) -> set[tuple[str, int]]:
    """The (size, step) pairs listed in `excluded_checkpoints`."""
    return {(str(entry["size"]), int(entry["step"])) for entry in outcomes_config.get("excluded_checkpoints", [])}


def is_excluded(size: str, step: int, outcomes_config: Mapping[str, Any]) -> bool:
    """Whether checkpoint (size, step) is on the configured exclusion list (kept out of fits by default)."""
    return (str(size), int(step)) in excluded_keys(outcomes_config)


def checkpoint_table(outcomes_config: Mapping[str, Any]) -> pd.DataFrame:
    """Every registered checkpoint: size, step, params (N), tokens (D), compute (6ND), hf_repo, excluded.

    Takes the `generative.outcomes` config section; returns one row per (size, step), sizes in
    registry order (ascending N), steps ascending. `excluded` marks the configured exclusions.
    """
    sizes = pd.DataFrame(outcomes_config["pythia"]["sizes"])[["size", "params", "hf_repo"]]
    steps = pd.DataFrame(outcomes_config["pythia"]["steps"])[["step", "tokens"]]
    table = sizes.merge(steps, how="cross")
    table["size"] = table["size"].astype(str)
    table["step"] = table["step"].astype(np.int64)
    table["params"] = table["params"].astype(float)
    table["tokens"] = table["tokens"].astype(float)
    table["compute"] = FLOP_PER_PARAMETER_TOKEN * table["params"] * table["tokens"]
    exclusions = excluded_keys(outcomes_config)
    table["excluded"] = [(size, step) in exclusions for size, step in zip(table["size"], table["step"])]
    return table[CHECKPOINT_COLUMNS].sort_values(["params", "step"], kind="stable").reset_index(drop=True)


def size_order(outcomes_config: Mapping[str, Any]) -> list[str]:
    """Size labels in ascending parameter count, e.g. ['14M', '70M', ..., '12B']."""
    sizes = sorted(outcomes_config["pythia"]["sizes"], key=lambda entry: float(entry["params"]))
    return [str(entry["size"]) for entry in sizes]


def hf_revision(step: int) -> str:
    """The Hugging Face branch holding a Pythia checkpoint, e.g. 143000 -> 'step143000'."""
    return f"step{int(step)}"


@dataclass(frozen=True)
class CheckpointSelection:
    """Which checkpoints a fit uses: steps from `min_step` on, none of `dropped_steps`, and none of
    the `excluded` (size, step) pairs."""

    min_step: int = 1
    dropped_steps: tuple[int, ...] = ()
    excluded: frozenset[tuple[str, int]] = frozenset()

    def keeps(self, sizes: Sequence[str], steps: Sequence[int]) -> np.ndarray:
        """(n,) True where checkpoint (size, step) enters the fit."""
        steps = np.asarray(steps, dtype=np.int64)
        chosen = (steps >= self.min_step) & ~np.isin(steps, np.asarray(self.dropped_steps, dtype=np.int64))
        return chosen & np.array([(str(size), int(step)) not in self.excluded for size, step in zip(sizes, steps)], dtype=bool)

    def keeps_table(self, checkpoints: pd.DataFrame) -> np.ndarray:
        """`keeps` for a table with `size` and `step` columns."""
        return self.keeps(checkpoints["size"].astype(str).to_numpy(), checkpoints["step"].to_numpy())


def fit_selection(outcomes_config: Mapping[str, Any], fit_config: Mapping[str, Any]) -> CheckpointSelection:
    """The configured selection: generative.fit.min_step, and generative.outcomes.excluded_checkpoints
    when generative.fit.apply_exclusions is on."""
    excluded = frozenset(excluded_keys(outcomes_config)) if fit_config["apply_exclusions"] else frozenset()
    return CheckpointSelection(min_step=int(fit_config["min_step"]), excluded=excluded)


def gold_file_overtrained(gold_checkpoints: pd.DataFrame, checkpoints: pd.DataFrame) -> frozenset[tuple[str, int]]:
    """The over-training exclusion the gold-likelihood file implies: for each size the file covers,
    every registered checkpoint after the file's last step of that size.

    gold_checkpoints: rows with `size, step` (the checkpoints of the gold file); checkpoints: the
    registry (`checkpoint_table`). The released GSM8K file holds one checkpoint per size (14M at step
    10000, 70M and 160M at 30000, 410M at 100000, the rest at the last step), read as the authors'
    choice of each size's last checkpoint before it over-trains.
    """
    last_step = gold_checkpoints.assign(size=gold_checkpoints["size"].astype(str)).groupby("size")["step"].max()
    later = checkpoints["size"].astype(str).map(last_step) < checkpoints["step"]
    return frozenset((str(size), int(step)) for size, step in zip(checkpoints.loc[later, "size"], checkpoints.loc[later, "step"]))
