"""Smoke run of the from-scratch path of paper G: sampling, grading, scoring, outcomes, fits, figures on CPU.

    python -m scalingrepro.commands.sampling_smoke [DIRECTORY] [--target FILE_OR_RULE ...] [extra snakemake arguments]

Runs Snakemake with config/smoke.yaml in DIRECTORY (default .smoke/), which holds links to this
checkout's Snakefile, config/, data/, notebooks/ and workflow/: every output (resources/, results/,
paper/, logs/) lands there, never in the checkout's own. Needs torch, transformers and tokenizers
(the `sampling-cpu` extra) and the inputs of config/sources.yaml ($REPRO_MIRROR or the network).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

LINKED = ("Snakefile", "config", "data", "notebooks", "workflow")
# What the smoke run builds: every sampling stage, the fits, and figures of each law, MATH's gold law included.
TARGETS = (
    "results/generative/gsm8k/fits.csv",
    "results/generative/math/fits.csv",
    "results/generative/math/backtest.csv",
    "generative_fig01",
    "generative_fig06",
    "generative_fig18",
    "generative_fig19",
)


def prepare(directory: Path, checkout: Path) -> None:
    """Create `directory` with links to the checkout's workflow files (kept if already there)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = directory / name
        if not link.exists():
            link.symlink_to((checkout / name).resolve())


def snakemake_command(directory: Path, cores: int, targets: list[str], extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "snakemake", "--directory", str(directory), "--snakefile", str(directory / "Snakefile"),
        "--configfile", "config/smoke.yaml", "--cores", str(cores), "--rerun-incomplete", *extra, *targets,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scalingrepro.commands.sampling_smoke", description=__doc__.split("\n\n", 2)[2])
    parser.add_argument("directory", nargs="?", type=Path, default=Path(".smoke"))
    parser.add_argument("--checkout", type=Path, default=Path("."), help="the repository root (default: the current directory)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--target", action="append", default=[], help="build this file or rule instead of the default targets (repeatable)")
    arguments, extra = parser.parse_known_args(argv)
    prepare(arguments.directory, arguments.checkout)
    start = time.perf_counter()
    result = subprocess.run(snakemake_command(arguments.directory, arguments.cores, arguments.target or list(TARGETS), extra))
    print(f"smoke run {'finished' if result.returncode == 0 else 'FAILED'} in {time.perf_counter() - start:.0f} s ({arguments.directory})", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
