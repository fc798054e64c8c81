"""Rule combine_backtests: the per-law backtests of one benchmark as one table (backtest.csv)."""

import pandas as pd

from scalingrepro.pipeline import logs

log = logs.configure(snakemake.log[0])
tables = [pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in snakemake.input.backtests]
combined = pd.concat(tables, ignore_index=True)
combined["skip_reason"] = combined["skip_reason"].fillna("")
combined.to_csv(snakemake.output.backtest, index=False)
log.info("%d rows from %d laws", len(combined), len(tables))
