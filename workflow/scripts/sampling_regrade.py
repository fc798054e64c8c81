"""Rule regrade_completions: grade a checkpoint's retained completions again with the current graders."""

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.sampling.grading import Grader

log = logs.configure(snakemake.log[0])
completions = pd.read_parquet(snakemake.input.completions)
problems = pd.read_parquet(snakemake.input.problems, columns=["problem_idx", "gold_answer"]).set_index("problem_idx")["gold_answer"]
with Grader(workers=snakemake.params.grading["workers"], timeout_seconds=snakemake.params.grading["timeout_seconds"]) as grader:
    extracted, correct = grader.grade(snakemake.wildcards.benchmark, completions["completion"].tolist(), completions["problem_idx"].map(problems).tolist())
regraded = completions.assign(extracted_regraded=extracted, correct_regraded=correct)
changed = int((regraded["correct_regraded"] != regraded["correct"]).sum())
regraded.to_parquet(snakemake.output.graded, index=False, compression="zstd")
log.info("%d completions regraded, %d verdicts changed, %d distinct (problem, answer) pairs checked", len(regraded), changed, grader.checks)
