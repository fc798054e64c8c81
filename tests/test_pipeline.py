"""The workflow end to end on the real (mirrored) inputs, in a temporary copy of the repository.

One run of `snakemake --cores 2 --configfile config/test.yaml` (the papers' stages with fewer
resamples) is shared by the tests below; each then checks one promise of the workflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import load_config
from scalingrepro import paths
from scalingrepro.registry import all_targets

pytestmark = pytest.mark.pipeline

TEST_CONFIG = "config/test.yaml"
CORES = "2"
# Contract tables and the columns every consumer may rely on.
CONTRACTS = {
    "results/chinchilla/parameter_counts.csv": [
        "d_model", "ffw_size", "kv_size", "n_heads", "n_layers", "vocab_size",
        "reported", "standard", "best_fit", "rel_err_standard_pct", "rel_err_best_fit_pct",
    ],
    "results/chinchilla/runs.csv": ["model_size", "training_flop", "tokens", "loss", "reported", "standard", "best_fit"],
}


def repository_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files: what a clone plus local edits holds."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def copy_repository(root: Path, destination: Path) -> Path:
    for name in repository_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    return destination


def snakemake(workdir: Path, *arguments: str, mirror: Path | None = None) -> subprocess.CompletedProcess:
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
    return workdir


@pytest.fixture(scope="session")
def test_targets():
    return all_targets(load_config(TEST_CONFIG))


def test_every_registered_output_and_executed_notebook_exists(workflow_run, test_targets):
    for target in test_targets:
        for output in [*target.outputs, paths.executed_notebook(target.id), paths.rendered_notebook(target.id)]:
            path = workflow_run / output
            assert path.is_file() and path.stat().st_size > 0, f"{target.id}: {output} missing or empty"


def test_contract_tables_are_well_formed(workflow_run):
    for name, columns in CONTRACTS.items():
        table = pd.read_csv(workflow_run / name) if name.endswith(".csv") else pd.read_parquet(workflow_run / name)
        assert list(table.columns[: len(columns)]) == columns or set(columns) <= set(table.columns), name
        assert len(table) > 0, name
    runs = pd.read_csv(workflow_run / "results/chinchilla/runs.csv")
    assert len(runs) == 245 and runs.notna().all().all()


def test_second_run_has_nothing_to_do(workflow_run):
    result = snakemake(workflow_run, "-n", "--cores", CORES, "--configfile", TEST_CONFIG)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Nothing to be done" in result.stdout + result.stderr


def test_forcing_one_figure_reruns_only_that_figure(workflow_run, test_targets):
    others = [workflow_run / o for t in test_targets if t.id != "chinchilla_fig01" for o in t.outputs]
    before = {path: path.stat().st_mtime_ns for path in others}
    result = snakemake(workflow_run, "chinchilla_fig01", "--forcerun", "chinchilla_fig01", "--cores", "1", "--configfile", TEST_CONFIG)
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert "rule chinchilla_fig01" in log or "localrule chinchilla_fig01" in log
    assert "count_chinchilla_parameters" not in log, "a figure rerun must not recompute its inputs"
    assert {path: path.stat().st_mtime_ns for path in others} == before


def test_report_is_built(workflow_run):
    result = snakemake(workflow_run, "--report", "paper/report.html", "--configfile", TEST_CONFIG)
    assert result.returncode == 0, result.stderr[-3000:]
    report = (workflow_run / "paper/report.html").read_text()
    assert "chinchilla_fig01" in report and "Relative error (Eq. 2)" in report


def test_lint_is_clean(repo_root):
    result = snakemake(repo_root, "--lint")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_a_corrupted_input_stops_the_run_with_one_paragraph(repo_root, mirror, tmp_path):
    workdir = copy_repository(repo_root, tmp_path / "repo")
    bad_mirror = tmp_path / "mirror"
    shutil.copytree(mirror, bad_mirror)
    epoch = bad_mirror / "epoch_research_svg_extracted_data.csv"
    epoch.chmod(0o644)
    epoch.write_text(epoch.read_text().replace("5.005581996196243", "4.005581996196243"))
    result = snakemake(workdir, "results/chinchilla/runs.csv", "--cores", "1", mirror=bad_mirror)
    assert result.returncode != 0
    assert "ERROR in epoch_research_svg_extracted_data.csv" in result.stderr
    assert "does not have the pinned sha256" in result.stderr
    assert not (workdir / paths.resource(epoch.name)).exists(), "a file with a wrong hash was kept"
    assert not (workdir / "results/chinchilla/runs.csv").exists()
