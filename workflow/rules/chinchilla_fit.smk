# Paper C §2-3: Chinchilla fits with bootstrap uncertainty, tokens per parameter, perturbations.
# One job for the interpretations and one per perturbation sweep (the noise sweep in shards),
# so independent configurations run in parallel; a last job combines the sweeps.

from scalingrepro.perturb import PERTURBATIONS

CHINCHILLA_FIT = config["chinchilla"]["fit"]
CHINCHILLA_PERTURBATIONS = config["chinchilla"]["perturbations"]

CONTRACT_TABLES += [
    paths.chinchilla(name)
    for name in (
        "fits.csv",
        "tokens_per_parameter.csv",
        "tokens_per_parameter_slopes.csv",
        "perturbation_fits.csv",
        "perturbation_tokens_per_parameter.csv",
    )
]


def perturbation_shards(perturbation):
    """How many jobs a perturbation's sweep is split into (only the 187-configuration noise sweep is split)."""
    return int(CHINCHILLA_PERTURBATIONS["noise_shards"]) if perturbation == "log_normal_noise" else 1


def perturbation_shard_outputs(name):
    """Every shard's partial table `name`, for the combining rule."""
    return [
        str(paths.chinchilla_perturbation_shard(perturbation, shard, name))
        for perturbation in PERTURBATIONS
        for shard in range(perturbation_shards(perturbation))
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
        fit=CHINCHILLA_FIT,
        perturbations=CHINCHILLA_PERTURBATIONS,
        n_shards=lambda wildcards: perturbation_shards(wildcards.perturbation),
    log:
        str(paths.log("fit_chinchilla_perturbations", "{perturbation}_{shard}")),
    script:
        "../scripts/fit_chinchilla_perturbations.py"


rule combine_chinchilla_perturbations:
    input:
        runs=rules.build_chinchilla_runs.output.runs,
        interpretation_fits=rules.fit_chinchilla_interpretations.output.fits,
        interpretation_slopes=rules.fit_chinchilla_interpretations.output.slopes,
        fits=perturbation_shard_outputs("fits.csv"),
        tokens_per_parameter=perturbation_shard_outputs("tokens_per_parameter.csv"),
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
        fit=CHINCHILLA_FIT,
        perturbations=CHINCHILLA_PERTURBATIONS,
    log:
        str(paths.log("combine_chinchilla_perturbations")),
    script:
        "../scripts/combine_chinchilla_perturbations.py"
