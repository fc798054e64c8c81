# Replication of "Pretraining Scaling Laws for Generative Evaluations of Language Models"
# and "Evaluating the Robustness of Chinchilla Compute-Optimal Scaling".
# Edit config/config.yaml, not the workflow. See README.md.

configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/acquire.smk"
include: "workflow/rules/chinchilla_counts.smk"
include: "workflow/rules/chinchilla_fit.smk"
include: "workflow/rules/generative_outcomes.smk"
include: "workflow/rules/generative_passk.smk"
include: "workflow/rules/generative_fit.smk"
include: "workflow/rules/generative_backtest.smk"
include: "workflow/rules/generative_envelope.smk"
include: "workflow/rules/generative_multiverse.smk"
include: "workflow/rules/sampling_sample.smk"
include: "workflow/rules/sampling_score.smk"
include: "workflow/rules/sampling_plan.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/verdict.smk"


report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        all_outputs(),
    # One line instead of the listing of every input (several thousand characters).
    message:
        f"every figure and table of both papers, under {paths.OUTPUT_ROOT.resolve()}"


onsuccess:
    # The closing lines fit the command: the default target ends with the verdict counts and paths.
    for line in closing_lines({job.rule.name for job in workflow.dag.targetjobs}, TARGETS):
        print(line)
