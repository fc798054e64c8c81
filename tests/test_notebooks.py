"""Executed notebooks rendered to HTML that is complete offline, and kernel output kept off the console."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import nbformat

from scalingrepro.pipeline import notebooks

# A 1x1 PNG: rendered pages must embed images, not link them.
PIXEL = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)).decode()


def executed_notebook(path):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A figure\nWith an equation, $E_0 + (C/C_0)^{-\\alpha}$."),
        nbformat.v4.new_code_cell("figure()", outputs=[nbformat.v4.new_output("display_data", data={"image/png": PIXEL, "text/plain": "<Figure>"})]),
    ]
    nbformat.write(notebook, path)
    return path


def test_the_rendered_notebook_fetches_nothing_from_the_network(tmp_path):
    html = notebooks.render_html(executed_notebook(tmp_path / "figure.ipynb"))
    assert notebooks.external_resources(html) == []
    assert f"data:image/png;base64,{PIXEL}" in html and "A figure" in html


def test_external_resources_sees_every_way_a_page_fetches():
    page = (
        '<script src="https://cdn.example/require.js"></script><script src=//cdn.example/m.js></script>'
        '<link rel="stylesheet" href="http://cdn.example/a.css"><img src="https://x.example/i.png">'
        '<style>@import url("https://fonts.example/f.css"); .a { background: url(https://x.example/b.png) }</style>'
        '<script type="module">await import("https://cdn.example/mermaid.mjs")</script>'
    )
    assert len(notebooks.external_resources(page)) == 7
    local = '<img src="data:image/png;base64,AAAA"><script>var x = "https://not.fetched";</script><a href="https://a.link">x</a>'
    assert notebooks.external_resources(local) == []


def test_stderr_of_child_processes_goes_to_the_log(tmp_path):
    log = tmp_path / "job.log"
    log.write_text("start\n")
    script = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import sys; sys.stderr.write(\"kernel chatter\\\\n\")'])"
    outside = subprocess.run(
        [sys.executable, "-c", f"from scalingrepro.pipeline import notebooks\nwith notebooks.stderr_to({str(log)!r}):\n    {script}"],
        capture_output=True, text=True, env=dict(os.environ),
    )
    assert outside.returncode == 0, outside.stderr
    assert "kernel chatter" not in outside.stderr
    assert log.read_text() == "start\nkernel chatter\n"
