"""External inputs: the manifest, and checksummed acquisition from a mirror or the pinned URL.

pooch does the work (temporary download, sha256 check, atomic move); a mirror directory
is served through a small copying downloader because pooch has no file:// support.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pooch
import yaml

from .errors import InputError

MIRROR_ENV_VAR = "REPRO_MIRROR"

# pooch announces every fetch on the console through its own logger ("Downloading data from
# 'file-mirror://…'", even for a local copy); the acquire rule logs what it does to the job's log,
# so only pooch's warnings are kept.
pooch.get_logger().setLevel(logging.WARNING)


@dataclass(frozen=True)
class Source:
    """One external input as pinned in config/sources.yaml."""

    name: str
    file: str
    url: str
    sha256: str
    description: str


def load_manifest(path: str | Path) -> dict[str, Source]:
    """Read the manifest: logical name -> Source."""
    entries = yaml.safe_load(Path(path).read_text())
    return {name: Source(name=name, **fields) for name, fields in entries.items()}


def resolve_mirror(configured: str | None) -> Path | None:
    """The mirror directory: the config value if given, else $REPRO_MIRROR, else None."""
    mirror = configured or os.environ.get(MIRROR_ENV_VAR) or None
    return Path(mirror).expanduser().resolve() if mirror else None


def copy_from_mirror(mirror: Path):
    """A pooch downloader that copies the named file out of a local mirror directory."""

    def download(url: str, output_file, pooch_obj, check_only: bool = False) -> bool | None:
        source = mirror / Path(url).name
        if check_only:
            return source.is_file()
        shutil.copyfile(source, output_file)
        return None

    return download


def acquire(source: Source, destination: Path, mirror: Path | None) -> Path:
    """Materialize one input at `destination`, verifying its sha256; raise InputError if impossible.

    With a mirror the file is copied from `mirror/<file>`, otherwise downloaded from the
    pinned URL. A file whose hash does not match is never kept.
    """
    destination = Path(destination)
    if mirror is not None and not (mirror / source.file).is_file():
        raise InputError(
            mirror / source.file,
            f"the mirror directory {mirror} has no file '{source.file}' (input '{source.name}').",
            f"copy it there (upstream: {source.url}), point {MIRROR_ENV_VAR} or --config "
            f"mirror=DIR at a directory that has it, or unset both to download it.",
        )
    url = f"file-mirror://{source.file}" if mirror is not None else source.url
    downloader = copy_from_mirror(mirror) if mirror is not None else None
    where = f"the mirror {mirror}" if mirror is not None else f"{source.url}"
    try:
        fetched = pooch.retrieve(
            url=url,
            known_hash=f"sha256:{source.sha256}",
            fname=destination.name,
            path=destination.parent,
            downloader=downloader,
            progressbar=False,
        )
    except ValueError as error:  # pooch's hash mismatch
        raise InputError(
            destination.name,
            f"the copy of input '{source.name}' taken from {where} does not have the pinned "
            f"sha256 {source.sha256} ({error}). It was not kept.",
            "restore the byte-identical file from the pinned upstream URL "
            f"({source.url}) into the mirror, or update config/sources.yaml only if the "
            "input was deliberately changed.",
        ) from error
    except Exception as error:  # network failures: requests raises many kinds
        raise InputError(
            source.url,
            f"input '{source.name}' could not be downloaded ({type(error).__name__}: {error}).",
            f"check the network, or set {MIRROR_ENV_VAR} (or --config mirror=DIR) to a "
            f"directory holding '{source.file}'.",
        ) from error
    return make_readable(Path(fetched))


def make_readable(path: Path) -> Path:
    """Give `path` the permissions of any newly written file (0666 less the umask): pooch writes
    through a private temporary file, which would leave the input readable by its owner only."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
    return path
