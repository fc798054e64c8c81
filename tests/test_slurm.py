"""The SLURM profile on a real cluster: the smoke workflow (config/smoke.yaml) submitted through
`--workflow-profile workflow/profiles/slurm`, with the profile's partition and account set to the
cluster's, gives the same outcomes tables as the local smoke run, and every job of it went through
sbatch (sacct lists each one, completed, in that partition and account). A wrong partition or the
placeholder account makes the run fail.

The cluster: any the SLURM commands reach (`sudo .ci/slurm-cluster up` starts a one-node one on
localhost). Partition and account: $SLURM_TEST_PARTITION and $SLURM_TEST_ACCOUNT, else the
cluster's default partition and this user's first account. Without a cluster the tests skip,
except in CI (CI=true), where .ci/run starts one and its absence is a failure.
"""

from __future__ import annotations

import collections
import getpass
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import load_config

from scalingrepro.commands import sampling_smoke
from scalingrepro.pipeline import cluster
from scalingrepro.pipeline.checkout import copy_repository

pytestmark = pytest.mark.slurm

SMOKE = load_config("config/smoke.yaml")
BENCHMARKS = list(SMOKE["sampling"]["problems"])
# The first status check after a submission comes after this many seconds (the plugin's default
# is 40, and each level of the smoke DAG would wait that long); later checks follow every 10 s.
STATUS_CHECK_SECONDS = "5"
# Generous bound on the whole smoke run on a one-node cluster, so that CI fails instead of hanging.
RUN_TIMEOUT_SECONDS = 3600
# The heavy stages of the smoke DAG: each must have run as SLURM jobs, not locally.
SUBMITTED_STAGES = {"build_tiny_models", "sample_completions", "score_gold_likelihood", "regrade_completions", "fit_scaling_laws", "backtest_law", "generative_fig01"}


def _slurm(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60)


