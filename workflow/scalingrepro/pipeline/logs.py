"""Logging for rule scripts: progress lines to the job's log file and to stderr."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def configure(log_file: str | Path | None) -> logging.Logger:
    """Log INFO and above to `log_file` (if given) and stderr; return the package logger."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", handlers=handlers, force=True)
    return logging.getLogger("scalingrepro")
