"""Rule combine_sampled_outcomes: a benchmark's outcomes table from every sampled checkpoint (replaces the released one)."""

import pandas as pd

from scalingrepro.generative import outcomes
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
table = pd.concat([pd.read_parquet(path) for path in snakemake.input.outcomes], ignore_index=True)
with exit_on_input_error():
    table = outcomes.sort_outcomes(outcomes.validate(table, "sampled outcomes of " + snakemake.wildcards.benchmark), snakemake.params.registry)
table.to_parquet(snakemake.output.outcomes, index=False)
log.info("%s: %d checkpoints, %d problems, %d samples", snakemake.wildcards.benchmark, len(table[["size", "step"]].drop_duplicates()), table["problem_idx"].nunique(), table["n_samples"].sum())
