"""Agreement of the graders with public graders' labelled answer-equivalence cases.

    python -m scalingrepro.commands.grading_conformance                 # print the table
    python -m scalingrepro.commands.grading_conformance README.md       # replace the table between its markers
    python -m scalingrepro.commands.grading_conformance --disagreements # and list the scored cases graded otherwise

The cases are tests/data/grading_conformance.yaml: per benchmark and source repository, the table
counts the cases, those excluded from the score (each with its reason in the file), the scored
cases whose verdict matches the source's label, and the non-equivalent pairs graded correct.
Works from any directory inside the checkout; a relative README path is taken from there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..pipeline import paths
from ..pipeline.files import replace_marked_block, write_text_atomically
from ..sampling import conformance
from ..sampling.grading import Grader

MARKER = "grading-conformance"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("readme", nargs="?", type=Path, help="Markdown file whose table (between the grading-conformance markers) is refreshed in place")
    parser.add_argument("--cases", type=Path, default=paths.REPOSITORY_ROOT / paths.GRADING_CONFORMANCE, help="conformance file (default: the checkout's)")
    parser.add_argument("--workers", type=int, default=2, help="processes for math-verify (default: 2)")
    parser.add_argument("--disagreements", action="store_true", help="also list the scored cases whose verdict differs from the label")
    arguments = parser.parse_args(argv)
    cases = conformance.load_cases(arguments.cases)
    with Grader(workers=arguments.workers) as grader:
        verdicts = conformance.grade_cases(cases, grader)
    table = conformance.markdown_table(conformance.agreement_rows(cases, verdicts))
    if arguments.readme is None:
        print(table)
    else:
        write_text_atomically(arguments.readme, replace_marked_block(arguments.readme.read_text(encoding="utf-8"), MARKER, table))
    if arguments.disagreements:
        for case, verdict in conformance.disagreements(cases, verdicts):
            print(f"- {case.id} ({case.benchmark}): labelled {'equivalent' if case.equivalent else 'not equivalent'}, graded {verdict}; gold {case.gold!r}, prediction {case.prediction!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
