"""Logging for rule scripts: progress lines to the job's log file and to stderr; warnings and the
chatter of libraries (pooch, papermill, Python warnings such as numpy's) to the log file only, so
that a successful run prints progress and nothing alarming."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# Loggers whose messages belong in the job's log, not on the console of the whole run.
FILE_ONLY_LOGGERS = ("py.warnings", "pooch", "papermill", "traitlets", "nbconvert")
FORMAT = "%(asctime)s %(name)s: %(message)s"


def configure(log_file: str | Path | None, console: bool = True) -> logging.Logger:
    """Log INFO and above to `log_file` (if given) and, with `console`, the package's own lines to
    stderr; route Python warnings and library loggers to the file only. Returns the package logger."""
    file_handlers: list[logging.Handler] = []
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        Path(log_file).write_text("")  # a fresh log per job, then appended to by every writer
        file_handlers.append(logging.FileHandler(log_file, mode="a"))  # O_APPEND: child processes share the file
    console_handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)] if console else []
    logging.basicConfig(level=logging.INFO, format=FORMAT, handlers=file_handlers + console_handlers, force=True)
    logging.captureWarnings(True)
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
