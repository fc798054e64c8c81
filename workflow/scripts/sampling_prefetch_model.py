"""Rule prefetch_model: one checkpoint's weights and tokenizer into the Hugging Face cache the GPU jobs read offline."""

import json
from pathlib import Path

from huggingface_hub import snapshot_download

from scalingrepro.pipeline import logs
from scalingrepro.pipeline.files import write_text_atomically

log = logs.configure(snakemake.log[0])
repository, revision = snakemake.params.repository, snakemake.params.revision
# HF_HOME=<cache> puts the hub cache at <cache>/hub, where the offline jobs look.
snapshot = snapshot_download(repository, revision=revision, cache_dir=Path(snakemake.params.cache) / "hub", ignore_patterns=["*.msgpack", "*.h5", "*.ot"])
files = sorted(str(path.relative_to(snapshot)) for path in Path(snapshot).rglob("*") if path.is_file())
write_text_atomically(snakemake.output.marker, json.dumps({"repository": repository, "revision": revision, "snapshot": snapshot, "files": files}, indent=1))
log.info("%s@%s: %d files in %s", repository, revision, len(files), snapshot)
