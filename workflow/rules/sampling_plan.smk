# Paper G from scratch: what sampling every checkpoint costs, before anything is spent
# (`snakemake sampling_plan`).


rule sampling_plan:
    output:
        plan=str(sampling_locations.plan()),
    params:
        sampling=SAMPLING,
        cost=config["generative"]["outcomes"]["sampling_cost"],
        benchmarks=GENERATIVE_BENCHMARKS,
        sizes=[str(entry["size"]) for entry in sorted(SAMPLING_SIZES.values(), key=lambda entry: float(entry["params"]))],
        n_steps={benchmark: len(sampling_steps(benchmark)) for benchmark in GENERATIVE_BENCHMARKS},
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("sampling_plan")),
    localrule: True
    script:
        "../scripts/sampling_plan.py"
