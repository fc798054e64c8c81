"""What a run's console shows (the logger plugin's choices) and the closing lines of a run."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from scalingrepro.pipeline import console, paths
from scalingrepro.registry import Target
from scalingrepro.verdict import closing


def record(message: str | None = "", level: int = logging.INFO, **extra) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "levelno": level, "levelname": logging.getLevelName(level), **extra})


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def run_console(**settings) -> console.RunConsole:
    return console.RunConsole(everything=False, reasons_hidden=True, progress_interval=60, **settings)


def test_job_blocks_shell_commands_and_scheduler_chatter_stay_in_the_log():
    shown = run_console()
    for hidden in (
        record("", event="job_info", rule_name="fit_scaling_laws"),
        record("Shell command: None", event="shellcmd", shellcmd=None),
        record("Execute 2 jobs...", event="job_started"),
        record("Finished jobid: 3 (Rule: acquire_input)", event="job_finished"),
        record("Provided cores: 2", event="resources_info"),
        record("Select jobs to execute..."),
        record("Building DAG of jobs..."),
    ):
        assert shown.select(hidden) is None, hidden.msg


def test_warnings_errors_and_closing_lines_are_shown_as_snakemake_formats_them():
    shown = run_console()
    assert shown.select(record("something odd", logging.WARNING)) is console.AS_SNAKEMAKE
    assert shown.select(record("", logging.ERROR, event="job_error")) is console.AS_SNAKEMAKE
    assert shown.select(record("Complete log(s): /x/.snakemake/log/a.snakemake.log")) is console.AS_SNAKEMAKE
    assert shown.select(record("Nothing to be done (all requested files are present and up to date).")) is console.AS_SNAKEMAKE


def test_the_job_table_becomes_one_line():
    line = run_console().select(record("Job stats:\n...", event="run_info", stats={"all": 1, "fit": 4, "total": 5}))
    assert line.getMessage().endswith("5 jobs to run (each job's details: the log named at the end)")


def test_progress_is_shown_once_per_interval_and_at_the_end():
    clock = FakeClock()
    shown = run_console(clock=clock)
    lines = []
    for done in range(1, 101):
        clock.now += 7  # a job every 7 s: a line after the first job, then once a minute (every 9th job)
        selected = shown.select(record(None, event="progress", done=done, total=100))
        if selected is not None:
            lines.append(selected.getMessage().split("] ", 1)[1])
    assert lines == [f"{done} of 100 jobs done ({done}%)" for done in range(1, 101, 9)]  # 100 = 1 + 11 * 9: the last is due anyway


def test_a_dry_run_shows_everything_with_long_reasons_cut_and_a_hint_that_works():
    shown = console.RunConsole(everything=True, reasons_hidden=True)
    block = record("", event="job_info", reason="Input files updated by another job: " + ", ".join(f"f{i}" for i in range(300)))
    assert shown.select(block).reason == "Input files updated by another job: f0, f1, f2, f3, and 296 more"
    summary = shown.select(record("Reasons:\n    (check individual jobs above for details)\n    updated input files:\n        all"))
    assert "snakemake -n --quiet host" in summary.getMessage() and "check individual jobs above" not in summary.getMessage()
    assert shown.select(record("Shell command: None", event="shellcmd", shellcmd=None)) is None
    assert shown.select(record("python -m x", event="shellcmd", shellcmd="python -m x")) is console.AS_SNAKEMAKE


def test_reasons_keep_their_clauses_and_short_lists():
    reason = "Missing output files: a, b; Updated input files: c, d, e, f, g, h"
    assert console.shorten_reason(reason, files_shown=4) == "Missing output files: a, b; Updated input files: c, d, e, f, and 2 more"
    assert console.shorten_reason("Forced execution") == "Forced execution"


def test_the_plugin_is_registered_with_snakemake():
    from snakemake_interface_logger_plugins.registry import LoggerPluginRegistry

    assert "scalingrepro" in LoggerPluginRegistry().plugins


# --- The closing lines of a run ---------------------------------------------------------------


@pytest.fixture
def output_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths.use_output_root("runs/x")
    yield Path("runs/x")
    paths.use_output_root(".")


def figure(target_id: str) -> Target:
    return Target(id=target_id, kind="figure", slug="law_full_fit", notebook="notebooks/n.ipynb")


def write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_default_target_ends_with_the_verdict_counts_and_the_places_that_exist(output_root):
    claims = pd.DataFrame({"verdict": ["reproduced"] * 5 + ["deviates"] * 2 + ["paper inconsistent"]})
    write(paths.claims_table(), claims.to_csv(index=False))
    write(paths.claims_page(), "# claims")
    write(paths.FIGURES / "a.pdf")
    write(paths.EXECUTED_NOTEBOOKS / "a.html")
    lines = closing.closing_lines({"all"}, [])
    assert lines[0] == "Verdicts of 8 claims: 5 reproduced, 2 deviates, 1 paper inconsistent"
    text = "\n".join(lines)
    assert "runs/x/paper/claims.md" in text and "runs/x/paper/figures/" in text and "runs/x/results/notebooks/" in text
    assert "runs/x/paper/tables/" not in text  # no table was built: not named
    assert "index:" not in text  # there is no paper/README.md under this output root


def test_a_run_of_some_figures_names_their_files_and_nothing_else(output_root):
    built, other = figure("generative_fig18"), figure("generative_fig19")
    for output in built.outputs:
        write(Path(output))
    write(paths.LOGS / "fit" / "log.log")
    lines = closing.closing_lines({"generative_fig18", "combine_fits"}, [built, other])
    assert lines[0] == f"generative_fig18: {built.outputs[0]}, {built.outputs[1]}"
    assert lines[-1] == "Logs: runs/x/logs/<rule>/" and len(lines) == 2
    assert all(not Path(name).exists() or name in lines[0] for name in other.outputs)


def test_without_a_table_of_verdicts_the_default_target_names_the_places_only(output_root):
    write(paths.claims_table(), "")  # as `snakemake --touch` leaves it
    write(paths.claims_page(), "")
    lines = closing.closing_lines({"all"}, [])
    assert not [line for line in lines if line.startswith("Verdicts")] and "runs/x/paper/claims.md" in lines[0]


@pytest.mark.parametrize("rule", ["report", "sampling_plan", "check_claims"])
def test_other_commands_end_without_closing_lines(output_root, rule):
    write(paths.claims_table(), "verdict\nreproduced\n")
    assert closing.closing_lines({rule}, [figure("generative_fig01")]) == []
