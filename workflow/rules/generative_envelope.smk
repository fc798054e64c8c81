# Paper G: the compute-optimal envelope and the misallocation penalty.

ENVELOPE_SETTINGS = config["generative"]["envelope"]

CONTRACT_TABLES += [paths.generative(benchmark, name) for benchmark in GENERATIVE_BENCHMARKS for name in ("envelope.csv", "misallocation.csv")]


rule compute_envelope:
    input:
        fits=rules.combine_fits.output.fits,
        pass_at_k=rules.estimate_pass_at_k.output.benchmark,
    output:
        envelope=str(paths.generative("{benchmark}", "envelope.csv")),
        misallocation=str(paths.generative("{benchmark}", "misallocation.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    params:
        flop_per_parameter_token=ENVELOPE_SETTINGS["flop_per_parameter_token"],
        outcomes=CHECKPOINT_SETTINGS,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("compute_envelope", "{benchmark}")),
    localrule: True
    script:
        "../scripts/compute_envelope.py"
