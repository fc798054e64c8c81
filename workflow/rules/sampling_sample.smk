# Paper G from scratch: problems and prompts, tiny local models (smoke runs), sampling jobs per
# (benchmark, checkpoint, shard), per-checkpoint outcomes and completions, regrading.
# With generative_source=sampled the benchmark's outcomes.parquet is built from these.

wildcard_constraints:
    size="|".join(re.escape(size) for size in SAMPLING_SIZES),
    step=r"\d+",
    shard=r"\d+",

if is_sampled(config):

    ruleorder: combine_sampled_outcomes > build_outcomes

else:

    ruleorder: build_outcomes > combine_sampled_outcomes


rule build_sampling_problems:
    input:
        unpack(problem_inputs),
    output:
        problems=str(sampling_locations.problems("{benchmark}")),
    params:
        problems=lambda wildcards: SAMPLING["problems"][wildcards.benchmark],
        prompts=SAMPLING["prompts"],
        registry=SAMPLING_REGISTRY,
        problem_set=config["generative"]["outcomes"]["problem_set"],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("build_sampling_problems", "{benchmark}")),
    localrule: True
    script:
        "../scripts/sampling_build_problems.py"


rule build_tiny_models:
    input:
        problems=expand(str(sampling_locations.problems("{benchmark}")), benchmark=GENERATIVE_BENCHMARKS),
    output:
        models=directory(expand(str(sampling_locations.tiny_model("{{size}}", "{step}")), step=SAMPLING_STEPS)),
    params:
        steps=SAMPLING_STEPS,
        settings=SAMPLING["tiny_models"],
    log:
        str(paths.log("build_tiny_models", "{size}")),
    conda:
        "../envs/sampling-cpu.yml"
    script:
        "../scripts/sampling_build_tiny_models.py"


rule prefetch_model:
    output:
        marker=str(sampling_locations.prefetched(SAMPLING_CACHE, "{size}", "{step}")),
    params:
        repository=lambda wildcards: SAMPLING_SIZES[wildcards.size]["hf_repo"],
        revision=lambda wildcards: sampling_model(wildcards)[1],
        # from the output, so a job without a shared filesystem still finds its cache
        cache=lambda wildcards, output: str(sampling_locations.cache_of_prefetched(output.marker)),
    log:
        str(paths.log("prefetch_model", "{size}_step{step}")),
    conda:
        "../envs/sampling.yml"
    localrule: True
    script:
        "../scripts/sampling_prefetch_model.py"


# Every checkpoint's weights into sampling.models.cache_dir, on a node with network access, before
# the GPU jobs (which read them offline): `snakemake prefetch_models`.
rule prefetch_models:
    input:
        [str(sampling_locations.prefetched(SAMPLING_CACHE, size, step)) for size in SAMPLING_SIZES for step in sorted({s for b in GENERATIVE_BENCHMARKS for s in sampling_steps(b)})],
    localrule: True


rule sample_completions:
    input:
        unpack(model_inputs),
        problems=rules.build_sampling_problems.output.problems,
    output:
        counts=str(sampling_locations.shard("{benchmark}", "{size}", "{step}", "{shard}", "counts.parquet")),
        completions=str(sampling_locations.shard("{benchmark}", "{size}", "{step}", "{shard}", "completions.parquet")),
    params:
        sampling=SAMPLING,
        model=sampling_model,
        environment=model_environment(),
        shard=lambda wildcards: int(wildcards.shard),
        n_shards=lambda wildcards: sampling_shards(wildcards.benchmark, wildcards.size),
        # Not an output: Snakemake would delete it with a failed job, and resuming needs it.
        records=lambda wildcards: str(sampling_locations.shard_records(wildcards.benchmark, wildcards.size, wildcards.step, wildcards.shard)),
    resources:
        gpu=job_resource("sample", "gpus"),
        mem_mb=job_resource("sample", "mem_mb"),
        runtime=job_resource("sample", "runtime"),
    conda:
        "../envs/sampling.yml"
    log:
        str(paths.log("sample_completions", "{benchmark}_{size}_step{step}_shard{shard}")),
    script:
        "../scripts/sampling_sample_shard.py"


if SAMPLING["score_in_sampling_job"]:

    # Shard 0's job also scores the checkpoint's gold solutions with the engine it has loaded.
    rule sample_completions_and_score_gold:
        input:
            unpack(model_inputs),
            problems=rules.build_sampling_problems.output.problems,
        output:
            counts=str(sampling_locations.shard("{benchmark}", "{size}", "{step}", 0, "counts.parquet")),
            completions=str(sampling_locations.shard("{benchmark}", "{size}", "{step}", 0, "completions.parquet")),
            gold=str(sampling_locations.checkpoint("{benchmark}", "{size}", "{step}", "gold_likelihood.parquet")),
        params:
            sampling=SAMPLING,
            model=sampling_model,
            environment=model_environment(),
            shard=0,
            n_shards=lambda wildcards: sampling_shards(wildcards.benchmark, wildcards.size),
            records=lambda wildcards: str(sampling_locations.shard_records(wildcards.benchmark, wildcards.size, wildcards.step, 0)),
        resources:
            gpu=job_resource("sample", "gpus"),
            mem_mb=job_resource("sample", "mem_mb"),
            runtime=job_resource("sample", "runtime"),
        conda:
            "../envs/sampling.yml"
        log:
            str(paths.log("sample_completions", "{benchmark}_{size}_step{step}_shard0")),
        script:
            "../scripts/sampling_sample_shard.py"

    ruleorder: sample_completions_and_score_gold > sample_completions
    ruleorder: sample_completions_and_score_gold > score_gold_likelihood


rule combine_checkpoint_outcomes:
    input:
        counts=shard_files("counts.parquet"),
        completions=shard_files("completions.parquet"),
    output:
        outcomes=str(sampling_locations.checkpoint("{benchmark}", "{size}", "{step}", "outcomes.parquet")),
        completions=str(sampling_locations.checkpoint("{benchmark}", "{size}", "{step}", "completions.parquet")),
    params:
        registry=SAMPLING_REGISTRY,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("combine_checkpoint_outcomes", "{benchmark}_{size}_step{step}")),
    script:
        "../scripts/sampling_combine_checkpoint.py"


rule regrade_completions:
    input:
        completions=rules.combine_checkpoint_outcomes.output.completions,
        problems=rules.build_sampling_problems.output.problems,
    output:
        graded=str(sampling_locations.checkpoint("{benchmark}", "{size}", "{step}", "regraded_completions.parquet")),
    params:
        grading=SAMPLING["grading"],
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("regrade_completions", "{benchmark}_{size}_step{step}")),
    script:
        "../scripts/sampling_regrade.py"


rule combine_sampled_outcomes:
    input:
        outcomes=sampled_checkpoint_files("outcomes.parquet"),
        regraded=sampled_checkpoint_files("regraded_completions.parquet"),
    output:
        outcomes=str(paths.generative("{benchmark}", "outcomes.parquet")),
    wildcard_constraints:
        benchmark="|".join(GENERATIVE_BENCHMARKS),
    params:
        registry=SAMPLING_REGISTRY,
    conda:
        ANALYSIS_ENV
    log:
        str(paths.log("combine_sampled_outcomes", "{benchmark}")),
    script:
        "../scripts/sampling_combine_outcomes.py"
