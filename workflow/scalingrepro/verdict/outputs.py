"""results/claims.csv and paper/claims.md from the checked claims."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import REPRODUCED, VERDICTS, ClaimResult, describe_check, evaluate, format_value
from .claims import PAPER_TITLES, Claim
from .results import Results

COLUMNS = [
    "claim_id", "paper", "location", "statement", "paper_value", "replicated_value", "check", "verdict", "note",
    "specifications_reproduced", "specifications_total",
]


def check_claims(claims: Iterable[Claim], root: str | Path, config: Mapping[str, Any]) -> list[ClaimResult]:
    """Every claim's verdict, computed from the results tables under `root`."""
    results = Results(root, config)
    return [evaluate(claim, results) for claim in claims]


def claims_table(checked: Sequence[ClaimResult], multiverse_verdicts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim, in registry order (the results/claims.csv contract plus section and tables read).

    multiverse_verdicts: results/multiverse/verdicts.csv; gives each paper-G claim the number of
    specifications under which it is reproduced, of how many (empty for the other claims).
    """
    counts = reproduced_counts(multiverse_verdicts) if multiverse_verdicts is not None else pd.DataFrame(columns=["specifications_reproduced", "specifications_total"])
    rows = [
        {
            "claim_id": result.claim.id,
            "paper": result.claim.paper,
            "location": result.claim.location,
            "statement": result.claim.statement,
            "paper_value": format_value(result.claim.paper_value),
            "replicated_value": format_value(result.replicated),
            "check": describe_check(result.claim.check),
            "verdict": result.verdict,
            "note": result.note,
            "specifications_reproduced": counts["specifications_reproduced"].get(result.claim.id, pd.NA),
            "specifications_total": counts["specifications_total"].get(result.claim.id, pd.NA),
            "section": result.claim.section,
            "targets": " ".join(result.claim.targets),
            "tables_read": " ".join(result.tables_read),
        }
        for result in checked
    ]
    table = pd.DataFrame(rows, columns=[*COLUMNS, "section", "targets", "tables_read"])
    return table.astype({"specifications_reproduced": "Int64", "specifications_total": "Int64"})


def reproduced_counts(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Per claim id: specifications_reproduced and specifications_total of the multiverse verdicts."""
    grouped = verdicts.assign(reproduced=verdicts["verdict"].eq(REPRODUCED)).groupby("claim_id", sort=False)
    return pd.DataFrame({"specifications_reproduced": grouped["reproduced"].sum().astype(int), "specifications_total": grouped.size().astype(int)})


def specifications_cell(reproduced: Any, total: Any) -> str:
    """'reproduced under n of N specifications', or '' for a claim outside the multiverse."""
    if pd.isna(total) or total == "":
        return ""
    return f"reproduced under {int(reproduced)} of {int(total)} specifications"


def multiverse_markdown(table: pd.DataFrame, multiverse_verdicts: pd.DataFrame | None) -> str:
    """Paper G across the multiverse: the claims whose verdict changes across specifications (with
    the verdict counts), and the claims no specification reproduces; '' without multiverse verdicts."""
    if multiverse_verdicts is None or multiverse_verdicts.empty:
        return ""
    n_specifications = multiverse_verdicts["specification"].nunique()
    per_claim = multiverse_verdicts.groupby("claim_id", sort=False)["verdict"]
    changing = [(claim_id, verdicts.value_counts()) for claim_id, verdicts in per_claim if verdicts.nunique() > 1]
    never = [claim_id for claim_id, verdicts in per_claim if not verdicts.eq(REPRODUCED).any()]
    lines = [
        f"Every paper-G claim is also judged under each of {n_specifications} specifications of the analysis "
        "(checkpoint subset × over-training exclusion × estimator × horizon definition × minimum residual dof; "
        "`results/multiverse/specifications.csv`, verdicts in `results/multiverse/verdicts.csv`).",
        "",
        f"**Verdict changes across specifications** ({len(changing)} claims):",
        "",
    ]
    lines += [f"- `{claim_id}`: " + ", ".join(f"{verdict} {count}" for verdict, count in counts.items()) for claim_id, counts in changing]
    lines += ["", f"**Reproduced under no specification** ({len(never)} claims): " + (", ".join(f"`{claim_id}`" for claim_id in never) or "none") + "."]
    return "\n".join(lines)


def verdict_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Claims per paper and verdict (every verdict a column, zeros kept), with a total row."""
    counts = pd.crosstab(table["paper"], table["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.loc["both papers"] = counts.sum()
    return counts


def markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(column) for column in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    cells = (" | ".join(str(value).replace("|", "\\|").replace("\n", " ") for value in row) for row in frame.itertuples(index=False))
    return "\n".join([header, rule, *(f"| {row} |" for row in cells)])


def summary_markdown(table: pd.DataFrame) -> str:
    """The verdict counts per paper as a markdown table."""
    counts = verdict_counts(table).reset_index()
    return markdown_table(counts)


def claims_markdown(table: pd.DataFrame, multiverse_verdicts: pd.DataFrame | None = None) -> str:
    """paper/claims.md: the verdict counts, paper G across the multiverse, then each paper's claims
    grouped by section (paper G's with the specifications under which each is reproduced)."""
    parts = [
        "# Replication verdict, claim by claim",
        "",
        (
            "Generated by `snakemake results/claims.csv` from `config/claims.yaml` and the results tables; "
            "do not edit. Each replicated value is computed by the named function of `scalingrepro.verdict` "
            "from the tables listed in `results/claims.csv` (`tables_read`)."
        ),
        "",
        "## Summary",
        "",
        summary_markdown(table),
    ]
    across = multiverse_markdown(table, multiverse_verdicts)
    if across:
        parts += ["", "## Paper G across the multiverse", "", across]
    shown_columns = ["claim_id", "location", "statement", "paper_value", "replicated_value", "check", "verdict", "note"]
    for paper, title in PAPER_TITLES.items():
        claims = table[table["paper"] == paper]
        parts += ["", f"## {title}"]
        for section, group in claims.groupby("section", sort=False):
            shown = group[shown_columns]
            if group["specifications_total"].notna().any():
                shown = shown.assign(specifications=[specifications_cell(r, n) for r, n in zip(group["specifications_reproduced"], group["specifications_total"])])
            parts += ["", f"### {section}", "", markdown_table(shown)]
    return "\n".join(parts) + "\n"


def deviations(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["verdict"] == "deviates"]


def verdicts_by_target(table: pd.DataFrame) -> dict[str, Counter]:
    """Target id -> Counter of the verdicts of the claims registered for it."""
    by_target: dict[str, Counter] = {}
    for targets, verdict in zip(table["targets"], table["verdict"]):
        for target in str(targets).split():
            by_target.setdefault(target, Counter())[verdict] += 1
    return by_target


def claim_inputs(config: Mapping[str, Any]) -> list[str]:
    """The results tables the claim functions read (the inputs of the rule checking the claims)."""
    from ..pipeline import paths

    chinchilla = [
        "parameter_counts.csv", "fits.csv", "tokens_per_parameter.csv", "tokens_per_parameter_slopes.csv",
        "count_precision_slopes.csv", "perturbation_fits.csv", "perturbation_trends.csv",
        "perturbation_agreement.csv", "systematic_bias_power_law.csv", "perturbation_tokens_per_parameter.csv",
    ]
    generative = ["outcomes.parquet", "pass_at_k.csv", "fits.csv", "backtest.csv", "stability.csv", "envelope.csv", "misallocation.csv", "sampling_cost.csv"]
    benchmarks = config["generative"]["outcomes"]["benchmarks"]
    return [str(paths.chinchilla(name)) for name in chinchilla] + [str(paths.generative(benchmark, name)) for benchmark in benchmarks for name in generative]


def verdict_summaries(table: pd.DataFrame) -> dict[str, str]:
    """Target id -> its claims' verdicts in words, most frequent first (e.g. '3 reproduced, 1 deviates')."""
    return {
        target: ", ".join(f"{count} {verdict}" for verdict, count in sorted(counter.items(), key=lambda item: (-item[1], VERDICTS.index(item[0]))))
        for target, counter in verdicts_by_target(table).items()
    }
