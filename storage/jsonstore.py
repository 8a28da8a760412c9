"""A crash-safe TinyDB storage that never overwrites a damaged file.

TinyDB's own JSONStorage truncates and rewrites the file in place, so a crash
or a full disk mid-write leaves a broken database, and a file it cannot parse
is an exception that the next write happily replaces. This storage:

* writes through ``atomic_write`` (temp file, fsync, rename, folder fsync);
* keeps a few rotating backups as hard links to the previous versions (no
  copying, so it costs nothing on a 100 MB library);
* keeps an unreadable file under a new name (``NAME.corrupt-<time>``, never
  overwritten), restores the newest good backup, and reports what it did in
  one line;
* caches the parsed data keyed by the identity of the file version it read,
  so reads are free until another process replaces the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from seeds.collector import paused_gc
from storage import canonical_json
from storage.atomic import StorageError, atomic_write, describe_os_error, fsync_dir
from storage.file_names import safe_name
from storage.lock import FileLock
from storage.safe_files import (
    TooLarge,
    check_folders,
    open_regular,
    read_fd_capped,
    read_regular,
    same_file,
)

BOM = b"\xef\xbb\xbf"

Warn = Callable[[str], None]
Tables = dict[str, dict[str, Any]]
Signature = tuple[int, int, int, int, int]


class CorruptData(ValueError):
    """The bytes are not a TinyDB document store; the message says why."""


def _json_kind(value: Any) -> str:
    """What a person sees in the file, not the Python type name."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), f"a {type(value).__name__}"
    )


_CONFLICT_MARKERS = re.compile(rb"^(?:<<<<<<<(?: |$)|=======$|>>>>>>>(?: |$))", re.MULTILINE)

#: How a file with unresolved merge conflicts is reported, wherever it is read.
CONFLICT_REASON = "it has git conflict markers; resolve the merge"


def has_conflict_markers(raw: bytes) -> bool:
    """Whether a git merge left its ``<<<<<<<``/``=======``/``>>>>>>>`` lines in ``raw``.

    Two different kinds of marker line are required, so that a lone line of
    equals signs in a note written by hand is not mistaken for a conflict.
    """
    kinds = {m.group()[:1] for m in _CONFLICT_MARKERS.finditer(raw.replace(b"\r\n", b"\n"))}
    return len(kinds) >= 2


def _diagnose(raw: bytes) -> str | None:
    """Name the usual causes of a file that does not parse, in the user's terms."""
    if not raw.strip(b"\0"):
        return "only zero bytes, as a crashed disk or file system can leave a file"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text; shelf files are UTF-8"
    if raw.endswith(b"\0"):
        return "it ends in zero bytes, as a crashed disk or file system can leave a file"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return f"not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line}"
    return None


def decode(raw: bytes) -> Tables:
    """Parse and validate a TinyDB JSON file, or raise CorruptData."""
    # ``isspace`` stops at the first other byte; ``strip`` would copy 3 MB.
    if not raw or raw.isspace():
        raise CorruptData("the file is empty" if not raw else "the file holds only white space")
    if raw.startswith(BOM):  # a hand edit in an editor that adds one: harmless
        raw = raw[len(BOM) :]
    try:
        # Tens of thousands of acyclic dicts: left on, the collector rescans
        # them as they are built and doubles the time of the parse.
        with paused_gc():
            data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if has_conflict_markers(raw):
            raise CorruptData(CONFLICT_REASON) from None
        why = _diagnose(raw) or str(exc).splitlines()[0]
        raise CorruptData(f"it is not valid JSON ({why})") from None
    if not isinstance(data, dict):
        raise CorruptData(f"its top level is {_json_kind(data)}, not an object")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptData(f"table {name!r} is {_json_kind(table)}, not an object")
        for key, doc in table.items():
            if not isinstance(doc, dict):
                raise CorruptData(
                    f"entry {key!r} in table {name!r} is {_json_kind(doc)}, not an object"
                )
    return data


def _stamp(when: float | None = None) -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.localtime(when))


