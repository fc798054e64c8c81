"""paper/report.html: a table of contents, the verdict summary, what did not replicate (each
deviation with its size, linked to its figure), then every figure and table of both papers in
paper order, verdicts coloured by kind.

The report is a notebook of markdown cells rendered by nbconvert with a template that extends
JupyterLab's (workflow/templates/verdict_report): figures appear as their PNG previews
linked to the PDFs, each with its caption, its claims' verdicts, links to the executed notebook
and to the results tables it read, and the parameters that produced it. Links are relative to
paper/, so the report opens offline beside the files it shows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbconvert
import nbformat
import pandas as pd
import yaml

from ..pipeline import paths
from ..registry import UNAVAILABLE, Target, paper_label
from .checks import DEVIATES, VERDICTS
from .claims import PAPER_TITLES
from .outputs import deviations, markdown_table, multiverse_markdown, specifications_cell, verdict_counts

MAX_TABLE_PREVIEW_ROWS = 30
PAPER_SEQUENCE = ("chinchilla", "generative")


def paper_order_key(target_id: str) -> tuple:
    """Sort key: paper, then main figures by number, main tables by number, supplementary items;
    a variant (e.g. `_unbiased`) right after its base."""
    paper, number, *variant = target_id.split("_", 2)
    match = re.fullmatch(r"(fig|table)(S?)(\d+)", number)
    if match is None:
        raise ValueError(f"target id {target_id} does not follow <paper>_<fig|table>[S]<number>")
    kind, supplementary, digits = match.groups()
    return (PAPER_SEQUENCE.index(paper), supplementary == "S", kind == "table", int(digits), variant)


def verdict_class(verdict: str) -> str:
    """The CSS class of a verdict (coloured by the report template): 'verdict-paper-inconsistent'."""
    return "verdict-" + "-".join(verdict.split())


def verdict_badge(verdict: str) -> str:
    """A verdict as a coloured mark; an unknown word stays plain text."""
    return f'<span class="verdict {verdict_class(verdict)}">{verdict}</span>' if verdict in VERDICTS else verdict


def anchor(target_id: str) -> str:
    """The element id of a figure's or table's section (its rule name)."""
    return target_id


def target_link(target_id: str) -> str:
    """A link to a figure's or table's section, by its paper label."""
    return f"[{paper_label(target_id)}](#{anchor(target_id)})"


def link(path: str | Path, text: str | None = None) -> str:
    """A markdown link from paper/ to a repository-relative path."""
    relative = os.path.relpath(path, paths.PAPER).replace(os.sep, "/")
    return f"[{text or path}]({relative})"


def _format_cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table_preview(csv_path: Path) -> str:
    """A registered table (csv) as markdown, or a note when it is too long to show."""
    table = pd.read_csv(csv_path)
    if len(table) > MAX_TABLE_PREVIEW_ROWS:
        return f"*{len(table)} rows; open the csv for all of them.*\n\n" + markdown_table(table.head(MAX_TABLE_PREVIEW_ROWS).map(_format_cell))
    return markdown_table(table.map(_format_cell))


def verdict_lines(claims: pd.DataFrame, target_id: str) -> str:
    """The claims registered for a target with their verdicts, as a markdown table."""
    mine = claims[claims["targets"].fillna("").str.split().apply(lambda targets: target_id in targets)]
    if mine.empty:
        return "*No claim of the paper is checked on this output alone.*"
    shown = mine[["claim_id", "statement", "paper_value", "replicated_value", "verdict", "note"]].assign(verdict=mine["verdict"].map(verdict_badge))
    if "specifications_total" in mine and (mine["specifications_total"].astype(str) != "").any():
        shown = shown.assign(specifications=[specifications_cell(r, n) for r, n in zip(mine["specifications_reproduced"], mine["specifications_total"])])
    return markdown_table(shown)


def deviations_markdown(claims: pd.DataFrame, shown_ids: set[str]) -> str:
    """What did not replicate: each deviating claim with where the paper says it, both values, the
    size of the deviation and links to the figures and tables (of `shown_ids`) it is checked on."""
    deviating = deviations(claims)
    if deviating.empty:
        return "*No claim deviates: each checked claim is reproduced or carries another verdict of the counts above.*"
    figures = deviating["targets"].fillna("").str.split().map(lambda ids: ", ".join(target_link(i) if i in shown_ids else paper_label(i) for i in ids) or "—")
    rows = pd.DataFrame(
        {
            "paper": deviating["paper"].map(lambda paper: "C" if paper == "chinchilla" else "G"),
            "claim": deviating["claim_id"],
            "where": deviating["location"],
            "paper value": deviating["paper_value"],
            "replicated": deviating["replicated_value"],
            "size": deviating["note"],
            "figures and tables": figures,
        }
    )
    return f"{len(rows)} of {len(claims)} claims deviate ({verdict_badge(DEVIATES)}); the reasons are in the README's \"Deviations from the papers\".\n\n" + markdown_table(rows)


def summary_markdown(claims: pd.DataFrame) -> str:
    """The verdict counts per paper, the verdicts coloured as everywhere in the report."""
    counts = verdict_counts(claims).reset_index()
    return markdown_table(counts.rename(columns={verdict: verdict_badge(verdict) for verdict in VERDICTS}))


def contents_markdown(entries: Sequence[tuple[str, Target | None]]) -> str:
    """The table of contents: the summary sections, then each paper's figures and tables."""
    lines = ["- [Verdicts](#verdicts)", "- [What did not replicate](#what-did-not-replicate)", "- [Paper G across the multiverse](#multiverse)"]
    for paper in PAPER_SEQUENCE:
        items = " · ".join(target_link(target_id) for target_id, _ in entries if target_id.startswith(paper))
        lines.append(f"- [{PAPER_TITLES[paper]}](#{anchor(paper)}): {items}")
    lines.append("- [Configuration of this run](#configuration)")
    return "\n".join(lines)


