"""Paper G's multiverse: the analysis choices a reader could defend, and the fits each one needs.

A specification is one combination of checkpoint subset × over-training exclusion × pass@k
estimator × horizon definition × minimum residual dof (generative.multiverse). The first three
choose the data a law is fit to, so they refit: point fits at every k (no bootstrap) and backtests
of every law. The last two only read those backtests differently (`backtest.stability_table`),
so they are derived from the same fits. Both estimators of a (subset, exclusion) are fit in one
pass, and subsets that select the same checkpoints of a benchmark (MATH has no step 256) share
their fits.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import backtest, fitting
from .laws import ALL_PARAMETER_NAMES, LAWS
from .pythia import CheckpointSelection, excluded_keys

CHOICES = ["checkpoint_subset", "overtraining_exclusion", "estimator", "horizon", "min_residual_dof"]
SPECIFICATION_COLUMNS = ["specification", *CHOICES, "refit", "default"]
FIT_COLUMNS = ["checkpoint_subset", "law", "estimator", "k", *ALL_PARAMETER_NAMES, "sse_log", "n_points", "converged"]


@dataclass(frozen=True)
class Specification:
    """One combination of the analysis choices."""

    checkpoint_subset: str
    overtraining_exclusion: str
    estimator: str
    horizon: str
    min_residual_dof: int

    @property
    def name(self) -> str:
        """A readable id, e.g. 'from_step_1000 · configured · beta_binomial · stays_below · dof ≥ 1'."""
        return f"{self.checkpoint_subset} · {self.overtraining_exclusion} · {self.estimator} · {self.horizon} · dof ≥ {self.min_residual_dof}"

    @property
    def refit_key(self) -> tuple[str, str, str]:
        """The choices that change the data a law is fit to."""
        return self.checkpoint_subset, self.overtraining_exclusion, self.estimator


def specifications(generative_config: Mapping[str, Any]) -> list[Specification]:
    """Every combination of generative.multiverse's choices (estimators: generative.passk.estimators)."""
    multiverse = generative_config["multiverse"]
    return [
        Specification(subset, exclusion, estimator, horizon, int(dof))
        for subset, exclusion, estimator, horizon, dof in itertools.product(
            multiverse["checkpoint_subsets"], multiverse["overtraining_exclusions"], generative_config["passk"]["estimators"],
            multiverse["horizons"], multiverse["min_residual_dof"],
        )
    ]


def default_specification(generative_config: Mapping[str, Any]) -> Specification:
    """The specification of the configured analysis; ValueError when the multiverse lacks it."""
    fit, stability = generative_config["fit"], generative_config["backtest"]["stability"]
    subsets = [name for name, subset in generative_config["multiverse"]["checkpoint_subsets"].items() if subset["min_step"] == fit["min_step"] and not subset["dropped_steps"]]
    default = Specification(subsets[0] if subsets else "", "configured", generative_config["passk"]["default_estimator"], stability["horizon"], int(stability["min_residual_dof"]))
    if default not in specifications(generative_config):
        raise ValueError(f"generative.multiverse does not hold the configured analysis {default}: add its choices")
    return default


def specification_table(generative_config: Mapping[str, Any]) -> pd.DataFrame:
    """One row per specification, one column per choice; `refit` marks the first specification of each
    refit (subset, exclusion, estimator), `default` the configured analysis."""
    default = default_specification(generative_config)
    rows, seen = [], set()
    for specification in specifications(generative_config):
        rows.append({"specification": specification.name, **{choice: getattr(specification, choice) for choice in CHOICES}, "refit": specification.refit_key not in seen, "default": specification == default})
        seen.add(specification.refit_key)
    return pd.DataFrame(rows, columns=SPECIFICATION_COLUMNS)


def exclusions(name: str, outcomes_config: Mapping[str, Any], gold_file_exclusions: frozenset[tuple[str, int]] | None) -> frozenset[tuple[str, int]]:
    """The excluded (size, step) pairs of an over-training exclusion: `configured`, or `gold_file`
    (the configured ones plus the gold file's choice); ValueError for gold_file without a gold file."""
    listed = frozenset(excluded_keys(outcomes_config))
    if name == "configured":
        return listed
    if gold_file_exclusions is None:
        raise ValueError("the gold_file over-training exclusion needs the gold-likelihood file of generative.fit.overtraining_reference")
    return listed | gold_file_exclusions


