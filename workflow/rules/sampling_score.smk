# Paper G from scratch: the gold-reference likelihood of each problem's gold solution (§5, Eq. 5)
# per checkpoint, combined into the released gold file's schema for the gold law.


rule score_gold_likelihood:
    input:
        unpack(model_inputs),
        problems=rules.build_sampling_problems.output.problems,
    output:
        gold=str(sampling_locations.checkpoint("{benchmark}", "{size}", "{step}", "gold_likelihood.parquet")),
    params:
        sampling=SAMPLING,
        model=sampling_model,
        environment=model_environment(),
    resources:
        gpu=job_resource("score", "gpus"),
        mem_mb=job_resource("score", "mem_mb"),
        runtime=job_resource("score", "runtime"),
    conda:
        "../envs/sampling.yml"
    log:
        str(paths.log("score_gold_likelihood", "{benchmark}_{size}_step{step}")),
    script:
        "../scripts/sampling_score_gold.py"


rule combine_gold_likelihoods:
    input:
        gold=sampled_checkpoint_files("gold_likelihood.parquet"),
    output:
        gold=str(sampling_locations.gold_neg_log_likelihood("{benchmark}")),
    params:
        registry=SAMPLING_REGISTRY,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("combine_gold_likelihoods", "{benchmark}")),
    script:
        "../scripts/sampling_combine_gold.py"
