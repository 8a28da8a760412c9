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
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path

from storage.file_names import describe_kind, safe_name

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
    return f"cannot {doing} {path}: {os_error_reason(exc)}"


def os_error_reason(exc: OSError) -> str:
    """Why an OSError happened, in a user's words."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "the file system is read-only",
        errno.EIO: "an input/output error occurred",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def _temp_name(path: Path) -> Path:
    # The writer's token in the name lets cleanup tell a crashed writer's
    # leftovers from a live writer's file in progress, even once the pid has
    # been given to another process. The name part is cut short so that a
    # long target name cannot push the temp name past NAME_MAX. (os.urandom
    # is what secrets.token_hex reads; importing secrets cost 4 ms a command.)
    return path.with_name(
        f"{TEMP_PREFIX}{path.name[:100]}.{writer_token()}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
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


def _check_replaceable(path: Path) -> int | None:
    """The permissions of the regular file at ``path`` (None if there is none yet).

    Anything else there is refused rather than replaced: renaming over a
    symlink would silently cut a link someone made on purpose (and writing
    through it would let a link put there by a teammate's commit aim a save at
    any file), and replacing a device node such as ``/dev/null`` (as root) or
    a pipe breaks whatever else uses it.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path, "save")) from exc
    if not stat.S_ISREG(st.st_mode):
        raise StorageError(
            f"cannot save {safe_name(path)}: it is {describe_kind(st.st_mode)}, "
            "not a regular file, and shelf does not replace it"
        )
    return stat.S_IMODE(st.st_mode)


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
    durable: bool = True,
) -> os.stat_result:
    """Replace ``path`` with ``data``; see :func:`atomic_fill`."""

    def write_all(fd: int) -> None:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    return atomic_fill(path, write_all, mode, keep_previous=keep_previous, durable=durable)


def atomic_fill(
    path: Path,
    fill: Callable[[int], object],
    mode: int | None = None,
    *,
    keep_previous: Path | None = None,
    durable: bool = True,
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

    A symlink, folder, device, pipe or socket at ``path`` is refused, never
    replaced or written through (see :func:`_check_replaceable`).

    ``durable=False`` skips the two syncs, for copies whose loss in a power
    cut costs nothing (a backup of a file that is itself synced): the
    replace stays atomic, only its survival of a crash is not waited for.

    Returns the stat of the new file as it sits under ``path``. Raises
    StorageError with a one-line message; no temp file is left behind.
    """
    path = Path(path)
    existing = _check_replaceable(path)
    preserved = existing if mode is None else None
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
            if durable:
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
    if not durable:
        return result
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


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", "rb") as handle:
            return handle.read(64).decode("ascii", "replace").strip().replace("-", "")[:8]
    except OSError:
        return ""


def process_start(pid: int) -> str | None:
    """When ``pid`` started, as the kernel counts it (None where that is unknown).

    A pid alone cannot tell a dead writer from a new process that was given
    its number; the start time (ticks since boot, field 22 of
    ``/proc/PID/stat``, read after the ``)`` that ends the command name, which
    may itself hold spaces and parentheses) can.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read(4096)
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()
    if len(fields) < 20 or not fields[19].isdigit():
        return None
    return fields[19].decode("ascii")


_TOKEN: tuple[int, str] | None = None


def writer_token() -> str:
    """``PID-START-BOOT`` for this process; just ``PID`` where /proc cannot tell more."""
    global _TOKEN
    pid = os.getpid()
    if _TOKEN is None or _TOKEN[0] != pid:  # recomputed in a forked child
        start = process_start(pid)
        boot = _boot_id()
        _TOKEN = (pid, f"{pid}-{start}-{boot}" if start and boot else str(pid))
    return _TOKEN[1]


#: ``.shelf-NAME.TOKEN.RANDOM.tmp``, with TOKEN ``PID-START-BOOT`` (or, from
#: older versions and systems without /proc, just ``PID``). Nothing else in a
#: folder is ever taken for a shelf temp file, so a user's own
#: ``.shelf-notes.tmp`` is safe from cleanup.
_TEMP_RE = re.compile(
    r"\.shelf-.{1,100}\.(?P<pid>[0-9]{1,10})(?:-(?P<start>[0-9]{1,20})-(?P<boot>[0-9a-f]{8}))?"
    r"\.[0-9a-f]{4,32}\.tmp",
    re.DOTALL,
)


def _writer_alive(pid: int, start: str | None, boot: str | None) -> bool | None:
    """Whether the writer that made a temp file still runs (None: cannot tell)."""
    if start is None or boot is None:
        return None
    if boot != _boot_id():
        return False  # the machine restarted since: every writer of then is gone
    return process_start(pid) == start


def clean_temp_files(folder: Path, max_age: float = 3600.0) -> list[Path]:
    """Remove temp files that shelf writers left in ``folder`` when they died mid-write.

    Start-up runs this on the data folders; the CLI runs it on the folder of
    an ``export -o`` target, where a killed export otherwise leaves a
    multi-megabyte partial file forever. A temp file whose writer is still
    running is left alone; the writer is recognised by pid and start time, so
    a recycled pid does not keep a dead writer's file. Names without a start
    time (older versions, no /proc) fall back to the pid and an age limit.
    Only regular files whose whole name has shelf's temp form are touched.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    me = os.getpid()
    for entry in entries:
        match = _TEMP_RE.fullmatch(entry.name)
        if match is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        pid = int(match["pid"])
        alive = _writer_alive(pid, match["start"], match["boot"])
        if alive is None:  # no start time recorded: the pid and the age must do
            age = now - st.st_mtime
            alive = age < max_age and (pid == me or _pid_alive(pid))
        if alive:
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed
