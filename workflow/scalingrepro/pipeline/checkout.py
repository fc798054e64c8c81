"""A clean working copy of the repository: what a clone plus local edits holds, without results."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def repository_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files under `root` (relative paths)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def copy_repository(root: Path, destination: Path) -> Path:
    """Copy the repository's files (not its generated outputs) into `destination`; return it."""
    for name in repository_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    return destination


def commit_description(root: Path) -> str:
    """The checked-out commit (short hash, '-dirty' with local changes), or 'unknown' outside git."""
    described = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=10"], cwd=root, capture_output=True, text=True)
    return described.stdout.strip() if described.returncode == 0 else "unknown"