def target_markdown(target: Target, claims: pd.DataFrame, root: Path) -> str:
    """One figure or table: number, caption, preview, verdicts, notebook, tables read, parameters."""
    label = paper_label(target.id)
    parts = [f'<a id="{anchor(target.id)}"></a>', "", f"### {label}: `{target.id}`", "", target.caption, ""]
    if target.kind == "figure":
        png, pdf = (next(output for output in target.outputs if output.endswith(suffix)) for suffix in (".png", ".pdf"))
        parts += [f"[![{label}]({os.path.relpath(png, paths.PAPER)})]({os.path.relpath(pdf, paths.PAPER)})", "", f"PDF: {link(pdf)}"]
    else:
        csv, tex = (next(output for output in target.outputs if output.endswith(suffix)) for suffix in (".csv", ".tex"))
        parts += [table_preview(root / csv), "", f"Files: {link(csv)}, {link(tex)}"]
    parts += ["", "**Verdicts**", "", verdict_lines(claims, target.id), ""]
    parts += [f"**Executed notebook**: {link(paths.rendered_notebook(target.id))} (drawn by `{target.notebook}`)", ""]
    tables = ", ".join(link(path) for path in target.inputs.values()) or "none"
    parts += [f"**Results tables read**: {tables}", ""]
    parameters = yaml.safe_dump(target.parameters, sort_keys=False, allow_unicode=True, default_flow_style=None).strip()
    parts += [f"**Configuration**: `snakemake {target.id}` with {link(paths.CONFIG)}; notebook parameters:", "", "```yaml", parameters or "{}", "```"]
    return "\n".join(parts)


def unavailable_markdown(target_id: str, reason: str, claims: pd.DataFrame) -> str:
    heading = [f'<a id="{anchor(target_id)}"></a>', "", f"### {paper_label(target_id)}: not built"]
    return "\n".join([*heading, "", f"Not built from the released data: {reason}.", "", "**Verdicts**", "", verdict_lines(claims, target_id)])


def report_notebook(
    targets: Sequence[Target], claims: pd.DataFrame, config: Mapping[str, Any], root: str | Path, multiverse_verdicts: pd.DataFrame | None = None
) -> nbformat.NotebookNode:
    """The report as a notebook of markdown cells: contents, verdicts, deviations and paper G across
    the multiverse, then each paper in order."""
    root = Path(root)
    entries = [(target.id, target) for target in targets] + [(target_id, None) for target_id in UNAVAILABLE]
    entries.sort(key=lambda entry: paper_order_key(entry[0]))
    cells = [
        "\n".join(
            [
                "# Replication report",
                "",
                (
                    "Two papers replicated from their released data: each claim checked against the pipeline's results "
                    f"(all claims with their values: {link(paths.PAPER / 'claims.md')}, {link(paths.RESULTS / 'claims.csv')}), "
                    "then every figure and table in paper order."
                ),
                "",
                "## Contents",
                "",
                contents_markdown(entries),
                "",
                '<a id="verdicts"></a>',
                "",
                "## Verdicts",
                "",
                summary_markdown(claims),
                "",
                '<a id="what-did-not-replicate"></a>',
                "",
                "## What did not replicate",
                "",
                deviations_markdown(claims, {target_id for target_id, _ in entries}),
            ]
        )
    ]
    across = multiverse_markdown(claims, multiverse_verdicts) or "*This run judged no claim across the multiverse.*"
    cells.append("\n".join(['<a id="multiverse"></a>', "", "## Paper G across the multiverse", "", across]))
    for paper in PAPER_SEQUENCE:
        cells.append(f'<a id="{anchor(paper)}"></a>\n\n## {PAPER_TITLES[paper]}')
        for target_id, target in entries:
            if not target_id.startswith(paper):
                continue
            cells.append(target_markdown(target, claims, root) if target is not None else unavailable_markdown(target_id, UNAVAILABLE[target_id], claims))
    configuration = yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True).strip()
    cells.append("\n".join(['<a id="configuration"></a>', "", "## Configuration of this run", "", f"The settings every output above was built with ({link(paths.CONFIG)} with the schema's defaults filled in):", "", "```yaml", configuration, "```"]))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(cell) for cell in cells])
    notebook.metadata["title"] = "Replication report"
    return notebook


def render_report(notebook: nbformat.NotebookNode, templates: str | Path = paths.REPOSITORY_ROOT / paths.TEMPLATES) -> str:
    """The notebook as one HTML page with the verdict_report template (no scripts, no embedded images)."""
    exporter = nbconvert.HTMLExporter(template_name=paths.REPORT_TEMPLATE.name, extra_template_basedirs=[str(Path(templates).resolve())])
    html, _ = exporter.from_notebook_node(notebook)
    return html
