"""What a job prints: its progress and warnings on the console; its details and library chatter in its log only."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys

import pytest

from scalingrepro.pipeline import logs


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))


def test_numpy_warnings_go_to_the_job_log_and_progress_to_the_console(tmp_path):
    log_file = tmp_path / "job.log"
    result = run_python(
        "import numpy as np\n"
        "from scalingrepro.pipeline import logs\n"
        f"log = logs.configure({str(log_file)!r})\n"
        "np.cov(np.ones((2, 1)))  # one observation: 'Degrees of freedom <= 0'\n"
        "log.info('fitted 4 interpretations')\n"
        "logs.console(log, 'shard 1 of 4: 12 of 47 done')\n"
        "log.warning('3 inputs missing')\n"
    )
    assert result.returncode == 0, result.stderr
    assert "shard 1 of 4: 12 of 47 done" in result.stderr and "3 inputs missing" in result.stderr
    assert "fitted 4 interpretations" not in result.stderr  # a job's details stay in its log
    assert "RuntimeWarning" not in result.stderr and "Degrees of freedom" not in result.stderr
    log = log_file.read_text()
    assert "Degrees of freedom" in log and "fitted 4 interpretations" in log and "shard 1 of 4: 12 of 47 done" in log


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_reaches_the_console_at_most_once_per_interval_and_at_the_end(caplog):
    clock = FakeClock()
    log = logging.getLogger("scalingrepro.test_progress")
    progress = logs.Progress(log, "additive sweep, shard 1 of 1", total=10, interval=20, clock=clock)
    with caplog.at_level(logging.INFO, logger=log.name):
        for _ in range(10):
            clock.now += 7  # an item every 7 s: shown after 21, 42 and 63 s, and the last at 70 s
            progress.advance("additive=1e6 repeat 0: valid=True")
    shown = [record.getMessage() for record in caplog.records if getattr(record, logs.CONSOLE_MARK, False)]
    assert shown == [f"additive sweep, shard 1 of 1: {done} of 10 done ({10 * done}%)" for done in (3, 6, 9, 10)]
    details = [record.getMessage() for record in caplog.records if not getattr(record, logs.CONSOLE_MARK, False)]
    assert len(details) == 10 and details[0] == "additive sweep, shard 1 of 1: 1/10 additive=1e6 repeat 0: valid=True"


def test_the_console_filter_passes_warnings_and_marked_records_only():
    console_filter = logs.ConsoleFilter()
    record = lambda level, **extra: logging.makeLogRecord({"levelno": level, "msg": "m", **extra})  # noqa: E731
    assert console_filter.filter(record(logging.WARNING)) and console_filter.filter(record(logging.ERROR))
    assert console_filter.filter(record(logging.INFO, **{logs.CONSOLE_MARK: True}))
    assert not console_filter.filter(record(logging.INFO)) and not console_filter.filter(record(logging.INFO, **{logs.CONSOLE_MARK: False}))


def test_a_mirror_copy_is_quiet_and_readable(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "table.csv").write_text("a,b\n1,2\n")
    digest = hashlib.sha256((mirror / "table.csv").read_bytes()).hexdigest()
    destination = tmp_path / "resources" / "table.csv"
    result = run_python(
        "from pathlib import Path\n"
        "from scalingrepro.pipeline import logs, sources\n"
        f"logs.configure({str(tmp_path / 'acquire.log')!r})\n"
        f"source = sources.Source('table', 'table.csv', 'https://example.org/table.csv', {digest!r}, 'a table')\n"
        f"sources.acquire(source, Path({str(destination)!r}), Path({str(mirror)!r}))\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Downloading data from" not in result.stderr
    assert destination.stat().st_mode & 0o044 == 0o044  # readable like any other output, not 0600


def test_hugging_face_progress_bars_stay_off_the_console(tmp_path):
    pytest.importorskip("transformers")
    result = run_python(
        "from scalingrepro.pipeline import logs\n"
        f"logs.configure({str(tmp_path / 'job.log')!r})\n"
        "from transformers.utils import logging as transformers_logging\n"
        "print(transformers_logging.is_progress_bar_enabled())\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"  # e.g. the "Loading weights" bar of every sampling job
