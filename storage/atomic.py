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
import stat
import time
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".tmp"
TEMP_PREFIX = ".shelf-"

#: A folder fsync that fails with one of these means the file system cannot
#: sync folders at all (some network and FUSE file systems); the rename is as
#: durable there as it will ever be, so refusing every save would help nobody.
_DIR_SYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF}


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
    # leftovers from a live writer's file in progress. The name part is cut
    # short so that a long target name cannot push the temp name past NAME_MAX.
    return path.with_name(
        f"{TEMP_PREFIX}{path.name[:100]}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    )


def temp_path_for(path: Path) -> Path:
    """A temp name beside ``path`` that start-up cleanup recognises (``clean_temp_files``)."""
    return _temp_name(Path(path))


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; a no-op where folders cannot be synced."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        if exc.errno in _DIR_SYNC_UNSUPPORTED or exc.errno == errno.EACCES:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _DIR_SYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def _target(path: Path) -> Path:
    # Replacing a symlink would detach it from the file it points to (a
    # reading group's annotations kept in a git checkout, say); write through
    # it instead, next to the real file so the rename stays in one folder.
    try:
        if path.is_symlink():
            return Path(os.path.realpath(path))
    except OSError:
        pass
    return path


def _remove_quietly(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)


def atomic_write(
    path: Path,
    data: bytes,
    mode: int | None = None,
    *,
    keep_previous: Path | None = None,
) -> os.stat_result:
    """Replace ``path`` with ``data``; see :func:`atomic_fill`."""

    def write_all(fd: int) -> None:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    return atomic_fill(path, write_all, mode, keep_previous=keep_previous)


def atomic_fill(
    path: Path,
    fill: Callable[[int], object],
    mode: int | None = None,
    *,
    keep_previous: Path | None = None,
) -> os.stat_result:
    """Replace ``path`` with what ``fill`` writes durably; on failure the old file is untouched.

    ``fill`` is given the temp file's descriptor, so content too large to
    hold in memory (a 100,000-item export) can be streamed into it.

    ``mode`` defaults to the replaced file's permissions (0644 for a new file),
    so saving over a file never widens who can read it.

    ``keep_previous``, when given and the target exists, receives a hard link
    to the version being replaced, made only once the new data is safely on
    disk and removed again if the replace fails. Linking that late means the
    live file never shares its inode with a backup except for that instant, so
    an editor that rewrites files in place cannot damage both at once.

    Returns the stat of the new file as it sits under ``path``. Raises
    StorageError with a one-line message; no temp file is left behind.
    """
    path = _target(Path(path))
    preserved: int | None = None
    if mode is None:
        try:
            preserved = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            preserved = None
    tmp = _temp_name(path)
    try:
        fd = os.open(
            tmp,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
            0o644 if mode is None else mode,
        )
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path, "save")) from exc
    linked: Path | None = None
    replaced = False
    try:
        try:
            if preserved is not None:
                os.fchmod(fd, preserved)
            fill(fd)
            os.fsync(fd)
            if keep_previous is not None:
                linked = _link_previous(path, keep_previous)
            os.replace(tmp, path)
            replaced = True
            result = os.fstat(fd)
        finally:
            os.close(fd)
    except BaseException as exc:
        if not replaced:
            _remove_quietly(tmp)
            _remove_quietly(linked)
        if isinstance(exc, OSError):
            raise StorageError(describe_os_error(exc, path, "save")) from exc
        raise
    try:
        fsync_dir(path.parent)
    except OSError as exc:  # the data is in place; only its durability is in doubt
        raise StorageError(describe_os_error(exc, path.parent, "sync folder")) from exc
    return result


def _link_previous(path: Path, keep: Path) -> Path | None:
    """Hard-link the current version to ``keep``; None where that is impossible."""
    try:
        os.unlink(keep)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        os.link(path, keep)
    except OSError:
        # No previous version, no backup folder, or a file system without
        # hard links: the save itself must still go ahead.
        return None
    return keep


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
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
            continue
        parts = name[: -len(TEMP_SUFFIX)].split(".")
        try:
            pid = int(parts[-2])
        except (IndexError, ValueError):
            pid = -1
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if pid > 0 and pid != os.getpid() and _pid_alive(pid) and age < max_age:
            continue
        if pid == os.getpid() and age < max_age:
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed
