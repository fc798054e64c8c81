"""The notebook engines: in-process and warm-server execution record what a Jupyter kernel records,
write byte-identical figures, fail the way Papermill fails, and keep notebooks apart."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
import pytest

from scalingrepro.pipeline import notebook_server, notebooks

CELLS = [
    ("total = 1", ["parameters"]),
    ("import warnings\nimport pandas as pd\nfrom IPython.display import display\nfrom scalingrepro.pipeline import plotting\nplotting.apply_style()", []),
    ("print('total', total)\nprint('again')\ndisplay(pd.DataFrame({'a': [total]}))\npd.DataFrame({'b': [2 * total]})", []),
    ("pd.DataFrame({f'column {index}': [1.5 * index] * 3 for index in range(25)})", []),  # wider than a line
    ("warnings.warn('careful')", []),
    (
        "import matplotlib.pyplot as plt\nfigure, axis = plt.subplots()\naxis.plot([1, 10, 100], [total, 0.1, 0.01])\n"
        "axis.set_xscale('log')\naxis.set_yscale('log')\naxis.set_title(r'$\\alpha$')\nplotting.save_figure(figure, 'figure')",
        [],
    ),
    ("import json\nassert not hasattr(json, 'touched_by_a_notebook')\njson.touched_by_a_notebook = True", []),
]


def make_notebook(path: Path, cells=CELLS) -> Path:
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": tags}) for source, tags in cells]
    nbformat.write(notebook, path)
    return path


def outputs_of(executed: Path) -> list[list[tuple]]:
    """Each code cell's outputs as (type, stream name or sorted MIME types, text) tuples."""
    cells = []
    for cell in nbformat.read(executed, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        rows = []
        for output in cell.outputs:
            if output.output_type == "stream":
                text = output.text if output.name == "stdout" else output.text.split(": ", 1)[-1]  # warnings name the cell's file
                rows.append(("stream", output.name, text))
            elif output.output_type in ("display_data", "execute_result"):
                rows.append((output.output_type, tuple(sorted(output.data)), output.data["text/plain"]))
            else:
                rows.append((output.output_type, output.ename, output.evalue))
        cells.append(rows)
    return cells


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in ("figure.pdf", "figure.png")}


@pytest.fixture
def private_server(tmp_path, monkeypatch):
    """A warm server of this test's own (its socket under the test's temporary directory), stopped after."""
    directory = tempfile.mkdtemp(prefix="nb-", dir="/tmp")  # short: socket paths are limited
    monkeypatch.setenv("TMPDIR", directory)
    monkeypatch.setattr(tempfile, "tempdir", None)
    yield
    notebook_server.stop_all()
    shutil.rmtree(directory, ignore_errors=True)


def run_in(directory: Path, engine: str, parameters=None) -> Path:
    directory.mkdir()
    source = make_notebook(directory / "source.ipynb")
    json.__dict__.pop("touched_by_a_notebook", None)  # in_process runs in this test's process, one notebook after another
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        notebooks.run(source, directory / "executed.ipynb", directory / "executed.html", parameters or {"total": 5}, directory / "job.log", engine=engine)
    finally:
        os.chdir(cwd)
    return directory


@pytest.mark.parametrize("engine", ["in_process", "warm"])
def test_an_engine_records_the_kernels_outputs_and_writes_the_same_figure_bytes(tmp_path, engine, private_server):
    kernel = run_in(tmp_path / "kernel", "kernel")
    other = run_in(tmp_path / engine, engine)
    expected = outputs_of(kernel / "executed.ipynb")
    assert expected[3] == [
        ("stream", "stdout", "total 5\nagain\n"),
        ("display_data", ("text/html", "text/plain"), "   a\n0  5"),
        ("execute_result", ("text/html", "text/plain"), "    b\n0  10"),
    ]
    assert outputs_of(other / "executed.ipynb") == expected
    assert digests(other) == digests(kernel)
    executed = nbformat.read(other / "executed.ipynb", as_version=4)
    assert executed.metadata.language_info.name == "python" and executed.metadata.papermill.parameters == {"total": 5}
    assert [cell.execution_count for cell in executed.cells] == [1, 2, 3, 4, 5, 6, 7, 8]  # the injected parameters cell too
    assert "total 5" in (other / "executed.html").read_text()
    if engine == "warm":
        assert "papermill" in (other / "job.log").read_text()  # the child logs to the job's log


