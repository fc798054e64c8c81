"""The figure registry: every paper figure and table, the notebook that draws it and its inputs.

`paper.smk` generates one named rule per entry (`snakemake chinchilla_fig01`), and `rule all`
asks for every entry's outputs. Entries are grouped by paper in the submodules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .chinchilla import chinchilla_targets
from .generative import generative_targets
from .target import Target

__all__ = ["Target", "all_targets", "markdown_index", "unavailable", "UNAVAILABLE"]

# Paper outputs that need data the released tables lack, and why; built when the sampling
# stages provide it (generative_source: sampled scores MATH gold likelihoods).
UNAVAILABLE = {
    "generative_fig18": "gold-reference likelihood law on MATH: needs MATH gold likelihoods, which the released data lacks (run with generative_source=sampled to score them)",
    "generative_fig19": "backtest of the gold-reference likelihood law on MATH: needs MATH gold likelihoods (generative_source=sampled)",
    "generative_fig22": "gold-reference likelihood law parameters vs k on MATH: needs MATH gold likelihoods (generative_source=sampled)",
}


def unavailable(config: Mapping[str, Any]) -> dict[str, str]:
    """The entries of UNAVAILABLE that this configuration does not build (none once MATH gold likelihoods exist)."""
    registered = {target.id for target in all_targets(config)}
    return {target_id: reason for target_id, reason in UNAVAILABLE.items() if target_id not in registered}


def all_targets(config: Mapping[str, Any]) -> list[Target]:
    """Every registered figure and table, in paper order; ids are unique."""
    targets = chinchilla_targets(config) + generative_targets(config)
    ids = [target.id for target in targets]
    duplicated = sorted({target_id for target_id in ids if ids.count(target_id) > 1})
    if duplicated:
        raise ValueError(f"figure registry: duplicate target ids {duplicated}")
    return targets


def paper_label(target_id: str) -> str:
    """'generative_fig01_beta_binomial' -> 'G Fig. 1 (beta binomial)'."""
    paper, number, *variant = target_id.split("_", 2)
    kind = "Fig." if number.startswith("fig") else "Table"
    label = f"{'G' if paper == 'generative' else 'C'} {kind} {number.removeprefix('fig').removeprefix('table').lstrip('0') or '0'}"
    return f"{label} ({variant[0].replace('_', ' ')})" if variant else label


def markdown_index(config: Mapping[str, Any], verdicts: Mapping[str, str] | None = None) -> str:
    """The README's table: paper figure/table | target rule | output files | status | verdicts.

    verdicts: target id -> the verdicts of its claims in words (the claims registry supplies
    them); targets without an entry get "—".
    """
    verdicts = verdicts or {}
    rows = ["| paper | target rule | output | status | verdicts |", "|---|---|---|---|---|"]
    for target in all_targets(config):
        files = ", ".join(f"`{output}`" for output in target.outputs)
        rows.append(f"| {paper_label(target.id)} | `{target.id}` | {files} | built | {verdicts.get(target.id, '—')} |")
    for target_id, reason in unavailable(config).items():
        rows.append(f"| {paper_label(target_id)} | — | — | not built: {reason} | {verdicts.get(target_id, '—')} |")
    return "\n".join(rows)
