"""The from-scratch path end to end on tiny local models (config/smoke.yaml): every stage runs,
tables keep their contracts, counts obey the stopping rule, and a shard resumes to the same counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import load_config

from scalingrepro.generative import likelihood, outcomes, pythia
from scalingrepro.pipeline.checkout import copy_repository
from scalingrepro.sampling import locations, sampler

pytestmark = pytest.mark.smoke

STAGES = [
    "acquire_input", "build_sampling_problems", "build_tiny_models", "sample_completions", "combine_checkpoint_outcomes",
    "regrade_completions", "combine_sampled_outcomes", "score_gold_likelihood", "combine_gold_likelihoods",
    "estimate_pass_at_k", "compute_gold_likelihood", "fit_scaling_laws", "backtest_law",
]
FIGURES = ["generative_fig01", "generative_fig06", "generative_fig18", "generative_fig19"]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, repo_root, mirror):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("tokenizers")
    checkout = copy_repository(repo_root, tmp_path_factory.mktemp("smoke"))
    config = load_config("config/smoke.yaml")
    environment = os.environ | {"REPRO_MIRROR": str(mirror), "HF_HUB_OFFLINE": "1", "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "scalingrepro.commands.sampling_smoke", "--checkout", str(checkout)]
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr[-4000:]
    # Every output sits under the smoke run's own output root; the checkout's results/ stays empty.
    assert not (checkout / "results").exists() and not (checkout / "paper" / "figures").exists()
    return checkout / config["output_root"], config, environment, command


def test_every_stage_ran(smoke_run):
    directory, _, _, _ = smoke_run
    for stage in STAGES:
        assert list((directory / "logs" / stage).glob("*.log")), f"no log of {stage}"
    for figure in FIGURES:
        assert (directory / "logs" / "paper" / f"{figure}.log").exists(), f"{figure} was not drawn"
        assert list((directory / "paper" / "figures").glob(f"{figure}_*.pdf")), f"no PDF of {figure}"


def test_outcomes_follow_the_contract_and_the_stopping_rule(smoke_run):
    directory, config, _, _ = smoke_run
    rule = sampler.stopping_rule(config["sampling"]["budget"])
    registry = config["generative"]["outcomes"]
    n_checkpoints = len(registry["pythia"]["sizes"]) * len(registry["pythia"]["steps"])
    for benchmark, problem_ids in config["sampling"]["problems"].items():
        table = outcomes.read_outcomes(directory / "results" / "generative" / benchmark / "outcomes.parquet")
        assert list(table.columns) == outcomes.OUTCOME_COLUMNS
        assert len(table) == n_checkpoints * len(problem_ids)
        assert sorted(table["problem_idx"].unique()) == sorted(problem_ids)
        assert (table["n_samples"] % rule.batch_size == 0).all()
        assert all(rule.done(n, c) for n, c in zip(table["n_samples"], table["n_correct"]))
        assert all(not rule.done(n - rule.batch_size, c_before) for n, c_before in zip(table["n_samples"], table["n_correct"]) if n > rule.min_samples and c_before < rule.target_successes)
        for (size, step), rows in table.groupby(["size", "step"]):
            completions = pd.read_parquet(directory / locations.checkpoint(benchmark, size, step, "regraded_completions.parquet"))
            # every completion is retained in the smoke run: counts, regraded verdicts and outcomes agree
            assert len(completions) == rows["n_samples"].sum()
            assert (completions["correct"] == completions["correct_regraded"]).all()
            assert completions.groupby("problem_idx")["correct"].sum().to_dict() == rows.set_index("problem_idx")["n_correct"].to_dict()


def test_gold_likelihoods_are_read_by_the_gold_law(smoke_run):
    directory, config, _, _ = smoke_run
    checkpoints = pythia.checkpoint_table(config["generative"]["outcomes"])
    for benchmark, problem_ids in config["sampling"]["problems"].items():
        gold = likelihood.load_gold_neg_log_likelihood(directory / locations.gold_neg_log_likelihood(benchmark), checkpoints)
        assert len(gold) == len(checkpoints) * len(problem_ids) and (gold["neg_log_likelihood"] > 0).all()
        table = pd.read_csv(directory / "results" / "generative" / benchmark / "gold_likelihood.csv")
        assert len(table) == len(checkpoints)
        fits = pd.read_csv(directory / "results" / "generative" / benchmark / "fits.csv")
        assert "gold_likelihood" in set(fits["law"])


def test_a_shard_resumes_to_the_same_counts(smoke_run):
    directory, config, environment, command = smoke_run
    size, step = config["generative"]["outcomes"]["pythia"]["sizes"][0]["size"], config["generative"]["outcomes"]["pythia"]["steps"][-1]["step"]
    counts_path = directory / locations.shard("math", size, step, 0, "counts.parquet")
    records = directory / locations.shard_records("math", size, step, 0)
    before = pd.read_parquet(counts_path)
    record_files = sorted(records.glob("problem*.json"))
    kept = {path.name: json.loads(path.read_text()) for path in record_files}
    # As if the job had died after its first batches: the output gone, the last records never written.
    counts_path.unlink()
    for path in record_files[2:]:
        path.unlink()
    target = str(locations.shard("math", size, step, 0, "counts.parquet"))
    result = subprocess.run(command + ["--target", target], capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr[-4000:]
    assert pd.read_parquet(counts_path).equals(before)
    assert {path.name: json.loads(path.read_text()) for path in sorted(records.glob("problem*.json"))} == kept
