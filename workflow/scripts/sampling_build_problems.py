"""Rule build_sampling_problems: the problems of one benchmark with their prompts and gold solutions."""

from scalingrepro.generative import outcomes
from scalingrepro.pipeline import logs
from scalingrepro.pipeline.errors import exit_on_input_error
from scalingrepro.sampling import prompts

log = logs.configure(snakemake.log[0])
benchmark = snakemake.wildcards.benchmark
chosen = snakemake.params.problems
with exit_on_input_error():
    test = prompts.read_jsonl(snakemake.input.test, ["question", "answer"])
    train = prompts.read_jsonl(snakemake.input.train, ["question", "answer"]) if "train" in snakemake.input.keys() else []
    if chosen == "released":
        # The released problems the analysis keeps (majority rule), so sampled and released outcomes compare problem by problem.
        released = outcomes.from_released(outcomes.read_released(snakemake.input.released), benchmark, snakemake.params.registry, source=snakemake.input.released)
        problem_ids = outcomes.problem_set(released, snakemake.params.problem_set)
    else:
        problem_ids = chosen
    table = prompts.build_problems(benchmark, test, train, problem_ids, snakemake.params.prompts, source=snakemake.input.test)
table.to_parquet(snakemake.output.problems, index=False)
log.info("%s: %d problems, prompt version %s, prompt length %d-%d characters", benchmark, len(table), snakemake.params.prompts["version"], table["prompt"].str.len().min(), table["prompt"].str.len().max())
