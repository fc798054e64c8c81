"""Shared fixtures: the repository root, the loaded configuration and the input mirror."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"


def load_config(*override_files: str) -> dict:
    """config/config.yaml (plus overrides, merged like --configfile) with schema defaults filled in."""
    config = yaml.safe_load((REPO_ROOT / "config" / "config.yaml").read_text())
    for override in override_files:
        config = deep_merge(config, yaml.safe_load((REPO_ROOT / override).read_text()) or {})
    validate(config, str(SCHEMA))
    return config


def deep_merge(base: dict, update: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in update.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


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
