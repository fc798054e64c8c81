"""Sampling throughput, sequential against rounds, on models of Pythia's shapes with random weights.

    python -m scalingrepro.commands.sampling_benchmark [--sizes 14M 70M 160M] [--device cpu|cuda]

Per size: a GPT-NeoX of that Pythia size's configuration (hidden size, layers, heads, vocabulary
of 50,304, as in EleutherAI's released config.json files) with seeded random weights, nothing
downloaded, and a BPE tokenizer trained on the GSM8K train split (padded with added tokens to the
model's vocabulary). `--problems` GSM8K test problems with their few-shot prompts (as the sampling
stage builds them, from the mirrored inputs: $REPRO_MIRROR) are each sampled `--batches` batches of
`--batch-size` completions of `--max-new-tokens` tokens through the sampling stage itself
(`sampler.sample_problems`, transformers backend, real grader), once problem after problem
(`sequential`: one engine call per batch) and once in rounds (one call per round over every
problem, grading overlapped). Random weights rarely emit a stop string, so nearly every
completion runs to the token budget. Prints samples/s and generated tokens/s of each design, the
ratio, how many completions differ between the two designs' records, and seconds per 128 samples beside App. C's
A100-seconds per 128 samples for that size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from ..pipeline.settings import load_config
from ..sampling import prompts, sampler
from ..sampling.backends import TransformersBackend
from ..sampling.grading import Grader

# EleutherAI/pythia-<size> config.json: hidden_size, num_hidden_layers, num_attention_heads
# (intermediate size 4 x hidden, rotary_pct 0.25, vocabulary 50,304, context 2,048).
PYTHIA_SHAPES = {
    "14M": (128, 6, 4),
    "70M": (512, 6, 8),
    "160M": (768, 12, 12),
    "410M": (1024, 24, 16),
    "1B": (2048, 16, 8),
}
PYTHIA_VOCABULARY = 50304
PYTHIA_CONTEXT = 2048
TOKENIZER_VOCABULARY = 8000
STOP = ["\n\nQuestion:", "Question:"]


def pythia_shaped_model(size: str, seed: int):
    """A GPT-NeoX with Pythia `size`'s configuration and seeded random weights."""
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    hidden, layers, heads = PYTHIA_SHAPES[size]
    torch.manual_seed(seed)
    config = GPTNeoXConfig(
        vocab_size=PYTHIA_VOCABULARY, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=4 * hidden,
        rotary_pct=0.25, max_position_embeddings=PYTHIA_CONTEXT, use_parallel_residual=True, bos_token_id=0, eos_token_id=0,
    )
    return GPTNeoXForCausalLM(config).eval()


def benchmark_tokenizer(texts: list[str]):
    """A byte-level BPE tokenizer trained on `texts`, padded with added tokens to Pythia's vocabulary
    so that every token id a random model draws decodes."""
    from ..sampling.tiny_models import train_tokenizer

    tokenizer = train_tokenizer(texts, TOKENIZER_VOCABULARY)
    tokenizer.add_tokens([f"<unused{i}>" for i in range(PYTHIA_VOCABULARY - len(tokenizer))])
    return tokenizer


def gsm8k_problems(mirror: Path, n_problems: int, prompt_settings: dict) -> tuple[pd.DataFrame, list[str]]:
    """The first `n_problems` GSM8K test problems with their few-shot prompts, and the train texts."""
    test = prompts.read_jsonl(mirror / "gsm8k_test.jsonl", ["question", "answer"])
    train = prompts.read_jsonl(mirror / "gsm8k_train.jsonl", ["question", "answer"])
    problems = prompts.build_problems("gsm8k", test, train, list(range(n_problems)), prompt_settings, str(mirror / "gsm8k_test.jsonl"))
    return problems, [f"Question: {record['question']}\nAnswer: {record['answer']}" for record in train]


def run_design(backend: TransformersBackend, problems: pd.DataFrame, rule: sampler.StoppingRule, max_new_tokens: int, schedule: str, workers: int, seed: int, records: Path) -> dict:
    """Sample every problem to `rule` with one schedule; wall time, samples and generated tokens."""
    tokens_before = backend.generated_tokens
    with Grader(workers=workers) as grader:
        grader.start()
        start = time.perf_counter()
        sampler.sample_problems(problems, backend, grader, rule, seed, max_new_tokens, STOP, -1, records, sampler.Progress(len(problems), emit=lambda line: None), schedule=schedule)
        seconds = time.perf_counter() - start
    samples = len(problems) * rule.max_samples
    return {"seconds": seconds, "samples": samples, "tokens": backend.generated_tokens - tokens_before}


