"""Executed notebooks rendered to HTML that is complete offline, and kernel output kept off the console."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys

import nbconvert
import nbformat
import pytest

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


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium calls its own services whatever page it opens; a notebook page never names them.
BROWSER_SERVICE_DOMAINS = ("google.com", "gvt1.com", "googleapis.com", "gstatic.com")


def hosts_requested_by_a_browser(page, profile) -> set[str]:
    """Hosts a headless Chromium asks for while it opens `page` with every host name unresolvable."""
    result = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr", "--v=1", "--virtual-time-budget=3000", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )
    hosts = set(re.findall(r"NotifyBeforeURLRequest: \w+://([^/\s:]+)", result.stderr))
    return {host for host in hosts if not host.endswith(BROWSER_SERVICE_DOMAINS)}


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium to open the page with (apt-get install chromium)")
def test_a_browser_opening_the_rendered_notebook_offline_asks_the_network_for_nothing(tmp_path):
    notebook = executed_notebook(tmp_path / "figure.ipynb")
    rendered, cdn_rendered, blank = tmp_path / "figure.html", tmp_path / "cdn.html", tmp_path / "blank.html"
    rendered.write_text(notebooks.render_html(notebook))
    cdn_rendered.write_text(nbconvert.HTMLExporter().from_filename(str(notebook))[0])
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    browser_own = hosts_requested_by_a_browser(blank, tmp_path / "profile")  # any other service of the browser's
    assert hosts_requested_by_a_browser(cdn_rendered, tmp_path / "profile") - browser_own, "the check sees a CDN page's requests"
    assert hosts_requested_by_a_browser(rendered, tmp_path / "profile") - browser_own == set()


def test_the_kernel_talks_over_unix_sockets_and_logs_no_unencrypted_tcp_warning(tmp_path):
    source = tmp_path / "source.ipynb"
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell("total = 1 + 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("print(total)")]
    nbformat.write(notebook, source)
    log = tmp_path / "notebook.log"
    with notebooks.stderr_to(log):
        notebooks.execute(source, tmp_path / "executed.ipynb", {"total": 5})
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "5\n"
    assert "without encryption" not in log.read_text()


def _execute_in_a_process(arguments):
    source, executed, value = arguments
    notebooks.execute(source, executed, {"total": value})
    return nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"]


def test_kernels_started_at_once_keep_their_own_sockets(tmp_path):
    # IPC sockets are numbered by the first free name: a shared prefix would give two kernels the
    # same sockets ("Invalid Signature"), as parallel notebook jobs once did.
    from concurrent.futures import ProcessPoolExecutor

    source = tmp_path / "source.ipynb"
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell("total = 0", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("print(total)")]
    nbformat.write(notebook, source)
    jobs = [(source, tmp_path / f"executed{index}.ipynb", index) for index in range(4)]
    with ProcessPoolExecutor(len(jobs)) as pool:
        assert list(pool.map(_execute_in_a_process, jobs)) == [f"{index}\n" for index in range(4)]
    assert notebooks.kernel_settings(tmp_path)["KernelManager"] == {"transport": "ipc", "ip": str(tmp_path / "kernel")}
