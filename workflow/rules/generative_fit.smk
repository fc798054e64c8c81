# Paper G: the three scaling laws fit per benchmark, estimator and k, with bootstrap over problems.

FIT_SETTINGS = config["generative"]["fit"]
FIT_ESTIMATORS = config["generative"]["passk"]["estimators"]

CONTRACT_TABLES += [paths.generative(benchmark, "fits.csv") for benchmark in GENERATIVE_BENCHMARKS]
CONTRACT_TABLES += [paths.generative(benchmark, "gold_likelihood.csv") for benchmark in GENERATIVE_BENCHMARKS if benchmark in GOLD_BENCHMARKS]


rule compute_gold_likelihood:
    input:
        gold=lambda wildcards: gold_file(wildcards.benchmark),
        problems=rules.estimate_pass_at_k.output.problems,
    output:
        gold=str(paths.generative("{benchmark}", "gold_likelihood.csv")),
    wildcard_constraints:
        benchmark="|".join(GOLD_BENCHMARKS) or "^$",
    params:
        outcomes=CHECKPOINT_SETTINGS,
        aggregate=FIT_SETTINGS["gold_likelihood"]["aggregate"],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("compute_gold_likelihood", "{benchmark}")),
    script:
        "../scripts/compute_gold_likelihood.py"


rule fit_scaling_laws:
    input:
        unpack(gold_inputs),
        unpack(overtraining_reference_inputs),
        pass_at_k=rules.estimate_pass_at_k.output.benchmark,
        problem_pass_at_k=rules.estimate_pass_at_k.output.problems,
    output:
        fits=str(paths.generative("{benchmark}", "fits/{estimator}.csv")),
        diagnostics=str(paths.generative("{benchmark}", "fits/{estimator}_diagnostics.csv")),
        variants=str(paths.generative("{benchmark}", "fits/{estimator}_variants.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
        estimator="|".join(FIT_ESTIMATORS),
    params:
        outcomes=CHECKPOINT_SETTINGS,
        # The keys the fits read, not the whole block: figure_k only shapes figures.
        laws=FIT_SETTINGS["laws"],
        bootstrap=FIT_SETTINGS["bootstrap"],
        gold_aggregate=FIT_SETTINGS["gold_likelihood"]["aggregate"],
        selection=FIT_SELECTION,
        # The smoke run's tiny models: the log says their failed fits are expected.
        tiny_models=uses_tiny_models(config),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("fit_scaling_laws", "{benchmark}_{estimator}")),
    script:
        "../scripts/fit_scaling_laws.py"


rule combine_fits:
    input:
        fits=expand(paths.generative("{{benchmark}}", "fits/{estimator}.csv"), estimator=FIT_ESTIMATORS),
        diagnostics=expand(paths.generative("{{benchmark}}", "fits/{estimator}_diagnostics.csv"), estimator=FIT_ESTIMATORS),
        variants=expand(paths.generative("{{benchmark}}", "fits/{estimator}_variants.csv"), estimator=FIT_ESTIMATORS),
    output:
        fits=str(paths.generative("{benchmark}", "fits.csv")),
        diagnostics=str(paths.generative("{benchmark}", "fit_diagnostics.csv")),
        variants=str(paths.generative("{benchmark}", "fit_variants.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("combine_fits", "{benchmark}")),
    localrule: True
    script:
        "../scripts/combine_fits.py"
