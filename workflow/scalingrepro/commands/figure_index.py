"""The README's figure index, generated from the figure registry and the checked claims.

    python -m scalingrepro.commands.figure_index             # print the table
    python -m scalingrepro.commands.figure_index README.md   # replace the table between the index markers

The verdicts column comes from results/claims.csv (`snakemake results/claims.csv` writes it);
without it the table is printed with empty verdicts and README.md is left unchanged.
Works from any directory inside the checkout; a relative README path is taken from there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..pipeline import paths
from ..pipeline.errors import InputError, format_paragraph
from ..pipeline.files import replace_marked_block
from ..pipeline.settings import load_config
from ..registry import markdown_index
from ..verdict.outputs import verdict_summaries

MARKER = "figure-index"


def replace_index(text: str, index: str) -> str:
    """`text` with everything between the index markers replaced by `index`."""
    return replace_marked_block(text, MARKER, index)


def strip_verdicts(index: str) -> str:
    """The index without its last (verdicts) column: the part the registry alone determines."""
    return "\n".join(row.rsplit(" | ", 1)[0] for row in index.strip().splitlines())


def checked_verdicts(root: Path = paths.REPOSITORY_ROOT) -> dict[str, str]:
    """Target id -> verdicts in words, from the checkout's results/claims.csv."""
    table_path = root / paths.claims_table()
    if not table_path.is_file():
        raise InputError(str(table_path), "the checked claims are missing, so the index has no verdicts.", "run `snakemake --cores all results/claims.csv` first.")
    return verdict_summaries(pd.read_csv(table_path, keep_default_na=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("readme", nargs="?", type=Path, help="Markdown file whose index (between the markers) is refreshed in place")
    arguments = parser.parse_args(argv)
    try:
        verdicts = checked_verdicts()
    except InputError as error:
        print(format_paragraph(error), file=sys.stderr)
        if arguments.readme is not None:
            return 1  # never write an index without its verdicts
        verdicts = {}
    index = markdown_index(load_config(root=paths.REPOSITORY_ROOT), verdicts)
    if arguments.readme is None:
        print(index)
        return 0
    arguments.readme.write_text(replace_index(arguments.readme.read_text(), index))
    return 0


if __name__ == "__main__":
    sys.exit(main())
