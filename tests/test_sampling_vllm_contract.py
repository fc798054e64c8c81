"""The vLLM adapter against a stand-in `vllm` module that behaves as vLLM 0.33 documents (and its
source shows): `LLM(**kwargs)`, `generate(prompts, [SamplingParams])` returning outputs in input
order, child j of a request with `n > 1` and seed s seeded s + j, stop strings removed from the
text, and `prompt_logprobs=0` giving each prompt token's log-prob with None at position 0."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scalingrepro.sampling import backends, grading, sampler
from scalingrepro.sampling.backends import SampleRequest
from scalingrepro.sampling.scoring import gold_likelihood_table

BOS = 1


@dataclass
class Logprob:
    logprob: float
    rank: int | None = None
    decoded_token: str | None = None


@dataclass
class CompletionOutput:
    index: int
    text: str
    token_ids: list[int]


@dataclass
class RequestOutput:
    prompt: str | None
    outputs: list[CompletionOutput]
    prompt_logprobs: list | None = None


@dataclass
class SamplingParams:
    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = 16
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    prompt_logprobs: int | None = None


class CharTokenizer:
    """One token per character; BOS first unless add_special_tokens=False."""

    def __call__(self, text, add_special_tokens=True):
        return types.SimpleNamespace(input_ids=([BOS] if add_special_tokens else []) + [ord(c) for c in text])


def token_log_prob(position: int, token: int) -> float:
    return -0.01 * position - 0.001 * token


def child_text(seed: int) -> str:
    """What the stand-in engine generates for one child seed, before stop strings are removed."""
    return f"#### {np.random.default_rng(seed).integers(0, 20)}\n\nQuestion: more"


class LLM:
    instances: list[LLM] = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.calls: list[tuple[list, list]] = []
        LLM.instances.append(self)

    def get_tokenizer(self):
        return CharTokenizer()

    def generate(self, prompts, sampling_params, use_tqdm=True):
        params = sampling_params if isinstance(sampling_params, list) else [sampling_params] * len(prompts)
        self.calls.append((list(prompts), list(params)))
        results = []
        for prompt, request in zip(prompts, params):
            if request.prompt_logprobs is not None:
                ids = prompt["prompt_token_ids"]
                logprobs = [None] + [{token: Logprob(token_log_prob(position, token), rank=1)} for position, token in enumerate(ids)][1:]
                results.append(RequestOutput(None, [CompletionOutput(0, "x", [120])], logprobs))
                continue
            children = []
            for j in range(request.n):
                text = child_text(request.seed + j)
                cut = min((text.find(s) for s in request.stop if s in text), default=len(text))
                children.append(CompletionOutput(j, text[:cut], list(range(cut + 1))))
            results.append(RequestOutput(prompt, children[::-1]))  # children need not come in index order
        return results


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.LLM, module.SamplingParams = LLM, SamplingParams
    monkeypatch.setitem(sys.modules, "vllm", module)
    LLM.instances.clear()
    return module


def test_engine_settings_of_the_config_reach_the_engine(fake_vllm, config, repo_root):
    settings = config["sampling"]["backends"]["vllm"]
    backend = backends.load_backend("vllm", "EleutherAI/pythia-14m", "step1000", settings)
    [engine] = LLM.instances
    assert engine.kwargs == {"model": "EleutherAI/pythia-14m", "revision": "step1000", "enable_prefix_caching": True, **settings}
    assert {"dtype", "gpu_memory_utilization", "max_model_len"} <= set(engine.kwargs)
    schema = yaml.safe_load((repo_root / "workflow" / "schemas" / "config.schema.yaml").read_text())
    vllm_schema = schema["properties"]["sampling"]["properties"]["backends"]["properties"]["vllm"]["properties"]
    # every documented key is configured and nothing else is
    assert set(settings) == set(vllm_schema) and backends.backend_dtype("vllm", settings) == settings["dtype"]
    assert backend.generated_tokens == 0


def test_one_call_per_round_with_each_requests_seed_and_children_in_index_order(fake_vllm):
    backend = backends.VLLMBackend("model", None, engine={"dtype": "float16"})
    stop = ["\n\nQuestion:", "Question:"]
    requests = [SampleRequest("prompt a", 3, 1000), SampleRequest("prompt b", 2, 5000)]
    completions = backend.sample(requests, 64, stop)
    [(prompts, params)] = LLM.instances[0].calls
    assert prompts == ["prompt a", "prompt b"] and [(p.n, p.seed, p.max_tokens, p.stop, p.temperature) for p in params] == [(3, 1000, 64, stop, 1.0), (2, 5000, 64, stop, 1.0)]
    assert completions == [[child_text(1000 + j).split("\n\nQuestion:")[0] for j in range(3)], [child_text(5000 + j).split("\n\nQuestion:")[0] for j in range(2)]]
    assert backend.generated_tokens == sum(len(text) + 1 for texts in completions for text in texts)


def test_gold_solutions_of_a_checkpoint_are_scored_in_one_call(fake_vllm):
    backend = backends.VLLMBackend("model", None)
    problems = pd.DataFrame({"problem_idx": [3, 9], "prompt": ["Q: 1+1?\nA:", "Q: 2?\nA:"], "gold_continuation": [" 2", " 2 #### 2"]})
    table = gold_likelihood_table(backend, problems, "14M", 128)
    [(prompts, params)] = LLM.instances[0].calls
    assert len(prompts) == 2 and params[0].prompt_logprobs == 0 and params[0].max_tokens == 1
    for row, prompt, continuation in zip(table.itertuples(), problems["prompt"], problems["gold_continuation"]):
        # brute force: the continuation's characters sit after BOS and the prompt's characters
        expected = sum(token_log_prob(1 + len(prompt) + i, ord(c)) for i, c in enumerate(continuation))
        assert row.neg_log_likelihood == pytest.approx(-expected) and row.n_tokens == len(continuation)
    assert list(table["problem_idx"]) == [3, 9] and (table["size"] == "14M").all() and (table["step"] == 128).all()


def test_a_shard_sampled_in_rounds_through_the_adapter(fake_vllm, tmp_path):
    backend = backends.VLLMBackend("model", None)
    problems = pd.DataFrame({"benchmark": "gsm8k", "problem_idx": [2, 5, 6], "prompt": ["a", "b", "c"], "gold_answer": ["3", "4", "99"]})
    rule = sampler.StoppingRule(batch_size=8, min_samples=16, max_samples=48, target_successes=2)
    with grading.Grader() as grader:
        sampler.sample_problems(problems, backend, grader, rule, 9, 32, ["\n\nQuestion:"], -1, tmp_path)
    calls = LLM.instances[0].calls
    assert len(calls) == 48 // 8 and [len(prompts) for prompts, _ in calls][:2] == [3, 3]
    records = sampler.read_records(tmp_path, rule)
    seeds = [seed + j for batches in records.values() for seed in (b["seed"] for b in batches) for j in range(8)]
    assert len(seeds) == len(set(seeds)) == sum(b["n_samples"] for batches in records.values() for b in batches)
    # every stored completion is the stand-in's text for its own seed, stop string removed
    for batches in records.values():
        for batch in batches:
            assert batch["completions"] == [child_text(batch["seed"] + j).split("\n\nQuestion:")[0] for j in range(8)]
