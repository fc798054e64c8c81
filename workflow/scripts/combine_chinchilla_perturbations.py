"""Rule combine_chinchilla_perturbations: the sweeps' tables, App. C predictions and diagnostics."""

import pandas as pd

from scalingrepro.chinchilla import perturb
from scalingrepro.pipeline import logs

log = logs.configure(snakemake.log[0])
tables = perturb.summarize_sweep(
    runs=pd.read_csv(snakemake.input.runs),
    interpretation_fits=pd.read_csv(snakemake.input.interpretation_fits),
    interpretation_slopes=pd.read_csv(snakemake.input.interpretation_slopes),
    fits=pd.concat([pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in snakemake.input.fits], ignore_index=True),
    bands=pd.concat([pd.read_csv(path) for path in snakemake.input.tokens_per_parameter], ignore_index=True),
    n_excluded=int(snakemake.params.n_excluded_highest_loss),
    perturbation_config=snakemake.params.perturbations,
)
for name, table in tables.items():
    table.to_csv(getattr(snakemake.output, name), index=False)
fits, power_law = tables["fits"], tables["power_law"].iloc[0]
log.info(
    "%d configurations, %d invalid; alpha-hat = 10^%.3f s^%.3f (R² %.5f)",
    len(fits), int((~fits["valid"]).sum()), power_law.log10_prefactor, power_law.exponent, power_law.r_squared,
)
