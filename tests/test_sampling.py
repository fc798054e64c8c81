"""The sampling stage: stopping rule, seeds, resumable records (kill and resume), prompts, names, plan."""

from __future__ import annotations

import json
import os
import re
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


def _sample_seeds(seed: int, problem_ids, rule) -> list[int]:
    """Every sample seed the engine uses: child j of a batch request seeded s draws with s + j (vLLM's rule)."""
    batches = rule.samples_at_most() // rule.batch_size
    return [sampler.batch_seed(seed, p, b, rule) + j for p in problem_ids for b in range(batches) for j in range(rule.batch_size)]


def test_no_two_samples_of_a_shard_share_a_seed(config):
    rule = sampler.stopping_rule(config["sampling"]["budget"])
    seed = config["sampling"]["seed"]
    # GSM8K's 1,319 test problems at the default budget: under the earlier hashed batch seeds,
    # problem 1075's batches 88 and 138 lay 14 apart and shared 114 of 128 samples.
    # Each batch request takes seeds [s, s + 128): sorted, consecutive starts lie 128 or more apart.
    starts = np.sort(np.array([sampler.batch_seed(seed, p, b, rule) for p in range(1319) for b in range(rule.samples_at_most() // rule.batch_size)], dtype=np.uint64))
    assert len(starts) == 1319 * 256 and np.diff(starts).min() >= rule.batch_size
    assert int(starts[-1]) + rule.batch_size < 2**63
    # Batch b of a problem starts where batch b-1 ends; a batch depends on (seed, problem, batch) only.
    assert sampler.batch_seed(seed, 1075, 139, rule) - sampler.batch_seed(seed, 1075, 138, rule) == rule.batch_size
    assert sampler.batch_seed(seed + 1, 1075, 0, rule) != sampler.batch_seed(seed, 1075, 0, rule)
    small = sampler.StoppingRule(batch_size=3, min_samples=4, max_samples=10, target_successes=1)
    # 10 samples at most in batches of 3: 4 batches, 12 seeds per problem, none shared.
    assert small.samples_at_most() == 12
    assert sorted(_sample_seeds(7, [0, 1, 5], small)) == sorted(set(_sample_seeds(7, [0, 1, 5], small)))


def test_retained_completions_are_the_first_of_each_problem():
    assert [sampler.retained_count(b, 128, 200) for b in range(3)] == [128, 72, 0]
    assert sampler.retained_count(5, 128, -1) == 128


def test_shards_partition_the_problems():
    problems = pd.DataFrame({"problem_idx": np.arange(10)[::-1]})
    shards = [sampler.shard_of(problems, k, 3)["problem_idx"].tolist() for k in range(3)]
    assert sorted(sum(shards, [])) == list(range(10))
    assert shards[0] == [0, 3, 6, 9]


class ScriptedBackend:
    """Completions '#### <n>', sample j of a request drawn from seed + j alone: deterministic,
    with a known success rate. Records the requests of each call."""

    def __init__(self):
        self.calls: list[list] = []
        self.generated_tokens = 0

    def sample(self, requests, max_new_tokens, stop):
        self.calls.append(list(requests))
        values = [[np.random.default_rng(request.seed + j).integers(0, 20) for j in range(request.n)] for request in requests]
        # GSM8K's grader reads the '####' line, MATH's the final-answer line
        return [[f"#### {v}\nFinal Answer: The final answer is ${v}$. I hope it is correct." for v in row] for row in values]


def _scripted_problems(ids=(4, 7), golds=("3", "99"), benchmark="gsm8k") -> pd.DataFrame:
    return pd.DataFrame({"benchmark": benchmark, "problem_idx": list(ids), "prompt": [f"p{i}" for i in ids], "gold_answer": list(golds)})


def _settings(rule, problems, seed=5, backend="scripted"):
    return sampler.run_settings("scripted", None, "gsm8k", "v1", seed, rule, 8, STOP, -1, problems=problems, backend=backend, dtype="float32")


def test_adaptive_sampling_stops_per_problem_and_refuses_other_settings(tmp_path):
    problems = _scripted_problems()
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=64, target_successes=2)
    settings = _settings(rule, problems)
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


def test_record_settings_name_engine_prompts_problems_and_grader(tmp_path):
    problems = _scripted_problems()
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=64, target_successes=2)
    settings = _settings(rule, problems)
    assert settings["backend"] == "scripted" and settings["dtype"] == "float32" and settings["problem_ids"] == [4, 7]
    assert settings["grader_version"] == grading.GRADER_VERSION and settings["seed_layout"] == sampler.SEED_LAYOUT
    sampler.open_records(tmp_path, settings)
    edited = problems.assign(prompt=["p4", "p7 edited"])
    for other in (_settings(rule, edited), _settings(rule, problems, backend="vllm"), _settings(rule, problems.iloc[:1])):
        with pytest.raises(InputError, match="other settings"):
            sampler.open_records(tmp_path, other)
    # The hash is of ids and texts, whatever the row order.
    assert sampler.prompt_hash(problems) == sampler.prompt_hash(problems.iloc[::-1]) != sampler.prompt_hash(edited)


def _sampled_records(directory, problems, rule, schedule, workers, backend=None):
    backend = backend or ScriptedBackend()
    with grading.Grader(workers=workers) as grader:
        sampler.sample_problems(problems, backend, grader, rule, 5, 8, STOP, -1, directory, schedule=schedule)
    return {path.name: json.loads(path.read_text()) for path in sorted(directory.glob("problem*.json"))}, backend


@pytest.mark.parametrize(("benchmark", "workers"), [("gsm8k", 0), ("gsm8k", 1), ("math", 1)])
def test_rounds_write_the_records_of_the_sequential_order(tmp_path, benchmark, workers):
    # Golds drawn with p = 1/20 each: problems stop at different rounds, one runs to the maximum.
    problems = _scripted_problems(ids=(0, 3, 8, 11, 12), golds=("3", "5", "7", "0", "99"), benchmark=benchmark)
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=96, target_successes=3)
    sequential, sequential_backend = _sampled_records(tmp_path / "sequential", problems, rule, "sequential", 0)
    rounds, rounds_backend = _sampled_records(tmp_path / "rounds", problems, rule, "rounds", workers)
    assert rounds == sequential
    counts = sampler.shard_tables(tmp_path / "rounds", problems, rule)[0].set_index("problem_idx")
    assert len(set(counts["n_samples"])) > 2 and counts.loc[12, "n_samples"] == 96
    # sequential: one request per call; rounds: one call per round, its requests every unfinished problem
    assert all(len(call) == 1 for call in sequential_backend.calls) and len(sequential_backend.calls) == len(sequential)
    assert len(rounds_backend.calls) <= 96 // 8 + 1 and len(rounds_backend.calls[0]) == len(problems)
    drawn = sum(len(call) for call in rounds_backend.calls)
    # Grading overlapped with the next round draws at most one batch per problem that is then dropped.
    assert len(sequential) <= drawn <= len(sequential) + (len(problems) if workers else 0)
    seeds = [request.seed + j for call in rounds_backend.calls for request in call for j in range(request.n)]
    assert len(set(seeds)) == len(seeds)


def test_rounds_resume_from_the_records_of_a_killed_run(tmp_path):
    problems = _scripted_problems(ids=(0, 3, 8), golds=("3", "5", "99"))
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=64, target_successes=3)
    whole, _ = _sampled_records(tmp_path / "whole", problems, rule, "rounds", 0)
    (tmp_path / "resumed").mkdir()
    # As if killed mid-round: problem 0 three batches in, problem 3 one, problem 8 none.
    written = {0: 3, 3: 1, 8: 0}
    for name, record in whole.items():
        if record["batch_index"] < written[record["problem_idx"]]:
            (tmp_path / "resumed" / name).write_text(json.dumps(record))
    resumed, backend = _sampled_records(tmp_path / "resumed", problems, rule, "rounds", 0)
    assert resumed == whole
    first_round = {(request.prompt, request.seed) for request in backend.calls[0]}
    assert first_round == {(f"p{p}", sampler.batch_seed(5, p, b, rule)) for p, b in written.items()}


