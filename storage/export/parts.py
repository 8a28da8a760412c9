"""Parts of one output rendered by forked processes, written in order.

Formatting 100,000 items is CPU-bound Python, so a second core only helps in
a second process. ``fork`` gives it the loaded library for free (copy on
write) and nothing has to be pickled back: the child writes its part to an
unlinked temp file that the parent copies into place after its own part.

Forking is only safe in a process with a single thread; elsewhere (the app's
storage worker) every part runs here, one after another. A child that fails
for any reason (killed, out of memory, a full temp folder) costs time, not
the export: its part is rendered again here, where a real error surfaces
with its own message.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import IO

Render = Callable[[IO[bytes]], None]

_COPY_CHUNK = 1 << 20


def default_workers() -> int:
    """Processes to format a large export with: the cores this process may use, up to 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def render_parts(parts: Sequence[Render], out: IO[bytes]) -> int:
    """Write every part's output to ``out`` in order; returns how many ran in a child."""
    if len(parts) < 2 or not can_fork():
        for render in parts:
            render(out)
        return 0
    children: list[tuple[int, IO[bytes]] | None] = []
    running: set[int] = set()
    try:
        for render in parts[1:]:
            try:
                child = _start(render)
            except OSError:  # no process to spare: this part runs here
                child = None
            children.append(child)
            if child is not None:
                running.add(child[0])
        parts[0](out)
        done = 0
        for child, render in zip(children, parts[1:], strict=True):
            if child is not None:
                pid, tmp = child
                _, status = os.waitpid(pid, 0)
                running.discard(pid)
                if os.waitstatus_to_exitcode(status) == 0:
                    tmp.seek(0)
                    shutil.copyfileobj(tmp, out, _COPY_CHUNK)
                    done += 1
                    continue
            render(out)
        return done
    finally:
        for pid in running:  # interrupted: the parts are no use to anyone
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
        for child in children:
            if child is not None:
                child[1].close()


def _start(render: Render) -> tuple[int, IO[bytes]]:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it after the child ends
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()  # or the child's copy of the buffer could be written twice
    try:
        pid = os.fork()
    except BaseException:
        tmp.close()
        raise
    if pid == 0:  # the child: render, and leave without running the parent's exit code
        code = 1
        try:
            render(tmp)
            tmp.flush()
            code = 0
        except BaseException:  # noqa: BLE001 - the parent renders this part again
            pass
        finally:
            os._exit(code)
    return pid, tmp
