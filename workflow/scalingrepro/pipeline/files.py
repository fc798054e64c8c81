"""Writing files so that a reader, or a job killed halfway, never sees part of one."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it, flushed to disk, then renamed.

    Readers see the old state or the whole new file; the process id in the temporary name keeps
    concurrent writers of the same path apart.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
