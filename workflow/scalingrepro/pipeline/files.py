"""Writing files so that a reader, or a job killed halfway, never sees part of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# mkstemp creates files readable by their owner only; written files get the usual mode instead.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it, flushed to disk, then renamed.

    Readers see the old state or the whole new file. The temporary name is unique (mkstemp), so
    concurrent writers of the same path never share one, even from equal process ids on two hosts
    of a shared file system; a failed write leaves no temporary file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, 0o666 & ~_UMASK)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
