"""Opening files in the data folder as if a stranger had put them there.

A reading group keeps ``annotations/`` in git, so every file in it was written
by somebody else, and git happily checks out symbolic links. Following one
would let a teammate's commit make shelf read ``/dev/zero`` (all memory), a
named pipe (a hang), or another user's file, or write and delete through the
link. So files here are opened without following links and must turn out to
be regular files; folders between the data folder and the file must be real
folders too; and reads stop at a size limit instead of trusting the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from storage.atomic import StorageError, os_error_reason
from storage.file_names import describe_kind, safe_name

#: The largest annotation file (or journal) shelf reads: ten times a very
#: heavy user's file, far below what would hurt memory.
MAX_ANNOTATION_BYTES = 64 * 1024 * 1024

_OPEN_FLAGS = (
    os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
)


class NotRegularFile(StorageError):
    """The path is a link, a pipe, a device or a folder: shelf will not open it."""


class TooLarge(StorageError):
    """The file is larger than shelf reads for its kind."""


def _refuse(path: Path, what: str) -> NotRegularFile:
    return NotRegularFile(
        f"{safe_name(path)} is {what}; shelf only opens regular files in its data folder"
    )


def check_folders(path: Path, root: Path | None) -> None:
    """Refuse ``path`` when a folder between ``root`` and it is a link or not a folder.

    ``root`` itself may be a link (the user chose where their data lives);
    what lies inside it may have come from someone else's commit. Folders
    that do not exist yet are fine: shelf creates them as real folders.
    """
    if root is None:
        return
    try:
        relative = Path(path).parent.relative_to(root)
    except ValueError:
        return
    here = Path(root)
    for part in relative.parts:
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageError(f"cannot look at {safe_name(here)}: {os_error_reason(exc)}") from exc
        if stat.S_ISLNK(st.st_mode):
            raise NotRegularFile(
                f"{safe_name(here)} is a symbolic link; shelf does not follow links "
                "inside its data folder"
            )
        if not stat.S_ISDIR(st.st_mode):
            raise NotRegularFile(
                f"{safe_name(here)} should be a folder but is {describe_kind(st.st_mode)}"
            )


def open_regular(path: Path, root: Path | None = None) -> int | None:
    """A read-only descriptor on ``path`` if it is a regular file; None if it does not exist.

    The ``lstat`` first means a device is never even opened (opening some
    rewinds a tape or hangs); ``O_NOFOLLOW`` and the ``fstat`` after the open
    catch a swap made between the two looks; ``O_NONBLOCK`` keeps a pipe
    that appeared meanwhile from hanging the open.
    """
    path = Path(path)
    check_folders(path, root)
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read {safe_name(path)}: {os_error_reason(exc)}") from exc
    if not stat.S_ISREG(before.st_mode):
        raise _refuse(path, describe_kind(before.st_mode))
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(path, "a symbolic link") from None
        raise StorageError(f"cannot read {safe_name(path)}: {os_error_reason(exc)}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(path, describe_kind(st.st_mode))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd_capped(fd: int, path: Path, limit: int | None, start: int = 0) -> bytes:
    """Everything from ``start`` to the end of an open regular file, never over ``limit``.

    The size is checked before anything is read, and no read asks for more
    than one byte past the limit, so a file that grows while it is read
    cannot make the read unbounded either.
    """
    size = os.fstat(fd).st_size
    if limit is not None and size - start > limit:
        raise _too_large(path, size - start, limit)
    chunks: list[bytes] = []
    total = 0
    want = max(size - start, 0) + 1
    while True:
        if limit is not None:
            want = min(want, limit + 1 - total)
        chunk = os.pread(fd, want, start + total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if limit is not None and total > limit:
            raise _too_large(path, total, limit)
        want = 1 << 20
    return b"".join(chunks)


def _too_large(path: Path, size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"{safe_name(path)} is over {_mb(limit)} ({_mb(size)} or more), larger than shelf "
        "reads for such a file; it was left alone"
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def read_regular(
    path: Path, *, root: Path | None = None, limit: int | None = MAX_ANNOTATION_BYTES
) -> bytes | None:
    """The bytes of a regular file under the data folder, or None if there is none."""
    fd = open_regular(path, root)
    if fd is None:
        return None
    try:
        return read_fd_capped(fd, path, limit)
    except OSError as exc:
        raise StorageError(f"cannot read {safe_name(path)}: {os_error_reason(exc)}") from exc
    finally:
        os.close(fd)


def lexists_regular(path: Path) -> bool:
    """Whether ``path`` is a regular file itself, never looking through a link."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def same_file(a: Path, b: Path) -> bool:
    """``os.path.samefile`` without following links: two names of one inode."""
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
