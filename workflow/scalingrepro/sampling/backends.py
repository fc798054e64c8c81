"""Language-model backends of the sampling and scoring stages, behind one small interface.

`sample(requests, max_new_tokens, stop)` takes `SampleRequest`s (prompt, n, seed) and returns,
per request, n completions at temperature 1.0 (no top-k or top-p: the paper samples with
temperature only), each cut before its first stop string. Sample j of a request is drawn with
seed `seed + j`, vLLM's rule for the children of a request with `n > 1`; both backends follow it,
so a completion is a function of its own seed, whichever requests share the call.
`score(pairs)` takes (prompt, continuation) pairs and returns, per pair, the summed
log-probability (nats) of the continuation's tokens given the prompt and their count; prompt and
continuation are tokenized separately so the boundary never merges tokens across them.
`generated_tokens` counts the tokens the backend has generated (for throughput figures).

- `TransformersBackend`: any Hugging Face causal LM, CPU or GPU; small runs, tests, benchmarks.
- `VLLMBackend`: the production engine (optional `sampling` extra; CUDA only), a thin adapter
  over vLLM's documented `LLM.generate` with per-request `SamplingParams` and prompt log-probs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import numpy as np


class SampleRequest(NamedTuple):
    """n completions of `prompt`; completion j is drawn with seed `seed + j`."""

    prompt: str
    n: int
    seed: int


class Backend(Protocol):
    generated_tokens: int

    def sample(self, requests: Sequence[SampleRequest], max_new_tokens: int, stop: Sequence[str]) -> list[list[str]]: ...

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, int]]: ...


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """`text` up to (not including) the earliest occurrence of any stop string."""
    cut = min((position for position in (text.find(s) for s in stop if s) if position >= 0), default=len(text))
    return text[:cut]


_MASK64 = (1 << 64) - 1


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele et al. 2014) on uint64 arrays: a bijective, well-mixed hash."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def sample_uniforms(seeds: Sequence[int], step: int) -> np.ndarray:
    """One uniform in [0, 1) per sample seed for generation step `step`: a function of (seed, step)
    alone, so a sample's tokens do not depend on the other rows of its batch."""
    mixed = _splitmix64(np.array([seed & _MASK64 for seed in seeds], dtype=np.uint64))
    with np.errstate(over="ignore"):
        drawn = _splitmix64(mixed + np.uint64(step))
    return (drawn >> np.uint64(11)).astype(np.float64) * 2.0**-53


def draw_tokens(logits, uniforms: np.ndarray):
    """Tokens drawn from softmax(logits) (rows: samples) by inverting each row's CDF at its uniform."""
    import torch

    cumulative = torch.softmax(logits.double(), dim=-1).cumsum(dim=-1)
    targets = torch.as_tensor(uniforms, dtype=torch.float64, device=logits.device).unsqueeze(1) * cumulative[:, -1:]
    return torch.searchsorted(cumulative, targets).squeeze(1).clamp(max=logits.shape[-1] - 1)


