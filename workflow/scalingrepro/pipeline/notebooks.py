"""Executing a parameterized notebook (Papermill) and rendering it to self-contained HTML."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import files, paths


@contextlib.contextmanager
def stderr_to(log_file: str | Path) -> Iterator[None]:
    """Send everything written to file descriptor 2 (this process and the kernels it starts) to the
    end of `log_file` while the block runs."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log_file, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


# The kernel talks to this process over Unix sockets, not TCP on localhost: nothing listens on a
# port, and ipykernel has no unencrypted-TCP warning to log.
KERNEL_SETTINGS = {"KernelManager": {"transport": "ipc"}}


def kernel_settings(socket_directory: str | Path) -> dict[str, dict[str, str]]:
    """KERNEL_SETTINGS with the kernel's sockets in `socket_directory` (private to one execution):
    jupyter_client numbers IPC sockets by the first free name, so two kernels starting at once
    with the same prefix would take the same sockets."""
    return {"KernelManager": {**KERNEL_SETTINGS["KernelManager"], "ip": str(Path(socket_directory) / "kernel")}}


# The values of config `notebook_engine` (described in the config schema); the outputs are the same with each.
ENGINES = ("warm", "in_process", "kernel")
BATCH_JOB_VARIABLE = "SLURM_JOB_ID"  # set in every job of a SLURM allocation


def run(notebook: str | Path, executed: str | Path, html: str | Path, parameters: Mapping[str, Any], log_file: str | Path, engine: str = "warm") -> None:
    """Execute `notebook` with `parameters` into `executed` and render it to `html`, with `engine` (ENGINES)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown notebook engine {engine!r}; expected one of {ENGINES}")
    if engine == "warm" and BATCH_JOB_VARIABLE in os.environ:
        engine = "in_process"  # see notebook_server: a batch job's processes end with it
    if engine == "warm":
        from . import notebook_server  # noqa: PLC0415

        try:
            notebook_server.execute(notebook, executed, html, parameters, log_file)
            return
        except notebook_server.ServerUnavailable as error:
            print(f"{error}; running the notebook in this process instead", file=sys.stderr)
            engine = "in_process"
    execute_and_render(notebook, executed, html, parameters, in_process=engine == "in_process")


def execute_and_render(notebook: str | Path, executed: str | Path, html: str | Path, parameters: Mapping[str, Any], in_process: bool) -> None:
    """Execute `notebook` into `executed`, then write its HTML page to `html` (atomically)."""
    execute(notebook, executed, parameters, in_process=in_process)
    files.write_text_atomically(html, render_html(executed))


def execute(notebook: str | Path, executed: str | Path, parameters: Mapping[str, Any], in_process: bool = False) -> None:
    """Run `notebook` with `parameters` injected into its `parameters` cell, saving the executed
    copy: in this process's IPython shell, or in a Jupyter kernel of its own."""
    import papermill  # noqa: PLC0415 (heavy import, needed only here)

    common = {"parameters": dict(parameters), "kernel_name": "python3", "language": "python", "cwd": str(Path.cwd()), "progress_bar": False}  # notebooks read and write repository-relative paths
    if in_process:
        from . import inprocess_engine  # noqa: PLC0415

        inprocess_engine.register()
        papermill.execute_notebook(str(notebook), str(executed), engine_name=inprocess_engine.ENGINE_NAME, **common)
        return
    from traitlets.config import Config  # noqa: PLC0415

    # A short path: a Unix socket's path may not exceed about 100 characters.
    with tempfile.TemporaryDirectory(prefix="kernel-") as socket_directory:
        papermill.execute_notebook(str(notebook), str(executed), config=Config(kernel_settings(socket_directory)), **common)


@functools.cache
def _html_exporter():
    """One exporter per process: its templates are compiled once (a warm server's children share them)."""
    import nbconvert  # noqa: PLC0415

    return nbconvert.HTMLExporter(
        extra_template_basedirs=[str(paths.REPOSITORY_ROOT / paths.NOTEBOOK_HTML_TEMPLATE.parent)],
        template_name=paths.NOTEBOOK_HTML_TEMPLATE.name,
    )


def render_html(executed: str | Path) -> str:
    """The executed notebook as one HTML page that needs no network: images embedded, and none of the
    CDN scripts (require.js, MathJax, Mermaid) of nbconvert's default template."""
    html, _ = _html_exporter().from_filename(str(executed))
    return html


def render_html_of(notebook) -> str:
    """render_html of a notebook object (nbformat.NotebookNode)."""
    html, _ = _html_exporter().from_notebook_node(notebook)
    return html


# Attributes and CSS/JS constructs through which a page fetches something when it is opened.
_FETCHING = re.compile(
    r"""<(?:script|img|iframe|source|embed)\b[^>]*\bsrc\s*=\s*["']?(?P<src>[^"'\s>]+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?P<href>[^"'\s>]+)"""
    r"""|@import\s+(?:url\()?\s*["']?(?P<css_import>[^"')\s;]+)"""
    r"""|url\(\s*["']?(?P<css_url>[^"')\s]+)"""
    r"""|\bimport\(\s*["'](?P<js_import>[^"']+)""",
    re.IGNORECASE,
)


def external_resources(html: str) -> list[str]:
    """Every URL `html` would fetch from the network when opened (scripts, styles, images, fonts,
    dynamic imports); an empty list means the page is self-contained."""
    found = (next(value for value in match.groupdict().values() if value) for match in _FETCHING.finditer(html))
    return [url for url in found if re.match(r"(?:https?:)?//", url)]
