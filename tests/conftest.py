"""Shared fixtures: the repository root, the loaded configuration and the input mirror."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scalingrepro.pipeline import settings
from scalingrepro.pipeline.checkout import copy_repository

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_CONFIG = "config/test.yaml"
CORES = "2"


def load_config(*override_files: str) -> dict:
    """config/config.yaml (plus overrides, merged like --configfile) with schema defaults filled in."""
    return settings.load_config(*override_files, root=REPO_ROOT)


# The test configuration's own output tree (output_root), apart from the real results/ and paper/.
TEST_ROOT = Path(load_config(TEST_CONFIG)["output_root"])


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


def snakemake(workdir: Path, *arguments: str, mirror: Path | None = None) -> subprocess.CompletedProcess:
    """Run Snakemake in `workdir` with the test's interpreter on PATH."""
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if mirror is not None:
        environment["REPRO_MIRROR"] = str(mirror)
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *arguments], cwd=workdir, env=environment, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def workflow_run(repo_root, mirror, tmp_path_factory):
    """A temporary copy of the repository after one full run of the test configuration."""
    workdir = copy_repository(repo_root, tmp_path_factory.mktemp("pipeline"))
    result = snakemake(workdir, "--cores", CORES, "--configfile", TEST_CONFIG, mirror=mirror)
    assert result.returncode == 0, f"workflow failed:\n{result.stderr[-6000:]}"
    (workdir / TEST_ROOT / "console.txt").write_text(result.stdout + result.stderr)
    return workdir
