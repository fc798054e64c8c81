"""Rule combine_fits: one benchmark's fits.csv (and diagnostics, variants) from its per-estimator parts."""

import pandas as pd

from scalingrepro.pipeline import logs

log = logs.configure(snakemake.log[0])
for name in ("fits", "diagnostics", "variants"):
    table = pd.concat([pd.read_csv(path) for path in snakemake.input[name]], ignore_index=True)
    table.to_csv(snakemake.output[name], index=False)
    log.info("%s: %d rows from %d parts", name, len(table), len(snakemake.input[name]))
