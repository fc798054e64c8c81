"""The README's figure index, generated from the figure registry.

    python -m scalingrepro.commands.figure_index             # print the table
    python -m scalingrepro.commands.figure_index README.md   # replace the table between the index markers

Works from any directory inside the checkout; a relative README path is taken from there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..pipeline import paths
from ..pipeline.settings import load_config
from ..registry import markdown_index

START, END = "<!-- figure-index:start -->", "<!-- figure-index:end -->"


def replace_index(text: str, index: str) -> str:
    """`text` with everything between the index markers replaced by `index`."""
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{index}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("readme", nargs="?", type=Path, help="Markdown file whose index (between the markers) is refreshed in place")
    arguments = parser.parse_args(argv)
    index = markdown_index(load_config(root=paths.REPOSITORY_ROOT))
    if arguments.readme is None:
        print(index)
        return 0
    arguments.readme.write_text(replace_index(arguments.readme.read_text(), index))
    return 0


if __name__ == "__main__":
    sys.exit(main())
