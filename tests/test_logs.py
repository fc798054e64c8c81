"""What a job prints: its progress on the console; warnings and library chatter in its log only."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys


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
    )
    assert result.returncode == 0, result.stderr
    assert "fitted 4 interpretations" in result.stderr
    assert "RuntimeWarning" not in result.stderr and "Degrees of freedom" not in result.stderr
    assert "Degrees of freedom" in log_file.read_text()


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
