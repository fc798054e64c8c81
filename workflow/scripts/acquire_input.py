"""Rule acquire_input: materialize one external input, checksum-verified (scalingrepro.pipeline.sources)."""

from pathlib import Path

from scalingrepro.pipeline import logs, paths
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.pipeline.sources import acquire, load_manifest, resolve_mirror

log = logs.configure(snakemake.log[0])
with exit_on_input_error():
    source = load_manifest(paths.SOURCES_MANIFEST)[snakemake.params.name]
    mirror = resolve_mirror(snakemake.config.get("mirror"))
    log.info("acquiring %s from %s", source.file, mirror or source.url)
    acquire(source, Path(snakemake.output[0]), mirror)
    log.info("verified sha256 %s", source.sha256)