def cluster_problem() -> str | None:
    """Why no SLURM cluster with accounting can take jobs here (None when one can)."""
    for tool in ("sbatch", "sinfo", "sacct", "sacctmgr"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    for command in (("sinfo", "-h", "-o", "%P %a"), ("sacct", "-n", "-X", "-S", "now-1minutes")):
        result = _slurm(*command)
        if result.returncode != 0:
            last_line = (result.stderr.strip().splitlines() or ["no message"])[-1]
            return f"`{' '.join(command)}` failed ({last_line[:200]})"
    return None


def default_partition() -> str:
    """The cluster's default partition (sinfo marks it with *), else its first."""
    partitions = _slurm("sinfo", "-h", "-o", "%P").stdout.split()
    marked = [name.rstrip("*") for name in partitions if name.endswith("*")]
    return (marked or [name.rstrip("*") for name in partitions])[0]


def user_account() -> str:
    accounts = _slurm("sacctmgr", "-n", "-P", "show", "associations", f"user={getpass.getuser()}", "format=account").stdout.split()
    assert accounts, f"no SLURM account for user {getpass.getuser()}; set SLURM_TEST_ACCOUNT"
    return accounts[0]


@pytest.fixture(scope="module")
def slurm_cluster() -> dict[str, str]:
    """The partition and account the tests submit to."""
    problem = cluster_problem()
    if problem:
        advice = "start the test cluster with `sudo .ci/slurm-cluster install && sudo .ci/slurm-cluster up`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"no SLURM cluster in CI: {problem}; .ci/run should {advice}")
        pytest.skip(f"no SLURM cluster: {problem}; {advice}")
    return {
        "partition": os.environ.get("SLURM_TEST_PARTITION") or default_partition(),
        "account": os.environ.get("SLURM_TEST_ACCOUNT") or user_account(),
    }


def set_profile(checkout: Path, partition: str, account: str | None) -> None:
    """Point every partition of the checkout's SLURM profile at `partition` and, unless None, its
    account at `account`, as a researcher edits the file for their cluster."""
    path = checkout / cluster.SLURM_PROFILE
    profile = yaml.safe_load(path.read_text())
    profile["default-resources"]["slurm_partition"] = partition
    if account is not None:
        profile["default-resources"]["slurm_account"] = account
    for resources in profile.get("set-resources", {}).values():
        if "slurm_partition" in resources:
            resources["slurm_partition"] = partition
    path.write_text(yaml.safe_dump(profile, sort_keys=False))


def run_smoke(checkout: Path, mirror: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = os.environ | {"REPRO_MIRROR": str(mirror), "HF_HUB_OFFLINE": "1", "MPLBACKEND": "Agg"}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    command = [sys.executable, "-m", "scalingrepro.commands.sampling_smoke", "--checkout", str(checkout), *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=RUN_TIMEOUT_SECONDS)


def on_slurm(*arguments: str) -> tuple[str, ...]:
    return ("--workflow-profile", cluster.SLURM_PROFILE.rsplit("/", 1)[0], "--slurm-init-seconds-before-status-checks", STATUS_CHECK_SECONDS, *arguments)


def outcome_targets() -> list[str]:
    return [arg for benchmark in BENCHMARKS for arg in ("--target", f"results/generative/{benchmark}/outcomes.parquet")]


def read_outcomes(checkout: Path) -> dict[str, pd.DataFrame]:
    root = checkout / SMOKE["output_root"]
    return {benchmark: pd.read_parquet(root / "results" / "generative" / benchmark / "outcomes.parquet") for benchmark in BENCHMARKS}


def run_id(output: str) -> str:
    """The executor plugin's id of a run: the name of each of its SLURM jobs."""
    found = re.findall(r"SLURM run ID: (\S+)", output)
    assert len(found) == 1, "the run printed no SLURM run ID"
    return found[0]


def accounted_jobs(name: str) -> pd.DataFrame:
    """sacct's record of every job named `name` (one row per job, no steps)."""
    fields = ["JobID", "JobName", "State", "Partition", "Account", "Comment"]
    result = _slurm("sacct", "-n", "-X", "-P", "-S", "now-1days", "--name", name, "-o", ",".join(fields))
    assert result.returncode == 0, result.stderr
    rows = [line.split("|", len(fields) - 1) for line in result.stdout.splitlines() if line.strip()]
    return pd.DataFrame(rows, columns=fields)


@pytest.fixture(scope="module")
def local_outcomes(tmp_path_factory, repo_root, mirror):
    pytest.importorskip("torch")
    checkout = copy_repository(repo_root, tmp_path_factory.mktemp("local"))
    result = run_smoke(checkout, mirror, *outcome_targets())
    assert result.returncode == 0, result.stderr[-4000:]
    return read_outcomes(checkout)


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, tmp_path_factory, repo_root, mirror):
    pytest.importorskip("torch")
    checkout = copy_repository(repo_root, tmp_path_factory.mktemp("slurm"))
    set_profile(checkout, slurm_cluster["partition"], slurm_cluster["account"])
    result = run_smoke(checkout, mirror, *on_slurm())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return checkout, output


def test_the_slurm_run_gives_the_local_outcomes(slurm_run, local_outcomes):
    checkout, _ = slurm_run
    submitted = read_outcomes(checkout)
    for benchmark in BENCHMARKS:
        assert len(submitted[benchmark]) == len(local_outcomes[benchmark]) > 0
        pd.testing.assert_frame_equal(submitted[benchmark], local_outcomes[benchmark])


def test_the_whole_smoke_workflow_ran_on_the_cluster(slurm_run):
    checkout, _ = slurm_run
    root = checkout / SMOKE["output_root"]
    for target in sampling_smoke.TARGETS:
        if "/" in target:
            assert (root / target).is_file(), f"{target} was not made"
        else:
            assert list((root / "paper" / "figures").glob(f"{target}_*.pdf")), f"{target} was not drawn"


def test_every_job_went_through_sbatch(slurm_run, slurm_cluster):
    _, output = slurm_run
    # Snakemake prints `rule X:` for a job it hands to the executor and `localrule X:` for one it runs itself.
    remote_rules = collections.Counter(re.findall(r"^rule (\w+):$", output, flags=re.MULTILINE))
    submitted_ids = re.findall(r"has been submitted with SLURM jobid (\d+)", output)
    jobs = accounted_jobs(run_id(output))
    assert sorted(jobs["JobID"]) == sorted(submitted_ids), "sacct's jobs of the run are not those Snakemake submitted"
    assert len(jobs) == sum(remote_rules.values()) > 0, "a job ran without sbatch, or was submitted twice"
    assert (jobs["State"] == "COMPLETED").all(), jobs[jobs["State"] != "COMPLETED"]
    assert set(jobs["Partition"]) == {slurm_cluster["partition"]} and set(jobs["Account"]) == {slurm_cluster["account"]}
    # the plugin's comment names each job's rule: sacct's jobs are Snakemake's jobs, rule for rule
    accounted_rules = collections.Counter(re.match(r"rule_(\w+?)(?:_wildcards_.*)?$", comment).group(1) for comment in jobs["Comment"])
    assert accounted_rules == remote_rules
    assert SUBMITTED_STAGES <= set(accounted_rules)


def test_a_wrong_partition_fails_the_run(slurm_cluster, tmp_path, repo_root, mirror):
    checkout = copy_repository(repo_root, tmp_path)
    set_profile(checkout, "no-such-partition", slurm_cluster["account"])
    result = run_smoke(checkout, mirror, *on_slurm(*outcome_targets()))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "invalid partition" in output.lower(), output[-4000:]
    assert not any((checkout / SMOKE["output_root"] / "results" / "generative").glob("*/outcomes.parquet")), "outcomes made despite the wrong partition"
    assert accounted_jobs(run_id(output)).empty


def test_the_placeholder_account_is_refused_before_any_submission(slurm_cluster, tmp_path, repo_root, mirror):
    checkout = copy_repository(repo_root, tmp_path)
    set_profile(checkout, slurm_cluster["partition"], account=None)
    result = run_smoke(checkout, mirror, *on_slurm(*outcome_targets()))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SLURM account not set" in output and cluster.SLURM_PROFILE in output, output[-4000:]
    assert "has been submitted with SLURM jobid" not in output
    assert accounted_jobs(run_id(output)).empty
