"""paper/report.html: the verdict summary, then every figure and table of both papers in paper order.

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
from .claims import PAPER_TITLES
from .outputs import markdown_table, multiverse_markdown, specifications_cell, summary_markdown

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
    shown = mine[["claim_id", "statement", "paper_value", "replicated_value", "verdict", "note"]]
    if "specifications_total" in mine and (mine["specifications_total"].astype(str) != "").any():
        shown = shown.assign(specifications=[specifications_cell(r, n) for r, n in zip(mine["specifications_reproduced"], mine["specifications_total"])])
    return markdown_table(shown)


def target_markdown(target: Target, claims: pd.DataFrame, root: Path) -> str:
    """One figure or table: number, caption, preview, verdicts, notebook, tables read, parameters."""
    label = paper_label(target.id)
    parts = [f"### {label}: `{target.id}`", "", target.caption, ""]
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
    return "\n".join([f"### {paper_label(target_id)}: not built", "", f"Not built from the released data: {reason}.", "", "**Verdicts**", "", verdict_lines(claims, target_id)])


def report_notebook(
    targets: Sequence[Target], claims: pd.DataFrame, config: Mapping[str, Any], root: str | Path, multiverse_verdicts: pd.DataFrame | None = None
) -> nbformat.NotebookNode:
    """The report as a notebook of markdown cells (summary and paper G across the multiverse first,
    then each paper in order)."""
    root = Path(root)
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
                "## Verdicts",
                "",
                summary_markdown(claims),
            ]
        )
    ]
    across = multiverse_markdown(claims, multiverse_verdicts)
    if across:
        cells.append("\n".join(["## Paper G across the multiverse", "", across]))
    entries = [(target.id, target) for target in targets] + [(target_id, None) for target_id in UNAVAILABLE]
    entries.sort(key=lambda entry: paper_order_key(entry[0]))
    for paper in PAPER_SEQUENCE:
        cells.append(f"## {PAPER_TITLES[paper]}")
        for target_id, target in entries:
            if not target_id.startswith(paper):
                continue
            cells.append(target_markdown(target, claims, root) if target is not None else unavailable_markdown(target_id, UNAVAILABLE[target_id], claims))
    configuration = yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True).strip()
    cells.append("\n".join(["## Configuration of this run", "", f"The settings every output above was built with ({link(paths.CONFIG)} with the schema's defaults filled in):", "", "```yaml", configuration, "```"]))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(cell) for cell in cells])
    notebook.metadata["title"] = "Replication report"
    return notebook


def render_report(notebook: nbformat.NotebookNode, templates: str | Path = paths.REPOSITORY_ROOT / paths.TEMPLATES) -> str:
    """The notebook as one HTML page with the verdict_report template (no scripts, no embedded images)."""
    exporter = nbconvert.HTMLExporter(template_name=paths.REPORT_TEMPLATE.name, extra_template_basedirs=[str(Path(templates).resolve())])
    html, _ = exporter.from_notebook_node(notebook)
    return html
