"""Rule score_gold_likelihood: the summed and per-token log-likelihood of each gold solution given its prompt, for one checkpoint."""

import os

os.environ.update(snakemake.params.environment)  # prefetched weights, read offline; before any Hugging Face import

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.sampling.backends import load_backend
from scalingrepro.sampling.scoring import gold_likelihood_table

log = logs.configure(snakemake.log[0])
settings = snakemake.params.sampling
model, revision = snakemake.params.model
problems = pd.read_parquet(snakemake.input.problems)
backend = load_backend(settings["backend"], model, revision, settings["backends"][settings["backend"]])
table = gold_likelihood_table(backend, problems, snakemake.wildcards.size, int(snakemake.wildcards.step))
table.to_parquet(snakemake.output.gold, index=False)
log.info("%s %s step %s: %d gold solutions, mean NLL %.2f nats (%.3f per token)", snakemake.wildcards.benchmark, snakemake.wildcards.size, snakemake.wildcards.step, len(table), table["neg_log_likelihood"].mean(), table["neg_log_likelihood_per_token"].mean())