def test_records_past_the_stopping_rule_are_refused(tmp_path):
    problems = _scripted_problems(ids=(1,), golds=("1",))
    rule = sampler.StoppingRule(batch_size=4, min_samples=4, max_samples=8, target_successes=1)
    for batch_index, n_correct in enumerate([2, 1]):  # the rule held after batch 0, yet batch 1 exists
        record = {"problem_idx": 1, "batch_index": batch_index, "seed": 0, "n_samples": 4, "n_correct": n_correct, "completions": [], "extracted": [], "correct": []}
        (tmp_path / sampler.record_path(tmp_path, 1, batch_index).name).write_text(json.dumps(record))
    with pytest.raises(InputError, match="past batch 0"):
        sampler.shard_tables(tmp_path, problems, rule)
    with grading.Grader() as grader, pytest.raises(InputError, match="past batch 0"):
        sampler.sample_problems(problems, ScriptedBackend(), grader, rule, 5, 8, STOP, -1, tmp_path)


def test_a_locked_shard_is_refused_to_a_second_job(tmp_path):
    with sampler.shard_lock(tmp_path / "records"):
        with pytest.raises(InputError, match="another job"):
            with sampler.shard_lock(tmp_path / "records"):
                pass
    with sampler.shard_lock(tmp_path / "records"):  # released on exit
        pass


