"""Rule build_outcomes: the canonical outcomes table of one benchmark from the released data."""

from scalingrepro.generative import outcomes
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    released = outcomes.read_released(snakemake.input.released)
    table = outcomes.from_released(released, snakemake.wildcards.benchmark, snakemake.params.registry, source=snakemake.input.released)
table.to_parquet(snakemake.output.outcomes, index=False)
log.info(
    "%s: %d released rows -> %d (checkpoint, problem) rows, %d checkpoints, %d problems, %d samples",
    snakemake.wildcards.benchmark,
    len(released),
    len(table),
    len(table[["size", "step"]].drop_duplicates()),
    table["problem_idx"].nunique(),
    table["n_samples"].sum(),
)
