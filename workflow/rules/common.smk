# Config validation, the shared imports and the function that builds `rule all`.

import re
import sys

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, update_config

from scalingrepro.pipeline import cluster, paths, settings
from scalingrepro.pipeline.sources import load_manifest
from scalingrepro.registry import all_targets
from scalingrepro.verdict.closing import closing_lines
from scalingrepro.sampling import locations as sampling_locations
from scalingrepro.sampling.checkpoints import job_resources, model_location, offline_environment, problem_count, sampled_steps
from scalingrepro.sampling.checkpoints import shard_count as sampling_shard_count
from scalingrepro.sampling.source import gold_benchmarks, is_sampled, uses_tiny_models

min_version("9.0")

# Nested --config values arrive as strings ('100'); typed here as a config file types them.
update_config(config, settings.typed_command_line_values(workflow.config_settings.config))
# Unknown keys, schema (with defaults) and cross-key constraints, before any job is planned.
try:
    settings.validate_config(config)
except settings.ConfigError as error:
    raise WorkflowError(str(error)) from None
paths.use_output_root(config["output_root"])

SOURCES = load_manifest(paths.SOURCES_MANIFEST)
TARGETS = all_targets(config)
# Rules run Python through the interpreter that runs Snakemake (the project's environment);
# with --software-deployment-method conda, CPU rules use this environment instead.
PYTHON = sys.executable
ANALYSIS_ENV = "../../environment.yml"


def source_path(name):
    """Where the acquire rule puts the external input `name` of config/sources.yaml."""
    return str(paths.resource(SOURCES[name].file))


# Result tables that are contracts of their own (other stages and users read them); each rule
# file appends its own, and `rule all` builds them even where no figure needs them yet.
CONTRACT_TABLES = []


def all_outputs():
    """Every contract table, every registered figure and table with its executed and rendered
    notebook, and the claim-by-claim verdict."""
    outputs = [str(path) for path in CONTRACT_TABLES] + [str(paths.claims_table()), str(paths.claims_page())]
    for target in TARGETS:
        outputs += target.outputs
        outputs += [str(paths.executed_notebook(target.id)), str(paths.rendered_notebook(target.id))]
    return outputs


def report_inputs():
    """Everything the report shows or links: each target's files and rendered notebook."""
    inputs = []
    for target in TARGETS:
        inputs += target.outputs + [str(paths.rendered_notebook(target.id))]
    return inputs


# Paper G input functions shared by the fit and backtest rules.
GOLD_SOURCES = config["generative"]["fit"]["gold_likelihood"]["sources"]
# Benchmarks with gold likelihoods: released ones (GSM8K), or every benchmark when sampled and scored.
GOLD_BENCHMARKS = gold_benchmarks(config)
# What the checkpoint table (scalingrepro.generative.pythia.checkpoint_table) reads of
# generative.outcomes: rules that only need the checkpoints get these keys, so that changing
# the problem set or the sampling-cost arithmetic does not rerun them.
CHECKPOINT_SETTINGS = {key: config["generative"]["outcomes"][key] for key in ("pythia", "excluded_checkpoints")}
BACKTEST_SETTINGS = config["generative"]["backtest"]
# What the checkpoint selection of the fits (scalingrepro.generative.pythia.fit_selection) reads of generative.fit.
FIT_SELECTION = {key: config["generative"]["fit"][key] for key in ("min_step", "apply_exclusions")}
# The benchmark whose gold-likelihood file's choice of checkpoints gives the alternative over-training exclusion.
OVERTRAINING_REFERENCE = config["generative"]["fit"]["overtraining_reference"]


def gold_file(benchmark):
    """The gold-reference NLL file of a benchmark: scored by the sampling stages, or released."""
    if is_sampled(config):
        return str(sampling_locations.gold_neg_log_likelihood(benchmark))
    return source_path(GOLD_SOURCES[benchmark])


def gold_inputs(wildcards):
    """The gold-reference NLL file of a benchmark that has one (none for MATH in the released data)."""
    return {"gold": gold_file(wildcards.benchmark)} if wildcards.benchmark in GOLD_BENCHMARKS else {}


def overtraining_reference_inputs(wildcards):
    """The gold-likelihood file whose one checkpoint per size gives the alternative over-training exclusion."""
    return {"overtraining_reference": gold_file(OVERTRAINING_REFERENCE)} if OVERTRAINING_REFERENCE in GOLD_BENCHMARKS else {}


def backtest_gold_inputs(wildcards):
    """The gold-reference NLL file, for the gold law only."""
    return gold_inputs(wildcards) if wildcards.law == "gold_likelihood" else {}


def backtest_laws(benchmark):
    """The laws backtested on a benchmark: the gold law only where gold likelihoods exist."""
    return [law for law in BACKTEST_SETTINGS["laws"] if law != "gold_likelihood" or benchmark in GOLD_BENCHMARKS]


# Paper G's multiverse (generative_multiverse.smk).
MULTIVERSE_SETTINGS = config["generative"]["multiverse"]


def multiverse_gold_inputs(wildcards):
    """The gold-likelihood file of the benchmark (for the gold law) and of the over-training reference (for gold_file)."""
    inputs = gold_inputs(wildcards)
    if wildcards.exclusion == "gold_file":
        inputs.update(overtraining_reference_inputs(wildcards))
    return inputs


