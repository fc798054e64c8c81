"""Rule estimate_pass_at_k: per-problem and benchmark pass@k of one benchmark under each estimator."""

from scalingrepro.generative import outcomes, passk
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    table = outcomes.read_outcomes(snakemake.input.outcomes)
selected = outcomes.select_problem_set(table, snakemake.params.problem_set)
log.info("problem set %r: %d of %d problems", snakemake.params.problem_set, selected["problem_idx"].nunique(), table["problem_idx"].nunique())
problems, priors = passk.problem_pass_at_k(
    selected, snakemake.params.k_values, snakemake.params.estimators, snakemake.params.prior_log10_bounds
)
benchmark = passk.benchmark_pass_at_k(problems)
problems.to_parquet(snakemake.output.problems, index=False)
benchmark.to_csv(snakemake.output.benchmark, index=False)
priors.to_csv(snakemake.output.priors, index=False)
estimable = benchmark[benchmark["n_problems_estimable"] == benchmark["n_problems"]]
log.info(
    "%d per-problem rows, %d benchmark rows; (checkpoint, k) estimable by estimator: %s; priors at the search bound: %d",
    len(problems),
    len(benchmark),
    estimable.groupby("estimator").size().to_dict(),
    int(priors["at_bound"].sum()),
)
