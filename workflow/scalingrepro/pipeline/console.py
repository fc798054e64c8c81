"""What Snakemake's own console shows of a run: progress and warnings (the logger plugin
`snakemake_logger_plugin_scalingrepro`, named in profiles/default/config.yaml, asks this module).

Every record still reaches Snakemake's log file (.snakemake/log/); only the console is thinned:
one line with the number of jobs, then at most one progress line every `progress_interval`
seconds (and the last), warnings and errors (a failed job's block and log, as Snakemake formats
them), and Snakemake's closing lines. Job blocks, shell commands, the job table and the
scheduler's chatter stay in the log. A dry run and `--verbose` show everything as Snakemake
does, with long per-job reasons cut short.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

# Returned by RunConsole.select: show the record as Snakemake formats it.
AS_SNAKEMAKE = object()
# Seconds between two progress lines of a run (and the default of the plugin's setting).
PROGRESS_INTERVAL_SECONDS = 60.0
# Events (snakemake_interface_logger_plugins.common.LogEvent values) that stay in the log file.
HIDDEN_EVENTS = frozenset(
    {"job_info", "job_started", "job_finished", "shellcmd", "resources_info", "workflow_started", "group_info", "rulegraph", "debug_dag"}
)
# Snakemake's plain messages that say nothing a reader of the console needs (kept in the log file).
HIDDEN_MESSAGES = (
    "Select jobs to execute",
    "Building DAG of jobs",
    "Using shell:",
    "Conda environments:",
    "Assuming unrestricted shared filesystem",
    "Config file ",
    "host:",
)
# Snakemake's dry-run summary points at per-job reasons that the profile's `quiet: [reason]` hides.
HIDDEN_REASONS_HINT = "(check individual jobs above for details)"
SHOW_REASONS_HINT = "(each job's reason: snakemake -n --quiet host)"
# A per-job reason lists at most this many files (rule all's lists every output of the workflow).
REASON_FILES_SHOWN = 4


def clock_time(seconds_since_epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds_since_epoch))


def shorten_reason(reason: str, files_shown: int = REASON_FILES_SHOWN) -> str:
    """A job's reason with each of its file lists cut to `files_shown` names and a count of the rest.

    Snakemake writes a reason as `Kind: file, file, ...` clauses joined by `; `."""
    clauses = []
    for clause in reason.split("; "):
        kind, separator, files = clause.partition(": ")
        names = files.split(", ") if separator else []
        if len(names) > files_shown:
            clause = f"{kind}: {', '.join(names[:files_shown])}, and {len(names) - files_shown} more"
        clauses.append(clause)
    return "; ".join(clauses)


class RunConsole:
    """Decides, record by record, what the console shows.

    everything: a dry run or --verbose (Snakemake's console, reasons shortened);
    reasons_hidden: the run is quiet about per-job reasons (`--quiet reason`);
    clock: seconds since the epoch (time.time); given in tests."""

    def __init__(
        self,
        everything: bool,
        reasons_hidden: bool,
        progress_interval: float = PROGRESS_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        self.everything, self.reasons_hidden = everything, reasons_hidden
        self.progress_interval, self.clock = progress_interval, clock
        self.last_progress: float | None = None

    def select(self, record: logging.LogRecord) -> object:
        """None (log file only), AS_SNAKEMAKE, or a record to show instead of this one."""
        event = getattr(record, "event", None)
        event = None if event is None else str(event)
        message = record.getMessage() if record.msg is not None else ""
        if self.everything:
            return self._everything(record, event, message)
        if record.levelno >= logging.WARNING or event in ("job_error", "group_error", "error"):
            return AS_SNAKEMAKE
        if event == "run_info":
            total = getattr(record, "stats", {}).get("total")
            return None if total is None else self._line(f"{total} {'job' if total == 1 else 'jobs'} to run (each job's details: the log named at the end)")
        if event == "progress":
            return self._progress(int(record.done), int(record.total))
        if event in HIDDEN_EVENTS or message.startswith(HIDDEN_MESSAGES):
            return None
        return AS_SNAKEMAKE

    def _everything(self, record: logging.LogRecord, event: str | None, message: str) -> object:
        if event == "shellcmd" and getattr(record, "shellcmd", None) is None:
            return None  # a script or notebook rule: Snakemake would print "Shell command: None"
        if event == "job_info" and getattr(record, "reason", None):
            return logging.makeLogRecord({**record.__dict__, "reason": shorten_reason(str(record.reason))})
        if self.reasons_hidden and HIDDEN_REASONS_HINT in message:
            return logging.makeLogRecord({**record.__dict__, "msg": message.replace(HIDDEN_REASONS_HINT, SHOW_REASONS_HINT), "args": None})
        return AS_SNAKEMAKE

    def _progress(self, done: int, total: int) -> logging.LogRecord | None:
        now = self.clock()
        due = self.last_progress is None or now - self.last_progress >= self.progress_interval
        if not (due or done >= total):
            return None
        self.last_progress = now
        percent = 100 * done / total if total else 100.0
        return self._line(f"{done} of {total} {'job' if total == 1 else 'jobs'} done ({percent:.0f}%)")

    def _line(self, text: str) -> logging.LogRecord:
        """A plain INFO record reading `[HH:MM:SS] text`."""
        return logging.makeLogRecord({"msg": f"[{clock_time(self.clock())}] {text}", "levelno": logging.INFO, "levelname": "INFO", "event": None})