def test_progress_reports_rate_and_eta():
    lines = []
    progress = sampler.Progress(4, emit=lines.append, interval=0.0)
    progress.start -= 10.0  # 10 s ago
    progress.update(samples=100, problems_done=1, remaining=(300, 600))
    assert lines[-1].startswith("problems 1/4 | samples 100 | 10.0 samples/s | ETA")
    assert "30 s to 1 min" in lines[-1]
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=32, target_successes=2)
    states = {0: sampler.ProblemState(8, 0, 1), 1: sampler.ProblemState(16, 2, 2), 2: sampler.ProblemState(24, 1, 3)}
    # problem 0: 8 more at least, 24 at most; problem 1 is done; problem 2: one batch, 8 at most
    assert sampler.remaining_samples(states, rule) == (16, 32)


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
    shards = [checkpoints.shard_count(config["sampling"], config["generative"]["outcomes"]["sampling_cost"], b, size, 128) for b in ("gsm8k", "math") for size in sizes]
    assert len(per_size) == 18 and per_size["jobs"].sum() == 9 * sum(shards)
    twelve_b = per_size[(per_size["benchmark"] == "gsm8k") & (per_size["size"] == "12B")].iloc[0]
    # 9 checkpoints x 128 problems x 2^14 samples / 128 per batch x 36 A100-s per batch (App. C, Table 1)
    assert twelve_b["gpu_hours_min"] == pytest.approx(9 * 128 * 2**14 / 128 * 36 / 3600)
    assert plan.iloc[-1]["samples_max"] == 2 * per_size["samples_min"].sum()


