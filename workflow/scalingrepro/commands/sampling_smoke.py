"""Smoke run of the from-scratch path of paper G: sampling, grading, scoring, outcomes, fits, figures on CPU.

    python -m scalingrepro.commands.sampling_smoke [--target FILE_OR_RULE ...] [extra snakemake arguments]

Runs Snakemake with config/smoke.yaml in the checkout (from any directory inside it): every output
lands under the smoke configuration's output root (runs/smoke/), never in the checkout's own
results/ or paper/. Needs torch, transformers and tokenizers (the `sampling-cpu` extra) and the
inputs of config/sources.yaml ($REPRO_MIRROR or the network). File targets are paths relative to
the output root (e.g. results/generative/math/fits.csv).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from ..pipeline import paths
from ..pipeline.settings import load_config

SMOKE_CONFIG = Path("config") / "smoke.yaml"
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


def under_output_root(target: str, output_root: Path) -> str:
    """A file target (it has a folder) placed under the output root; a rule name unchanged."""
    return str(output_root / target) if "/" in target else target


def snakemake_command(cores: int, targets: list[str], extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--configfile", str(SMOKE_CONFIG), "--cores", str(cores), "--rerun-incomplete", *extra, *targets]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scalingrepro.commands.sampling_smoke", description=__doc__.split("\n\n", 2)[2])
    parser.add_argument("--checkout", type=Path, default=paths.REPOSITORY_ROOT, help="the repository root (default: the checkout this package is installed from)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--target", action="append", default=[], help="build this file or rule instead of the default targets (repeatable)")
    arguments, extra = parser.parse_known_args(argv)
    output_root = Path(load_config(SMOKE_CONFIG, root=arguments.checkout)["output_root"])
    targets = [under_output_root(target, output_root) for target in arguments.target or TARGETS]
    start = time.perf_counter()
    result = subprocess.run(snakemake_command(arguments.cores, targets, extra), cwd=arguments.checkout)
    print(f"smoke run {'finished' if result.returncode == 0 else 'FAILED'} in {time.perf_counter() - start:.0f} s (outputs under {arguments.checkout / output_root})", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
