"""Rule sampling_plan: jobs, samples, GPU-hours and dollars of sampling every checkpoint, before anything is spent."""

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.sampling.checkpoints import plan_table

log = logs.configure(snakemake.log[0])
table = plan_table(snakemake.params.sampling, snakemake.params.cost, snakemake.params.benchmarks, snakemake.params.sizes, snakemake.params.n_steps)
table.to_csv(snakemake.output.plan, index=False)
with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:,.1f}".format):
    text = table.to_string(index=False)
logs.console(log, "sampling plan (samples per problem between the stopping rule's minimum and maximum; also in %s):\n%s", snakemake.output.plan, text)