def test_every_sampling_job_fits_the_partition_time_limit(config):
    sampling, cost = config["sampling"], config["generative"]["outcomes"]["sampling_cost"]
    limit = sampling["resources"]["time_limit_minutes"]
    for benchmark in ("gsm8k", "math"):
        for entry in config["generative"]["outcomes"]["pythia"]["sizes"]:
            size = entry["size"]
            shards = checkpoints.shard_count(sampling, cost, benchmark, size, 128)
            resources = checkpoints.job_resources(sampling, cost, benchmark, size, 128, "sample")
            largest_shard = -(-128 // shards)
            # brute force: the largest shard's problems, each to 2^15 samples, at App. C's A100-s per 128 samples
            worst = largest_shard * 2**15 / 128 * cost["reported_a100_seconds_per_batch"][benchmark][size] / 60
            assert worst * sampling["resources"]["runtime_margin"] + sampling["resources"]["startup_minutes"] <= limit
            assert resources["runtime"] <= limit and resources["runtime"] >= worst
            # and no more shards than that takes
            if shards > sampling["shards_per_checkpoint"]:
                fewer = -(-128 // (shards - 1)) * 2**15 / 128 * cost["reported_a100_seconds_per_batch"][benchmark][size] / 60
                assert fewer * sampling["resources"]["runtime_margin"] + sampling["resources"]["startup_minutes"] > limit
    assert checkpoints.shard_count(sampling, cost, "gsm8k", "14M", 128) == sampling["shards_per_checkpoint"]
    assert checkpoints.shard_count(sampling, cost, "gsm8k", "12B", 128) > 4
    assert checkpoints.job_resources(sampling, cost, "gsm8k", "12B", 128, "score")["runtime"] < limit


def test_math_is_sampled_at_the_papers_eight_steps(config):
    steps = [int(entry["step"]) for entry in config["generative"]["outcomes"]["pythia"]["steps"]]
    assert checkpoints.sampled_steps(config["sampling"], "gsm8k", steps) == steps
    assert checkpoints.sampled_steps(config["sampling"], "math", steps) == [step for step in steps if step != 256] and len(steps) == 9
    assert checkpoints.offline_environment("/cache") == {"HF_HOME": "/cache", "HF_HUB_OFFLINE": "1"}


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
    [(total, n_tokens), second] = backend.score([(prompt, continuation), ("Question:", " 4")])
    prompt_ids = backend.tokenizer(prompt).input_ids
    continuation_ids = backend.tokenizer(continuation, add_special_tokens=False).input_ids
    with torch.no_grad():
        logits = backend.model(torch.tensor([prompt_ids + continuation_ids])).logits[0]
    expected = sum(torch.log_softmax(logits[len(prompt_ids) + i - 1], -1)[token].item() for i, token in enumerate(continuation_ids))
    assert n_tokens == len(continuation_ids) and total == pytest.approx(expected, rel=1e-5)
    assert second[1] == len(backend.tokenizer(" 4", add_special_tokens=False).input_ids)


def test_transformers_backend_draws_each_sample_from_its_own_seed(tiny_model):
    from scalingrepro.sampling.backends import SampleRequest, TransformersBackend

    backend = TransformersBackend(str(tiny_model), device="cpu", batch_rows=7)
    requests = [SampleRequest("Question: what is 1 + 2?\nAnswer:", 4, 100), SampleRequest("Question: what", 3, 200), SampleRequest("Q", 5, 10**18)]
    together = backend.sample(requests, 12, ["\n"])
    # Left-padded together (in parts of at most 7 rows), or each request alone: the same completions.
    assert together == [backend.sample([request], 12, ["\n"])[0] for request in requests]
    assert [len(texts) for texts in together] == [4, 3, 5] and len(set(together[0] + together[2])) > 4
    # Sample j of a request seeded s is the sample drawn with seed s + j, as vLLM seeds a request's children.
    assert backend.sample([SampleRequest(requests[0].prompt, 2, 102)], 12, ["\n"])[0] == together[0][2:]
    assert all("\n" not in text for texts in together for text in texts) and backend.generated_tokens > 0


def test_drawn_tokens_follow_the_softmax():
    import torch

    from scalingrepro.sampling.backends import draw_tokens, sample_uniforms

    logits = torch.log(torch.tensor([[0.1, 0.2, 0.7]])).repeat(20000, 1)
    uniforms = sample_uniforms(range(20000), step=3)
    assert 0 <= uniforms.min() and uniforms.max() < 1 and abs(uniforms.mean() - 0.5) < 0.01
    counts = np.bincount(draw_tokens(logits, uniforms).numpy(), minlength=3) / 20000
    assert counts == pytest.approx([0.1, 0.2, 0.7], abs=0.01)
    assert not np.array_equal(sample_uniforms([1, 2], step=0), sample_uniforms([1, 2], step=1))
    assert sample_uniforms([5], step=0)[0] == sample_uniforms([4, 5], step=0)[1]


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

    from scalingrepro.sampling.backends import SampleRequest

    engine = VLLMBackend(str(tiny_model), engine={"dtype": "float32", "gpu_memory_utilization": 0.2, "max_model_len": 256})
    pairs = [("Question: what is 1 + 2?\nAnswer:", " 1 + 2 = 3")]
    assert engine.score(pairs)[0] == pytest.approx(TransformersBackend(str(tiny_model), device="cpu").score(pairs)[0], rel=1e-3)
    requests = [SampleRequest(pairs[0][0], 8, 3), SampleRequest("Question:", 4, 50)]
    completions = engine.sample(requests, 5, ["\n"])
    assert [len(texts) for texts in completions] == [8, 4] and completions == engine.sample(requests, 5, ["\n"])
    assert engine.sample([SampleRequest(pairs[0][0], 4, 7)], 5, ["\n"])[0] == completions[0][4:]


def test_sampled_source_builds_the_math_gold_law_figures(config):
    from scalingrepro.registry import all_targets, unavailable
    from scalingrepro.sampling.source import gold_benchmarks

    assert gold_benchmarks(config) == ["gsm8k"] and set(unavailable(config)) == {"generative_fig18", "generative_fig19", "generative_fig22"}
    sampled = config | {"generative_source": "sampled"}
    assert gold_benchmarks(sampled) == ["gsm8k", "math"] and unavailable(sampled) == {}
    ids = {target.id for target in all_targets(sampled)}
    assert {"generative_fig18", "generative_fig19", "generative_fig22"} <= ids


def test_a_failed_atomic_write_leaves_neither_file_nor_temporary(tmp_path, monkeypatch):
    from scalingrepro.pipeline import files

    files.write_text_atomically(tmp_path / "a.json", "old")
    monkeypatch.setattr(files.os, "replace", lambda *_: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        files.write_text_atomically(tmp_path / "a.json", "new")
    assert (tmp_path / "a.json").read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_sampling_benchmark_measures_both_designs_on_a_pythia_shape(mirror, capsys):
    pytest.importorskip("torch")
    from scalingrepro.commands import sampling_benchmark

    model = sampling_benchmark.pythia_shaped_model("14M", seed=1)
    # Pythia-14M: 14M parameters with its embeddings and output layer (1.2M without)
    assert 14.0e6 < sum(p.numel() for p in model.parameters()) < 14.1e6
    assert sampling_benchmark.main(["--problems", "2", "--batch-size", "2", "--batches", "2", "--max-new-tokens", "3", "--n-shots", "0", "--workers", "0", "--mirror", str(mirror)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")))) for line in lines[2:]]
    # Same seeds, same records, but for a rare token flipped by the last bits of logits in batches of other shapes.
    assert [row["design"] for row in rows] == ["sequential", "rounds"] and all(int(row["completions_differing"]) <= 1 for row in rows)
    assert all(row["samples"] == "8" and float(row["samples_per_second"]) > 0 for row in rows)
    # random weights rarely stop early: close to 3 new tokens per sample
    assert all(8 * 3 * 0.5 <= float(row["generated_tokens_per_second"]) * float(row["seconds"]) <= 8 * 3 + 1 for row in rows)


def test_the_sampled_workflow_prefetches_shards_to_the_limit_and_can_score_in_the_sampling_job(repo_root, tmp_path, config):
    from scalingrepro.pipeline.checkout import copy_repository

    checkout = copy_repository(repo_root, tmp_path / "checkout")
    (checkout / "scored_in_job.yaml").write_text("generative_source: sampled\nsampling:\n  score_in_sampling_job: true\n")
    environment = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", "scored_in_job.yaml"], cwd=checkout, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    jobs = {row[0]: int(row[1]) for row in (line.split() for line in table.splitlines()[3:]) if len(row) == 2 and row[0] != "total"}
    # 9 sizes x 9 steps of weights; GSM8K at 9 steps and MATH at 8 (no step 256): 153 checkpoints
    assert jobs["prefetch_model"] == 81 and jobs["sample_completions_and_score_gold"] == 153 and "score_gold_likelihood" not in jobs
    outputs = set(re.findall(r"output: ([^\n]+)", result.stdout))
    assert not any("sampling/math/" in line and "/step256/" in line for line in outputs)
    assert any("sampling/gsm8k/" in line and "/step256/" in line for line in outputs)
    sampling, cost = config["sampling"], config["generative"]["outcomes"]["sampling_cost"]
    shards = {int(n) for n in re.findall(r"sampling/gsm8k/12B/step1000/shard(\d+)_counts", result.stdout)}
    assert shards == set(range(checkpoints.shard_count(sampling, cost, "gsm8k", "12B", 128))) and len(shards) > sampling["shards_per_checkpoint"]
    # every sampling job reads its checkpoint's prefetched weights
    # (under the sampled run's own output root, runs/sampled/, where sampling.models.cache_dir is not set)
    assert "input: runs/sampled/models/huggingface/prefetched/12B/step1000.json" in result.stdout
