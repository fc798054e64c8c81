"""Rule build_tiny_models: tiny GPT-NeoX "checkpoints" of one model size, trained on the problems' gold solutions."""

from pathlib import Path

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.sampling import tiny_models

log = logs.configure(snakemake.log[0])
problems = pd.concat([pd.read_parquet(path) for path in snakemake.input.problems], ignore_index=True)
# Learn each gold solution after its question (the end of its prompt), as the prompts present them.
questions = [prompt[max(prompt.rfind("Question:"), prompt.rfind("Problem:")) :] for prompt in problems["prompt"]]
training_texts = [question + continuation for question, continuation in zip(questions, problems["gold_continuation"])]
tokenizer_texts = list(problems["prompt"]) + list(problems["gold_continuation"])
steps = [int(step) for step in snakemake.params.steps]
settings = snakemake.params.settings
hidden_size = int(settings["hidden_sizes"][snakemake.wildcards.size])
output_dirs = {step: Path(directory) for step, directory in zip(steps, snakemake.output.models)}
tiny_models.build_checkpoints(training_texts, tokenizer_texts, hidden_size, steps, settings, output_dirs)
log.info("size %s (hidden %d): checkpoints at steps %s from %d training sequences", snakemake.wildcards.size, hidden_size, steps, len(training_texts))
