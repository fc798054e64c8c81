"""Rule score_gold_likelihood: the summed and per-token log-likelihood of each gold solution given its prompt, for one checkpoint."""

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.sampling.backends import load_backend

log = logs.configure(snakemake.log[0])
settings = snakemake.params.sampling
model, revision = snakemake.params.model
problems = pd.read_parquet(snakemake.input.problems)
backend = load_backend(settings["backend"], model, revision, settings["backends"][settings["backend"]])
rows = []
for problem in problems.itertuples(index=False):
    log_likelihood, n_tokens = backend.score(problem.prompt, problem.gold_continuation)
    rows.append((int(problem.problem_idx), -log_likelihood, n_tokens, -log_likelihood / n_tokens))
table = pd.DataFrame(rows, columns=["problem_idx", "neg_log_likelihood", "n_tokens", "neg_log_likelihood_per_token"])
table.insert(0, "step", int(snakemake.wildcards.step))
table.insert(0, "size", snakemake.wildcards.size)
table.to_parquet(snakemake.output.gold, index=False)
log.info("%s %s step %s: %d gold solutions, mean NLL %.2f nats (%.3f per token)", snakemake.wildcards.benchmark, snakemake.wildcards.size, snakemake.wildcards.step, len(table), table["neg_log_likelihood"].mean(), table["neg_log_likelihood_per_token"].mean())
