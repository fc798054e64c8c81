"""Every paper-G claim judged under each specification of the multiverse (scalingrepro.generative.multiverse).

A specification's results are the run's tables with the fit-dependent ones (fits, backtest,
stability, envelope, misallocation) replaced by the specification's own, and the configuration's
choices set to the specification's; the claim functions and checks are the claims table's own.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..generative import envelope, multiverse
from ..generative.pythia import checkpoint_table
from ..pipeline import paths
from .checks import evaluate, format_value
from .claims import Claim
from .results import Results

VERDICT_COLUMNS = ["claim_id", "specification", "replicated_value", "verdict"]
# The run's tables a specification replaces with its own.
SPECIFICATION_TABLES = ("fits.csv", "backtest.csv", "stability.csv", "envelope.csv", "misallocation.csv")
# The run's tables a specification reads as they are (they do not depend on the fits).
SHARED_TABLES = ("outcomes.parquet", "pass_at_k.csv", "sampling_cost.csv")


class SpecificationResults(Results):
    """The results of one specification: `tables` ((benchmark, name) -> table) over the run's."""

    def __init__(self, root: str | Path, config: Mapping[str, Any], selection, tables: Mapping[tuple[str, str], pd.DataFrame]):
        super().__init__(root, config, selection)
        self._cache.update({paths.generative(benchmark, name): table for (benchmark, name), table in tables.items()})


def specification_config(config: Mapping[str, Any], specification: multiverse.Specification) -> dict[str, Any]:
    """The configuration with the specification's choices: default estimator, horizon, minimum dof and minimum step."""
    chosen = copy.deepcopy(dict(config))
    generative = chosen["generative"]
    generative["passk"]["default_estimator"] = specification.estimator
    generative["backtest"]["stability"]["horizon"] = specification.horizon
    generative["backtest"]["stability"]["min_residual_dof"] = specification.min_residual_dof
    generative["fit"]["min_step"] = generative["multiverse"]["checkpoint_subsets"][specification.checkpoint_subset]["min_step"]
    return chosen


def specification_tables(
    specification: multiverse.Specification,
    fits: Mapping[tuple[str, str], pd.DataFrame],
    backtests: Mapping[tuple[str, str], pd.DataFrame],
    pass_at_k: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    memo: dict | None = None,
) -> dict[tuple[str, str], pd.DataFrame]:
    """(benchmark, table name) -> the specification's fits, backtest, stability, envelope and misallocation.

    fits, backtests: (benchmark, exclusion) -> the fit_multiverse tables; pass_at_k: benchmark -> pass_at_k.csv.
    memo: a dict shared across specifications, so that tables which do not depend on the estimator
    or the horizon definition are computed once.
    """
    memo = {} if memo is None else memo
    flop = config["generative"]["envelope"]["flop_per_parameter_token"]
    stability_settings = config["generative"]["backtest"]["stability"]
    subset, exclusion, dof = specification.checkpoint_subset, specification.overtraining_exclusion, specification.min_residual_dof
    tables = {}
    for benchmark, chosen_exclusion in fits:
        if chosen_exclusion != exclusion:
            continue
        key = (benchmark, subset, exclusion)
        if key not in memo:
            all_fits, backtest = fits[(benchmark, exclusion)], backtests[(benchmark, exclusion)]
            chosen_fits = all_fits[all_fits["checkpoint_subset"] == subset].drop(columns="checkpoint_subset")
            chosen_backtest = backtest[backtest["checkpoint_subset"] == subset].drop(columns="checkpoint_subset")
            checkpoints = pass_at_k[benchmark][["size", "step", "params", "tokens", "compute"]].drop_duplicates(["size", "step"])
            memo[key] = {
                "fits.csv": chosen_fits,
                "backtest.csv": chosen_backtest,
                "envelope.csv": envelope.envelope_table(chosen_fits, flop),
                "misallocation.csv": envelope.misallocation_table(checkpoints.assign(size=checkpoints["size"].astype(str)), chosen_fits, flop),
            }
        if (*key, dof) not in memo:
            memo[(*key, dof)] = multiverse.stability(memo[key]["backtest.csv"], memo[key]["fits.csv"], stability_settings, dof)
        tables.update({(benchmark, name): table for name, table in memo[key].items()})
        tables[(benchmark, "stability.csv")] = memo[(*key, dof)]
    return tables


def specification_selection(config: Mapping[str, Any], specification: multiverse.Specification, gold_file_exclusions):
    """The checkpoints a specification fits."""
    generative = config["generative"]
    excluded = multiverse.exclusions(specification.overtraining_exclusion, generative["outcomes"], gold_file_exclusions)
    return multiverse.subset_selection(generative["multiverse"]["checkpoint_subsets"][specification.checkpoint_subset], excluded)


def judge_multiverse(
    claims: Sequence[Claim],
    root: str | Path,
    config: Mapping[str, Any],
    fits: Mapping[tuple[str, str], pd.DataFrame],
    backtests: Mapping[tuple[str, str], pd.DataFrame],
    gold_file_exclusions,
) -> pd.DataFrame:
    """claim_id, specification, replicated_value, verdict: every paper-G claim under every specification."""
    reader = Results(root, config)
    benchmarks = config["generative"]["outcomes"]["benchmarks"]
    shared = {(benchmark, name): reader.generative(benchmark, name) for benchmark in benchmarks for name in SHARED_TABLES}
    pass_at_k = {benchmark: shared[(benchmark, "pass_at_k.csv")] for benchmark in benchmarks}
    rows, memo = [], {}
    for specification in multiverse.specifications(config["generative"]):
        tables = {**shared, **specification_tables(specification, fits, backtests, pass_at_k, config, memo)}
        results = SpecificationResults(root, specification_config(config, specification), specification_selection(config, specification, gold_file_exclusions), tables)
        for claim in claims:
            if claim.paper != "generative":
                continue
            result = evaluate(claim, results)
            rows.append({"claim_id": claim.id, "specification": specification.name, "replicated_value": format_value(result.replicated), "verdict": result.verdict})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def multiverse_inputs(config: Mapping[str, Any]) -> list[str]:
    """The run's tables the specifications read as they are."""
    return [str(paths.generative(benchmark, name)) for benchmark in config["generative"]["outcomes"]["benchmarks"] for name in SHARED_TABLES]


def gold_file_choice(reference_path: str | Path | None, outcomes_config: Mapping[str, Any]):
    """The gold file's over-training exclusion (scalingrepro.generative.pythia.gold_file_overtrained), None without a file."""
    if reference_path is None:
        return None
    from ..generative.likelihood import load_gold_neg_log_likelihood
    from ..generative.pythia import gold_file_overtrained

    checkpoints = checkpoint_table(outcomes_config)
    reference = load_gold_neg_log_likelihood(reference_path, checkpoints)
    return gold_file_overtrained(reference[["size", "step"]].drop_duplicates(), checkpoints)
