"""Rule regrade_completions: grade a checkpoint's retained completions again with the current graders."""

import pandas as pd

from scalingrepro.pipeline import logs
from scalingrepro.sampling.grading import Grader

log = logs.configure(snakemake.log[0])
completions = pd.read_parquet(snakemake.input.completions)
problems = pd.read_parquet(snakemake.input.problems, columns=["problem_idx", "gold_answer"]).set_index("problem_idx")["gold_answer"]
with Grader(workers=snakemake.params.grading["workers"], timeout_seconds=snakemake.params.grading["timeout_seconds"]) as grader:
    grades = grader.grade_detailed(snakemake.wildcards.benchmark, completions["completion"].tolist(), completions["problem_idx"].map(problems).tolist())
# reason: why a check failed (the completion is then graded incorrect), null for an ordinary verdict.
regraded = completions.assign(
    extracted_regraded=[grade.extracted for grade in grades], correct_regraded=[grade.correct for grade in grades], reason_regraded=[grade.reason for grade in grades]
)
changed = int((regraded["correct_regraded"] != regraded["correct"]).sum())
regraded.to_parquet(snakemake.output.graded, index=False, compression="zstd")
log.info(
    "%d completions regraded, %d verdicts changed, %d distinct (problem, answer) pairs checked, failed checks by reason: %s",
    len(regraded), changed, grader.checks, dict(grader.failures) or "none",
)
