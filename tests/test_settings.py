"""Settings a researcher can trust: typos and impossible values refused at load, test runs kept
apart from the real outputs, and reruns exactly as wide as a change."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scalingrepro.pipeline import paths, settings
from scalingrepro.pipeline.checkout import copy_repository
from scalingrepro.registry import all_targets


def load_with(repo_root: Path, tmp_path: Path, override: dict) -> dict:
    """config/config.yaml with `override` merged in, as --configfile would."""
    override_file = tmp_path / "override.yaml"
    override_file.write_text(yaml.safe_dump(override))
    return settings.load_config(override_file, root=repo_root)


def refusal(repo_root: Path, tmp_path: Path, override: dict) -> settings.ConfigError:
    with pytest.raises(settings.ConfigError) as caught:
        load_with(repo_root, tmp_path, override)
    return caught.value


def flat(text: object) -> str:
    """A message with its line wrapping undone."""
    return " ".join(str(text).split())


def test_the_shipped_configurations_load(repo_root):
    assert settings.load_config(root=repo_root)["output_root"] == "."
    assert settings.load_config("config/test.yaml", root=repo_root)["output_root"] == "runs/test"


@pytest.mark.parametrize(
    ("override", "key", "suggestion"),
    [
        ({"chinchilla": {"fit": {"n_bootstrap": 2000}}}, "chinchilla.fit.n_bootstrap", "n_bootstraps"),
        ({"generative": {"fit": {"bootstrap": {"resample": 100}}}}, "generative.fit.bootstrap.resample", "resamples"),
        ({"generativ": {"fit": {}}}, "generativ", "generative"),
        ({"chinchilla": {"perturbations": {"grids": {"additive": {"logspace": [6.6, 7.6, 5], "include_zeros": True}}}}},
         "chinchilla.perturbations.grids.additive.include_zeros", "include_zero"),
        ({"generative": {"outcomes": {"excluded_checkpoints": [{"size": "14M", "setp": 1, "reason": "x"}]}}},
         "generative.outcomes.excluded_checkpoints[0].setp", "step"),
        ({"generative": {"outcomes": {"sampling_cost": {"paper_stated": {"gsm8k": {"usdd": 1.0}}}}}},
         "generative.outcomes.sampling_cost.paper_stated.gsm8k.usdd", "usd"),
    ],
)
def test_unknown_keys_are_refused_with_where_they_are_and_the_closest_name(repo_root, tmp_path, override, key, suggestion):
    error = refusal(repo_root, tmp_path, override)
    assert [problem.key for problem in error.problems] == [key]
    message = flat(error)
    assert f"Invalid setting {key}" in message and f"did you mean '{suggestion}'" in message
    assert "override.yaml" in message  # the file the setting came from


def test_off_grid_k_values_are_refused_with_a_fix_that_works(repo_root, tmp_path):
    error = refusal(repo_root, tmp_path, {"generative": {"backtest": {"k_values": [1, 8, 100]}}})
    assert [problem.key for problem in error.problems] == ["generative.backtest.k_values"]
    assert "k = 8: nearest grid values 7 and 10" in flat(error)
    # Following the fix (a grid value instead) loads.
    assert load_with(repo_root, tmp_path, {"generative": {"backtest": {"k_values": [1, 10, 100]}}})["generative"]["backtest"]["k_values"] == [1, 10, 100]


@pytest.mark.parametrize("key", ["fit", "envelope"])
def test_figure_k_must_be_on_the_grid_of_the_configuration_in_force(repo_root, tmp_path, key):
    # On the test configuration's grid (powers of ten only) 30 is not a pass@k value; at load, not in a notebook.
    test_grid = {"k_grid": {"k_min": 1, "k_max": 10000, "points_per_decade": 1}}
    error = refusal(repo_root, tmp_path, {"generative": {"passk": test_grid, key: {"figure_k": [1, 30]}}})
    assert [problem.key for problem in error.problems] == [f"generative.{key}.figure_k"]
    assert "k = 30: nearest grid values 10 and 100" in flat(error)


def test_k_beyond_the_grid_names_the_bound_to_widen(repo_root, tmp_path):
    error = refusal(repo_root, tmp_path, {"generative": {"backtest": {"k_values": [1, 20000]}}})
    assert "widen generative.passk.k_grid (k_min 1, k_max 10000) to include [20000]" in flat(error)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"generative": {"passk": {"estimators": ["unbiased"]}}}, "generative.passk.default_estimator"),
        ({"generative": {"backtest": {"target": {"size": "13B", "step": 143000}}}}, "generative.backtest.target"),
        ({"generative": {"fit": {"laws": ["compute"]}, "backtest": {"laws": ["compute", "params_tokens"]}}}, "generative.backtest.laws"),
        ({"generative": {"fit": {"gold_likelihood": {"sources": {"gsm8k": "gsm8k_gold"}}}}}, "generative.fit.gold_likelihood.sources"),
        ({"generative": {"outcomes": {"sources": {"math": "math_outcome"}}}}, "generative.outcomes.sources"),
        ({"generative": {"fit": {"bootstrap": {"quantiles": [0.95, 0.05]}}}}, "generative.fit.bootstrap.quantiles"),
        ({"generative": {"passk": {"k_grid": {"k_min": 100, "k_max": 10}}}}, "generative.passk.k_grid"),
    ],
)
def test_values_that_depend_on_another_key_are_checked_at_load(repo_root, tmp_path, override, key):
    error = refusal(repo_root, tmp_path, override)
    assert key in [problem.key for problem in error.problems]
    assert all(problem.fix for problem in error.problems)


def test_schema_violations_are_reported_like_the_rest(repo_root, tmp_path):
    error = refusal(repo_root, tmp_path, {"generative": {"fit": {"bootstrap": {"resamples": -1}}}})
    assert [problem.key for problem in error.problems] == ["generative.fit.bootstrap.resamples"]
    assert "Number of bootstrap resamples" in flat(error)  # the schema's description of the setting


def test_every_object_of_the_schema_is_closed(repo_root):
    schema = yaml.safe_load((repo_root / paths.CONFIG_SCHEMA).read_text())

    def open_objects(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "additionalProperties" not in node:
                yield where
            for key, value in node.items():
                yield from open_objects(value, f"{where}.{key}")

    assert list(open_objects(schema, "schema")) == []


def test_paths_follow_the_output_root():
    try:
        paths.use_output_root("runs/test")
        assert paths.generative("gsm8k", "fits.csv") == Path("runs/test/results/generative/gsm8k/fits.csv")
        assert paths.chinchilla("runs.csv") == Path("runs/test/results/chinchilla/runs.csv")
        assert paths.log("paper", "generative_fig03") == Path("runs/test/logs/paper/generative_fig03.log")
        assert paths.executed_notebook("x") == Path("runs/test/results/notebooks/x.ipynb")
        assert paths.FIGURES == Path("runs/test/paper/figures") and paths.TABLES == Path("runs/test/paper/tables")
        assert paths.resource("a.csv") == Path("resources/a.csv")  # checksummed inputs are shared
    finally:
        paths.use_output_root(".")
    assert paths.generative("gsm8k", "fits.csv") == Path("results/generative/gsm8k/fits.csv")


def test_nested_command_line_values_are_typed_as_in_a_config_file():
    # What Snakemake's parser hands over for chinchilla={fit: {n_bootstraps: 100, ...}} and the like.
    parsed = {
        "chinchilla": {"fit": {"n_bootstraps": "100", "huber_delta": "1.0e-3", "bootstrap_seed": "7"}},
        "generative": {"backtest": {"k_values": ["1", "100"]}, "fit": {"apply_exclusions": "false"}},
        "sampling": {"models": {"source": "tiny"}, "prompts": {"version": ""}},
        "output_root": "runs/mine",
        "n": 3,
    }
    assert settings.typed_command_line_values(parsed) == {
        "chinchilla": {"fit": {"n_bootstraps": 100, "huber_delta": 0.001, "bootstrap_seed": 7}},
        "generative": {"backtest": {"k_values": [1, 100]}, "fit": {"apply_exclusions": False}},
        "sampling": {"models": {"source": "tiny"}, "prompts": {"version": None}},
    }
    assert settings.typed_command_line_values({"a": {"b": "[1"}, "c": {"d": "x: y"}}) == {"a": {"b": "[1"}, "c": {"d": "x: y"}}


# --- The workflow itself (dry runs in a copy of the repository) ---------------------------------


def snakemake(workdir: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "snakemake", *arguments], cwd=workdir, env=environment, capture_output=True, text=True)


def planned_jobs(output: str) -> dict[str, int]:
    """Rule -> number of jobs, from the 'Job stats' table of a dry run ({} when nothing is to do)."""
    if "Job stats:" not in output:
        return {}
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    rows = [line.split() for line in table.splitlines()[3:]]
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[0] != "total"}


def planned_files(output: str) -> list[str]:
    """Every output and log file of the jobs a dry run lists."""
    files = []
    for line in output.splitlines():
        match = re.match(r"\s+(output|log): (.*)", line)
        if match:
            files += [name.strip() for name in match.group(2).split(",")]
    return files


@pytest.fixture(scope="module")
def checkout(repo_root, tmp_path_factory) -> Path:
    return copy_repository(repo_root, tmp_path_factory.mktemp("checkout"))


def test_snakemake_refuses_a_typo_before_planning_any_job(checkout, tmp_path):
    typo = tmp_path / "typo.yaml"
    typo.write_text("chinchilla:\n  fit:\n    n_bootstrap: 2000\n")
    result = snakemake(checkout, "-n", "--cores", "1", "--configfile", str(typo))
    assert result.returncode != 0
    assert "Invalid setting chinchilla.fit.n_bootstrap" in flat(result.stdout + result.stderr) and "did you mean 'n_bootstraps'" in flat(result.stdout + result.stderr)
    assert "Job stats" not in result.stdout + result.stderr


def test_a_nested_command_line_value_is_typed_like_the_same_value_in_a_config_file(checkout, tmp_path):
    result = snakemake(checkout, "-n", "--cores", "1", "--config", "chinchilla={fit: {n_bootstraps: 100}}")
    assert result.returncode == 0, result.stderr[-3000:]
    typo = snakemake(checkout, "-n", "--cores", "1", "--config", "chinchilla={fit: {n_bootstraps: many}}")
    assert typo.returncode != 0 and "n_bootstraps" in flat(typo.stdout + typo.stderr)


def test_the_test_configuration_writes_only_under_its_own_output_root(checkout):
    result = snakemake(checkout, "-n", "--cores", "1", "--configfile", "config/test.yaml")
    assert result.returncode == 0, result.stderr
    files = planned_files(result.stdout + result.stderr)
    assert len(files) > 300
    outside = [name for name in files if not name.startswith("runs/test/") and not name.startswith(f"{paths.RESOURCES}/")]
    assert outside == []


def test_a_run_prints_no_line_of_thousands_of_characters(checkout):
    # `rule all` has every figure as input: neither its input list nor its reason may be printed.
    result = snakemake(checkout, "-n", "--cores", "1")
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert max(len(line) for line in lines) < 2000
    assert any("every figure and table of both papers" in line for line in lines)


def test_the_readme_lists_exactly_the_inputs_a_default_run_fetches(checkout, repo_root):
    result = snakemake(checkout, "-n", "--cores", "1")
    fetched = {Path(name).name for name in planned_files(result.stdout + result.stderr) if name.startswith(f"{paths.RESOURCES}/")}
    listing = (repo_root / "README.md").read_text().split("<!-- mirror-files:start -->")[1].split("<!-- mirror-files:end -->")[0]
    default_part, sampling_part = listing.split("Sampling", 1)
    declared = {source["file"] for source in yaml.safe_load((repo_root / paths.SOURCES_MANIFEST).read_text()).values()}
    assert set(re.findall(r"`([^`]+)`", default_part)) == fetched
    assert set(re.findall(r"`([^`]+)`", sampling_part)) == declared - fetched


@pytest.fixture(scope="module")
def up_to_date_checkout(checkout) -> Path:
    """The checkout with every output present and recorded as made by the current settings
    (empty files, `snakemake --touch --forceall`): a dry run then lists only what a change would rerun."""
    planned = snakemake(checkout, "-n", "--cores", "1")
    assert planned.returncode == 0, planned.stderr
    for name in planned_files(planned.stdout + planned.stderr):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).touch()
    touched = snakemake(checkout, "--touch", "--forceall", "--cores", "1")  # forced: records every job's settings
    assert touched.returncode == 0, touched.stderr
    again = snakemake(checkout, "-n", "--cores", "1")
    assert planned_jobs(again.stdout + again.stderr) == {}, again.stdout
    return checkout


def rerun_after(checkout: Path, tmp_path: Path, override: dict) -> dict[str, int]:
    override_file = tmp_path / "change.yaml"
    override_file.write_text(yaml.safe_dump(override))
    result = snakemake(checkout, "-n", "--cores", "1", "--configfile", str(override_file))
    assert result.returncode == 0, result.stderr
    return planned_jobs(result.stdout + result.stderr)


def test_a_plot_only_key_reruns_only_the_figures_that_draw_it(up_to_date_checkout, tmp_path, repo_root, config):
    change = {"generative": {"fit": {"figure_k": [1, 10, 10000]}}}
    jobs = rerun_after(up_to_date_checkout, tmp_path, change)
    before = {target.id: target.notebook_parameters for target in all_targets(config)}
    redrawn = {target.id for target in all_targets(load_with(repo_root, tmp_path, change)) if target.notebook_parameters != before[target.id]}
    assert len(redrawn) == 12  # Figs. 1, 4, 6, 14, 16 and Table S5, each under both estimators
    assert set(jobs) == redrawn | {"all"}
    assert all(count == 1 for count in jobs.values())


def test_a_fit_key_reruns_the_fits_and_what_reads_them_not_pass_at_k_or_backtests(up_to_date_checkout, tmp_path):
    jobs = rerun_after(up_to_date_checkout, tmp_path, {"generative": {"fit": {"bootstrap": {"seed": 1}}}})
    assert jobs["fit_scaling_laws"] == 4  # 2 benchmarks x 2 estimators
    assert not {"estimate_pass_at_k", "backtest_law", "build_outcomes", "compute_gold_likelihood"} & set(jobs)
    assert not [rule for rule in jobs if rule.startswith("chinchilla") or "chinchilla" in rule]


def test_a_sweep_key_reruns_only_its_own_sweep(up_to_date_checkout, tmp_path, config):
    grids = config["chinchilla"]["perturbations"]["grids"]
    jobs = rerun_after(up_to_date_checkout, tmp_path, {"chinchilla": {"perturbations": {"grids": {"additive": {**grids["additive"], "logspace": [6.6, 7.6, 3]}}}}})
    assert jobs["fit_chinchilla_perturbations"] == 1  # the additive shard, not the 7 of every sweep
    assert jobs["combine_chinchilla_perturbations"] == 1
    assert "fit_chinchilla_interpretations" not in jobs
    assert not [rule for rule in jobs if rule.startswith("generative") or rule in {"fit_scaling_laws", "backtest_law"}]
