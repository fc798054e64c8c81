# Config validation, the shared imports and the function that builds `rule all`.

import re
import sys

from snakemake.utils import min_version, validate

from scalingrepro.pipeline import paths
from scalingrepro.pipeline.sources import load_manifest
from scalingrepro.registry import all_targets
from scalingrepro.verdict.outputs import CLAIMS_PAGE, CLAIMS_TABLE

min_version("9.0")

validate(config, "../schemas/config.schema.yaml")

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
    outputs = [str(path) for path in CONTRACT_TABLES] + [str(CLAIMS_TABLE), str(CLAIMS_PAGE)]
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
