"""Crash-safe file replacement.

A reader must only ever see the old file or the new one, never a mix, and a
change reported as saved must survive power loss. So data goes to a temp file
in the same folder, is fsynced, renamed over the target, and the folder is
fsynced so the rename itself is durable.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from pathlib import Path

TEMP_SUFFIX = ".tmp"
TEMP_PREFIX = ".shelf-"


class StorageError(Exception):
    """A file could not be read or written; the message is one line for the user."""


def describe_os_error(exc: OSError, path: Path, doing: str) -> str:
    """One human line for an OSError, naming the file and what we were doing."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "the file system is read-only",
        errno.EIO: "an input/output error occurred",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"cannot {doing} {path}: {reason}"


def _temp_name(path: Path) -> Path:
    # The pid in the name lets start-up cleanup tell a crashed writer's
    # leftovers from a live writer's file in progress.
    return path.with_name(
        f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    )


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` durably; on failure the old file is untouched.

    Raises StorageError with a one-line message; no temp file is left behind.
    """
    tmp = _temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path, "save")) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise StorageError(describe_os_error(exc, path, "save")) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        fsync_dir(path.parent)
    except OSError as exc:  # the data is in place; only its durability is in doubt
        raise StorageError(describe_os_error(exc, path.parent, "sync folder")) from exc


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_temp_files(folder: Path, max_age: float = 3600.0) -> list[Path]:
    """Remove temp files left by writers that died mid-save.

    A temp file whose writer is still running is left alone unless it is very
    old (a recycled pid).
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for entry in folder.iterdir():
        name = entry.name
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
            continue
        parts = name[: -len(TEMP_SUFFIX)].split(".")
        try:
            pid = int(parts[-2])
        except (IndexError, ValueError):
            pid = -1
        try:
            age = now - entry.stat().st_mtime
        except OSError:
            continue
        if pid > 0 and pid != os.getpid() and _pid_alive(pid) and age < max_age:
            continue
        if pid == os.getpid() and age < max_age:
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed.append(entry)
    return removed
