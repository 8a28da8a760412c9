"""A crash-safe TinyDB storage that never overwrites a damaged file.

TinyDB's own JSONStorage truncates and rewrites the file in place, so a crash
or a full disk mid-write leaves a broken database, and a file it cannot parse
is an exception that the next write happily replaces. This storage:

* writes through ``atomic_write`` (temp file, fsync, rename, folder fsync);
* keeps a few rotating backups as hard links to the previous versions (no
  copying, so it costs nothing on a 100 MB library);
* moves an unreadable file aside with a timestamp, restores the newest good
  backup, and reports what it did in one line;
* caches the parsed data keyed by the file's inode, mtime and size, so reads
  are free until another process replaces the file.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from storage.atomic import StorageError, atomic_write, describe_os_error

BOM = b"\xef\xbb\xbf"

Warn = Callable[[str], None]


class CorruptData(ValueError):
    """The bytes are not a TinyDB document store; the message says why."""


def decode(raw: bytes) -> dict[str, dict[str, Any]]:
    """Parse and validate a TinyDB JSON file, or raise CorruptData."""
    if not raw.strip():
        raise CorruptData("the file is empty" if not raw else "the file holds only white space")
    if raw.startswith(BOM):  # a hand edit in an editor that adds one: harmless
        raw = raw[len(BOM) :]
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CorruptData(f"it is not valid JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise CorruptData(f"its top level is a {type(data).__name__}, not an object")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptData(f"table {name!r} is a {type(table).__name__}, not an object")
        for key, doc in table.items():
            if not isinstance(doc, dict):
                raise CorruptData(f"entry {key!r} in table {name!r} is not an object")
    return data


def _stamp(when: float | None = None) -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.localtime(when))


class SafeJSONStorage(Storage):
    """TinyDB storage with atomic writes, backups and corruption recovery."""

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
    ) -> None:
        self.path = Path(path)
        self.backup_dir = Path(backup_dir) if backup_dir is not None else None
        self.backups = backups if self.backup_dir is not None else 0
        self.pretty = pretty
        self.mode = mode
        self.label = label
        self.warn: Warn = warn or (lambda message: None)
        self._cache: dict[str, dict[str, Any]] | None = None
        self._signature: tuple[int, int, int] | None = None

    # -- the Storage ABC -------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._cache, self._signature = None, None
            return None
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "read")) from exc
        signature = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cache is not None and signature == self._signature:
            return self._cache
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.path, "read")) from exc
        try:
            data: dict[str, dict[str, Any]] | None = decode(raw)
        except CorruptData as exc:
            data = self._recover(str(exc))
            if data is None:
                self._cache, self._signature = None, None
                return None
        self._cache = data
        self._signature = self._stat_signature()
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        option = orjson.OPT_SORT_KEYS | (orjson.OPT_INDENT_2 if self.pretty else 0)
        payload = orjson.dumps(data, option=option)
        if self.pretty:
            payload += b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._rotate_backups()
            atomic_write(self.path, payload, self.mode)
        except BaseException:
            # TinyDB mutated the cached dict before calling us; the file did
            # not change, so the cache must not pretend it did.
            self._cache, self._signature = None, None
            raise
        self._cache = data
        self._signature = self._stat_signature()

    @property
    def signature(self) -> tuple[int, int, int] | None:
        """Identity of the file version last read or written; changes on every replace."""
        return self._signature

    def close(self) -> None:
        self._cache, self._signature = None, None

    # -- backups and recovery ---------------------------------------------

    def backup_path(self, generation: int) -> Path:
        assert self.backup_dir is not None
        return self.backup_dir / f"{self.path.name}.{generation}"

    def _stat_signature(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _rotate_backups(self) -> None:
        """Keep the previous versions as hard links: free, and a crash can't tear them."""
        if not self.backups or not self.path.exists():
            return
        assert self.backup_dir is not None
        try:
            self.backup_dir.mkdir(parents=True, exist_ok=True)
            for generation in range(self.backups - 1, 0, -1):
                older = self.backup_path(generation)
                if older.exists():
                    os.replace(older, self.backup_path(generation + 1))
            newest = self.backup_path(1)
            with contextlib.suppress(FileNotFoundError):
                newest.unlink()
            os.link(self.path, newest)
        except OSError:
            # A backup we could not make must not stop the user's change from
            # being saved; the previous generations are still there.
            pass

    def _recover(self, reason: str) -> dict[str, dict[str, Any]] | None:
        """Move the damaged file aside and fall back to the newest good backup."""
        kept = self.path.with_name(f"{self.path.name}.corrupt-{_stamp()}")
        suffix = 1
        while kept.exists():
            kept = self.path.with_name(f"{self.path.name}.corrupt-{_stamp()}-{suffix}")
            suffix += 1
        try:
            os.replace(self.path, kept)
        except OSError as exc:
            raise StorageError(
                f"{self.label} file {self.path} is unreadable ({reason}) and could not be "
                f"moved aside: {describe_os_error(exc, self.path, 'rename')}"
            ) from exc
        for generation in range(1, self.backups + 1):
            candidate = self.backup_path(generation)
            try:
                raw = candidate.read_bytes()
                data = decode(raw)
            except (OSError, CorruptData):
                continue
            atomic_write(self.path, raw, self.mode)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(candidate.stat().st_mtime))
            self.warn(
                f"{self.label} file {self.path} was unreadable ({reason}); kept it as "
                f"{kept.name} and restored the backup from {when}"
            )
            return data
        self.warn(
            f"{self.label} file {self.path} was unreadable ({reason}); kept it as "
            f"{kept.name}; no good backup was found, so it starts empty"
        )
        return None
