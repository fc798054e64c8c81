"""Rule combine_chinchilla_perturbations: the sweeps' tables, App. C predictions and diagnostics."""

import pandas as pd

from scalingrepro import chinchilla_fit, logs, perturb

log = logs.configure(snakemake.log[0])
fit_config, perturbation_config = snakemake.params.fit, snakemake.params.perturbations
runs = pd.read_csv(snakemake.input.runs)
kept = chinchilla_fit.kept_runs(runs, int(fit_config["n_excluded_highest_loss"]))
true_counts = kept[chinchilla_fit.INTERPRETATION_COLUMNS[perturbation_config["counts"]]].to_numpy(dtype=float)
interpretation_fits = pd.read_csv(snakemake.input.interpretation_fits).set_index("interpretation")
baseline = interpretation_fits.loc[perturbation_config["counts"], list(chinchilla_fit.PARAMETER_NAMES)].to_dict()
baseline_slope = float(pd.read_csv(snakemake.input.interpretation_slopes).set_index("interpretation").loc[perturbation_config["counts"], "slope_per_decade"])

fits = perturb.sort_sweep(pd.concat([pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in snakemake.input.fits], ignore_index=True))
fits["reason"] = fits["reason"].fillna("")
bands = perturb.sort_sweep(pd.concat([pd.read_csv(path) for path in snakemake.input.tokens_per_parameter], ignore_index=True), extra=["compute"])
slopes = perturb.slopes_table(bands)
predictions = perturb.predictions_table(fits, baseline, true_counts)
agreement = perturb.agreement_table(fits, predictions, n_standard_errors=float(perturbation_config["agreement_standard_errors"]))
bias = fits[(fits["perturbation"] == "systematic_bias") & fits["valid"]]
power_law = perturb.fit_power_law(bias["value"].to_numpy(), bias["alpha"].to_numpy())
trends = perturb.trend_table(fits, slopes, bands)
relative_error = float(perturbation_config["realistic_relative_error"])
summary = perturb.trend_summary(trends, true_counts, relative_error, baseline_slope)
realistic = pd.DataFrame(
    [{"perturbation": kind, "relative_error": relative_error, **dict(zip(("low", "high"), perturb.realistic_band(kind, true_counts, relative_error)))} for kind in perturb.PERTURBATIONS]
)

fits.to_csv(snakemake.output.fits, index=False)
bands.to_csv(snakemake.output.tokens_per_parameter, index=False)
slopes.to_csv(snakemake.output.slopes, index=False)
predictions.to_csv(snakemake.output.predictions, index=False)
agreement.to_csv(snakemake.output.agreement, index=False)
pd.DataFrame([power_law.__dict__]).to_csv(snakemake.output.power_law, index=False)
trends.to_csv(snakemake.output.trends, index=False)
summary.to_csv(snakemake.output.trend_summary, index=False)
realistic.to_csv(snakemake.output.bands, index=False)
log.info("%d configurations, %d invalid; alpha-hat = 10^%.3f s^%.3f (R² %.5f)", len(fits), int((~fits["valid"]).sum()), power_law.log10_prefactor, power_law.exponent, power_law.r_squared)