@pytest.mark.parametrize("engine", ["in_process", "warm"])
def test_a_failing_cell_fails_the_run_as_papermill_does_and_the_saved_notebook_shows_it(tmp_path, engine, private_server):
    source = make_notebook(tmp_path / "failing.ipynb", [("x = 1", ["parameters"]), ("print('before')\n1 / 0", []), ("print('never')", [])])
    expected_error = papermill.PapermillExecutionError if engine == "in_process" else notebook_server.NotebookFailed
    with pytest.raises(expected_error, match="ZeroDivisionError"):
        notebooks.run(source, tmp_path / "executed.ipynb", tmp_path / "executed.html", {}, tmp_path / "job.log", engine=engine)
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    assert "An Exception was encountered" in executed.cells[0].source  # Papermill's error banner
    failed = executed.cells[3]
    assert [output.output_type for output in failed.outputs] == ["stream", "error"] and failed.metadata.papermill.status == "failed"
    assert executed.cells[4].outputs == [] and not (tmp_path / "executed.html").exists()


def _run_warm_job(arguments):
    directory, index = arguments
    run_in(directory, "warm", {"total": index})
    return outputs_of(directory / "executed.ipynb")[3][0]


def test_warm_notebooks_run_at_once_each_from_the_same_clean_state(tmp_path, private_server):
    # Every notebook asserts that no earlier notebook's change to a module is visible, then makes one.
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(tmp_path / f"job{index}", index) for index in range(3)]
    with ProcessPoolExecutor(len(jobs)) as pool:  # jobs are processes, each in its own directory
        results = list(pool.map(_run_warm_job, jobs))
    assert results == [("stream", "stdout", f"total {index}\nagain\n") for index in range(3)]
    assert len({tuple(digests(directory).values()) for directory, _ in jobs}) == 3  # each its own figure


def test_a_warm_server_is_found_again_and_is_replaced_when_a_source_file_changes(tmp_path, private_server, monkeypatch):
    first = notebook_server.socket_path(os.environ)
    run_in(tmp_path / "first", "warm")
    assert first.exists()
    fake_source = notebook_server.PACKAGE_ROOT / "pipeline" / "notebooks.py"
    stat = fake_source.stat()
    os.utime(fake_source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert notebook_server.socket_path(os.environ) != first  # an edited module: another server
        assert notebook_server.socket_path(os.environ | {"MPLBACKEND": "pdf"}) != notebook_server.socket_path(os.environ)
    finally:
        os.utime(fake_source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert notebook_server.socket_path(os.environ) == first
    assert notebook_server.stop()
    deadline = time.monotonic() + 10
    while first.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not first.exists() and not notebook_server.stop()  # stopped: its socket is gone, nothing answers
    run_in(tmp_path / "second", "warm")
    assert notebook_server.stop_all() == 1  # whatever environment started it


def test_a_batch_job_runs_its_notebook_itself_instead_of_starting_a_server(tmp_path, private_server, monkeypatch):
    monkeypatch.setenv(notebooks.BATCH_JOB_VARIABLE, "12345")
    run_in(tmp_path / "job", "warm")
    assert outputs_of(tmp_path / "job" / "executed.ipynb")[3][0] == ("stream", "stdout", "total 5\nagain\n")
    assert not notebook_server.socket_path(os.environ).exists()


def test_the_engines_are_the_ones_the_config_schema_allows(repo_root):
    import yaml

    from scalingrepro.pipeline import paths

    schema = yaml.safe_load((repo_root / paths.CONFIG_SCHEMA).read_text())
    assert tuple(schema["properties"]["notebook_engine"]["enum"]) == notebooks.ENGINES
    with pytest.raises(ValueError, match="unknown notebook engine"):
        notebooks.run("a.ipynb", "b.ipynb", "b.html", {}, "job.log", engine="jupyter")
