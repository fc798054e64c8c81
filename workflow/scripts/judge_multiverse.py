"""Rule judge_multiverse: every paper-G claim under every specification (results/multiverse/)."""

import time
from pathlib import Path

import pandas as pd

from scalingrepro.generative import multiverse
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.pipeline.files import write_text_atomically
from scalingrepro.verdict.claims import load_claims
from scalingrepro.verdict.multiverse import gold_file_choice, judge_multiverse

log = logs.configure(snakemake.log[0])
started = time.perf_counter()


def keyed(paths):
    """(benchmark, exclusion) -> table, from results/multiverse/<benchmark>/<exclusion>/<name>."""
    return {(Path(path).parent.parent.name, Path(path).parent.name): pd.read_csv(path) for path in paths}


with exit_on_input_error():
    claims = load_claims(snakemake.input.claims)
    reference = snakemake.input.overtraining_reference if "overtraining_reference" in snakemake.input.keys() else None
    gold_file_exclusions = gold_file_choice(reference, snakemake.config["generative"]["outcomes"])
    verdicts = judge_multiverse(claims, ".", snakemake.config, keyed(snakemake.input.fits), keyed(snakemake.input.backtests), gold_file_exclusions)
specifications = multiverse.specification_table(snakemake.config["generative"])
write_text_atomically(snakemake.output.specifications, specifications.to_csv(index=False))
write_text_atomically(snakemake.output.verdicts, verdicts.to_csv(index=False))
default = specifications.loc[specifications["default"], "specification"].iloc[0]
log.info("%d specifications (%d refit), %d claims: verdicts under the default %s:\n%s", len(specifications), int(specifications["refit"].sum()), verdicts["claim_id"].nunique(), default, verdicts[verdicts["specification"] == default]["verdict"].value_counts().to_string())
log.info("done in %.1f s", time.perf_counter() - started)
