"""Rule build_chinchilla_runs: Epoch AI's runs with tokens and the Table A9 counts of their model."""

import pandas as pd

from scalingrepro.chinchilla import counts as chinchilla_counts
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    epoch_runs = chinchilla_counts.load_epoch_runs(snakemake.input.epoch_runs)
    runs = chinchilla_counts.runs_table(epoch_runs, pd.read_csv(snakemake.input.counts), source=snakemake.input.epoch_runs)
runs.to_csv(snakemake.output.runs, index=False)
log.info("%d runs mapped to Table A9 models", len(runs))
