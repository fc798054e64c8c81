"""A Papermill engine that runs a notebook's cells in this process's own IPython shell.

Papermill's default engine starts a Jupyter kernel (a second Python process) for every notebook
and talks to it over sockets; starting and stopping it cost more than many of our notebooks'
computations. This engine keeps everything Papermill does (parameter injection, per-cell
metadata and timings, the saved notebook, the error banner and PapermillExecutionError on a
failing cell) and runs each code cell with IPython's InteractiveShell in-process, recording the
same outputs a kernel would send: streams, display data, execute results and errors.
"""

from __future__ import annotations

import base64
import platform
import sys
import warnings
from typing import Any

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from papermill.engines import Engine
from traitlets import Type
from traitlets.config import Config

ENGINE_NAME = "scalingrepro-inprocess"
# What ipykernel reports as the notebook's language_info (nbconvert picks the lexer from it).
LANGUAGE_INFO = {
    "name": "python",
    "version": platform.python_version(),
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}


class CellOutputs:
    """The outputs of the cell being run, in the order they were produced (nbformat nodes)."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.execution_count: int | None = None

    def stream(self, name: str, text: str) -> None:
        if self.items and self.items[-1].output_type == "stream" and self.items[-1].name == name:
            self.items[-1].text += text  # consecutive writes to one stream are one output, as in a kernel
        else:
            self.items.append(nbformat.v4.new_output("stream", name=name, text=text))

    def display(self, data: dict, metadata: dict | None) -> None:
        self.items.append(nbformat.v4.new_output("display_data", data=_json_data(data), metadata=metadata or {}))

    def result(self, data: dict, metadata: dict | None) -> None:
        self.items.append(nbformat.v4.new_output("execute_result", data=_json_data(data), metadata=metadata or {}, execution_count=self.execution_count))

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        self.items.append(nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=traceback))

    def clear(self) -> None:
        self.items.clear()


def _json_data(data: dict) -> dict:
    """Binary MIME data (PNG, JPEG) base64-encoded, as a kernel sends it."""
    return {mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value for mime, value in data.items()}


class _Stream:
    """sys.stdout / sys.stderr while a cell runs: text goes into the cell's outputs."""

    def __init__(self, shell: "NotebookShell", name: str) -> None:
        self.shell, self.name = shell, name

    def write(self, text: str) -> int:
        if text:
            self.shell.cell_outputs.stream(self.name, text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


class _DisplayHook(DisplayHook):
    """A cell's last expression becomes an execute_result output (with every MIME type)."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
        self.shell.cell_outputs.result(format_dict, md_dict)

    def finish_displayhook(self) -> None:
        pass


class _DisplayPublisher(DisplayPublisher):
    """display(...) becomes a display_data output."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        self.shell.cell_outputs.display(data, metadata)

    def clear_output(self, wait: bool = False) -> None:
        self.shell.cell_outputs.clear()


class NotebookShell(InteractiveShell):
    """An InteractiveShell whose outputs and tracebacks are recorded for the notebook."""

    displayhook_class = Type(_DisplayHook)
    display_pub_class = Type(_DisplayPublisher)

    def __init__(self, **kwargs) -> None:
        self.cell_outputs = CellOutputs()
        super().__init__(**kwargs)

    def _showtraceback(self, etype, evalue, stb: list[str]) -> None:
        self.cell_outputs.error(etype.__name__, str(evalue), stb)

    def run_notebook_cell(self, source: str) -> tuple[list, int, bool]:
        """Run one cell: (its outputs, its execution count, whether it raised)."""
        self.cell_outputs = CellOutputs()
        self.cell_outputs.execution_count = self.execution_count
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Stream(self, "stdout"), _Stream(self, "stderr")
        try:
            result = self.run_cell(source, store_history=True)
        finally:
            sys.stdout, sys.stderr = saved
        return self.cell_outputs.items, self.cell_outputs.execution_count, not result.success


def _shell() -> NotebookShell:
    """A fresh shell for each notebook (one notebook's names never leak into the next)."""
    if NotebookShell.initialized():
        NotebookShell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False  # no SQLite history file per notebook
    config.InteractiveShell.colors = "nocolor"  # tracebacks readable in the notebook, the HTML and the log
    shell = NotebookShell.instance(config=config)
    _display_as_in_a_kernel()
    return shell


def _display_as_in_a_kernel() -> None:
    """pandas' display defaults of a Jupyter kernel: at import pandas takes any other IPython shell
    for a terminal and fits tables to its width instead of showing up to 20 columns."""
    import pandas  # noqa: PLC0415

    pandas.set_option("display.max_columns", 20)


class InProcessEngine(Engine):
    """Papermill engine: execute the cells in this process (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:
        shell = _shell()
        # Warnings are written to the cell's stderr, as in a kernel, whoever hooked them in this
        # process (pytest does); filters a notebook sets last until it ends.
        with warnings.catch_warnings():
            warnings.showwarning = _write_warning
            cls._run_cells(nb_man, shell)
        nb_man.nb.metadata["language_info"] = dict(LANGUAGE_INFO)

    @staticmethod
    def _run_cells(nb_man, shell: NotebookShell) -> None:
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                failed = False
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count, failed = shell.run_notebook_cell(cell.source)
                if failed:  # its error output is in the notebook; Papermill raises on it afterwards
                    nb_man.cell_exception(cell, cell_index=index)
                nb_man.cell_complete(cell, cell_index=index)
                if failed:
                    break
        finally:
            NotebookShell.clear_instance()


def _write_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python's own warning display (to sys.stderr, which a running cell records)."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def register() -> None:
    """Make the engine available to papermill.execute_notebook(engine_name=ENGINE_NAME)."""
    from papermill.engines import papermill_engines  # noqa: PLC0415

    papermill_engines.register(ENGINE_NAME, InProcessEngine)
