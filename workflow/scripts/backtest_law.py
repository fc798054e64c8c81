"""Rule backtest_law: one law on one benchmark, every estimator and backtest k, under every compute cap."""

import time

import numpy as np
import pandas as pd

from scalingrepro.generative import backtest, fitting, likelihood, pythia
from scalingrepro.generative.laws import LAWS
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
started = time.perf_counter()
law = LAWS[snakemake.wildcards.law]
checkpoints = pythia.checkpoint_table(snakemake.params.outcomes)
gold = None
if "gold" in snakemake.input.keys():
    with exit_on_input_error():
        gold = likelihood.load_gold_neg_log_likelihood(snakemake.input.gold, checkpoints)
pass_at_k = pd.read_csv(snakemake.input.pass_at_k)
problem_pass_at_k = pd.read_parquet(snakemake.input.problem_pass_at_k)
ks = np.asarray(snakemake.params.k_values, dtype=np.int64)

# The checkpoints, covariates and targets exactly as the full fits select them (scalingrepro.generative.fitting).
series_tables, target_rows, log_x, compute, keys = [], [], None, None, None
for estimator in snakemake.params.estimators:
    data = fitting.benchmark_data(pass_at_k, problem_pass_at_k, checkpoints, estimator, gold)
    columns = fitting.law_columns(law, data, pythia.fit_selection(snakemake.params.outcomes, snakemake.params.selection))
    chosen = data.checkpoints.iloc[columns].reset_index(drop=True)
    if keys is None:
        keys = chosen[["size", "step"]]
        log_x = fitting.law_log_covariates(law, data, columns, snakemake.params.gold_aggregate)
        compute = chosen["compute"].to_numpy(dtype=float)
    elif not keys.equals(chosen[["size", "step"]]):
        raise ValueError(f"estimators disagree on the checkpoints of the {law.name} law")
    missing = sorted(set(ks.tolist()) - set(data.ks.tolist()))
    if missing:
        raise ValueError(f"backtest k values {missing} are not on the pass@k grid; add them to generative.passk.k_grid")
    rows = pd.Index(data.ks).get_indexer(ks)
    target_rows.append(data.targets[rows][:, columns])
    series_tables.append(pd.DataFrame({"estimator": estimator, "k": ks}))
series = pd.concat(series_tables, ignore_index=True)
targets = np.concatenate(target_rows, axis=0)
target_index = backtest.target_position(keys, snakemake.params.target)
log.info("%s law: %d checkpoints (target %s), %d series", law.name, len(keys), dict(snakemake.params.target), len(series))

table = backtest.backtest_law(law, log_x, compute, targets, target_index, series)
table.to_csv(snakemake.output.backtest, index=False)
counts = table["skip_reason"].replace("", "fitted").value_counts()
log.info("%d caps x %d series: %s; %d fits on an exponent bound", table["c_max"].nunique(), len(series), counts.to_dict(), int(table["at_bound"].sum()))
log.info("done in %.1f s", time.perf_counter() - started)
