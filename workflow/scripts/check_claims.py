"""Rule check_claims: every registered claim checked against the results tables."""

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.pipeline.files import write_text_atomically
from scalingrepro.verdict.claims import load_claims
from scalingrepro.verdict.outputs import (
    check_claims,
    claims_markdown,
    claims_table,
    verdict_counts,
)

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    claims = load_claims(snakemake.input.claims, snakemake.input.schema)
    multiverse_verdicts = pd.read_csv(snakemake.input.multiverse, keep_default_na=False)
    table = claims_table(check_claims(claims, ".", snakemake.config), multiverse_verdicts)
write_text_atomically(snakemake.output.table, table.to_csv(index=False))
write_text_atomically(snakemake.output.page, claims_markdown(table, multiverse_verdicts))
log.info("verdicts:\n%s", verdict_counts(table).to_string())
