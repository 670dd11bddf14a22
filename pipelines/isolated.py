"""Read and check an upload in a child process, so no file can take the app's server down.

    inspection = inspect_upload(path)                    # raises read_file.FileRefused
    prepared = prepare_upload(path, profile=p, wave=w)    # raises ingest.Refused

Each call runs ``python -m pipelines.isolated`` (through common.child, the mechanism the SQL
console uses too) with its heap capped at SKILLS_PARSE_MEMORY_MB and a time limit of
SKILLS_PARSE_TIMEOUT_S. A crash (calamine aborts on an allocation it can't make), running out of
memory or a runaway costs that child; the page gets one line. The request goes in as a pickle
on stdin; the result comes back as a pickle (protocol 5) on stdout, or one line on stderr with
exit code 3. Only the parent's own requests are unpickled by the child, and the parent unpickles
only what its own child wrote.
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import sys
from pathlib import Path

from common import child
from pipelines import errors, limits

# What the page says when the child did not answer; one place, complete sentences (for the catalogue).
MESSAGES = {
    "timeout": "{name} took longer than {seconds:g} s to read, so reading it was stopped; nothing was loaded.",
    "crashed": "{name} could not be read: the reader {ended}, most likely because the file needs more memory "
               "than allowed (SKILLS_PARSE_MEMORY_MB) or is damaged; nothing was loaded.",
    "no_answer": "{name} could not be read: the reader gave no answer; nothing was loaded.",
    "not_started": "{name} could not be read: {detail}; nothing was loaded.",
}


def inspect_upload(path: str | Path, profile=None):
    """:func:`pipelines.inspect_file.inspect_file` in a bounded child."""
    from pipelines.read_file import FileRefused

    return _call("inspect", {"path": str(path), "profile": profile}, Path(path).name, FileRefused)


def prepare_upload(path: str | Path, *, profile=None, wave: str | None = None, wave_date=None,
                   file_name: str | None = None):
    """:func:`pipelines.ingest.prepare_file` in a bounded child."""
    from pipelines.ingest import Refused

    kwargs = {"path": str(path), "profile": profile, "wave": wave, "wave_date": wave_date, "file_name": file_name}
    return _call("prepare", kwargs, file_name or Path(path).name, Refused)


def _call(action: str, kwargs: dict, name: str, refusal: type[Exception]):
    timeout = limits.parse_timeout_s()
    try:
        proc = child.run_module("pipelines.isolated", [], stdin=pickle.dumps((action, kwargs), protocol=5),
                                timeout_s=timeout)
    except child.ChildTimeout:
        raise refusal(MESSAGES["timeout"].format(name=name, seconds=timeout)) from None
    except child.ChildNotStarted as exc:
        raise refusal(MESSAGES["not_started"].format(name=name, detail=errors.one_line(exc))) from None
    if proc.returncode == 0 and proc.stdout:
        return pickle.loads(proc.stdout)
    line = errors.one_line(proc.stderr.decode("utf-8", "replace"), 400)
    if proc.returncode == child.REFUSED and line:
        raise refusal(line)
    if proc.returncode == 0:
        raise refusal(MESSAGES["no_answer"].format(name=name))
    raise refusal(MESSAGES["crashed"].format(name=name, ended=child.how_it_ended(proc.returncode)))


def _work(action: str, kwargs: dict):
    if action == "inspect":
        from pipelines.inspect_file import inspect_file

        return inspect_file(kwargs["path"], kwargs["profile"])
    from pipelines.ingest import prepare_file

    prepared = prepare_file(kwargs.pop("path"), **kwargs)
    # The raw records are not needed past this point (the page shows the frames, the load writes
    # them): only their shape goes back, which keeps the result small.
    raw = dataclasses.replace(prepared.raw, rows=prepared.raw.rows.slice(0, 0))
    return dataclasses.replace(prepared, raw=raw)


def main() -> int:
    child.cap_memory(limits.parse_memory_bytes())
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the result
    try:
        action, kwargs = pickle.loads(sys.stdin.buffer.read())
        result = pickle.dumps(_work(action, kwargs), protocol=5)
    except MemoryError:
        print(f"the file could not be read: {errors.OUT_OF_MEMORY} (SKILLS_PARSE_MEMORY_MB); nothing was loaded",
              file=sys.stderr)
        return child.REFUSED
    except Exception as exc:  # Refused / FileRefused carry their one line; anything else is logged
        from pipelines.ingest import Refused
        from pipelines.read_file import FileRefused

        known = isinstance(exc, (Refused, FileRefused))
        print(errors.one_line(exc, 400) if known else errors.report(exc, "reading an upload"), file=sys.stderr)
        return child.REFUSED
    out.write(result)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