def signature_of(st: os.stat_result) -> Signature:
    """Identity of one version of a file.

    Every save is a new inode, but inode numbers are recycled, so size and
    both timestamps are part of it too; ctime cannot be set from user space,
    so even a hand edit that restores the old mtime shows up.
    """
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class SafeJSONStorage(Storage):
    """TinyDB storage with atomic writes, backups and corruption recovery.

    ``lock`` serialises this file's writers with the recovery of a damaged
    file, so that two processes starting at once cannot both move the file
    aside, and a change saved meanwhile is never mistaken for the damage.
    Owners that already hold a lock around their read-modify-write should
    pass it (it is re-entrant); otherwise the storage uses its own.

    ``keep_latest`` makes the newest backup generation a copy of what was just
    saved, not only of what it replaced: otherwise the newest save lives in
    the live file alone, and damage to that file takes it back one save. It
    costs a second write of the file, so it suits small files (a user's
    annotations) better than a 100 MB library.

    ``max_bytes`` refuses a larger file before reading any of it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        backup_dir: str | os.PathLike[str] | None = None,
        backups: int = 3,
        pretty: bool = False,
        mode: int = 0o644,
        label: str = "database",
        warn: Warn | None = None,
        lock: FileLock | None = None,
        root: str | os.PathLike[str] | None = None,
        max_bytes: int | None = None,
        keep_latest: bool = False,
    ) -> None:
        self.path = Path(path)
        # Folders between ``root`` and the file must be real folders, not
        # links (see storage.safe_files); without a root only the file itself
        # is held to that.
        self.root = Path(root) if root is not None else None
        self.max_bytes = max_bytes
        self.keep_latest = keep_latest
        self.backup_dir = Path(backup_dir) if backup_dir is not None else None
        self.backups = backups if self.backup_dir is not None else 0
        self.pretty = pretty
        self.mode = mode
        self.label = label
        self.warn: Warn = warn or (lambda message: None)
        if lock is None:
            if self.backup_dir is not None:
                lock = FileLock(self.backup_dir / f"{self.path.name}.lock")
            else:
                lock = FileLock(self.path.with_name(f".{self.path.name}.lock"))
        self.lock = lock
        self._cache: Tables | None = None
        self._signature: Signature | None = None
        # Set when a damaged file could not be kept aside: its data came from a
        # backup, and saving would destroy the only copy of the damaged one.
        self._blocked: str | None = None
        self._blocked_backup: bytes | None = None
        self._backup_trouble_told = False

    # -- the Storage ABC -------------------------------------------------

    def read(self) -> Tables | None:
        while True:
            loaded = self._open_current()
            if loaded is None:
                self._cache, self._signature, self._blocked = None, None, None
                return None
            signature, raw = loaded
            if self._cache is not None and signature == self._signature:
                return self._cache
            if raw is None:  # the signature changed between the two looks
                continue
            try:
                data: Tables | None = decode(raw)
            except CorruptData as exc:
                return self._recover(str(exc), signature)
            self._cache, self._signature, self._blocked = data, signature, None
            return data

    def write(self, data: Tables) -> None:
        if self._blocked is not None:
            # TinyDB has already applied the change to the cached data: put
            # back what is shown, without a second warning.
            blocked_signature = self._signature
            self._cache = decode(self._blocked_backup) if self._blocked_backup else {}
            self._signature = blocked_signature
            raise StorageError(self._blocked)
        try:
            # Files for people are sorted so they diff well; the library keeps
            # insertion order, which is the order items were imported in.
            try:
                payload = canonical_json.dumps(data) if self.pretty else orjson.dumps(data)
            except TypeError as exc:  # orjson.JSONEncodeError: lone surrogates, odd keys
                raise StorageError(
                    f"cannot save {self.path}: the data cannot be written as JSON ({exc})"
                ) from exc
            st = self.save_bytes(payload)
        except BaseException:
            # TinyDB mutated the cached dict before calling us; the file did
            # not change, so the cache must not pretend it did.
            self._cache, self._signature = None, None
            raise
        self._cache = data
        self._signature = signature_of(st)

    def save_bytes(self, payload: bytes) -> os.stat_result:
        """Replace the file with ``payload`` (already encoded), with its backups rotated.

        Leaves the parsed cache alone: :meth:`write` sets it, and a caller
        that saves bytes it did not parse must drop it.
        """
        check_folders(self.path, self.root)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path.parent, "create")) from exc
        with self._lock_if_possible():
            keep = self._staging()
            st = atomic_write(self.path, payload, self.mode, keep_previous=keep)
            self._after_save(payload, st)
        return st

    @contextlib.contextmanager
    def _lock_if_possible(self) -> Iterator[None]:
        """The lock, unless its file cannot be made (no backup folder, say).

        It only keeps saves apart from the recovery of a damaged file, and a
        process that cannot make the lock file cannot recover either (it
        falls back to showing the backup read-only), so the save goes ahead.
        """
        stack = contextlib.ExitStack()
        with contextlib.suppress(StorageError):
            stack.enter_context(self.lock.held())
        with stack:
            yield

    @property
    def signature(self) -> Signature | None:
        """Identity of the file version last read or written; changes on every replace."""
        return self._signature

    def close(self) -> None:
        self._cache, self._signature = None, None

    # -- reading -----------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self, fd: int, path: Path) -> Iterator[None]:
        """Reads from ``fd`` (closed after) fail as one line naming ``path``."""
        try:
            yield
        except TooLarge as exc:
            raise StorageError(f"{self.label} {exc}") from None
        except OSError as exc:
            raise StorageError(describe_os_error(exc, path, "read")) from exc
        finally:
            os.close(fd)

    def _open_current(self) -> tuple[Signature, bytes | None] | None:
        """The file's signature and, unless it matches the cache, its bytes.

        The bytes and the signature come from one open file, so a replace
        between looking and reading cannot pair one version's data with
        another's identity.
        """
        try:
            fd = open_regular(self.path, self.root)
        except StorageError as exc:
            raise StorageError(f"{self.label} {exc}") from None
        if fd is None:
            return None
        with self._reading(fd, self.path):
            st = os.fstat(fd)
            signature = signature_of(st)
            if self._cache is not None and signature == self._signature:
                return signature, None
            raw = read_fd_capped(fd, self.path, self.max_bytes)
            after = signature_of(os.fstat(fd))
        if after != signature:  # written in place while we read (a hand edit)
            return after, None
        return signature, raw

    # -- backups -----------------------------------------------------------

    def backup_path(self, generation: int) -> Path:
        assert self.backup_dir is not None
        return self.backup_dir / f"{self.path.name}.{generation}"

    def _staging(self) -> Path | None:
        """Where atomic_write links the version it replaces; it becomes backup 1.

        None when there is nothing to link: no backups, a backup folder that
        cannot be used (the save goes ahead and :meth:`_after_save` says so),
        or, with ``keep_latest``, a live file that backup 1 already copies.
        """
        if not self.backups:
            return None
        assert self.backup_dir is not None
        try:
            check_folders(self.backup_path(0), self._backup_root)
            self.backup_dir.mkdir(parents=True, exist_ok=True)
        except (OSError, StorageError):
            return None
        self._settle_staging()
        if self.keep_latest and self._latest_is_kept():
            return None
        return self.backup_path(0)

    @property
    def _backup_root(self) -> Path | None:
        if self.root is not None:
            return self.root
        return self.backup_dir.parent if self.backup_dir is not None else None

    def _latest_is_kept(self) -> bool:
        """Whether backup 1 is the copy :meth:`_copy_latest` made of the live file.

        The copy is given the live file's size and modification time; any
        other replacement of the live file (a hand edit, a ``git pull``, an
        older shelf) has a new time, and its version is linked as usual.
        """
        try:
            live, copy = os.lstat(self.path), os.lstat(self.backup_path(1))
        except OSError:
            return False
        return (
            stat.S_ISREG(copy.st_mode)
            and (live.st_dev, live.st_ino) != (copy.st_dev, copy.st_ino)
            and (live.st_size, live.st_mtime_ns) == (copy.st_size, copy.st_mtime_ns)
        )

    def _settle_staging(self) -> None:
        """Deal with a generation 0 left by a writer that died mid-save."""
        staged = self.backup_path(0)
        try:
            if not os.path.lexists(staged):
                return
            if same_file(staged, self.path):
                os.unlink(staged)  # died before the rename: it is the live file
            else:
                self._shift_backups(0)  # died after it: a real previous version
        except OSError:
            pass

    def _shift_backups(self, first: int) -> None:
        """Move generation ``first`` and later up by one, dropping the oldest."""
        for generation in range(self.backups - 1, first - 1, -1):
            older = self.backup_path(generation)
            if os.path.lexists(older):
                os.replace(older, self.backup_path(generation + 1))

    def _after_save(self, payload: bytes, st: os.stat_result) -> None:
        """Rotate the backups after a save; trouble there never fails the save.

        The change is on disk already, so a backup folder that cannot be used
        (no permission, a file where it should be, a full disk) is worth one
        warning, not an error that would make a script retry a saved change.
        """
        if not self.backups:
            return
        assert self.backup_dir is not None
        try:
            check_folders(self.backup_path(0), self._backup_root)
            if os.path.lexists(self.backup_path(0)):
                self._shift_backups(0)
            if self.keep_latest:
                self._copy_latest(payload, st)
        except (OSError, StorageError) as exc:
            self._tell_backup_trouble(exc)
            return
        try:
            usable = stat.S_ISDIR(os.stat(self.backup_dir).st_mode)
        except OSError as exc:  # a folder on the way that cannot be searched (mode 000)
            self._tell_backup_trouble(exc)
            return
        if not usable or not os.access(self.backup_dir, os.W_OK | os.X_OK):
            self._tell_backup_trouble(None)

    def _copy_latest(self, payload: bytes, st: os.stat_result) -> None:
        self._shift_backups(1)
        copy = self.backup_path(1)
        # Not synced: the live file just written is, and this copy only
        # guards it against later damage (a hand edit, a bad merge).
        atomic_write(copy, payload, self.mode, durable=False)
        os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))

    def _tell_backup_trouble(self, exc: BaseException | None) -> None:
        if self._backup_trouble_told:
            return
        self._backup_trouble_told = True
        if isinstance(exc, OSError):
            where = Path(str(exc.filename)) if exc.filename else self.backup_dir or self.path
            why = f" ({describe_os_error(exc, where, 'use')})"
        elif exc is not None:
            why = f" ({exc})"
        else:
            why = f" (cannot write to {safe_name(self.backup_dir or '')})"
        self.warn(f"{self.label} saved {safe_name(self.path)}, but backups could not be kept{why}")

    def _read_backup(self, candidate: Path) -> tuple[bytes, float]:
        """A backup's bytes and time; a link or odd file there is no backup at all."""
        fd = open_regular(candidate, self._backup_root)
        if fd is None:
            raise FileNotFoundError(errno.ENOENT, "no backup", str(candidate))
        try:
            return read_fd_capped(fd, candidate, self.max_bytes), os.fstat(fd).st_mtime
        finally:
            os.close(fd)

    def _backup_candidates(self) -> list[Path]:
        if not self.backups:
            return []
        return [self.backup_path(g) for g in range(0, self.backups + 1)]

    # -- recovery ------------------------------------------------------------

    def _recover(self, reason: str, damaged: Signature) -> Tables | None:
        """Keep the damaged file under a new name and fall back to the newest good backup."""
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(self.lock.held())
            except StorageError as exc:
                # Not even the lock can be taken (a read-only folder, say):
                # show the backup without touching anything.
                return self._serve_read_only(reason, damaged, str(exc))
            return self._recover_locked(reason, damaged)
        raise AssertionError("unreachable")  # pragma: no cover

    def _recover_locked(self, reason: str, damaged: Signature) -> Tables | None:
        loaded = self._open_current()
        if loaded is None:  # someone else already dealt with it
            self._cache, self._signature = None, None
            return None
        signature, raw = loaded
        if signature != damaged:
            # Replaced meanwhile (another process recovered it, or saved a
            # change); look again rather than recover the new version blindly.
            self._cache, self._signature = None, None
            if raw is not None:
                with contextlib.suppress(CorruptData):
                    data = decode(raw)
                    self._cache, self._signature, self._blocked = data, signature, None
                    return data
            return self.read()
        try:
            kept = self._keep_aside(raw)
        except OSError as exc:
            return self._serve_read_only(reason, damaged, describe_os_error(exc, self.path, "keep"))
        for candidate in self._backup_candidates():
            try:
                if same_file(candidate, kept):
                    continue  # a backup link that shares the damaged file's inode
                backup_raw, when = self._read_backup(candidate)
                data = decode(backup_raw)
            except (OSError, StorageError, CorruptData):
                continue
            try:
                st = atomic_write(self.path, backup_raw, self.mode)
            except StorageError as exc:
                # The damaged file is safe under its new name, so carrying on
                # from the backup in memory risks nothing; saving may fail too.
                self._cache, self._signature, self._blocked = data, damaged, None
                self.warn(
                    f"{self.label} file {self.path} was unreadable ({reason}); kept it as "
                    f"{kept.name}; could not restore the backup from {_human_time(when)} "
                    f"({exc}), so it is shown from memory"
                )
                return data
            self._cache, self._signature, self._blocked = data, signature_of(st), None
            self.warn(
                f"{self.label} file {self.path} was unreadable ({reason}); kept it as "
                f"{kept.name} and restored the backup from {_human_time(when)}"
            )
            return data
        try:
            # Never through a link: only a regular file gets this far.
            os.unlink(self.path)
            fsync_dir(self.path.parent)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "remove")) from exc
        self._cache, self._signature, self._blocked = None, None, None
        self.warn(
            f"{self.label} file {self.path} was unreadable ({reason}); kept it as "
            f"{kept.name}; no good backup was found, so it starts empty"
        )
        return None

    def _keep_aside(self, raw: bytes | None) -> Path:
        """A new name for the damaged file's content; existing names are never reused.

        A hard link keeps the very inode (no copy, nothing to tear). If an
        earlier attempt already linked it (a crash before the restore), that
        name is reused rather than piling up copies.
        """
        for existing in sorted(self.path.parent.glob(f"{self.path.name}.corrupt-*")):
            with contextlib.suppress(OSError):
                if same_file(existing, self.path):
                    return existing
        stamp = _stamp()
        for suffix in range(1000):
            name = f"{self.path.name}.corrupt-{stamp}" + (f"-{suffix}" if suffix else "")
            kept = self.path.with_name(name)
            try:
                os.link(self.path, kept)
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                if raw is None:
                    raw = read_regular(self.path, root=self.root, limit=self.max_bytes)
                    if raw is None:
                        raise
                try:
                    _write_new(kept, raw)
                except FileExistsError:
                    continue
            fsync_dir(self.path.parent)
            return kept
        raise OSError(errno.EEXIST, "too many kept copies", str(self.path))

    def _serve_read_only(self, reason: str, damaged: Signature, why: str) -> Tables | None:
        """Continue from the newest good backup without touching the damaged file."""
        data: Tables | None = None
        source = "no good backup was found"
        self._blocked_backup = None
        for candidate in self._backup_candidates():
            try:
                backup_raw, when = self._read_backup(candidate)
                data = decode(backup_raw)
                source = f"showing the backup from {_human_time(when)}"
                self._blocked_backup = backup_raw
                break
            except (OSError, StorageError, CorruptData):
                continue
        self._blocked = (
            f"{self.label} file {self.path} is unreadable ({reason}) and could not be kept "
            f"aside ({why}); changes are not saved until it is fixed or moved away"
        )
        self.warn(
            f"{self.label} file {self.path} is unreadable ({reason}) and could not be kept "
            f"aside ({why}); {source}, read-only"
        )
        self._cache, self._signature = (data if data is not None else {}), damaged
        return data


def _write_new(path: Path, raw: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def _human_time(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when))
