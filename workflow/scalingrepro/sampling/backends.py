"""Language-model backends of the sampling and scoring stages, behind one small interface.

`sample(prompt, n, max_new_tokens, stop, seed)` returns n completions of one prompt at
temperature 1.0 (no top-k or top-p: the paper samples with temperature only), each cut before
its first stop string. `score(prompt, continuation)` returns the summed log-probability
(nats) of the continuation's tokens given the prompt and their count; prompt and continuation
are tokenized separately so the boundary never merges tokens across them.

- `TransformersBackend`: any Hugging Face causal LM, CPU or GPU; small runs and tests.
- `VLLMBackend`: the production engine (optional `sampling` extra; CUDA only), a thin adapter
  over vLLM's documented `LLM.generate` with `SamplingParams` and prompt log-probs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class Backend(Protocol):
    def sample(self, prompt: str, n: int, max_new_tokens: int, stop: Sequence[str], seed: int) -> list[str]: ...

    def score(self, prompt: str, continuation: str) -> tuple[float, int]: ...


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """`text` up to (not including) the earliest occurrence of any stop string."""
    cut = min((position for position in (text.find(s) for s in stop if s) if position >= 0), default=len(text))
    return text[:cut]


class TransformersBackend:
    """A transformers causal LM (e.g. a Pythia checkpoint: repo + revision `step<N>`, or a local directory)."""

    def __init__(self, model: str, revision: str | None = None, device: str = "auto", dtype: str = "float32", threads: int = 0):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads > 0:
            # Jobs sharing a CPU run faster with a thread each than with every job claiming every core.
            torch.set_num_threads(threads)
        self.torch = torch
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
        self.tokenizer = AutoTokenizer.from_pretrained(model, revision=revision)
        self.model = AutoModelForCausalLM.from_pretrained(model, revision=revision, dtype=getattr(torch, dtype)).to(self.device).eval()
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        self.pad_token_id = pad if pad is not None else 0

    def _prompt_ids(self, prompt: str):
        ids = self.tokenizer(prompt, return_tensors="pt").input_ids.to(self.device)
        limit = getattr(self.model.config, "max_position_embeddings", None)
        if limit is not None and ids.shape[1] >= limit:
            raise ValueError(f"the prompt has {ids.shape[1]} tokens, the model's context {limit}; use fewer exemplars (sampling.prompts.<benchmark>.n_shots)")
        return ids

    def sample(self, prompt: str, n: int, max_new_tokens: int, stop: Sequence[str], seed: int) -> list[str]:
        ids = self._prompt_ids(prompt)
        limit = getattr(self.model.config, "max_position_embeddings", ids.shape[1] + max_new_tokens)
        # Seeding the global generator per call makes each batch a function of its own seed.
        self.torch.manual_seed(seed)
        with self.torch.inference_mode():
            output = self.model.generate(
                ids,
                attention_mask=self.torch.ones_like(ids),
                do_sample=True,
                temperature=1.0,
                top_k=0,
                top_p=1.0,
                max_new_tokens=min(max_new_tokens, limit - ids.shape[1]),
                num_return_sequences=n,
                pad_token_id=self.pad_token_id,
                stop_strings=list(stop) or None,
                tokenizer=self.tokenizer,
            )
        texts = self.tokenizer.batch_decode(output[:, ids.shape[1] :], skip_special_tokens=True)
        return [cut_at_stop(text, stop) for text in texts]

    def score(self, prompt: str, continuation: str) -> tuple[float, int]:
        torch = self.torch
        prompt_ids = self._prompt_ids(prompt)
        continuation_ids = self.tokenizer(continuation, add_special_tokens=False, return_tensors="pt").input_ids.to(self.device)
        ids = torch.cat([prompt_ids, continuation_ids], dim=1)
        limit = getattr(self.model.config, "max_position_embeddings", ids.shape[1])
        if ids.shape[1] > limit:
            raise ValueError(f"prompt and gold solution have {ids.shape[1]} tokens, the model's context {limit}")
        with torch.inference_mode():
            logits = self.model(ids).logits.float()
        # Position t predicts token t+1: the continuation's tokens are predicted from the last prompt position on.
        log_probs = torch.log_softmax(logits[0, prompt_ids.shape[1] - 1 : -1], dim=-1)
        token_log_probs = log_probs.gather(1, continuation_ids[0].unsqueeze(1)).squeeze(1)
        return float(token_log_probs.sum()), int(continuation_ids.shape[1])


class VLLMBackend:
    """vLLM's offline engine with prefix caching (the few-shot prompt is shared by every sample of a problem)."""

    def __init__(self, model: str, revision: str | None = None, engine: Mapping[str, Any] | None = None):
        from vllm import LLM, SamplingParams

        self.sampling_params = SamplingParams
        self.llm = LLM(model=model, revision=revision, enable_prefix_caching=True, **dict(engine or {}))
        self.tokenizer = self.llm.get_tokenizer()

    def sample(self, prompt: str, n: int, max_new_tokens: int, stop: Sequence[str], seed: int) -> list[str]:
        params = self.sampling_params(n=n, temperature=1.0, top_p=1.0, max_tokens=max_new_tokens, stop=list(stop), seed=seed)
        [output] = self.llm.generate([prompt], params, use_tqdm=False)
        # vLLM already cuts at the stop strings; cutting again keeps both backends' texts alike.
        return [cut_at_stop(completion.text, stop) for completion in output.outputs]

    def score(self, prompt: str, continuation: str) -> tuple[float, int]:
        prompt_ids = self.tokenizer(prompt).input_ids
        continuation_ids = self.tokenizer(continuation, add_special_tokens=False).input_ids
        # prompt_logprobs=0 returns the log-prob of each actual prompt token (plus none of the top alternatives).
        params = self.sampling_params(max_tokens=1, temperature=1.0, prompt_logprobs=0)
        [output] = self.llm.generate([{"prompt_token_ids": prompt_ids + continuation_ids}], params, use_tqdm=False)
        positions = range(len(prompt_ids), len(prompt_ids) + len(continuation_ids))
        total = sum(output.prompt_logprobs[position][token].logprob for position, token in zip(positions, continuation_ids))
        return float(total), len(continuation_ids)


def load_backend(name: str, model: str, revision: str | None, settings: Mapping[str, Any]) -> Backend:
    """The backend `name` (transformers | vllm) for one checkpoint, configured by `sampling.backends.<name>`."""
    if name == "transformers":
        return TransformersBackend(model, revision, device=settings.get("device", "auto"), dtype=settings.get("dtype", "float32"), threads=settings.get("threads", 0))
    if name == "vllm":
        return VLLMBackend(model, revision, engine=settings.get("engine", {}))
    raise ValueError(f"unknown backend {name!r}; choose transformers or vllm")
