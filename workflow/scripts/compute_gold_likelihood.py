"""Rule compute_gold_likelihood: −log GoldProb_B per checkpoint over the benchmark's problems (Eq. 5)."""

import pandas as pd

from scalingrepro.generative import likelihood, pythia
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
checkpoints = pythia.checkpoint_table(snakemake.params.outcomes)
with exit_on_input_error():
    gold = likelihood.load_gold_neg_log_likelihood(snakemake.input.gold, checkpoints)
problems = pd.read_parquet(snakemake.input.problems, columns=["problem_idx"])["problem_idx"].unique()
table = likelihood.benchmark_gold_table(gold, checkpoints, problems)
table["neg_log_gold_prob"] = table[f"neg_log_gold_prob_{snakemake.params.aggregate}"]
table.to_csv(snakemake.output.gold, index=False)
log.info("gold likelihoods over %d problems (aggregate %s):\n%s", len(problems), snakemake.params.aggregate, table.to_string(index=False))
