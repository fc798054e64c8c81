"""A warm process that executes the workflow's notebooks: `python -m scalingrepro.pipeline.notebook_server SOCKET`.

Without it every notebook job starts Python and imports pandas, matplotlib, seaborn, scipy,
Papermill and nbconvert again, and draws its first figure with cold font and mathtext caches:
about half of a typical notebook job. The first notebook job of a run starts the server in its
own session; the server imports those libraries and draws one throwaway figure, then forks one
child per notebook request. A child starts from that same warm, untouched state (one notebook
cannot affect another), takes on the requesting job's working directory, environment and log,
runs the notebook in-process (`inprocess_engine`) and renders its HTML; the job waits for its
answer. Every notebook still gets its own executed copy and HTML page.

Jobs of a cluster executor (SLURM) do not use it: a batch job's processes end with the job, and a
server started by one job would take the other jobs' notebooks with it.

A server serves only jobs of the same interpreter, installed packages and project sources: its
socket is named by their fingerprint, so editing any module of the project starts a new server
for the next job. It exits after IDLE_SECONDS without a
request, or on `python -m scalingrepro.pipeline.notebook_server stop`. A child ends when the job that
asked for it ends (a cancelled job does not leave its notebook running).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import paths

# A run's notebook jobs come seconds to minutes apart, and so do the reruns of a figure being edited.
IDLE_SECONDS = 300.0
START_TIMEOUT_SECONDS = 60.0  # from spawning the server to its socket accepting connections
# Environment variables the preloaded libraries read when they are imported: a job whose values
# differ needs a server of its own.
IMPORT_TIME_VARIABLES = ("MPLBACKEND", "MPLCONFIGDIR", "PYTHONPATH", "PYTHONHASHSEED", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
STOP_REQUEST = b'{"stop": true}\n'
MAX_SOCKET_PATH = 100
FINGERPRINT_LENGTH = 20
SOCKET_NAME_LENGTH = len("/") + FINGERPRINT_LENGTH + len(".sock")


class ServerUnavailable(RuntimeError):
    """No server could be reached or started; the job runs its notebook itself instead."""


class NotebookFailed(RuntimeError):
    """The notebook (or its rendering) failed in the server's child; the message is its traceback."""


# ---------------------------------------------------------------------------------------------
# Which server a job talks to


def fingerprint(environment: Mapping[str, str]) -> str:
    """What a server's preloaded state depends on: the interpreter, the installed packages, every
    source file of the project and the import-time environment variables."""
    digest = hashlib.sha256()
    site_packages = Path(sysconfig.get_paths()["purelib"])
    for part in (sys.executable, sys.version, str(paths.REPOSITORY_ROOT), str(_mtime(site_packages))):
        digest.update(part.encode() + b"\0")
    for source in sorted(PACKAGE_ROOT.rglob("*.py")):
        stat = source.stat()
        digest.update(f"{source.relative_to(PACKAGE_ROOT)}:{stat.st_mtime_ns}:{stat.st_size}\0".encode())
    for name in IMPORT_TIME_VARIABLES:
        digest.update(f"{name}={environment.get(name, '')}\0".encode())
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def _mtime(path: Path) -> int:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime_ns
    return 0


def server_directory() -> Path:
    """This user's servers' sockets, locks and logs: in the temporary directory, or in /tmp where
    a socket's path there would be too long (Unix socket paths are limited to about 100 bytes)."""
    name = f"scalingrepro-notebooks-{os.getuid()}"
    directory = Path(tempfile.gettempdir()) / name
    if len(str(directory)) + SOCKET_NAME_LENGTH > MAX_SOCKET_PATH:
        directory = Path("/tmp") / name
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def socket_path(environment: Mapping[str, str]) -> Path:
    """The socket of the server for this environment."""
    return server_directory() / f"{fingerprint(environment)}.sock"


# ---------------------------------------------------------------------------------------------
# Client (the notebook job)


def execute(notebook: str | Path, executed: str | Path, html: str | Path, parameters: Mapping[str, Any], log_file: str | Path) -> None:
    """Have a warm server execute `notebook` into `executed` and render `html`; start one if none runs.

    Raises NotebookFailed if the notebook fails, ServerUnavailable if no server can be used.
    """
    address = socket_path(os.environ)
    request = {
        "notebook": str(notebook),
        "executed": str(executed),
        "html": str(html),
        "parameters": dict(parameters),
        "cwd": os.getcwd(),
        "environment": dict(os.environ),
        "log": str(Path(log_file).resolve()),
        "client_pid": os.getpid(),
    }
    with _connection(address) as connection:
        connection.sendall(json.dumps(request).encode() + b"\n")
        reply = _read_line(connection)
    if not reply:
        raise NotebookFailed(f"the notebook server's child for {notebook} ended without an answer; see {log_file}")
    answer = json.loads(reply)
    if not answer["ok"]:
        raise NotebookFailed(answer["error"])


def stop(environment: Mapping[str, str] | None = None) -> bool:
    """Ask the server for `environment` (default: this process's) to exit (the notebooks it is
    running finish in their own processes); True if one was running."""
    return _send_stop(socket_path(os.environ if environment is None else environment))


def stop_all() -> int:
    """Ask every server of this user to exit; how many were running.

    A job's environment differs from a shell's (Snakemake sets the thread variables, for one), so
    its server is found by listing, not by this process's fingerprint."""
    return sum(_send_stop(address) for address in sorted(server_directory().glob("*.sock")))


