"""The figure registry and the notebooks it names: ids, file names, parameters, clean storage."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jupytext
import pytest

from scalingrepro.pipeline import paths
from scalingrepro.registry import all_targets

ID_PATTERN = re.compile(r"^(generative|chinchilla)_(fig|table)(\d{2}|S\d+)(_[a-z0-9_]+)?$")


@pytest.fixture(scope="module")
def targets(config):
    return all_targets(config)


def notebook_json(repo_root: Path, notebook: str) -> dict:
    return json.loads((repo_root / notebook).read_text())


def parameters_cell(notebook: dict) -> str:
    cells = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, "exactly one cell must be tagged 'parameters'"
    return "".join(cells[0]["source"])


def test_ids_and_outputs_follow_the_naming_scheme(targets):
    assert targets, "the registry is empty"
    for target in targets:
        assert ID_PATTERN.match(target.id), target.id
        kind = "fig" if target.kind == "figure" else "table"
        assert f"_{kind}" in target.id
        folder = paths.FIGURES if target.kind == "figure" else paths.TABLES
        for output in target.outputs:
            assert output.startswith(f"{folder}/{target.id}_"), output
        assert target.caption, f"{target.id} needs a caption for the report"


def test_every_paper_c_section_2_output_is_registered(targets):
    ids = {t.id for t in targets}
    assert {"chinchilla_fig01", "chinchilla_table01", "chinchilla_table02"} <= ids


def test_outputs_are_unique(targets):
    outputs = [o for t in targets for o in t.outputs]
    assert len(outputs) == len(set(outputs))


def test_notebooks_declare_every_injected_parameter(targets, repo_root):
    for target in targets:
        declared = {
            node.targets[0].id
            for node in ast.parse(parameters_cell(notebook_json(repo_root, target.notebook))).body
            if isinstance(node, ast.Assign)
        }
        missing = set(target.notebook_parameters) - declared
        assert not missing, f"{target.notebook} lacks parameters {missing} injected for {target.id}"


def all_notebooks(repo_root: Path) -> list[Path]:
    return sorted((repo_root / paths.NOTEBOOKS).glob("*.ipynb"))


def test_notebooks_are_stored_clean_with_the_python3_kernel(repo_root):
    for path in all_notebooks(repo_root):
        notebook = json.loads(path.read_text())
        assert notebook["metadata"]["kernelspec"]["name"] == "python3", path.name
        for cell in notebook["cells"]:
            assert not cell.get("outputs"), f"{path.name} is committed with outputs"
            assert not cell.get("execution_count"), f"{path.name} is committed executed"


def test_notebooks_match_their_paired_scripts(repo_root):
    for path in all_notebooks(repo_root):
        script = path.with_suffix(".py")
        assert script.is_file(), f"{path.name} needs its paired {script.name} (jupytext percent)"
        from_script = [c.source for c in jupytext.read(script).cells if c.cell_type == "code"]
        stored = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
        assert from_script == stored, (
            f"{path.name} is out of date: run `jupytext --set-kernel python3 --to ipynb {script.relative_to(repo_root)} -o {path.relative_to(repo_root)}`"
        )


def test_readme_figure_index_is_generated_from_the_registry_and_the_claims(repo_root, config):
    """The registry's columns always; the verdicts too wherever this checkout holds results/claims.csv."""
    from scalingrepro.commands.figure_index import MARKER, checked_verdicts, strip_verdicts
    from scalingrepro.pipeline.files import marked_block
    from scalingrepro.registry import markdown_index

    readme = (repo_root / "README.md").read_text()
    stored = marked_block(readme, MARKER).strip()
    fix = "README.md's figure index is stale: run `python -m scalingrepro.commands.figure_index README.md`"
    assert strip_verdicts(stored) == strip_verdicts(markdown_index(config)), fix
    assert "reproduced" in stored, "the stored index lacks the verdicts; " + fix
    if (repo_root / "results" / "claims.csv").is_file():
        assert stored == markdown_index(config, checked_verdicts(repo_root)), fix


def test_the_smoke_run_labels_its_failed_fits_as_expected_and_the_released_run_does_not(repo_root, targets):
    from scalingrepro.pipeline.settings import load_config
    from scalingrepro.sampling.source import TINY_MODELS_FAILED_FIT

    smoke = {target.id: target for target in all_targets(load_config("config/smoke.yaml", root=repo_root))}
    assert smoke["generative_fig18"].parameters["failed_fit_label"] == TINY_MODELS_FAILED_FIT
    assert "expected" in TINY_MODELS_FAILED_FIT and "tiny models" in TINY_MODELS_FAILED_FIT
    assert not [target.id for target in targets if "failed_fit_label" in target.parameters]  # the notebook's own "fit failed"
