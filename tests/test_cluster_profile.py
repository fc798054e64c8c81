"""The SLURM profile's checks that need no cluster: a placeholder or empty account is refused with
one paragraph, and a run on sampled data writes under its own output root by default."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from scalingrepro.pipeline import cluster, paths, settings


@pytest.mark.parametrize("account", ["your-account", "", "  ", None, " your-account "])
def test_placeholder_and_empty_accounts_are_recognised(account):
    assert cluster.is_placeholder_account(account)


@pytest.mark.parametrize("account", ["lab-a", "your-account-2", "0"])
def test_real_accounts_pass(account):
    assert not cluster.is_placeholder_account(account)
    assert cluster.account_problem([("sample_completions", account)]) is None


def test_the_shipped_profile_is_refused_with_one_paragraph(repo_root):
    profile = yaml.safe_load((repo_root / cluster.SLURM_PROFILE).read_text())
    account = profile["default-resources"]["slurm_account"]
    problem = cluster.account_problem([("sample_completions", account), ("fit_scaling_laws", account), ("combine_fits", "lab-a")])
    assert problem is not None and "\n\n" not in problem
    assert "SLURM account not set" in problem and f"'{account}'" in problem and cluster.SLURM_PROFILE in problem
    # the rules named are those that would be submitted with the placeholder, not the one with an account
    assert "fit_scaling_laws, sample_completions" in problem and "combine_fits" not in problem
    assert "Fix:" in problem and "--slurm-no-account" in problem


def test_an_empty_account_is_named_and_no_account_clusters_pass():
    problem = cluster.account_problem([("score_gold_likelihood", ""), ("sample_completions", None)])
    assert problem is not None and "slurm_account ''" in problem and "score_gold_likelihood" in problem
    assert cluster.account_problem([("score_gold_likelihood", "")], no_account=True) is None


def _config_with(tmp_path, repo_root, override):
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(override))
    return settings.load_config(path, root=repo_root)


def test_sampled_runs_write_under_their_own_output_root(tmp_path, repo_root):
    assert _config_with(tmp_path, repo_root, {"generative_source": "sampled"})["output_root"] == str(paths.SAMPLED_OUTPUT_ROOT) == "runs/sampled"
    assert _config_with(tmp_path, repo_root, {"generative_source": "released"})["output_root"] == "."
    # an output root that is set is kept, whichever the source
    assert _config_with(tmp_path, repo_root, {"generative_source": "sampled", "output_root": "runs/mine"})["output_root"] == "runs/mine"
    assert _config_with(tmp_path, repo_root, {"generative_source": "sampled", "output_root": "."})["output_root"] == "."


def test_a_sampled_dry_run_plans_nothing_in_the_released_tree(repo_root):
    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--config", "generative_source=sampled", "--quiet", "progress"]
    result = subprocess.run(command + ["--", "results/generative/math/outcomes.parquet"], capture_output=True, text=True, cwd=repo_root)
    # the released tree's file is not a target of a sampled run: Snakemake knows no rule that writes it
    assert result.returncode != 0 and "MissingRuleException" in result.stderr + result.stdout
    result = subprocess.run(command + ["--", "runs/sampled/results/generative/math/outcomes.parquet"], capture_output=True, text=True, cwd=repo_root)
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = [line.split(":", 1)[1] for line in result.stdout.splitlines() if line.strip().startswith("output:")]
    written = [name.strip() for line in outputs for name in line.split(",")]
    assert written and all(name.startswith(("runs/sampled/", "resources/")) for name in written), written
