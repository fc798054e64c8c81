"""Every path the pipeline reads or writes, spelled once.

The Snakefile, the rule scripts, the notebooks and the tests all take paths from here.
Paths are relative to the repository root (the Snakemake working directory); commands run from
elsewhere in the checkout change into `REPOSITORY_ROOT` first.

Generated outputs (results, paper figures and tables, logs, executed notebooks) sit under the
output root, the `output_root` setting: "." (the repository itself) by default, a separate tree
such as runs/test for reduced-setting runs. `use_output_root` moves them all at once; inputs,
notebooks and configuration stay where they are.
"""

from __future__ import annotations

import os
from pathlib import Path

# The checkout this package is installed from (pip install -e .): workflow/scalingrepro/pipeline/.
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]

# The output root travels to rule scripts and notebook kernels (child processes of Snakemake)
# through this environment variable, so that every process puts outputs in the same tree.
OUTPUT_ROOT_VARIABLE = "SCALINGREPRO_OUTPUT_ROOT"

RESOURCES = Path("resources")
NOTEBOOKS = Path("notebooks")
DATA = Path("data")

TABLE_A9 = DATA / "hoffmann2022_table_a9.csv"
SOURCES_MANIFEST = Path("config") / "sources.yaml"
CONFIG = Path("config") / "config.yaml"
CONFIG_SCHEMA = Path("workflow") / "schemas" / "config.schema.yaml"
# nbconvert templates: the rendered notebooks (the lab template without CDN scripts) and the report.
TEMPLATES = Path("workflow") / "templates"
NOTEBOOK_HTML_TEMPLATE = TEMPLATES / "offline_notebook"
REPORT_TEMPLATE = TEMPLATES / "verdict_report"

# Public graders' labelled answer-equivalence cases, run against the graders (tests and a command).
GRADING_CONFORMANCE = Path("tests") / "data" / "grading_conformance.yaml"

FIGURE_SUFFIXES = (".pdf", ".png")
TABLE_SUFFIXES = (".csv", ".tex")


# Where a run with generative_source: sampled writes when output_root is not set, so that its
# tables never replace those of the run on the released data (which writes into the repository).
SAMPLED_OUTPUT_ROOT = Path("runs") / "sampled"


def default_output_root(generative_source: str) -> Path:
    """The output root of a run that does not set output_root: its own tree for sampled data."""
    return SAMPLED_OUTPUT_ROOT if generative_source == "sampled" else Path(".")


def use_output_root(root: str | Path) -> None:
    """Put every generated output under `root` (the `output_root` setting) from now on."""
    global OUTPUT_ROOT, RESULTS, LOGS, PAPER, EXECUTED_NOTEBOOKS, FIGURES, TABLES  # noqa: PLW0603 (one switch for all output paths)
    OUTPUT_ROOT = Path(root)
    RESULTS, LOGS, PAPER = OUTPUT_ROOT / "results", OUTPUT_ROOT / "logs", OUTPUT_ROOT / "paper"
    EXECUTED_NOTEBOOKS, FIGURES, TABLES = RESULTS / "notebooks", PAPER / "figures", PAPER / "tables"
    os.environ[OUTPUT_ROOT_VARIABLE] = str(OUTPUT_ROOT)


use_output_root(os.environ.get(OUTPUT_ROOT_VARIABLE, "."))


def resource(file_name: str) -> Path:
    """Where an acquired external input lives (see config/sources.yaml)."""
    return RESOURCES / file_name


def chinchilla(name: str) -> Path:
    """A table of the Chinchilla analysis, e.g. chinchilla("runs.csv")."""
    return RESULTS / "chinchilla" / name


def generative(benchmark: str, name: str) -> Path:
    """A table of the generative-evaluation analysis for one benchmark."""
    return RESULTS / "generative" / benchmark / name


def executed_notebook(target_id: str) -> Path:
    """The executed copy of the notebook that drew one paper figure or table."""
    return EXECUTED_NOTEBOOKS / f"{target_id}.ipynb"


def rendered_notebook(target_id: str) -> Path:
    """The HTML rendering of an executed notebook."""
    return EXECUTED_NOTEBOOKS / f"{target_id}.html"


def multiverse(name: str) -> Path:
    """A table of paper G's multiverse (results/multiverse/<name>)."""
    return RESULTS / "multiverse" / name


def claims_table() -> Path:
    """Every checked claim with its verdict (results/claims.csv)."""
    return RESULTS / "claims.csv"


def claims_page() -> Path:
    """The claims grouped by paper and section, verdict counts on top (paper/claims.md)."""
    return PAPER / "claims.md"


def report_page() -> Path:
    """The browsable report: verdicts, then every figure and table in paper order."""
    return PAPER / "report.html"


def report_screenshot() -> Path:
    """A headless browser's screenshot of the report, kept beside the results."""
    return RESULTS / "report_screenshot.png"


def log(rule: str, name: str = "log") -> Path:
    """The log file of one job, at a path mirroring its rule."""
    return LOGS / rule / f"{name}.log"


def chinchilla_perturbation_shard(perturbation: str, shard: int | str, name: str) -> Path:
    """A partial table of one perturbation sweep's shard (combined into results/chinchilla/)."""
    return RESULTS / "chinchilla" / "perturbations" / f"{perturbation}_{shard}" / name
