"""Run a module of this project in a child process with a capped heap and a time limit.

The one mechanism behind everything the app's server hands to a child so that a crash, an
out-of-memory or a runaway costs that one request and never the server: the SQL console's
queries (analytics.sandbox_process) and the reading of uploads (pipelines.isolated).

    proc = child.run_module("analytics.query", ["--format", "arrow"], stdin=sql, timeout_s=35)

The child caps its own heap as its first step (:func:`cap_memory`; a limit set between fork and
exec is not safe in the server's multi-threaded process). The convention both children follow:
exit 0 with the result on stdout, or exit 3 with one line on stderr.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

from schemas import settings

REFUSED = 3  # the child's exit code for "refused or failed, with one line on stderr"


class ChildTimeout(Exception):
    """The child overran its time limit and was killed."""


class ChildNotStarted(Exception):
    """The child process could not be started (str() is one line)."""


def cap_memory(limit_bytes: int) -> None:
    """Limit this process's heap (RLIMIT_DATA, which covers malloc and anonymous mmap) to ``limit_bytes``.

    Past the cap an allocation fails (MemoryError, DuckDB's out of memory; a Rust allocation
    aborts) instead of the machine swapping or the OOM killer choosing a victim. Never raises
    the limit.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


def _command(module: str, args: list[str]) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.PROJECT_ROOT),
                                                                      os.environ.get("PYTHONPATH")]))}
    return [sys.executable, "-m", module, *args], env


def start_module(module: str, args: list[str]) -> subprocess.Popen:
    """``python -m module args`` from the project root, its three streams piped (for a caller that
    watches the output as it comes, like the SQL console's byte cap). Raises ChildNotStarted."""
    command, env = _command(module, args)
    try:
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=settings.PROJECT_ROOT, env=env)
    except OSError as exc:
        raise ChildNotStarted(f"could not start a child process ({exc.strerror or type(exc).__name__})") from None


def run_module(module: str, args: list[str], *, stdin: bytes, timeout_s: float) -> subprocess.CompletedProcess:
    """``python -m module args`` from the project root with ``stdin``; its output captured.

    Raises :class:`ChildTimeout` (the child has been killed) or :class:`ChildNotStarted`.
    """
    command, env = _command(module, args)
    try:
        return subprocess.run(command, input=stdin, capture_output=True, timeout=timeout_s,
                              cwd=settings.PROJECT_ROOT, env=env, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise ChildTimeout(module) from None
    except OSError as exc:
        raise ChildNotStarted(f"could not start a child process ({exc.strerror or type(exc).__name__})") from None


def how_it_ended(returncode: int) -> str:
    """A child's unexpected end in words: "was killed (SIGKILL)", "stopped (exit 1)"."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed ({name})" if name in ("SIGKILL", "SIGTERM") else f"crashed ({name})"
    return f"stopped (exit {returncode})"
