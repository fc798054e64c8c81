"""Tiny GPT-NeoX "checkpoints" built locally, for running the sampling path without downloads.

A tokenizer is trained with `tokenizers` on the problems' prompts and gold solutions; one
GPT-NeoX per model size (hidden size from config) starts from seeded random weights and is
trained for `step` optimizer steps on the gold solutions, saved at every registered step, so
later "checkpoints" of larger "sizes" solve more problems, as Pythia's do. Nothing here is a
model of Pythia: it only gives every stage of the workflow real work and non-trivial outcomes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def train_tokenizer(texts: Sequence[str], vocab_size: int):
    """A byte-level BPE tokenizer trained on `texts`, wrapped for transformers (with an EOS token)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|endoftext|>", pad_token="<|endoftext|>")


def build_checkpoints(training_texts: Sequence[str], tokenizer_texts: Sequence[str], hidden_size: int, steps: Sequence[int], settings: Mapping[str, Any], output_dirs: Mapping[int, Path]) -> None:
    """Train one tiny GPT-NeoX for max(steps) steps, saving model and tokenizer at each step.

    training_texts: the sequences learned (gold continuations after their question);
    tokenizer_texts: text the tokenizer is trained on; settings: `sampling.tiny_models`;
    output_dirs: step -> directory (step 0 is the random initialisation).
    """
    import torch
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM

    torch.manual_seed(int(settings["seed"]) + hidden_size)
    tokenizer = train_tokenizer(tokenizer_texts, int(settings["vocab_size"]))
    config = GPTNeoXConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=int(settings["num_layers"]),
        num_attention_heads=int(settings["num_heads"]),
        intermediate_size=4 * hidden_size,
        max_position_embeddings=int(settings["max_position_embeddings"]),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = GPTNeoXForCausalLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=float(settings["learning_rate"]))
    sequences = [tokenizer(text + tokenizer.eos_token).input_ids[: config.max_position_embeddings] for text in training_texts]
    rng = np.random.default_rng(int(settings["seed"]))
    batch_size = int(settings["batch_size"])

    def save(step: int) -> None:
        model.save_pretrained(output_dirs[step])
        tokenizer.save_pretrained(output_dirs[step])

    if 0 in output_dirs:
        save(0)
    model.train()
    for step in range(1, max(steps) + 1):
        chosen = [sequences[i] for i in rng.choice(len(sequences), size=min(batch_size, len(sequences)), replace=False)]
        width = max(len(sequence) for sequence in chosen)
        ids = torch.full((len(chosen), width), tokenizer.pad_token_id)
        labels = torch.full((len(chosen), width), -100)
        for row, sequence in enumerate(chosen):
            ids[row, : len(sequence)] = torch.tensor(sequence)
            labels[row, : len(sequence)] = torch.tensor(sequence)
        loss = model(input_ids=ids, attention_mask=(labels != -100).long(), labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in output_dirs:
            model.eval()
            save(step)
            model.train()
