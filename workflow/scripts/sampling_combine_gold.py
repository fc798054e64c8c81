"""Rule combine_gold_likelihoods: every checkpoint's scored gold NLLs in the released file's schema."""

import pandas as pd

from scalingrepro.generative import pythia
from scalingrepro.pipeline import logs
from scalingrepro.sampling.checkpoints import pythia_nickname

log = logs.configure(snakemake.log[0])
checkpoints = pythia.checkpoint_table(snakemake.params.registry).set_index(["size", "step"])
scored = pd.concat([pd.read_parquet(path) for path in snakemake.input.gold], ignore_index=True)
tokens = [checkpoints.loc[(size, step), "tokens"] for size, step in zip(scored["size"], scored["step"])]
# The released columns (read by generative.likelihood), then the per-token NLL and token count.
table = pd.DataFrame(
    {
        "Model": [pythia_nickname(size, token_count) for size, token_count in zip(scored["size"], tokens)],
        "Problem Idx": scored["problem_idx"].astype("int64"),
        "Neg Log Score": scored["neg_log_likelihood"].astype(float),
        "Neg Log Score Per Token": scored["neg_log_likelihood_per_token"].astype(float),
        "Num. Tokens": scored["n_tokens"].astype("int64"),
    }
)
table.to_parquet(snakemake.output.gold, index=False)
log.info("%s: %d checkpoints x problems scored", snakemake.wildcards.benchmark, len(table))
