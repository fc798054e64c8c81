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


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def marked_block(text: str, name: str) -> str:
    """The text between `<!-- name:start -->` and `<!-- name:end -->`, without surrounding blank lines."""
    start, end = _markers(name)
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n")


def replace_marked_block(text: str, name: str, block: str) -> str:
    """`text` with everything between the `name` markers replaced by `block`."""
    start, end = _markers(name)
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    return f"{before}{start}\n{block}\n{end}{after}"
