# Paper G: canonical per-problem outcomes tables from the released sampling data.

GENERATIVE_BENCHMARKS = config["generative"]["outcomes"]["benchmarks"]

CONTRACT_TABLES += [paths.generative(benchmark, "outcomes.parquet") for benchmark in GENERATIVE_BENCHMARKS]


rule build_outcomes:
    input:
        released=lambda wildcards: source_path(config["generative"]["outcomes"]["sources"][wildcards.benchmark]),
    output:
        outcomes=str(paths.generative("{benchmark}", "outcomes.parquet")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    params:
        # Only the registry shapes this table; exclusions and problem sets act downstream.
        registry={"pythia": config["generative"]["outcomes"]["pythia"]},
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("build_outcomes", "{benchmark}")),
    script:
        "../scripts/build_outcomes.py"


rule estimate_sampling_cost:
    input:
        outcomes=rules.build_outcomes.output.outcomes,
    output:
        cost=str(paths.generative("{benchmark}", "sampling_cost.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    params:
        cost=config["generative"]["outcomes"]["sampling_cost"],
        size_order=[entry["size"] for entry in sorted(config["generative"]["outcomes"]["pythia"]["sizes"], key=lambda entry: float(entry["params"]))],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("estimate_sampling_cost", "{benchmark}")),
    script:
        "../scripts/estimate_sampling_cost.py"
