"""The sampling stage: stopping rule, seeds, resumable records (kill and resume), prompts, names, plan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scalingrepro.generative.pythia import parse_nickname
from scalingrepro.pipeline.errors import InputError
from scalingrepro.sampling import checkpoints, grading, prompts, sampler

STOP = ["\n\n"]


def test_stopping_rule_follows_app_b():
    rule = sampler.StoppingRule(batch_size=128, min_samples=2**14, max_samples=2**15, target_successes=10)
    assert not rule.done(2**14 - 128, 50)
    assert rule.done(2**14, 10)
    assert not rule.done(2**14, 9)
    assert not rule.done(2**15 - 128, 0)
    assert rule.done(2**15, 0)


def test_batch_seeds_depend_only_on_seed_problem_and_batch():
    assert sampler.batch_seed(1, 2, 3) == sampler.batch_seed(1, 2, 3)
    seeds = {sampler.batch_seed(1, problem, batch) for problem in range(20) for batch in range(20)}
    assert len(seeds) == 400
    assert sampler.batch_seed(2, 2, 3) != sampler.batch_seed(1, 2, 3)


def test_retained_completions_are_the_first_of_each_problem():
    assert [sampler.retained_count(b, 128, 200) for b in range(3)] == [128, 72, 0]
    assert sampler.retained_count(5, 128, -1) == 128


def test_shards_partition_the_problems():
    problems = pd.DataFrame({"problem_idx": np.arange(10)[::-1]})
    shards = [sampler.shard_of(problems, k, 3)["problem_idx"].tolist() for k in range(3)]
    assert sorted(sum(shards, [])) == list(range(10))
    assert shards[0] == [0, 3, 6, 9]


class ScriptedBackend:
    """Completions '#### <n>' drawn from the batch seed: deterministic, with a known success rate."""

    def sample(self, prompt, n, max_new_tokens, stop, seed):
        rng = np.random.default_rng(seed)
        return [f"#### {value}" for value in rng.integers(0, 20, size=n)]


def test_adaptive_sampling_stops_per_problem_and_refuses_other_settings(tmp_path):
    problems = pd.DataFrame({"benchmark": "gsm8k", "problem_idx": [4, 7], "prompt": ["p4", "p7"], "gold_answer": ["3", "99"]})
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=64, target_successes=2)
    settings = sampler.run_settings("scripted", None, "gsm8k", "v1", 5, rule, 8, STOP, -1)
    sampler.open_records(tmp_path, settings)
    with grading.Grader() as grader:
        sampler.sample_problems(problems, ScriptedBackend(), grader, rule, 5, 8, STOP, -1, tmp_path)
    counts, completions = sampler.shard_tables(tmp_path, problems, rule)
    by_problem = counts.set_index("problem_idx")
    # '99' is never drawn: that problem runs to the maximum; '3' (p = 1/20) stops once 2 are correct past 16.
    assert by_problem.loc[7, "n_samples"] == 64 and by_problem.loc[7, "n_correct"] == 0
    assert 16 <= by_problem.loc[4, "n_samples"] <= 64 and rule.done(by_problem.loc[4, "n_samples"], by_problem.loc[4, "n_correct"])
    assert len(completions) == counts["n_samples"].sum()
    assert completions.groupby("problem_idx")["correct"].sum().to_dict() == by_problem["n_correct"].to_dict()
    with pytest.raises(InputError, match="other settings"):
        sampler.open_records(tmp_path, settings | {"seed": 6})


def test_unfinished_shard_is_an_error(tmp_path):
    problems = pd.DataFrame({"benchmark": "gsm8k", "problem_idx": [1], "prompt": ["p"], "gold_answer": ["1"]})
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=16, target_successes=1)
    with pytest.raises(InputError, match="stopped at 0 samples"):
        sampler.shard_tables(tmp_path, problems, rule)


def test_nicknames_read_back_as_the_registry_checkpoint(config):
    for entry in config["generative"]["outcomes"]["pythia"]["steps"]:
        nickname = checkpoints.pythia_nickname("1.4B", float(entry["tokens"]))
        assert parse_nickname(nickname) == ("1.4B", pytest.approx(float(entry["tokens"])))


def test_plan_covers_every_size_and_prices_app_c(config):
    sizes = [entry["size"] for entry in config["generative"]["outcomes"]["pythia"]["sizes"]]
    plan = checkpoints.plan_table(config["sampling"], config["generative"]["outcomes"]["sampling_cost"], ["gsm8k", "math"], sizes, 9)
    per_size = plan[plan["benchmark"] != "total"]
    assert len(per_size) == 18 and per_size["jobs"].sum() == 9 * 9 * 2 * config["sampling"]["shards_per_checkpoint"]
    twelve_b = per_size[(per_size["benchmark"] == "gsm8k") & (per_size["size"] == "12B")].iloc[0]
    # 9 checkpoints x 128 problems x 2^14 samples / 128 per batch x 36 A100-s per batch (App. C, Table 1)
    assert twelve_b["gpu_hours_min"] == pytest.approx(9 * 128 * 2**14 / 128 * 36 / 3600)
    assert plan.iloc[-1]["samples_max"] == 2 * per_size["samples_min"].sum()


def test_prompts_follow_the_exemplar_layout(config, mirror):
    test = prompts.read_jsonl(mirror / "gsm8k_test.jsonl", ["question", "answer"])
    train = prompts.read_jsonl(mirror / "gsm8k_train.jsonl", ["question", "answer"])
    math_test = prompts.read_jsonl(mirror / "math_test.jsonl", ["question", "answer"])
    settings = config["sampling"]["prompts"]
    gsm8k = prompts.build_problems("gsm8k", test, train, [5, 0], settings, "test")
    assert gsm8k["problem_idx"].tolist() == [0, 5]
    first = gsm8k.iloc[0]
    assert first["prompt"].count("Question: ") == settings["gsm8k"]["n_shots"] + 1 and first["prompt"].endswith(f"Question: {test[0]['question']}\nAnswer:")
    assert first["gold_answer"] == grading.gold_answer("gsm8k", test[0]["answer"])
    # exemplars are seeded per problem: the same again, different for another problem
    assert prompts.build_problems("gsm8k", test, train, [0], settings, "test")["prompt"].iloc[0] == first["prompt"]
    assert gsm8k.iloc[1]["prompt"].split("Question: ")[1] != first["prompt"].split("Question: ")[1]
    math = prompts.build_problems("math", math_test, [], [0], settings, "test").iloc[0]
    assert math["prompt"].count("Problem:\n") == 5 and math["prompt"].endswith("\n\nSolution:")
    assert math["prompt"].count("Final Answer: The final answer is") == 4
    with pytest.raises(InputError, match="outside"):
        prompts.build_problems("math", math_test, [], [5000], settings, "test")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from scalingrepro.sampling import tiny_models

    directory = tmp_path_factory.mktemp("tiny") / "step0"
    texts = ["Question: what is 1 + 2?\nAnswer: 1 + 2 = 3\n#### 3", "Question: what is 2 + 2?\nAnswer: #### 4"] * 20
    settings = {"seed": 1, "vocab_size": 300, "num_layers": 1, "num_heads": 2, "max_position_embeddings": 256, "learning_rate": 1e-3, "batch_size": 2}
    tiny_models.build_checkpoints(texts, texts, 16, [0], settings, {0: directory})
    return directory


def _sample_command(problems: Path, model: Path, records: Path) -> list[str]:
    return [sys.executable, "-m", "scalingrepro.sampling.sample", str(problems), str(model), str(records), "--device", "cpu", "--seed", "11",
            "--batch-size", "4", "--min-samples", "24", "--max-samples", "24", "--target-successes", "1", "--max-new-tokens", "6"]


def _records(directory: Path) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in sorted(directory.glob("problem*.json"))}


def test_killed_sampling_resumes_to_the_uninterrupted_result(tmp_path, tiny_model):
    # 12 problems × 6 batches: enough records that the kill lands mid-run even on a busy machine.
    n_problems = 12
    problems = pd.DataFrame({"benchmark": "gsm8k", "problem_idx": range(n_problems), "prompt": ["Question: what is 1 + 2?\nAnswer:"] * n_problems, "gold_answer": [str(3 + i) for i in range(n_problems)]})
    problems.to_parquet(tmp_path / "problems.parquet")
    environment = os.environ | {"HF_HUB_OFFLINE": "1"}
    uninterrupted = subprocess.run(_sample_command(tmp_path / "problems.parquet", tiny_model, tmp_path / "whole"), capture_output=True, text=True, env=environment)
    assert uninterrupted.returncode == 0, uninterrupted.stderr

    killed = subprocess.Popen(_sample_command(tmp_path / "problems.parquet", tiny_model, tmp_path / "resumed"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    deadline = time.monotonic() + 120
    while len(list((tmp_path / "resumed").glob("problem*.json"))) < 7 and time.monotonic() < deadline and killed.poll() is None:
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    interrupted_at = len(_records(tmp_path / "resumed"))
    assert 0 < interrupted_at < 6 * n_problems, "the kill should land mid-run"
    resumed = subprocess.run(_sample_command(tmp_path / "problems.parquet", tiny_model, tmp_path / "resumed"), capture_output=True, text=True, env=environment)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == uninterrupted.stdout
    # Not only the counts: every batch record, completions included, matches the uninterrupted run.
    assert _records(tmp_path / "resumed") == _records(tmp_path / "whole")
    assert not list((tmp_path / "resumed").glob(".*.tmp"))


def test_transformers_backend_scores_the_continuation_tokens(tiny_model):
    import torch

    from scalingrepro.sampling.backends import TransformersBackend

    backend = TransformersBackend(str(tiny_model), device="cpu")
    prompt, continuation = "Question: what is 1 + 2?\nAnswer:", " 1 + 2 = 3"
    total, n_tokens = backend.score(prompt, continuation)
    prompt_ids = backend.tokenizer(prompt).input_ids
    continuation_ids = backend.tokenizer(continuation, add_special_tokens=False).input_ids
    with torch.no_grad():
        logits = backend.model(torch.tensor([prompt_ids + continuation_ids])).logits[0]
    expected = sum(torch.log_softmax(logits[len(prompt_ids) + i - 1], -1)[token].item() for i, token in enumerate(continuation_ids))
    assert n_tokens == len(continuation_ids) and total == pytest.approx(expected, rel=1e-5)
    assert backend.sample(prompt, 3, 5, ["\n"], seed=1) == backend.sample(prompt, 3, 5, ["\n"], seed=1)


def _vllm_with_gpu() -> str | None:
    try:
        import torch
        import vllm  # noqa: F401
    except ImportError:
        return "vllm is not installed (optional `sampling` extra, CUDA only)"
    return None if torch.cuda.is_available() else "no CUDA GPU"


@pytest.mark.skipif(_vllm_with_gpu() is not None, reason=_vllm_with_gpu() or "")
def test_vllm_backend_agrees_with_transformers_on_a_tiny_model(tiny_model):
    from scalingrepro.sampling.backends import TransformersBackend, VLLMBackend

    engine = VLLMBackend(str(tiny_model), engine={"dtype": "float32", "gpu_memory_utilization": 0.2, "max_model_len": 256})
    prompt, continuation = "Question: what is 1 + 2?\nAnswer:", " 1 + 2 = 3"
    assert engine.score(prompt, continuation) == pytest.approx(TransformersBackend(str(tiny_model), device="cpu").score(prompt, continuation), rel=1e-3)
    completions = engine.sample(prompt, 8, 5, ["\n"], seed=3)
    assert len(completions) == 8 and completions == engine.sample(prompt, 8, 5, ["\n"], seed=3)


def test_sampled_source_builds_the_math_gold_law_figures(config):
    from scalingrepro.registry import all_targets, unavailable
    from scalingrepro.sampling.source import gold_benchmarks

    assert gold_benchmarks(config) == ["gsm8k"] and set(unavailable(config)) == {"generative_fig18", "generative_fig19", "generative_fig22"}
    sampled = config | {"generative_source": "sampled"}
    assert gold_benchmarks(sampled) == ["gsm8k", "math"] and unavailable(sampled) == {}
    ids = {target.id for target in all_targets(sampled)}
    assert {"generative_fig18", "generative_fig19", "generative_fig22"} <= ids