class TransformersBackend:
    """A transformers causal LM (e.g. a Pythia checkpoint: repo + revision `step<N>`, or a local directory).

    Requests are generated together, left-padded, at most `batch_rows` sequences at once; rows
    that end (end of text, a stop string, the token budget) leave the batch. Tokens are drawn
    by this module rather than by `generate`, whose draws share one generator across the batch.
    """

    def __init__(self, model: str, revision: str | None = None, device: str = "auto", dtype: str = "float32", threads: int = 0, batch_rows: int = 256, model_object=None, tokenizer=None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads > 0:
            # Jobs sharing a CPU run faster with a thread each than with every job claiming every core.
            torch.set_num_threads(threads)
        self.torch = torch
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        self.tokenizer = tokenizer if tokenizer is not None else AutoTokenizer.from_pretrained(model, revision=revision)
        loaded = model_object if model_object is not None else AutoModelForCausalLM.from_pretrained(model, revision=revision, dtype=getattr(torch, dtype))
        self.model = loaded.to(self.device).eval()
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        self.pad_token_id = pad if pad is not None else 0
        self.eos_token_id = self.tokenizer.eos_token_id
        self.batch_rows = batch_rows
        self.generated_tokens = 0
        self._stop_criteria: dict[tuple[str, ...], Any] = {}

    def _context(self) -> int | None:
        return getattr(self.model.config, "max_position_embeddings", None)

    def _prompt_ids(self, prompt: str) -> list[int]:
        ids = self.tokenizer(prompt).input_ids
        limit = self._context()
        if limit is not None and len(ids) >= limit:
            raise ValueError(f"the prompt has {len(ids)} tokens, the model's context {limit}; use fewer exemplars (sampling.prompts.<benchmark>.n_shots)")
        return ids

    def _stop_criterion(self, stop: Sequence[str]):
        key = tuple(s for s in stop if s)
        if key and key not in self._stop_criteria:
            from transformers.generation.stopping_criteria import StopStringCriteria

            self._stop_criteria[key] = StopStringCriteria(self.tokenizer, list(key))
        return self._stop_criteria.get(key)

    def _chunks(self, requests: Sequence[SampleRequest]) -> list[list[int]]:
        """Request indices in consecutive groups of at most `batch_rows` rows (at least one request each)."""
        chunks: list[list[int]] = [[]]
        rows = 0
        for index, request in enumerate(requests):
            if chunks[-1] and rows + request.n > self.batch_rows:
                chunks.append([])
                rows = 0
            chunks[-1].append(index)
            rows += request.n
        return [chunk for chunk in chunks if chunk]

    def sample(self, requests: Sequence[SampleRequest], max_new_tokens: int, stop: Sequence[str]) -> list[list[str]]:
        encoded = [self._prompt_ids(request.prompt) for request in requests]
        results: list[list[str]] = [[] for _ in requests]
        for chunk in self._chunks(requests):
            texts = self._generate([encoded[i] for i in chunk], [requests[i] for i in chunk], max_new_tokens, stop)
            for index, request_texts in zip(chunk, texts):
                results[index] = request_texts
        return results

    def _generate(self, prompts: list[list[int]], requests: list[SampleRequest], max_new_tokens: int, stop: Sequence[str]) -> list[list[str]]:
        torch = self.torch
        width = max(len(ids) for ids in prompts)
        ids = torch.full((len(prompts), width), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(prompt)
            mask[row, width - len(prompt) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        limit = self._context() or (width + max_new_tokens)
        # One prefill per prompt, its cache then copied to the prompt's n rows.
        row_request = torch.repeat_interleave(torch.arange(len(prompts), device=self.device), torch.tensor([r.n for r in requests], device=self.device))
        seeds = [request.seed + j for request in requests for j in range(request.n)]
        budgets = torch.tensor([min(max_new_tokens, limit - len(prompts[i])) for i in row_request.tolist()], device=self.device)
        criterion = self._stop_criterion(stop)
        generated = torch.zeros((len(seeds), 0), dtype=torch.long, device=self.device)
        lengths = [0] * len(seeds)
        texts_ids: list[list[int]] = [[] for _ in seeds]
        with torch.inference_mode():
            output = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True)
            cache = output.past_key_values
            cache.reorder_cache(row_request)
            logits = output.logits[:, -1][row_request]
            mask = mask[row_request]
            next_position = positions[row_request, -1] + 1
            active = torch.arange(len(seeds), device=self.device)
            for step in range(int(budgets.max())):
                rows = active.tolist()
                tokens = draw_tokens(logits.float(), sample_uniforms([seeds[r] for r in rows], step))
                generated = torch.cat([generated, tokens.unsqueeze(1)], dim=1)
                finished = budgets[active] <= step + 1
                if self.eos_token_id is not None:
                    finished |= tokens == self.eos_token_id
                if criterion is not None:
                    finished |= criterion(generated, None).to(self.device)
                if bool(finished.any()):
                    for position in torch.nonzero(finished).flatten().tolist():
                        texts_ids[rows[position]] = generated[position].tolist()
                    keep = torch.nonzero(~finished).flatten()
                    if len(keep) == 0:
                        break
                    cache.batch_select_indices(keep)
                    active, generated, tokens, mask, next_position = active[keep], generated[keep], tokens[keep], mask[keep], next_position[keep]
                mask = torch.cat([mask, torch.ones((len(active), 1), dtype=mask.dtype, device=self.device)], dim=1)
                output = self.model(input_ids=tokens.unsqueeze(1), attention_mask=mask, position_ids=next_position.unsqueeze(1), past_key_values=cache, use_cache=True)
                logits = output.logits[:, -1]
                next_position = next_position + 1
        self.generated_tokens += sum(len(row) for row in texts_ids)
        texts = [cut_at_stop(text, stop) for text in self.tokenizer.batch_decode(texts_ids, skip_special_tokens=True)]
        grouped, start = [], 0
        for request in requests:
            grouped.append(texts[start : start + request.n])
            start += request.n
        return grouped

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, int]]:
        return [self._score_one(prompt, continuation) for prompt, continuation in pairs]

    def _score_one(self, prompt: str, continuation: str) -> tuple[float, int]:
        torch = self.torch
        prompt_ids = self._prompt_ids(prompt)
        continuation_ids = self.tokenizer(continuation, add_special_tokens=False).input_ids
        ids = torch.tensor([prompt_ids + continuation_ids], device=self.device)
        limit = self._context() or ids.shape[1]
        if ids.shape[1] > limit:
            raise ValueError(f"prompt and gold solution have {ids.shape[1]} tokens, the model's context {limit}")
        with torch.inference_mode():
            logits = self.model(ids).logits.float()
        # Position t predicts token t+1: the continuation's tokens are predicted from the last prompt position on.
        log_probs = torch.log_softmax(logits[0, len(prompt_ids) - 1 : -1], dim=-1)
        token_log_probs = log_probs.gather(1, torch.tensor(continuation_ids, device=self.device).unsqueeze(1)).squeeze(1)
        return float(token_log_probs.sum()), len(continuation_ids)


