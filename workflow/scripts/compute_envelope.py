"""Rule compute_envelope: the Eq. 4 envelope beside the Eq. 3 fits, and every checkpoint's misallocation."""

import pandas as pd

from scalingrepro.generative import envelope, pythia
from scalingrepro.pipeline import logs

log = logs.configure(snakemake.log[0])
c = snakemake.params.flop_per_parameter_token
fits = pd.read_csv(snakemake.input.fits)
checkpoints = pd.read_csv(snakemake.input.pass_at_k)[["size", "step", "params", "tokens", "compute"]].drop_duplicates(["size", "step"])
checkpoints = checkpoints.assign(size=checkpoints["size"].astype(str))
table = envelope.envelope_table(fits, c)
misallocation = envelope.misallocation_table(checkpoints, fits, c)
excluded = pythia.excluded_keys(snakemake.params.outcomes)
misallocation["excluded"] = [(size, int(step)) in excluded for size, step in zip(misallocation["size"], misallocation["step"])]
table.to_csv(snakemake.output.envelope, index=False)
misallocation.to_csv(snakemake.output.misallocation, index=False)
log.info("envelope vs fitted compute law:\n%s", table[["estimator", "k", "alpha_fit", "alpha_envelope", "E0_fit", "E0_envelope"]].to_string(index=False))
