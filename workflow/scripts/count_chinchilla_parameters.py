"""Rule count_chinchilla_parameters: Eq. 1 and Eq. 3 counts and their relative errors (Eq. 2)."""

from scalingrepro.chinchilla import counts as chinchilla_counts
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    counts = chinchilla_counts.parameter_counts(chinchilla_counts.load_table_a9(snakemake.input.table_a9), snakemake.params.count_precision)
summary = chinchilla_counts.summarize_relative_errors(counts, snakemake.params.match_tolerance_pct)
counts.to_csv(snakemake.output.counts, index=False)
summary.to_csv(snakemake.output.summary, index=False)
log.info("relative errors:\n%s", summary.to_string(index=False))
