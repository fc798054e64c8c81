"""Generated paper rules: execute a target's notebook with Papermill, then render it to HTML."""

from pathlib import Path

import nbconvert
import papermill

from scalingrepro.pipeline import logs

log = logs.configure(snakemake.log[0])
log.info("executing %s -> %s", snakemake.input.notebook, snakemake.output.notebook)
papermill.execute_notebook(
    snakemake.input.notebook,
    snakemake.output.notebook,
    parameters=dict(snakemake.params.parameters),
    kernel_name="python3",
    cwd=str(Path.cwd()),  # notebooks read and write repository-relative paths
    progress_bar=False,
)
html, _ = nbconvert.HTMLExporter().from_filename(snakemake.output.notebook)
Path(snakemake.output.html).write_text(html)
missing = [path for path in snakemake.output[:-2] if not Path(path).is_file()]
if missing:
    raise SystemExit(f"{snakemake.input.notebook} ran but did not write {missing}; it must save every registered output.")
