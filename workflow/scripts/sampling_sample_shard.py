"""Rule sample_completions: one (benchmark, checkpoint, shard) sampling job, resumable from its batch records."""

import os

os.environ.update(snakemake.params.environment)  # prefetched weights, read offline; before any Hugging Face import
from pathlib import Path

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.sampling import sampler
from scalingrepro.sampling.backends import backend_dtype, load_backend
from scalingrepro.sampling.grading import Grader
from scalingrepro.sampling.scoring import gold_likelihood_table

log = logs.configure(snakemake.log[0])
settings = snakemake.params.sampling
benchmark = snakemake.wildcards.benchmark
prompt_settings = settings["prompts"][benchmark]
shard = int(snakemake.params.shard)
all_problems = pd.read_parquet(snakemake.input.problems)
problems = sampler.shard_of(all_problems, shard, int(snakemake.params.n_shards))
rule = sampler.stopping_rule(settings["budget"])
model, revision = snakemake.params.model
records = Path(snakemake.params.records)
backend_settings = settings["backends"][settings["backend"]]
run_settings = sampler.run_settings(
    model, revision, benchmark, settings["prompts"]["version"], settings["seed"], rule, prompt_settings["max_new_tokens"], prompt_settings["stop"], settings["retain_completions_per_problem"],
    problems=problems, backend=settings["backend"], dtype=backend_dtype(settings["backend"], backend_settings),
)
with exit_on_input_error(), sampler.shard_lock(records), Grader(workers=settings["grading"]["workers"], timeout_seconds=settings["grading"]["timeout_seconds"]) as grader:
    sampler.open_records(records, run_settings)
    already = sum(len(batches) for batches in sampler.read_records(records, rule).values())
    log.info("%s %s step %s shard %s: %d problems, %d batch records already there", benchmark, snakemake.wildcards.size, snakemake.wildcards.step, shard, len(problems), already)
    grader.start()  # before the engine: forking after it has started threads is unsafe
    backend = load_backend(settings["backend"], model, revision, backend_settings)
    sampler.sample_problems(problems, backend, grader, rule, settings["seed"], prompt_settings["max_new_tokens"], prompt_settings["stop"], settings["retain_completions_per_problem"], records, sampler.Progress(len(problems), emit=log.info), schedule=settings["schedule"])
    counts, completions = sampler.shard_tables(records, problems, rule)
    if "gold" in snakemake.output.keys():
        gold = gold_likelihood_table(backend, all_problems, snakemake.wildcards.size, int(snakemake.wildcards.step))
        gold.to_parquet(snakemake.output.gold, index=False)
        log.info("scored %d gold solutions with the sampling engine, mean NLL %.2f nats", len(gold), gold["neg_log_likelihood"].mean())
counts.to_parquet(snakemake.output.counts, index=False)
completions.to_parquet(snakemake.output.completions, index=False, compression="zstd")
log.info("done: %d samples, %d correct", counts["n_samples"].sum(), counts["n_correct"].sum())