def multiverse_fit_outputs(name):
    return [str(paths.multiverse(f"{benchmark}/{exclusion}/{name}")) for benchmark in GENERATIVE_BENCHMARKS for exclusion in MULTIVERSE_SETTINGS["overtraining_exclusions"]]


# Paper G from scratch: the sampling stages' settings and input functions (sampling_*.smk).
SAMPLING = config["sampling"]
SAMPLING_REGISTRY = {"pythia": config["generative"]["outcomes"]["pythia"]}
SAMPLING_SIZES = {str(entry["size"]): entry for entry in config["generative"]["outcomes"]["pythia"]["sizes"]}
SAMPLING_STEPS = [int(entry["step"]) for entry in config["generative"]["outcomes"]["pythia"]["steps"]]
SAMPLING_COST = config["generative"]["outcomes"]["sampling_cost"]
SAMPLING_CACHE = sampling_locations.model_cache(SAMPLING["models"]["cache_dir"])


def sampled_problem_count(benchmark):
    """Problems sampled per checkpoint of a benchmark."""
    return problem_count(SAMPLING, benchmark, int(SAMPLING_COST["problems_per_checkpoint"]))


def sampling_shards(benchmark, size):
    """Sampling jobs per checkpoint of one (benchmark, size): enough that each fits the partition's time limit."""
    return sampling_shard_count(SAMPLING, SAMPLING_COST, benchmark, size, sampled_problem_count(benchmark))


def shard_files(name):
    """Input function: table `name` of every shard of the wildcards' checkpoint."""
    return lambda wildcards: [
        str(sampling_locations.shard(wildcards.benchmark, wildcards.size, wildcards.step, shard, name)) for shard in range(sampling_shards(wildcards.benchmark, wildcards.size))
    ]


def sampling_steps(benchmark):
    """The registry steps sampled and scored on a benchmark (sampling.excluded_steps left out)."""
    return sampled_steps(SAMPLING, benchmark, SAMPLING_STEPS)


def sampled_checkpoint_files(name):
    """Input function: table `name` of every sampled checkpoint of the wildcards' benchmark."""
    return lambda wildcards: [
        str(sampling_locations.checkpoint(wildcards.benchmark, size, step, name)) for size in SAMPLING_SIZES for step in sampling_steps(wildcards.benchmark)
    ]


def sampling_model(wildcards):
    """(model, revision) of the checkpoint a job samples or scores."""
    return model_location(SAMPLING, wildcards.size, int(wildcards.step), SAMPLING_SIZES[wildcards.size]["hf_repo"])


def model_inputs(wildcards):
    """The weights a job needs: the locally built model (tiny_models), or the prefetch marker of its checkpoint."""
    if SAMPLING["models"]["source"] == "tiny":
        return {"model": str(sampling_locations.tiny_model(wildcards.size, wildcards.step))}
    return {"prefetched": str(sampling_locations.prefetched(SAMPLING_CACHE, wildcards.size, wildcards.step))}


def model_environment():
    """Environment variables of a sampling or scoring job: offline reads from the prefetched cache."""
    return {} if SAMPLING["models"]["source"] == "tiny" else offline_environment(SAMPLING_CACHE.resolve())


def problem_inputs(wildcards):
    """Test split, exemplar split (GSM8K) and, for the released problem set, the released outcomes."""
    prompt_settings = SAMPLING["prompts"][wildcards.benchmark]
    inputs = {"test": source_path(prompt_settings["source"])}
    if "exemplar_source" in prompt_settings:
        inputs["train"] = source_path(prompt_settings["exemplar_source"])
    if SAMPLING["problems"][wildcards.benchmark] == "released":
        inputs["released"] = source_path(config["generative"]["outcomes"]["sources"][wildcards.benchmark])
    return inputs


def job_resource(job, name):
    """A resource (gpus, mem_mb, runtime) of a `sample` or `score` job of the wildcards' (benchmark, size)."""
    return lambda wildcards: job_resources(SAMPLING, SAMPLING_COST, wildcards.benchmark, wildcards.size, sampled_problem_count(wildcards.benchmark), job)[name]


def perturbation_sweep_settings(kind):
    """The settings one Chinchilla perturbation's shards read: the perturbed counts and that
    perturbation's grid, plus the noise repeats and seed for the noise sweep only, so that changing
    one grid reruns only that sweep."""
    perturbations = config["chinchilla"]["perturbations"]
    noise = {key: perturbations[key] for key in ("noise_repeats", "noise_seed")} if kind == "log_normal_noise" else {}
    return {"counts": perturbations["counts"], "grids": {kind: perturbations["grids"][kind]}, **noise}


# Submission to SLURM: refused before the first job when the profile's account is still the
# placeholder (workflow/profiles/slurm/config.yaml) or empty.
onstart:
    if workflow.executor_plugin is not None and workflow.executor_plugin.name == cluster.SLURM_EXECUTOR:
        submitted = [(job.rule.name, job.resources.get("slurm_account")) for job in workflow.dag.needrun_jobs() if not job.is_local]
        problem = cluster.account_problem(submitted, no_account=bool(getattr(workflow.executor_settings, "no_account", False)))
        if problem:
            raise WorkflowError(problem)
