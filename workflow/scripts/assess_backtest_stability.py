"""Rule assess_backtest_stability: parameter-stability and relative-error horizons (stability.csv)."""

import pandas as pd

from scalingrepro.generative import backtest
from scalingrepro.pipeline import logs

log = logs.configure(snakemake.log[0])
settings = snakemake.params.stability
table = pd.read_csv(snakemake.input.backtest)
table["skip_reason"] = table["skip_reason"].fillna("")
fits = pd.read_csv(snakemake.input.fits)
stability = backtest.stability_table(
    table,
    fits,
    relative_tolerance=settings["relative_tolerance"],
    absolute_tolerances=settings["absolute_tolerance"],
    relative_error_tolerance=settings["relative_error_tolerance"],
    min_residual_dof=settings["min_residual_dof"],
)
stability.to_csv(snakemake.output.stability, index=False)
summary = stability.groupby(["law", "estimator", "parameter"])["stable_orders"].median().unstack("parameter")
log.info("median stable orders over k:\n%s", summary.to_string())
