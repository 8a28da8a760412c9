"""Inter-process locking around read-modify-write cycles.

Two TUIs and a script may change the same user file at once. Each change takes
an exclusive ``flock`` on a separate lock file (never the data file, which is
replaced on every write and so cannot carry a lock), re-reads the data inside
the lock, applies the change and writes it back.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.atomic import StorageError, describe_os_error
from storage.file_names import describe_kind, safe_name

#: A lock file is never a link's target or a pipe: flock needs only a descriptor,
#: and opening through a link someone planted could create or lock any file.
_NOFOLLOW = os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _refuse_odd(fd: int, path: Path) -> int:
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return fd
    os.close(fd)
    raise StorageError(
        f"cannot lock {safe_name(path)}: it is {describe_kind(mode)}, not a regular file"
    )


def _open_lock_file(path: Path) -> int:
    return _refuse_odd(_open_lock_fd(path), path)


def _open_lock_fd(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if not path.parent.is_dir():
            raise StorageError(describe_os_error(exc, path.parent, "create")) from exc
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StorageError(
                f"cannot lock {safe_name(path)}: it is a symbolic link, not a regular file"
            ) from None
        if exc.errno not in (errno.EACCES, errno.EROFS, errno.EPERM):
            raise StorageError(describe_os_error(exc, path, "lock")) from exc
        # flock needs no write access: an existing lock file on a read-only
        # disk, or one created by another member of a shared group, still works.
        try:
            return os.open(path, os.O_RDONLY | _NOFOLLOW)
        except OSError:
            raise StorageError(describe_os_error(exc, path, "lock")) from exc


class FileLock:
    """A re-entrant (per thread-of-process) exclusive lock on ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0
        self._guard = threading.RLock()

    @property
    def is_held(self) -> bool:
        return self._depth > 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._guard:
            if self._depth == 0:
                fd = _open_lock_file(self.path)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except OSError as exc:
                    os.close(fd)
                    raise StorageError(describe_os_error(exc, self.path, "lock")) from exc
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    # Closing the descriptor releases the flock; an explicit
                    # unlock first would only add a failure point.
                    os.close(self._fd)
                    self._fd = None