def subset_selection(subset: Mapping[str, Any], excluded: frozenset[tuple[str, int]]) -> CheckpointSelection:
    """The checkpoints of one subset of generative.multiverse.checkpoint_subsets under `excluded`."""
    return CheckpointSelection(min_step=int(subset["min_step"]), dropped_steps=tuple(int(step) for step in subset["dropped_steps"]), excluded=excluded)


def point_fits(data: fitting.BenchmarkData, laws: Sequence[str], estimator: str, selection: CheckpointSelection, gold_aggregate: str) -> pd.DataFrame:
    """Point fits (no bootstrap) of every law at every k of `data`: law, estimator, k, parameters, sse_log, n_points, converged."""
    fits, _ = fitting.fit_benchmark(data, laws, estimator, n_resamples=0, seed=0, gold_aggregate=gold_aggregate, selection=selection)
    return fits[FIT_COLUMNS[1:]]


def backtests(
    data_by_estimator: Mapping[str, fitting.BenchmarkData],
    law_name: str,
    selection: CheckpointSelection,
    k_values: Sequence[int],
    target: Mapping[str, Any],
    gold_aggregate: str,
    caps_per_decade: int,
    screening: tuple[int, int],
) -> pd.DataFrame:
    """The backtest of one law under `selection`, every estimator's k_values as series (the table of
    `backtest.backtest_table`), on caps thinned to caps_per_decade with a screened multi-start."""
    law = LAWS[law_name]
    data = next(iter(data_by_estimator.values()))
    columns = fitting.law_columns(law, data, selection)
    chosen = data.checkpoints.iloc[columns].reset_index(drop=True)
    log_x = fitting.law_log_covariates(law, data, columns, gold_aggregate)
    rows = pd.Index(data.ks).get_indexer(np.asarray(k_values, dtype=np.int64))
    targets = np.concatenate([estimator_data.targets[rows][:, columns] for estimator_data in data_by_estimator.values()])
    series = pd.DataFrame([(estimator, int(k)) for estimator in data_by_estimator for k in k_values], columns=["estimator", "k"])
    index = backtest.target_position(chosen, target)
    return backtest.backtest_law(law, log_x, chosen["compute"].to_numpy(dtype=float), targets, index, series, caps_per_decade, screening)


def fit_subsets(
    data_by_estimator: Mapping[str, fitting.BenchmarkData],
    subsets: Mapping[str, Mapping[str, Any]],
    excluded: frozenset[tuple[str, int]],
    fit_laws: Sequence[str],
    backtest_laws: Sequence[str],
    settings: Mapping[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fits, backtests) of every checkpoint subset under one exclusion, both with a leading
    `checkpoint_subset` column; a subset selecting the same checkpoints as an earlier one reuses its fits.

    settings: k_values, target, gold_aggregate, caps_per_decade, screening (iterations, kept).
    """
    data = next(iter(data_by_estimator.values()))
    fits, tests, done = [], [], {}
    for name, subset in subsets.items():
        selection = subset_selection(subset, excluded)
        key = tuple(np.flatnonzero(selection.keeps_table(data.checkpoints)))
        if key not in done:
            subset_fits = pd.concat([point_fits(estimator_data, fit_laws, estimator, selection, settings["gold_aggregate"]) for estimator, estimator_data in data_by_estimator.items()], ignore_index=True)
            present = [law for law in backtest_laws if law in set(subset_fits["law"])]
            subset_tests = pd.concat(
                [backtests(data_by_estimator, law, selection, settings["k_values"], settings["target"], settings["gold_aggregate"], settings["caps_per_decade"], settings["screening"]) for law in present],
                ignore_index=True,
            )
            done[key] = (subset_fits, subset_tests)
        subset_fits, subset_tests = done[key]
        fits.append(subset_fits.assign(checkpoint_subset=name)[FIT_COLUMNS])
        tests.append(subset_tests.assign(checkpoint_subset=name)[["checkpoint_subset", *subset_tests.columns]])
    return pd.concat(fits, ignore_index=True), pd.concat(tests, ignore_index=True)


def stability(backtest_rows: pd.DataFrame, fits: pd.DataFrame, stability_settings: Mapping[str, Any], min_residual_dof: int) -> pd.DataFrame:
    """stability.csv of one specification, from its backtests and fits (`backtest.stability_table`)."""
    return backtest.stability_table(
        backtest_rows.assign(skip_reason=backtest_rows["skip_reason"].fillna("")),
        fits,
        relative_tolerance=stability_settings["relative_tolerance"],
        absolute_tolerances=stability_settings["absolute_tolerance"],
        relative_error_tolerance=stability_settings["relative_error_tolerance"],
        min_residual_dof=min_residual_dof,
    )
