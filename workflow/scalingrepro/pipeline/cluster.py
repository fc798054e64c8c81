"""Checks of a run submitted to SLURM, made before the first job is submitted.

The SLURM profile (workflow/profiles/slurm/config.yaml) ships with the account `your-account`,
which a researcher replaces with theirs. Left as it is, or emptied, the executor plugin would
submit anyway (guessing an account, or failing job by job with sbatch's message); the run is
refused at its start instead, with one paragraph naming the file, the problem and the fix.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

# The executor plugin's name for submission to SLURM (its job steps run as `slurm-jobstep`).
SLURM_EXECUTOR = "slurm"
SLURM_PROFILE = "workflow/profiles/slurm/config.yaml"
# The account the shipped profile names: a placeholder for the researcher's own.
PLACEHOLDER_ACCOUNTS = frozenset({"your-account"})


def is_placeholder_account(account: object) -> bool:
    """Whether a job's slurm_account is missing, empty or the profile's placeholder."""
    text = "" if account is None else str(account).strip()
    return not text or text in PLACEHOLDER_ACCOUNTS


def account_problem(job_accounts: Iterable[tuple[str, object]], no_account: bool = False) -> str | None:
    """One paragraph refusing the run when any job's slurm_account ((rule name, account) per job
    submitted) is missing, empty or the placeholder; None when every account is set, or when the
    cluster takes no account (--slurm-no-account)."""
    if no_account:
        return None
    refused: dict[str, str] = {}
    for rule, account in job_accounts:
        if is_placeholder_account(account):
            refused[rule] = "" if account is None else str(account).strip()
    if not refused:
        return None
    values = " or ".join(f"'{value}'" for value in sorted(set(refused.values())))
    return textwrap.fill(
        f"SLURM account not set: the jobs of {', '.join(sorted(refused))} would be submitted with slurm_account "
        f"{values} (the placeholder of {SLURM_PROFILE}, or empty), so the cluster would refuse them or "
        f"charge an account guessed from your last jobs. Fix: set default-resources: slurm_account in "
        f"{SLURM_PROFILE} to your account (`sacctmgr show associations user=$USER format=account` lists yours); "
        "on a cluster without accounts, pass --slurm-no-account.",
        width=100,
        break_on_hyphens=False,
    )
