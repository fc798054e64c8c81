"""The validated configuration outside Snakemake (tests, benchmarks, the registry's index).

Merges override files over config/config.yaml the way `--configfile` does and validates the
result against the schema, which also fills in every default.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from . import paths


def deep_merge(base: dict, update: dict) -> dict:
    """`base` with `update` merged in recursively (a new dict; neither argument changes)."""
    merged = dict(base)
    for key, value in update.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def load_config(*override_files: str | Path, root: str | Path = ".") -> dict:
    """config/config.yaml under `root` with `override_files` (relative to `root`) merged in, validated."""
    from snakemake.utils import validate  # noqa: PLC0415 (heavy import, needed only here)

    root = Path(root)
    config = yaml.safe_load((root / paths.CONFIG).read_text())
    for override in override_files:
        config = deep_merge(config, yaml.safe_load((root / override).read_text()) or {})
    validate(config, str(root / paths.CONFIG_SCHEMA))
    return config
