"""Shared fixtures: the repository root, the loaded configuration and the input mirror."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scalingrepro.pipeline import settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def load_config(*override_files: str) -> dict:
    """config/config.yaml (plus overrides, merged like --configfile) with schema defaults filled in."""
    return settings.load_config(*override_files, root=REPO_ROOT)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def config() -> dict:
    return load_config()


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The directory of mirrored inputs ($REPRO_MIRROR); tests needing real inputs skip without it."""
    location = os.environ.get("REPRO_MIRROR")
    if not location or not Path(location).is_dir():
        pytest.skip("real inputs unavailable: set REPRO_MIRROR to the mirror directory (e.g. ../shared/mirror)")
    return Path(location).resolve()
