# Config validation, the shared imports and the function that builds `rule all`.

import re
import sys

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

from scalingrepro.pipeline import paths, settings
from scalingrepro.pipeline.sources import load_manifest
from scalingrepro.registry import all_targets

min_version("9.0")

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
    """Every contract table, and every registered figure and table with its executed and rendered notebook."""
    outputs = [str(path) for path in CONTRACT_TABLES]
    for target in TARGETS:
        outputs += target.outputs
        outputs += [str(paths.executed_notebook(target.id)), str(paths.rendered_notebook(target.id))]
    return outputs


def where_outputs_are():
    """The closing lines of a successful run: where to find what it made."""
    return "\n".join(
        [
            f"Figures: {paths.FIGURES}/   tables: {paths.TABLES}/   (index: paper/README.md)",
            f"Executed notebooks: {paths.EXECUTED_NOTEBOOKS}/<target>.html   logs: {paths.LOGS}/<rule>/",
        ]
    )


# Paper G input functions shared by the fit and backtest rules.
GOLD_SOURCES = config["generative"]["fit"]["gold_likelihood"]["sources"]
# What the checkpoint table (scalingrepro.generative.pythia.checkpoint_table) reads of
# generative.outcomes: rules that only need the checkpoints get these keys, so that changing
# the problem set or the sampling-cost arithmetic does not rerun them.
CHECKPOINT_SETTINGS = {key: config["generative"]["outcomes"][key] for key in ("pythia", "excluded_checkpoints")}
BACKTEST_SETTINGS = config["generative"]["backtest"]


def gold_inputs(wildcards):
    """The gold-reference NLL file of a benchmark that has one (none for MATH in the released data)."""
    return {"gold": source_path(GOLD_SOURCES[wildcards.benchmark])} if wildcards.benchmark in GOLD_SOURCES else {}


def backtest_gold_inputs(wildcards):
    """The gold-reference NLL file, for the gold law only."""
    return gold_inputs(wildcards) if wildcards.law == "gold_likelihood" else {}


def backtest_laws(benchmark):
    """The laws backtested on a benchmark: the gold law only where gold likelihoods exist."""
    return [law for law in BACKTEST_SETTINGS["laws"] if law != "gold_likelihood" or benchmark in GOLD_SOURCES]


def perturbation_sweep_settings(kind):
    """The settings one Chinchilla perturbation's shards read: the perturbed counts and that
    perturbation's grid, plus the noise repeats and seed for the noise sweep only, so that changing
    one grid reruns only that sweep."""
    perturbations = config["chinchilla"]["perturbations"]
    noise = {key: perturbations[key] for key in ("noise_repeats", "noise_seed")} if kind == "log_normal_noise" else {}
    return {"counts": perturbations["counts"], "grids": {kind: perturbations["grids"][kind]}, **noise}
