# Paper G: per-problem and benchmark pass@k under both estimators.

from scalingrepro.generative.passk import k_grid

CONTRACT_TABLES += [
    paths.generative(benchmark, name)
    for benchmark in GENERATIVE_BENCHMARKS
    for name in ("problem_pass_at_k.parquet", "pass_at_k.csv")
]


rule estimate_pass_at_k:
    input:
        outcomes=rules.build_outcomes.output.outcomes,
    output:
        problems=str(paths.generative("{benchmark}", "problem_pass_at_k.parquet")),
        benchmark=str(paths.generative("{benchmark}", "pass_at_k.csv")),
        priors=str(paths.generative("{benchmark}", "beta_priors.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    params:
        k_values=[int(k) for k in k_grid(config["generative"]["passk"])],
        estimators=config["generative"]["passk"]["estimators"],
        prior_log10_bounds=config["generative"]["passk"]["beta_prior_log10_bounds"],
        problem_set=config["generative"]["outcomes"]["problem_set"],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("estimate_pass_at_k", "{benchmark}")),
    script:
        "../scripts/estimate_pass_at_k.py"
