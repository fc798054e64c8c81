# Paper G's multiverse: every claim judged under each combination of defensible analysis choices.

from scalingrepro.verdict.claims import CLAIMS
from scalingrepro.verdict.multiverse import multiverse_inputs

MULTIVERSE_TABLES = [str(paths.multiverse(name)) for name in ("specifications.csv", "verdicts.csv")]
CONTRACT_TABLES += MULTIVERSE_TABLES


rule fit_multiverse:
    input:
        unpack(multiverse_gold_inputs),
        pass_at_k=rules.estimate_pass_at_k.output.benchmark,
        problem_pass_at_k=rules.estimate_pass_at_k.output.problems,
    output:
        fits=str(paths.multiverse("{benchmark}/{exclusion}/fits.csv")),
        backtest=str(paths.multiverse("{benchmark}/{exclusion}/backtest.csv")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
        exclusion="|".join(MULTIVERSE_SETTINGS["overtraining_exclusions"]),
    params:
        outcomes=CHECKPOINT_SETTINGS,
        estimators=config["generative"]["passk"]["estimators"],
        subsets=MULTIVERSE_SETTINGS["checkpoint_subsets"],
        fit_laws=config["generative"]["fit"]["laws"],
        backtest_laws=BACKTEST_SETTINGS["laws"],
        backtest={
            "k_values": BACKTEST_SETTINGS["k_values"],
            "target": BACKTEST_SETTINGS["target"],
            "gold_aggregate": config["generative"]["fit"]["gold_likelihood"]["aggregate"],
            "caps_per_decade": MULTIVERSE_SETTINGS["caps_per_decade"],
            "screening": MULTIVERSE_SETTINGS["screening"],
        },
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("fit_multiverse", "{benchmark}_{exclusion}")),
    script:
        "../scripts/fit_multiverse.py"


rule judge_multiverse:
    input:
        unpack(lambda wildcards: overtraining_reference_inputs(wildcards)),
        claims=CLAIMS,
        fits=multiverse_fit_outputs("fits.csv"),
        backtests=multiverse_fit_outputs("backtest.csv"),
        tables=multiverse_inputs(config),
    output:
        specifications=MULTIVERSE_TABLES[0],
        verdicts=MULTIVERSE_TABLES[1],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("judge_multiverse")),
    script:
        "../scripts/judge_multiverse.py"


rule multiverse:
    input:
        MULTIVERSE_TABLES,
