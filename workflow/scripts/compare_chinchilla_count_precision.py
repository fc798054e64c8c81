"""Rule compare_chinchilla_count_precision: the tokens-per-parameter slope on printed vs exact formula counts."""

import pandas as pd

from scalingrepro.chinchilla import fit as chinchilla_fit
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.pipeline.validation import require_columns, require_positive

log = logs.configure(snakemake.log[0])
fit_config = snakemake.params.fit
formulas = ["standard", "best_fit"]
with exit_on_input_error():
    runs = pd.read_csv(snakemake.input.runs)
    columns = ["tokens", "loss"] + [f"{formula}_{precision}" for formula in formulas for precision in ("printed", "exact")]
    require_columns(runs, columns, snakemake.input.runs)
    require_positive(runs, columns, snakemake.input.runs)
settings = chinchilla_fit.FitSettings.from_config(fit_config)
table = chinchilla_fit.count_precision_slopes(runs, formulas, settings, int(fit_config["n_excluded_highest_loss"]))
table.to_csv(snakemake.output.slopes, index=False)
log.info("slopes per decade, printed vs exact counts:\n%s", table.to_string(index=False))
