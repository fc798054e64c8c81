"""Generated paper rules: execute a target's notebook with Papermill, then render it to HTML.

The kernel's own chatter (transport warnings, the interrupt it logs while shutting down) and any
warning a notebook raises go to the job's log, not to the console of the whole run.
"""

from pathlib import Path

from scalingrepro.pipeline import logs, notebooks

log = logs.configure(snakemake.log[0], console=False)
log.info("executing %s -> %s", snakemake.input.notebook, snakemake.output.notebook)
with notebooks.stderr_to(snakemake.log[0]):
    notebooks.execute(snakemake.input.notebook, snakemake.output.notebook, dict(snakemake.params.parameters))
Path(snakemake.output.html).write_text(notebooks.render_html(snakemake.output.notebook))
missing = [path for path in snakemake.output[:-2] if not Path(path).is_file()]
if missing:
    raise SystemExit(f"{snakemake.input.notebook} ran but did not write {missing}; it must save every registered output.")
