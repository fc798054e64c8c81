"""Generated paper rules: execute a target's notebook with Papermill, then render it to HTML.

The notebook's own chatter (anything written to the process's file descriptors, and any warning
a notebook raises outside its cells' outputs) goes to the job's log, not to the console of the
whole run.
"""

import time
from pathlib import Path

from scalingrepro.pipeline import logs, notebooks

log = logs.configure(snakemake.log[0], console=False)
# Read from the config, not a rule parameter: the engine does not change the outputs, so switching
# it must not rerun every figure.
engine = snakemake.config["notebook_engine"]
log.info("executing %s -> %s (notebook engine: %s)", snakemake.input.notebook, snakemake.output.notebook, engine)
started = time.perf_counter()
with notebooks.stderr_to(snakemake.log[0]):
    notebooks.run(snakemake.input.notebook, snakemake.output.notebook, snakemake.output.html, dict(snakemake.params.parameters), snakemake.log[0], engine=engine)
log.info("executed and rendered in %.1f s", time.perf_counter() - started)
missing = [path for path in snakemake.output[:-2] if not Path(path).is_file()]
if missing:
    raise SystemExit(f"{snakemake.input.notebook} ran but did not write {missing}; it must save every registered output.")
