"""Logging for rule scripts: everything to the job's log file; on the console (stderr) only the
package's warnings and the lines marked for it (`console`, `Progress`), so that the run's console
reads as progress and warnings. The chatter of libraries (pooch, papermill, Python warnings such
as numpy's) goes to the log file only."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Loggers whose messages belong in the job's log, not on the console of the whole run.
FILE_ONLY_LOGGERS = ("py.warnings", "pooch", "papermill", "traitlets", "nbconvert")
FORMAT = "%(asctime)s %(name)s: %(message)s"
CONSOLE_FORMAT = "[%(asctime)s] %(message)s"
CONSOLE_TIME_FORMAT = "%H:%M:%S"
# A record with this attribute set is shown on the console as well as written to the log.
CONSOLE_MARK = "console"
# A long job says how far it is at most this often, so that parallel jobs do not flood the console.
PROGRESS_INTERVAL_SECONDS = 20.0


class ConsoleFilter(logging.Filter):
    """Lets through warnings and errors, and the records marked for the console."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or bool(getattr(record, CONSOLE_MARK, False))


def console_handler() -> logging.Handler:
    """stderr, showing only what ConsoleFilter lets through, with the time of day."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ConsoleFilter())
    handler.setFormatter(logging.Formatter(CONSOLE_FORMAT, CONSOLE_TIME_FORMAT))
    return handler


def console(log: logging.Logger, message: str, *args: object) -> None:
    """Log `message` at INFO to the job's log and show it on the console too."""
    log.info(message, *args, extra={CONSOLE_MARK: True})


class Progress:
    """Counts the items a job has done: each item is a line of the job's log, and at most every
    `interval` seconds, and when the last item is done, `label: i of n done (p%)` goes to the
    console (and the log) as well.

    clock: seconds, monotonic (time.monotonic); given in tests."""

    def __init__(self, log: logging.Logger, label: str, total: int, interval: float = PROGRESS_INTERVAL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.log, self.label, self.total, self.interval, self.clock = log, label, total, interval, clock
        self.done = 0
        self.last_shown = clock()

    def advance(self, detail: str = "") -> None:
        """One more item done; `detail` describes it in the job's log."""
        self.done += 1
        self.log.info("%s: %d/%d %s", self.label, self.done, self.total, detail)
        now = self.clock()
        if self.done == self.total or now - self.last_shown >= self.interval:
            self.last_shown = now
            percent = 100 * self.done / self.total if self.total else 100.0
            console(self.log, "%s: %d of %d done (%.0f%%)", self.label, self.done, self.total, percent)


def configure(log_file: str | Path | None, console: bool = True, fresh: bool = True) -> logging.Logger:
    """Log INFO and above to `log_file` (if given; emptied first when `fresh`) and, with `console`,
    the package's warnings and marked lines to stderr; route Python warnings and library loggers to
    the file only. Returns the package logger."""
    file_handlers: list[logging.Handler] = []
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            Path(log_file).write_text("")  # a fresh log per job, then appended to by every writer
        file_handlers.append(logging.FileHandler(log_file, mode="a"))  # O_APPEND: child processes share the file
    console_handlers: list[logging.Handler] = [console_handler()] if console else []
    logging.basicConfig(level=logging.INFO, format=FORMAT, handlers=file_handlers + console_handlers, force=True)
    logging.captureWarnings(True)
    # Hugging Face libraries draw download and weight-loading bars on stderr; read when they are imported.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in FILE_ONLY_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):  # pooch attaches its own console handler at import
            logger.removeHandler(handler)
        for handler in file_handlers:
            logger.addHandler(handler)
        if not file_handlers:
            logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return logging.getLogger("scalingrepro")
