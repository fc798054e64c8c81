"""Executing a parameterized notebook (Papermill) and rendering it to self-contained HTML."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import paths


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


def execute(notebook: str | Path, executed: str | Path, parameters: Mapping[str, Any]) -> None:
    """Run `notebook` with `parameters` injected into its `parameters` cell, saving the executed copy."""
    import papermill  # noqa: PLC0415 (heavy import, needed only here)
    from traitlets.config import Config  # noqa: PLC0415

    # A short path: a Unix socket's path may not exceed about 100 characters.
    with tempfile.TemporaryDirectory(prefix="kernel-") as socket_directory:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=dict(parameters),
            kernel_name="python3",
            cwd=str(Path.cwd()),  # notebooks read and write repository-relative paths
            progress_bar=False,
            config=Config(kernel_settings(socket_directory)),
        )


def render_html(executed: str | Path) -> str:
    """The executed notebook as one HTML page that needs no network: images embedded, and none of the
    CDN scripts (require.js, MathJax, Mermaid) of nbconvert's default template."""
    import nbconvert  # noqa: PLC0415

    exporter = nbconvert.HTMLExporter(
        extra_template_basedirs=[str(paths.REPOSITORY_ROOT / paths.NOTEBOOK_HTML_TEMPLATE.parent)],
        template_name=paths.NOTEBOOK_HTML_TEMPLATE.name,
    )
    html, _ = exporter.from_filename(str(executed))
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
