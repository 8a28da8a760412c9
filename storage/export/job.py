"""An export run in a process of its own, for the app.

In the app, a 100,000-item export on its storage thread took 6 s, held
every save queued behind it for as long (a read mark waited 5.7 s to reach
the disk) and, sharing the GIL with the UI thread, blocked the UI loop for
up to 38 ms at a time. A separate process leaves the app's threads alone and
can split the formatting between cores like ``shelf export`` does.

The process reads the library and annotations from disk, so the caller
starts it only once the saves asked for before the export are written (the
app does so from its storage thread). It replaces the target atomically, so
a process killed part way leaves the old file as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from storage.atomic import StorageError


@dataclass(frozen=True)
class ExportRequest:
    data_dir: str
    user: str
    ids: list[str]
    fmt: str
    path: str
    query: str = ""
    group_by: str | None = None


def run_export_process(
    request: ExportRequest, started: Callable[[subprocess.Popen[bytes]], Any] | None = None
) -> int:
    """Export in a child process and wait for it; returns the number of items.

    ``started`` receives the process (to stop it, say). Raises StorageError
    with the child's one-line message when the export fails.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "storage.export.job"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Not in the terminal's process group: a hang-up or Ctrl-C meant for
        # the app must not kill the export between its temp file and rename.
        start_new_session=True,
    )
    if started is not None:
        started(proc)
    out, err = proc.communicate(orjson.dumps(asdict(request)))
    if proc.returncode != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        raise StorageError(lines[-1] if lines else f"the export stopped (exit {proc.returncode})")
    return int(orjson.loads(out)["count"])


def main() -> int:
    """The child: one request on stdin, ``{"count": N}`` on stdout, a one-line error on stderr."""
    from storage.export import export_to_file
    from storage.export.parts import default_workers
    from storage.shelf import Shelf

    try:
        request = ExportRequest(**orjson.loads(sys.stdin.buffer.read()))
        shelf = Shelf(request.data_dir, request.user, import_bundled=False)
        count = export_to_file(
            Path(request.path),
            shelf.view_source(request.ids),
            request.fmt,
            query=request.query,
            user=shelf.user,
            group_by=request.group_by,
            workers=default_workers(),
        )
    except KeyboardInterrupt:
        print("the export was interrupted", file=sys.stderr)
        return 130
    except (StorageError, ValueError, LookupError, TypeError) as exc:
        print(_one_line(exc), file=sys.stderr)
        return 1
    sys.stdout.buffer.write(orjson.dumps({"count": count}))
    return 0


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # nothing to tear down: the file is written and synced