def records_of(directory: Path) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in sorted(directory.glob("problem*.json"))}


def differing_completions(first: dict[str, dict], second: dict[str, dict]) -> int:
    """Completions that differ between two designs' records (same seeds; a difference is a token
    drawn otherwise because a batch of another shape computed slightly different logits)."""
    if first.keys() != second.keys():
        raise ValueError("the two designs wrote different batch records")
    return sum(a != b for name in first for a, b in zip(first[name]["completions"], second[name]["completions"], strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scalingrepro.commands.sampling_benchmark", description=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["14M"], choices=list(PYTHIA_SHAPES))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--problems", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--batches", type=int, default=2, help="batches per problem")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-rows", type=int, default=256, help="sequences generated together at most (the transformers backend's batch_rows)")
    parser.add_argument("--n-shots", type=int, default=None, help="GSM8K exemplars per prompt (default: the config's)")
    parser.add_argument("--workers", type=int, default=1, help="grader processes (rounds overlap grading only with workers)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--seed", type=int, default=20250117)
    parser.add_argument("--mirror", type=Path, default=Path(os.environ.get("REPRO_MIRROR", "")) if os.environ.get("REPRO_MIRROR") else None)
    parser.add_argument("--output", type=Path, default=None, help="also write the table as CSV")
    arguments = parser.parse_args(argv)
    if arguments.mirror is None or not (arguments.mirror / "gsm8k_test.jsonl").is_file():
        print("error: the GSM8K files are not found. Set REPRO_MIRROR (or --mirror) to the directory of mirrored inputs holding gsm8k_test.jsonl and gsm8k_train.jsonl.", file=sys.stderr)
        return 2
    config = load_config()
    prompt_settings = dict(config["sampling"]["prompts"])
    if arguments.n_shots is not None:
        prompt_settings["gsm8k"] = dict(prompt_settings["gsm8k"], n_shots=arguments.n_shots)
    reported = config["generative"]["outcomes"]["sampling_cost"]["reported_a100_seconds_per_batch"]["gsm8k"]
    problems, train_texts = gsm8k_problems(arguments.mirror, arguments.problems, prompt_settings)
    tokenizer = benchmark_tokenizer(train_texts)
    prompt_tokens = [len(tokenizer(prompt).input_ids) for prompt in problems["prompt"]]
    print(f"{len(problems)} GSM8K problems, prompts of {min(prompt_tokens)}-{max(prompt_tokens)} tokens; {arguments.batches} batches of {arguments.batch_size} x {arguments.max_new_tokens} new tokens each; device {arguments.device}", file=sys.stderr)
    samples = arguments.batches * arguments.batch_size
    rule = sampler.StoppingRule(arguments.batch_size, samples, samples, 1)
    rows = []
    for size in arguments.sizes:
        backend = TransformersBackend("", device=arguments.device, threads=arguments.threads, batch_rows=arguments.batch_rows, model_object=pythia_shaped_model(size, arguments.seed), tokenizer=tokenizer)
        backend.sample([sampler.SampleRequest(problems["prompt"].iloc[0], 2, 0)], 4, STOP)  # warm-up: first-call costs out of the timings
        with tempfile.TemporaryDirectory() as directory:
            results = {schedule: run_design(backend, problems, rule, arguments.max_new_tokens, schedule, arguments.workers, arguments.seed, Path(directory) / schedule) for schedule in ("sequential", "rounds")}
            differing = differing_completions(records_of(Path(directory) / "sequential"), records_of(Path(directory) / "rounds"))
        for schedule, result in results.items():
            rows.append({
                "size": size, "design": schedule, "samples": result["samples"], "seconds": round(result["seconds"], 2),
                "samples_per_second": round(result["samples"] / result["seconds"], 2), "generated_tokens_per_second": round(result["tokens"] / result["seconds"], 1),
                "seconds_per_128_samples": round(128 * result["seconds"] / result["samples"], 2), "app_c_a100_seconds_per_128": reported.get(size),
                "rounds_over_sequential": round(results["sequential"]["seconds"] / results["rounds"]["seconds"], 2), "completions_differing": differing,
            })
        print(f"{size}: sequential {rows[-2]['samples_per_second']} samples/s, rounds {rows[-1]['samples_per_second']} samples/s", file=sys.stderr)
    table = pd.DataFrame(rows)
    if arguments.output is not None:
        table.to_csv(arguments.output, index=False)
    print(markdown_table(table))
    return 0


def markdown_table(table: pd.DataFrame) -> str:
    """The table as Markdown (for the README), without the optional `tabulate` package."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join("" if value is None or value != value else str(value) for value in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
