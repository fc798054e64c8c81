"""Wall time of the whole replication, per stage: `python -m scalingrepro.commands.workflow_timing`.

Runs `snakemake --cores N` from an empty `results/` in a clean copy of the repository (so
nothing is reused), then reads each job's start and end from Snakemake's own metadata
(`.snakemake/metadata/`) and prints, per rule: jobs, summed job time, longest job and the
rule's span (first start to last end), followed by the end-to-end wall time.

With `--rerun TARGET`, it then times redrawing one figure in that copy, as after a figure-only
change (`snakemake TARGET --forcerun TARGET --cores 1`): `--repeats` times with no notebook server
running (cold) and as many times right after another (warm: the server of the previous redraw
still up).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..pipeline import paths, sources
from ..pipeline.checkout import commit_description, copy_repository
from ..pipeline.settings import load_config


def job_times(workdir: Path) -> pd.DataFrame:
    """One row per finished job recorded in `workdir`: rule, start, end (epoch seconds)."""
    records = {}
    for entry in (workdir / ".snakemake" / "metadata").rglob("*"):
        if not entry.is_file():
            continue
        metadata = json.loads(entry.read_text())
        if metadata.get("starttime") is None or metadata.get("endtime") is None:
            continue
        # Every output of a job carries a record of it (start times differ by the write order).
        key = (metadata["rule"], metadata["job_hash"])
        start, end = records.get(key, (metadata["starttime"], metadata["endtime"]))
        records[key] = (min(start, metadata["starttime"]), max(end, metadata["endtime"]))
    rows = [{"rule": rule, "start": start, "end": end} for (rule, _), (start, end) in records.items()]
    return pd.DataFrame(rows, columns=["rule", "start", "end"])


def stage_table(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: jobs, summed and longest job seconds, span from first start to last end (seconds)."""
    jobs = jobs.assign(seconds=jobs["end"] - jobs["start"])
    grouped = jobs.groupby("rule")
    table = pd.DataFrame({
        "jobs": grouped.size(),
        "job_seconds": grouped["seconds"].sum(),
        "longest_job_seconds": grouped["seconds"].max(),
        "first_start_s": grouped["start"].min() - jobs["start"].min(),
        "span_seconds": grouped["end"].max() - grouped["start"].min(),
    })
    return table.sort_values("first_start_s").round(1)


def summarize_paper_rules(table: pd.DataFrame, paper_rules: set[str]) -> pd.DataFrame:
    """Fold the one-rule-per-figure notebook rules into a single `paper figures and tables` row."""
    figures = table[table.index.isin(paper_rules)]
    rest = table[~table.index.isin(paper_rules)]
    if figures.empty:
        return rest
    folded = pd.DataFrame({
        "jobs": [figures["jobs"].sum()],
        "job_seconds": [figures["job_seconds"].sum()],
        "longest_job_seconds": [figures["longest_job_seconds"].max()],
        "first_start_s": [figures["first_start_s"].min()],
        "span_seconds": [(figures["first_start_s"] + figures["span_seconds"]).max() - figures["first_start_s"].min()],
    }, index=["paper figures and tables (notebooks)"])
    return pd.concat([rest, folded]).round(1)


