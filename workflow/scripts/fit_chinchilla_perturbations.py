"""Rule fit_chinchilla_perturbations: one shard of one perturbation sweep (§3, Figs. 4-5)."""

import time

import pandas as pd

from scalingrepro.chinchilla import fit as chinchilla_fit
from scalingrepro.chinchilla import perturb
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.pipeline.validation import require_columns, require_positive

log = logs.configure(snakemake.log[0])
fit_config, perturbation_config = snakemake.params.fit, snakemake.params.perturbations
counts_column = chinchilla_fit.INTERPRETATION_COLUMNS[perturbation_config["counts"]]
with exit_on_input_error():
    runs = pd.read_csv(snakemake.input.runs)
    require_columns(runs, ["tokens", "loss", counts_column], snakemake.input.runs)
    require_positive(runs, ["tokens", "loss", counts_column], snakemake.input.runs)
settings = chinchilla_fit.FitSettings.from_config(fit_config)
sweep = perturb.configurations(perturbation_config, (snakemake.wildcards.perturbation,))
shard = perturb.shard_configurations(sweep, int(snakemake.params.n_shards), int(snakemake.wildcards.shard))
n_shards, shard_index = int(snakemake.params.n_shards), int(snakemake.wildcards.shard)
# Named by sweep and shard, so that the parallel shards' counters read apart on the console.
progress = logs.Progress(log, f"{snakemake.wildcards.perturbation} sweep, shard {shard_index + 1} of {n_shards}", len(shard))
started = time.perf_counter()
fits, bands = perturb.analyze_configurations(
    runs,
    shard,
    counts_column,
    settings,
    int(fit_config["n_excluded_highest_loss"]),
    perturbation_config.get("noise_seed"),
    on_done=lambda configuration, valid, reason: progress.advance(f"{configuration.perturbation}={configuration.value:g} repeat {configuration.repeat}: valid={valid} {reason or ''}".rstrip()),
)
log.info("%d configurations in %.1f s (%d invalid)", len(fits), time.perf_counter() - started, int((~fits["valid"]).sum()))
fits.to_csv(snakemake.output.fits, index=False)
bands.to_csv(snakemake.output.tokens_per_parameter, index=False)
