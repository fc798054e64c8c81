"""pyproject.toml and environment.yml list the same analysis dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

NAME = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")


def normalized(requirement: str) -> tuple[str, str]:
    name, version = NAME.match(requirement.strip()).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_conda_environment_agrees_with_pyproject(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    expected = {normalized(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    environment = yaml.safe_load((repo_root / "environment.yml").read_text())["dependencies"]
    conda = [d for d in environment if isinstance(d, str) and not d.startswith(("python=", "pip"))]
    pip = next(d["pip"] for d in environment if isinstance(d, dict))
    listed = {normalized(d) for d in conda} | {normalized(d) for d in pip if not d.startswith("-e")}
    assert listed == expected, f"only in environment.yml: {listed - expected}; only in pyproject.toml: {expected - listed}"
    assert "python=3.11" in environment


def test_gpu_packages_stay_out_of_the_default_install(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    names = {normalized(r)[0] for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    assert "vllm" not in names and "torch" not in names
    assert any(normalized(r)[0] == "vllm" for r in project["optional-dependencies"]["sampling"])
