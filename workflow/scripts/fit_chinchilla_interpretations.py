"""Rule fit_chinchilla_interpretations: the Chinchilla fit per parameter-count interpretation (§2, Fig. 2)."""

import time

import pandas as pd

from scalingrepro.chinchilla import fit as chinchilla_fit
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.pipeline.validation import require_columns, require_positive

log = logs.configure(snakemake.log[0])
fit_config = snakemake.params.fit
with exit_on_input_error():
    runs = pd.read_csv(snakemake.input.runs)
    columns = ["tokens", "loss"] + [chinchilla_fit.INTERPRETATION_COLUMNS[name] for name in fit_config["interpretations"]]
    require_columns(runs, columns, snakemake.input.runs)
    require_positive(runs, columns, snakemake.input.runs)
settings = chinchilla_fit.FitSettings.from_config(fit_config)
started = time.perf_counter()
fits, bands, slopes = chinchilla_fit.analyze_interpretations(runs, fit_config["interpretations"], settings, int(fit_config["n_excluded_highest_loss"]))
log.info("%d interpretations fitted with %d resamples in %.1f s", len(fits), settings.n_bootstraps, time.perf_counter() - started)
for row in fits.itertuples():
    log.info("%s: E=%.4f A=%.2f alpha=%.4f B=%.2f beta=%.4f", row.interpretation, row.E, row.A, row.alpha, row.B, row.beta)
fits.to_csv(snakemake.output.fits, index=False)
bands.to_csv(snakemake.output.tokens_per_parameter, index=False)
slopes.to_csv(snakemake.output.slopes, index=False)