def _send_stop(address: Path) -> bool:
    connection = _connect(address)
    if connection is None:
        return False
    with connection:
        connection.sendall(STOP_REQUEST)
    return True


@contextlib.contextmanager
def _connection(address: Path) -> Iterator[socket.socket]:
    """A connection to the server at `address`, starting the server first if none answers there.

    A lock beside the socket makes concurrent jobs start one server between them.
    """
    with _locked(address.with_suffix(".lock")):
        connection = _connect(address)
        if connection is None:
            address.unlink(missing_ok=True)  # a socket left by a server that died
            _spawn(address)
            connection = _wait_for(address)
    try:
        yield connection
    finally:
        connection.close()


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _connect(address: Path) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(address))
    except (FileNotFoundError, ConnectionRefusedError):
        connection.close()
        return None
    return connection


def _spawn(address: Path) -> None:
    log = address.with_suffix(".log").open("ab")
    try:
        subprocess.Popen(
            [sys.executable, "-m", "scalingrepro.pipeline.notebook_server", str(address)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd=paths.REPOSITORY_ROOT,
            start_new_session=True,  # outlives the job that starts it; untouched by its signals
        )
    except OSError as error:
        raise ServerUnavailable(f"could not start the notebook server: {error}") from error
    finally:
        log.close()


def _wait_for(address: Path) -> socket.socket:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        connection = _connect(address)
        if connection is not None:
            return connection
        time.sleep(0.02)
    raise ServerUnavailable(f"the notebook server did not open {address} within {START_TIMEOUT_SECONDS:.0f} s; see {address.with_suffix('.log')}")


def _read_line(connection: socket.socket) -> bytes:
    chunks = []
    while not chunks or not chunks[-1].endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).strip()


# ---------------------------------------------------------------------------------------------
# Server


def preload() -> None:
    """Import what the notebooks import and draw one throwaway figure to PDF and PNG (font files,
    the mathtext parser and both backends loaded), render one HTML page (nbconvert's templates
    compiled). Nothing of it is kept in pyplot or written anywhere."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401, PLC0415
    import nbformat  # noqa: PLC0415
    import numpy  # noqa: F401, PLC0415
    import pandas  # noqa: F401, PLC0415
    import pyarrow.parquet  # noqa: F401, PLC0415
    import scipy.optimize  # noqa: F401, PLC0415
    import scipy.stats  # noqa: F401, PLC0415
    import seaborn  # noqa: F401, PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    from . import inprocess_engine, notebooks, plotting  # noqa: F401, PLC0415

    figure = Figure()
    axis = figure.add_subplot()
    axis.plot([1, 10, 100], [1, 0.1, 0.01], label=r"$\alpha$")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.legend()
    for file_format in ("pdf", "png"):
        figure.savefig(io.BytesIO(), format=file_format)
    notebooks.render_html_of(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]))


def serve(address: Path) -> None:
    """Listen on `address`, fork a child per request, exit after IDLE_SECONDS without one."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address))  # bound before preloading: early jobs wait in the backlog
    listener.listen(64)
    identity = address.stat().st_ino
    preload()
    listener.settimeout(1.0)
    children: set[int] = set()
    last_request = time.monotonic()
    try:
        while children or time.monotonic() - last_request < IDLE_SECONDS:
            children -= _finished(children)
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            last_request = time.monotonic()
            if _is_stop_request(connection):
                break
            child = os.fork()
            if child == 0:
                listener.close()
                _run_child(connection)  # never returns
            connection.close()
            children.add(child)
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            if address.stat().st_ino == identity:  # not a newer server's socket
                for path in (address, address.with_suffix(".lock"), address.with_suffix(".log")):
                    path.unlink(missing_ok=True)


def _is_stop_request(connection: socket.socket) -> bool:
    """Whether the connection asks the server to stop (see `stop`); peeks, so a notebook request stays unread."""
    connection.settimeout(5.0)
    try:
        head = connection.recv(len(STOP_REQUEST), socket.MSG_PEEK | socket.MSG_WAITALL)
    except TimeoutError:
        return False
    if head == STOP_REQUEST:
        connection.close()
        return True
    return False


def _finished(children: set[int]) -> set[int]:
    done = set()
    for child in children:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(child, os.WNOHANG)[0] == child:
                done.add(child)
    return done


def _run_child(connection: socket.socket) -> None:
    """Serve one request in this forked child, then exit (os._exit: none of the server's cleanup)."""
    answer: dict[str, Any] = {"ok": True}
    try:
        connection.settimeout(None)
        request = json.loads(_read_line(connection))
        _watch_client(request["client_pid"])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["environment"])
        _redirect_output(request["log"])
        from . import logs, notebooks  # noqa: PLC0415

        logs.configure(request["log"], console=False, fresh=False)  # Papermill's lines in the job's log, as in-process
        notebooks.execute_and_render(request["notebook"], request["executed"], request["html"], request["parameters"], in_process=True)
    except BaseException:  # noqa: BLE001 (every failure is the job's to report)
        answer = {"ok": False, "error": traceback.format_exc()}
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        connection.sendall(json.dumps(answer).encode() + b"\n")
    finally:
        os._exit(0)


def _redirect_output(log_file: str) -> None:
    """The child's file descriptors 1 and 2 (Python's and any library's) to the job's log."""
    descriptor = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def _watch_client(client_pid: int) -> None:
    """End this child as soon as the job that asked for it is gone."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(client_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:  # python -m scalingrepro.pipeline.notebook_server stop
        print(f"stopped {stop_all()} notebook server(s)")
    else:
        serve(Path(sys.argv[1]))
