"""The package's layers: plumbing, the paper wings, the registry, the verdict, the commands; imports only go down."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workflow" / "scalingrepro"

# What each subpackage may import from the rest of the package (besides itself).
ALLOWED = {
    "pipeline": set(),
    "chinchilla": {"pipeline"},
    "generative": {"pipeline"},
    "sampling": {"pipeline", "generative"},
    "registry": {"pipeline", "chinchilla", "generative", "sampling"},
    "verdict": {"pipeline", "chinchilla", "generative", "sampling", "registry"},
    "commands": {"pipeline", "chinchilla", "generative", "sampling", "registry", "verdict"},
}


def subpackage_of(module: Path) -> str:
    return module.relative_to(PACKAGE).parts[0]


def imported_subpackages(module: Path) -> set[str]:
    """The subpackages of `scalingrepro` that `module` imports, relative or absolute."""
    depth = len(module.relative_to(PACKAGE).parts) - 1  # folders between the package root and the file
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level <= depth:
                    continue  # stays inside its own subpackage
                parts = (node.module or "").split(".")
                names = [parts[0]] if parts[0] else [alias.name for alias in node.names]
            elif (node.module or "").startswith("scalingrepro."):
                names = [node.module.split(".")[1]]
            elif node.module == "scalingrepro":
                names = [alias.name for alias in node.names]
            else:
                continue
            found.update(names)
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("scalingrepro."))
    return found


def package_modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if len(path.relative_to(PACKAGE).parts) > 1)


def test_every_module_sits_in_one_of_the_layers():
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top_level == ["__init__.py"], f"modules outside the layers: {top_level}"
    assert {subpackage_of(path) for path in package_modules()} <= set(ALLOWED)


@pytest.mark.parametrize("module", package_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_only_go_down_the_layers(module):
    own = subpackage_of(module)
    upward = imported_subpackages(module) - ALLOWED[own] - {own}
    assert not upward, f"{module.relative_to(PACKAGE)} ({own}) imports {sorted(upward)}, which sit above or beside it"


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    fake_package = tmp_path / "scalingrepro"
    module = fake_package / "pipeline" / "paths.py"
    module.parent.mkdir(parents=True)
    module.write_text("from ..registry import all_targets\nfrom ..generative.pythia import x\nfrom . import errors\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake_package)
    assert imported_subpackages(module) == {"registry", "generative"}


@pytest.mark.parametrize("command", ["workflow_timing", "chinchilla_benchmark", "figure_index", "grading_benchmark", "grading_conformance", "sampling_smoke", "sampling_benchmark"])
def test_every_command_has_help_and_runs_from_a_subdirectory(command):
    result = subprocess.run(
        [sys.executable, "-m", f"scalingrepro.commands.{command}", "--help"],
        cwd=PACKAGE.parent / "rules", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_figure_index_prints_from_a_subdirectory():
    result = subprocess.run(
        [sys.executable, "-m", "scalingrepro.commands.figure_index"],
        cwd=PACKAGE.parent / "rules", capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "| `chinchilla_fig01` |" in result.stdout


def test_the_chinchilla_benchmark_runs_from_a_subdirectory(mirror):
    # An override named relative to where the command starts; the checkout's own files found from anywhere.
    result = subprocess.run(
        [sys.executable, "-m", "scalingrepro.commands.chinchilla_benchmark", "--configfile", "../../config/test.yaml", "--skip-sweep", "--skip-baseline"],
        cwd=PACKAGE.parent / "rules", capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "interpretation fits: 4" in result.stdout