def snakemake_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment for Snakemake in the copy: this interpreter's bin first on PATH, and
    $REPRO_MIRROR made absolute (the copy runs elsewhere, so a path relative to here would
    point at nothing there)."""
    result = dict(environment, PATH=f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}")
    if result.get(sources.MIRROR_ENV_VAR):
        result[sources.MIRROR_ENV_VAR] = str(Path(result[sources.MIRROR_ENV_VAR]).resolve())
    return result


def rerun_seconds(workdir: Path, target: str, environment: Mapping[str, str], log_file: Path) -> float:
    """Wall time of `snakemake TARGET --forcerun TARGET --cores 1` in `workdir` (raises on failure)."""
    command = [sys.executable, "-m", "snakemake", target, "--forcerun", target, "--cores", "1"]
    started = time.perf_counter()
    with log_file.open("a") as log:
        subprocess.run(command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - started


def rerun_table(workdir: Path, target: str, repeats: int, environment: Mapping[str, str], log_file: Path) -> pd.DataFrame:
    """Cold and warm redraws of `target`, alternating so that drifts in the machine's load hit both."""
    from ..pipeline import notebook_server  # noqa: PLC0415

    rows = []
    for repeat in range(repeats):
        notebook_server.stop_all()
        time.sleep(1.0)  # the stopped server's socket is gone
        rows.append({"repeat": repeat, "notebook server": "cold (none running)", "seconds": rerun_seconds(workdir, target, environment, log_file)})
        rows.append({"repeat": repeat, "notebook server": "warm (left by the previous redraw)", "seconds": rerun_seconds(workdir, target, environment, log_file)})
    notebook_server.stop_all()
    return pd.DataFrame(rows).round(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", default="2", help="snakemake --cores (default 2, the reference machine)")
    parser.add_argument("--configfile", default=None, help="extra config file (default: config/config.yaml only, the papers' settings)")
    parser.add_argument("--workdir", default=None, help="where to make the clean copy (default: a temporary directory, removed after a successful run)")
    parser.add_argument("--by-figure", action="store_true", help="list every figure rule instead of folding them into one row")
    parser.add_argument("--rerun", default=None, metavar="TARGET", help="then time redrawing this figure rule in the copy, cold and warm")
    parser.add_argument("--repeats", type=int, default=3, help="redraws of --rerun's target per kind (default 3)")
    arguments = parser.parse_args(argv)

    from ..registry import all_targets  # noqa: PLC0415 (the registry needs the config only here)

    load_before = os.getloadavg()[0]  # other work on the machine slows every stage; say how much there was
    configfile = str(Path(arguments.configfile).resolve()) if arguments.configfile else None  # the copy runs elsewhere
    scratch = Path(arguments.workdir) if arguments.workdir else Path(tempfile.mkdtemp(prefix="scalingrepro-timing-"))
    workdir = copy_repository(paths.REPOSITORY_ROOT, scratch)
    command = [sys.executable, "-m", "snakemake", "--cores", arguments.cores]
    if configfile:
        command += ["--configfile", configfile]
    environment = snakemake_environment(os.environ)
    run_log = workdir / "logs" / "workflow_timing.log"
    run_log.parent.mkdir(parents=True, exist_ok=True)
    print(f"running {' '.join(command[2:])} in a clean copy ({workdir}); Snakemake's output goes to {run_log} ...", flush=True)
    started = time.perf_counter()
    with run_log.open("w") as log_file:
        result = subprocess.run(command, cwd=workdir, env=environment, stdout=log_file, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        # The copy is kept so that the logs named here can be read.
        print(f"snakemake failed (exit {result.returncode}); see {run_log} and the job logs under {workdir}/logs", file=sys.stderr)
        return result.returncode
    config = load_config(*([configfile] if configfile else []), root=workdir)
    paper_rules = {target.id for target in all_targets(config)}
    table = stage_table(job_times(workdir))
    if not arguments.by_figure:
        table = summarize_paper_rules(table, paper_rules)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.to_string())
    print(f"\nend-to-end wall time: {wall:.1f} s ({wall / 60:.2f} min) with --cores {arguments.cores} on {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print(f"measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit {commit_description(paths.REPOSITORY_ROOT)}; load average before the run {load_before:.1f}", flush=True)
    if arguments.rerun:
        reruns = rerun_table(workdir, arguments.rerun, arguments.repeats, environment, run_log)
        print(f"\nredrawing {arguments.rerun} (snakemake {arguments.rerun} --forcerun {arguments.rerun} --cores 1), seconds:")
        print(reruns.pivot(index="repeat", columns="notebook server", values="seconds").to_string())
        print(reruns.groupby("notebook server")["seconds"].median().rename("median").to_string())
    if not arguments.workdir:
        shutil.rmtree(scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
