"""Rule fit_scaling_laws: every law at every k for one benchmark and estimator, with the bootstrap."""

import time

import pandas as pd

from scalingrepro.generative import fitting, likelihood, pythia
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.sampling.source import TINY_MODELS_NOTE

log = logs.configure(snakemake.log[0])
estimator = snakemake.wildcards.estimator
started = time.perf_counter()
checkpoints = pythia.checkpoint_table(snakemake.params.outcomes)
gold = None
if "gold" in snakemake.input.keys():
    with exit_on_input_error():
        gold = likelihood.load_gold_neg_log_likelihood(snakemake.input.gold, checkpoints)
gold_file_exclusions = None
if "overtraining_reference" in snakemake.input.keys():
    with exit_on_input_error():
        reference = likelihood.load_gold_neg_log_likelihood(snakemake.input.overtraining_reference, checkpoints)
    gold_file_exclusions = pythia.gold_file_overtrained(reference[["size", "step"]].drop_duplicates(), checkpoints)
selection = pythia.fit_selection(snakemake.params.outcomes, snakemake.params.selection)
data = fitting.benchmark_data(
    pd.read_csv(snakemake.input.pass_at_k),
    pd.read_parquet(snakemake.input.problem_pass_at_k),
    checkpoints,
    estimator,
    gold,
)
log.info("%s: %d checkpoints, %d problems, %d k values", estimator, len(data.checkpoints), len(data.problems), len(data.ks))
consistency = fitting.point_target_discrepancy(data)
log.info("max |Eq. 2 from per-problem pass@k − pass_at_k.csv| over checkpoints and k: %.3g", consistency)
bootstrap = snakemake.params.bootstrap
fits, diagnostics = fitting.fit_benchmark(
    data,
    snakemake.params.laws,
    estimator,
    n_resamples=bootstrap["resamples"],
    seed=bootstrap["seed"],
    quantiles=tuple(bootstrap["quantiles"]),
    gold_aggregate=snakemake.params.gold_aggregate,
    selection=selection,
)
log.info("fits with %d resamples done after %.1f s", bootstrap["resamples"], time.perf_counter() - started)
selections = fitting.selection_variants(selection, frozenset(pythia.excluded_keys(snakemake.params.outcomes)), gold_file_exclusions)
variants = fitting.fit_variants(data, snakemake.params.laws, estimator, snakemake.params.gold_aggregate, selections)
fits.to_csv(snakemake.output.fits, index=False)
diagnostics.to_csv(snakemake.output.diagnostics, index=False)
variants.to_csv(snakemake.output.variants, index=False)
failed = fits[~fits["converged"]]
if len(failed):
    # Which (law, k) failed, and what becomes of them, in one line of the job's log.
    failed_ks = "; ".join(f"{law} at k = {', '.join(str(k) for k in group['k'])}" for law, group in failed.groupby("law", sort=False))
    log.info(
        "%d of %d fits did not converge (%s): their parameters are NaN, their panels read 'fit failed' and the "
        "parameter-vs-k figures leave them out (fit_diagnostics.csv counts each fit's points and converged resamples)",
        len(failed),
        len(fits),
        failed_ks,
    )
if snakemake.params.tiny_models:
    logs.console(log, "%s %s: %d of %d fits did not converge (%s)", snakemake.wildcards.benchmark, estimator, len(failed), len(fits), TINY_MODELS_NOTE)
log.info("done in %.1f s", time.perf_counter() - started)
