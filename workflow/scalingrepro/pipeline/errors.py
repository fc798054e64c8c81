"""One exception for bad input, and a way for rule scripts to report it as one paragraph."""

from __future__ import annotations

import contextlib
import sys
import textwrap
from collections.abc import Iterator


class InputError(Exception):
    """Bad or missing input: the message names the file, the problem and the fix."""

    def __init__(self, source: str, problem: str, fix: str):
        self.source, self.problem, self.fix = str(source), problem, fix
        super().__init__(f"{self.source}: {problem} Fix: {fix}")


def format_paragraph(error: InputError) -> str:
    """The error as one wrapped paragraph, ready to print."""
    return textwrap.fill(f"ERROR in {error}", width=100)


@contextlib.contextmanager
def exit_on_input_error() -> Iterator[None]:
    """Print an InputError as one paragraph on stderr and exit 1 (Snakemake then removes outputs)."""
    try:
        yield
    except InputError as error:
        print(format_paragraph(error), file=sys.stderr)
        sys.exit(1)