class VLLMBackend:
    """vLLM's offline engine with prefix caching (the few-shot prompt is shared by every sample of a problem).

    `engine`: keyword arguments of `vllm.LLM` (the `sampling.backends.vllm` block: dtype,
    gpu_memory_utilization, max_model_len, ...), passed through unchanged.
    """

    def __init__(self, model: str, revision: str | None = None, engine: Mapping[str, Any] | None = None):
        from vllm import LLM, SamplingParams

        self.sampling_params = SamplingParams
        self.llm = LLM(model=model, revision=revision, enable_prefix_caching=True, **dict(engine or {}))
        self.tokenizer = self.llm.get_tokenizer()
        self.generated_tokens = 0

    def sample(self, requests: Sequence[SampleRequest], max_new_tokens: int, stop: Sequence[str]) -> list[list[str]]:
        # One call for every request: vLLM schedules all their sequences together.
        params = [self.sampling_params(n=r.n, temperature=1.0, top_p=1.0, max_tokens=max_new_tokens, stop=list(stop), seed=r.seed) for r in requests]
        outputs = self.llm.generate([r.prompt for r in requests], params, use_tqdm=False)
        results = []
        for output in outputs:
            completions = sorted(output.outputs, key=lambda completion: completion.index)
            self.generated_tokens += sum(len(completion.token_ids) for completion in completions)
            # vLLM already removes the stop strings; cutting again keeps both backends' texts alike.
            results.append([cut_at_stop(completion.text, stop) for completion in completions])
        return results

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[float, int]]:
        encoded = [(self.tokenizer(prompt).input_ids, self.tokenizer(continuation, add_special_tokens=False).input_ids) for prompt, continuation in pairs]
        # prompt_logprobs=0 returns the log-prob of each actual prompt token (None at position 0, which nothing predicts).
        params = self.sampling_params(max_tokens=1, temperature=1.0, prompt_logprobs=0)
        outputs = self.llm.generate([{"prompt_token_ids": prompt_ids + continuation_ids} for prompt_ids, continuation_ids in encoded], params, use_tqdm=False)
        scores = []
        for (prompt_ids, continuation_ids), output in zip(encoded, outputs):
            positions = range(len(prompt_ids), len(prompt_ids) + len(continuation_ids))
            total = sum(output.prompt_logprobs[position][token].logprob for position, token in zip(positions, continuation_ids))
            scores.append((float(total), len(continuation_ids)))
        return scores


def backend_dtype(name: str, settings: Mapping[str, Any]) -> str:
    """The weight dtype a backend runs with (stored with the records it draws)."""
    return str(settings.get("dtype", "float32" if name == "transformers" else "auto"))


def load_backend(name: str, model: str, revision: str | None, settings: Mapping[str, Any]) -> Backend:
    """The backend `name` (transformers | vllm) for one checkpoint, configured by `sampling.backends.<name>`."""
    if name == "transformers":
        return TransformersBackend(model, revision, device=settings.get("device", "auto"), dtype=settings.get("dtype", "float32"), threads=settings.get("threads", 0), batch_rows=settings.get("batch_rows", 256))
    if name == "vllm":
        return VLLMBackend(model, revision, engine=settings)
    raise ValueError(f"unknown backend {name!r}; choose transformers or vllm")
