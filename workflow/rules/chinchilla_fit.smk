# Paper C §2-3: Chinchilla fits with bootstrap uncertainty, tokens per parameter, perturbations.
# One job for the interpretations and one per perturbation sweep (the noise sweep in shards),
# so independent configurations run in parallel; a last job combines the sweeps.

from scalingrepro.chinchilla.perturb import PERTURBATIONS, shard_count

CHINCHILLA_FIT = config["chinchilla"]["fit"]
CHINCHILLA_PERTURBATIONS = config["chinchilla"]["perturbations"]
# Every (perturbation, shard) job of the sweep; only the 187-configuration noise sweep is split.
PERTURBATION_SHARDS = [(kind, shard) for kind in PERTURBATIONS for shard in range(shard_count(kind, CHINCHILLA_PERTURBATIONS))]
# The perturbation fits use every fit setting except the list of interpretations fit in §2.
PERTURBATION_FIT = {key: value for key, value in CHINCHILLA_FIT.items() if key != "interpretations"}

CONTRACT_TABLES += [
    paths.chinchilla(name)
    for name in (
        "fits.csv",
        "tokens_per_parameter.csv",
        "tokens_per_parameter_slopes.csv",
        "perturbation_fits.csv",
        "perturbation_tokens_per_parameter.csv",
        "count_precision_slopes.csv",
    )
]


rule fit_chinchilla_interpretations:
    input:
        runs=rules.build_chinchilla_runs.output.runs,
    output:
        fits=str(paths.chinchilla("fits.csv")),
        tokens_per_parameter=str(paths.chinchilla("tokens_per_parameter.csv")),
        slopes=str(paths.chinchilla("tokens_per_parameter_slopes.csv")),
    params:
        fit=CHINCHILLA_FIT,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("fit_chinchilla_interpretations")),
    script:
        "../scripts/fit_chinchilla_interpretations.py"


rule fit_chinchilla_perturbations:
    input:
        runs=rules.build_chinchilla_runs.output.runs,
    output:
        fits=str(paths.chinchilla_perturbation_shard("{perturbation}", "{shard}", "fits.csv")),
        tokens_per_parameter=str(paths.chinchilla_perturbation_shard("{perturbation}", "{shard}", "tokens_per_parameter.csv")),
    wildcard_constraints:
        perturbation="|".join(PERTURBATIONS),
        shard=r"\d+",
    params:
        fit=PERTURBATION_FIT,
        perturbations=lambda wildcards: perturbation_sweep_settings(wildcards.perturbation),
        n_shards=lambda wildcards: shard_count(wildcards.perturbation, CHINCHILLA_PERTURBATIONS),
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("fit_chinchilla_perturbations", "{perturbation}_{shard}")),
    script:
        "../scripts/fit_chinchilla_perturbations.py"


rule combine_chinchilla_perturbations:
    input:
        runs=rules.build_chinchilla_runs.output.runs,
        interpretation_fits=rules.fit_chinchilla_interpretations.output.fits,
        interpretation_slopes=rules.fit_chinchilla_interpretations.output.slopes,
        fits=[str(paths.chinchilla_perturbation_shard(kind, shard, "fits.csv")) for kind, shard in PERTURBATION_SHARDS],
        tokens_per_parameter=[str(paths.chinchilla_perturbation_shard(kind, shard, "tokens_per_parameter.csv")) for kind, shard in PERTURBATION_SHARDS],
    output:
        fits=str(paths.chinchilla("perturbation_fits.csv")),
        tokens_per_parameter=str(paths.chinchilla("perturbation_tokens_per_parameter.csv")),
        slopes=str(paths.chinchilla("perturbation_slopes.csv")),
        predictions=str(paths.chinchilla("perturbation_predictions.csv")),
        agreement=str(paths.chinchilla("perturbation_agreement.csv")),
        power_law=str(paths.chinchilla("systematic_bias_power_law.csv")),
        trends=str(paths.chinchilla("perturbation_trends.csv")),
        trend_summary=str(paths.chinchilla("perturbation_trend_summary.csv")),
        bands=str(paths.chinchilla("perturbation_realistic_bands.csv")),
    params:
        n_excluded_highest_loss=CHINCHILLA_FIT["n_excluded_highest_loss"],
        perturbations={key: CHINCHILLA_PERTURBATIONS[key] for key in ("counts", "realistic_relative_error", "agreement_standard_errors")},
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("combine_chinchilla_perturbations")),
    script:
        "../scripts/combine_chinchilla_perturbations.py"


rule compare_chinchilla_count_precision:
    input:
        runs=rules.build_chinchilla_runs.output.runs,
    output:
        slopes=str(paths.chinchilla("count_precision_slopes.csv")),
    params:
        fit=CHINCHILLA_FIT,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("compare_chinchilla_count_precision")),
    script:
        "../scripts/compare_chinchilla_count_precision.py"
