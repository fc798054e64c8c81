"""Rule estimate_sampling_cost: App. C's sampling-cost arithmetic for one benchmark."""

from scalingrepro.generative import outcomes
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    table = outcomes.read_outcomes(snakemake.input.outcomes)
cost = outcomes.sampling_cost_table(table, snakemake.params.cost, snakemake.wildcards.benchmark, list(snakemake.params.size_order))
cost.to_csv(snakemake.output.cost, index=False)
totals = cost[(cost["size"] == "total") & (cost["unit"] == "A100-hours")].iloc[0]
log.info("%s: total A100-hours by reading: %s", snakemake.wildcards.benchmark, totals.drop(["size", "unit"]).dropna().to_dict())
