"""Rule combine_checkpoint_outcomes: one checkpoint's outcomes (the outcomes.parquet schema) and retained completions."""

import pandas as pd

from scalingrepro.generative import outcomes, pythia
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
benchmark, size, step = snakemake.wildcards.benchmark, snakemake.wildcards.size, int(snakemake.wildcards.step)
checkpoints = pythia.checkpoint_table(snakemake.params.registry)
checkpoint = checkpoints[(checkpoints["size"] == size) & (checkpoints["step"] == step)].iloc[0]
counts = pd.concat([pd.read_parquet(path) for path in snakemake.input.counts], ignore_index=True)
table = counts.assign(benchmark=benchmark, size=size, step=step, params=checkpoint["params"], tokens=checkpoint["tokens"], compute=checkpoint["compute"])
with exit_on_input_error():
    table = outcomes.sort_outcomes(outcomes.validate(table, f"sampling shards of {benchmark} {size} step {step}"), snakemake.params.registry)
table.to_parquet(snakemake.output.outcomes, index=False)
completions = pd.concat([pd.read_parquet(path) for path in snakemake.input.completions], ignore_index=True)
completions = completions.assign(benchmark=benchmark, size=size, step=step).sort_values(["problem_idx", "batch_index", "sample_index"], kind="stable")
completions.to_parquet(snakemake.output.completions, index=False, compression="zstd")
log.info("%s %s step %d: %d problems, %d samples, %d correct, %d completions retained", benchmark, size, step, len(table), table["n_samples"].sum(), table["n_correct"].sum(), len(completions))
