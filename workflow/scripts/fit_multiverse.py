"""Rule fit_multiverse: point fits and backtests of every checkpoint subset of one benchmark under one
over-training exclusion, both estimators (the refits of the multiverse)."""

import time

import pandas as pd

from scalingrepro.generative import fitting, likelihood, multiverse, pythia
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
started = time.perf_counter()
checkpoints = pythia.checkpoint_table(snakemake.params.outcomes)
gold = None
gold_file_exclusions = None
with exit_on_input_error():
    if "gold" in snakemake.input.keys():
        gold = likelihood.load_gold_neg_log_likelihood(snakemake.input.gold, checkpoints)
    if "overtraining_reference" in snakemake.input.keys():
        reference = likelihood.load_gold_neg_log_likelihood(snakemake.input.overtraining_reference, checkpoints)
        gold_file_exclusions = pythia.gold_file_overtrained(reference[["size", "step"]].drop_duplicates(), checkpoints)
pass_at_k = pd.read_csv(snakemake.input.pass_at_k)
problem_pass_at_k = pd.read_parquet(snakemake.input.problem_pass_at_k)
data = {estimator: fitting.benchmark_data(pass_at_k, problem_pass_at_k, checkpoints, estimator, gold) for estimator in snakemake.params.estimators}
excluded = multiverse.exclusions(snakemake.wildcards.exclusion, snakemake.params.outcomes, gold_file_exclusions)
settings = dict(snakemake.params.backtest)
settings["screening"] = (settings["screening"]["iterations"], settings["screening"]["kept"])
fits, backtests = multiverse.fit_subsets(data, snakemake.params.subsets, excluded, snakemake.params.fit_laws, snakemake.params.backtest_laws, settings)
fits.to_csv(snakemake.output.fits, index=False)
backtests.to_csv(snakemake.output.backtest, index=False)
log.info("%s, %s exclusion (%d checkpoints excluded): %d fits, %d backtest rows", snakemake.wildcards.benchmark, snakemake.wildcards.exclusion, len(excluded), len(fits), len(backtests))
log.info("done in %.1f s", time.perf_counter() - started)
