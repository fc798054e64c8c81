"""Every path the pipeline reads or writes, spelled once.

The Snakefile, the rule scripts, the notebooks and the tests all take paths from here.
Paths are relative to the repository root (the Snakemake working directory); commands run from
elsewhere in the checkout change into `REPOSITORY_ROOT` first.
"""

from __future__ import annotations

from pathlib import Path

# The checkout this package is installed from (pip install -e .): workflow/scalingrepro/pipeline/.
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]

RESOURCES = Path("resources")
RESULTS = Path("results")
LOGS = Path("logs")
PAPER = Path("paper")
NOTEBOOKS = Path("notebooks")
DATA = Path("data")

TABLE_A9 = DATA / "hoffmann2022_table_a9.csv"
SOURCES_MANIFEST = Path("config") / "sources.yaml"
CONFIG = Path("config") / "config.yaml"
CONFIG_SCHEMA = Path("workflow") / "schemas" / "config.schema.yaml"

EXECUTED_NOTEBOOKS = RESULTS / "notebooks"
FIGURES = PAPER / "figures"
TABLES = PAPER / "tables"

FIGURE_SUFFIXES = (".pdf", ".png")
TABLE_SUFFIXES = (".csv", ".tex")


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


def log(rule: str, name: str = "log") -> Path:
    """The log file of one job, at a path mirroring its rule."""
    return LOGS / rule / f"{name}.log"


def chinchilla_perturbation_shard(perturbation: str, shard: int | str, name: str) -> Path:
    """A partial table of one perturbation sweep's shard (combined into results/chinchilla/)."""
    return RESULTS / "chinchilla" / "perturbations" / f"{perturbation}_{shard}" / name
