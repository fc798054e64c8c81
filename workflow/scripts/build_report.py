"""Rule report: paper/report.html from the checked claims and every registered figure and table."""

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.pipeline.files import write_text_atomically
from scalingrepro.registry import all_targets
from scalingrepro.verdict.report import render_report, report_notebook

log = logs.configure(snakemake.log[0])
claims = pd.read_csv(snakemake.input.claims, keep_default_na=False)
multiverse_verdicts = pd.read_csv(snakemake.input.multiverse, keep_default_na=False)
notebook = report_notebook(all_targets(snakemake.config), claims, snakemake.config, ".", multiverse_verdicts)
html = render_report(notebook)
write_text_atomically(snakemake.output.report, html)
log.info("%s: %d cells, %.0f kB", snakemake.output.report, len(notebook.cells), len(html) / 1e3)
