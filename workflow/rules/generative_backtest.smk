# Paper G: backtesting the three laws and parameter stability.

CONTRACT_TABLES += [paths.generative(benchmark, name) for benchmark in GENERATIVE_BENCHMARKS for name in ("backtest.csv", "stability.csv")]


rule backtest_law:
    input:
        unpack(backtest_gold_inputs),
        pass_at_k=rules.estimate_pass_at_k.output.benchmark,
        problem_pass_at_k=rules.estimate_pass_at_k.output.problems,
    output:
        backtest=str(paths.generative("{benchmark}", "backtest/{law}.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
        law="|".join(BACKTEST_SETTINGS["laws"]),
    params:
        outcomes=CHECKPOINT_SETTINGS,
        estimators=config["generative"]["passk"]["estimators"],
        target=BACKTEST_SETTINGS["target"],
        k_values=BACKTEST_SETTINGS["k_values"],
        gold_aggregate=config["generative"]["fit"]["gold_likelihood"]["aggregate"],
        selection=FIT_SELECTION,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("backtest_law", "{benchmark}_{law}")),
    script:
        "../scripts/backtest_law.py"


rule combine_backtests:
    input:
        backtests=lambda wildcards: [str(paths.generative(wildcards.benchmark, f"backtest/{law}.csv")) for law in backtest_laws(wildcards.benchmark)],
    output:
        backtest=str(paths.generative("{benchmark}", "backtest.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("combine_backtests", "{benchmark}")),
    localrule: True
    script:
        "../scripts/combine_backtests.py"


rule assess_backtest_stability:
    input:
        backtest=rules.combine_backtests.output.backtest,
        fits=rules.combine_fits.output.fits,
    output:
        stability=str(paths.generative("{benchmark}", "stability.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    params:
        stability=BACKTEST_SETTINGS["stability"],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("assess_backtest_stability", "{benchmark}")),
    localrule: True
    script:
        "../scripts/assess_backtest_stability.py"
