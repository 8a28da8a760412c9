"""A snapshot file plus an append-only journal, so one change costs one small fsync.

A user with 10,000 annotated items has a 3–4 MB annotation file; rewriting and
fsyncing it for every key press takes over 20 ms. Instead each change appends
one JSON line (the new versions of the documents it touched) to a journal and
fsyncs that: well under a millisecond. Reading replays the journal over the
snapshot; compaction folds it into a fresh snapshot (written atomically, with
backups) and then removes the journal. Replaying is idempotent, so a crash
between those two steps loses nothing.

A torn last line (a crash mid-append, before the change was acknowledged) is
ignored and cut off before the next append. A damaged line in the middle is
not guessed around: the journal is kept aside, what preceded the damage is
kept, and the user is told.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from storage import canonical_json
from storage.atomic import StorageError, atomic_write, describe_os_error, fsync_dir
from storage.file_names import describe_kind, safe_name
from storage.jsonstore import SafeJSONStorage, signature_of
from storage.safe_files import (
    MAX_ANNOTATION_BYTES,
    TooLarge,
    check_folders,
    open_regular,
    read_fd_capped,
    read_regular,
)

Tables = dict[str, dict[str, Any]]

#: No link is followed and no pipe waited on when the journal is opened to append.
_APPEND_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_CLOEXEC
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def apply_changes(
    data: Tables, table: str, changes: dict[str, Any], *, deletions: bool = False
) -> None:
    """``deletions`` keeps a removed document as None: a list of changes, not a table."""
    target = data.setdefault(table, {})
    for key, doc in changes.items():
        if doc is None:
            if deletions:
                target[key] = None
            else:
                target.pop(key, None)
        elif isinstance(doc, dict):
            target[key] = doc


def _entries(chunk: bytes) -> Iterator[tuple[str, dict[str, Any], int] | None]:
    """Each whole line's (table, changes, length); None for a damaged line, and then no more.

    Bytes after the last newline are a torn write that was never acknowledged.
    """
    end = chunk.rfind(b"\n") + 1
    for line in chunk[:end].splitlines(keepends=True):
        try:
            entry = orjson.loads(line)
            table, changes = entry["t"], entry["c"]
            if not isinstance(table, str) or not isinstance(changes, dict):
                raise ValueError("bad entry")
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            yield None
            return
        yield table, changes, len(line)


def replay(data: Tables, chunk: bytes) -> tuple[int, int, bool]:
    """Apply journal lines to ``data``: (entries applied, bytes used, damaged line found)."""
    used = entries = 0
    for entry in _entries(chunk):
        if entry is None:
            return entries, used, True
        table, changes, length = entry
        apply_changes(data, table, changes)
        used += length
        entries += 1
    return entries, used, False


class JournaledStorage(SafeJSONStorage):
    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        journal_path: Path,
        stamp_path: Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(path, **kwargs)
        self.journal_path = journal_path
        # Where the identity of the last version this storage wrote is kept,
        # so that a later process knows the file is still in its own layout.
        self.stamp_path = stamp_path
        # The version last found to be ours: its identity, bytes, the table
        # spans its stamp gave, and the tables located in it.
        self._own: (
            tuple[
                tuple[int, ...],
                bytes,
                dict[str, tuple[int, int]],
                dict[str, canonical_json.Table | None],
            ]
            | None
        ) = None
        self._merged: Tables | None = None  # the snapshot object we replayed onto
        self._journal_id: tuple[int, int] | None = None  # (inode, bytes replayed)
        self._journal_good = 0  # bytes up to the last complete line
        self.journal_entries = 0
        # A journal is a few hundred small lines at most before it is folded
        # in; one far larger than the file itself is not shelf's doing.
        self._journal_limit = self.max_bytes if self.max_bytes is not None else MAX_ANNOTATION_BYTES

    # -- reading ------------------------------------------------------------

    def _journal_stat(self) -> os.stat_result | None:
        """The journal's own status, never a link's target; anything odd there is refused."""
        check_folders(self.journal_path, self.root)
        try:
            st = os.lstat(self.journal_path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.journal_path, "read")) from exc
        if not stat.S_ISREG(st.st_mode):
            raise self._odd_journal(st.st_mode)
        return st

    def _odd_journal(self, mode: int) -> StorageError:
        return StorageError(
            f"{self.label} change journal {safe_name(self.journal_path)} is "
            f"{describe_kind(mode)}; shelf only opens regular files in its data folder"
        )

    def read(self) -> Tables | None:
        base = super().read()
        st = self._journal_stat()
        if st is None:
            self._merged, self._journal_id, self._journal_good = base, None, 0
            self.journal_entries = 0
            return base
        if base is not None and base is self._merged:
            seen = self._journal_id
            if seen is not None and seen[0] == st.st_ino and st.st_size >= seen[1]:
                if st.st_size > seen[1] and not self._replay(base, st, seen[1]):
                    return self.read()  # another process appended: replay just that
                return base
            # The journal was replaced under an object we already replayed onto.
            self._cache, self._signature = None, None
            base = super().read()
        data = base if base is not None else {}
        self.journal_entries = 0
        if not self._replay(data, st, 0):
            return self.read()
        self._merged = data
        return data

    def _replay(self, data: Tables, st: os.stat_result, start: int) -> bool:
        fd = open_regular(self.journal_path, self.root)
        if fd is None:  # folded into the file by another process meanwhile
            self._cache, self._signature, self._merged, self._journal_id = None, None, None, None
            return False
        read = self._read_journal(fd, start, st.st_ino)
        if read is None:
            self._forget()
            return False
        # Up to the size seen, so that the inode and the length recorded
        # below describe the same bytes.
        chunk = read[: st.st_size - start]
        entries, used, damaged = replay(data, chunk)
        self.journal_entries += entries
        if damaged:
            return self._quarantine_journal(data, st, start + used)
        self._journal_good = start + used
        self._journal_id = (st.st_ino, start + used)
        return True

    def _read_journal(self, fd: int, start: int = 0, inode: int | None = None) -> bytes | None:
        """The journal's bytes from ``start``; None if ``fd`` is no longer ``inode``. Closes ``fd``."""
        with self._reading(fd, self.journal_path):
            if inode is not None and os.fstat(fd).st_ino != inode:
                return None
            return read_fd_capped(fd, self.journal_path, self._journal_limit, start)

    def _forget(self) -> None:
        """Drop what was read: the journal was replaced, the next read starts over."""
        self._cache, self._signature, self._merged, self._journal_id = None, None, None, None

    def _quarantine_journal(self, data: Tables, st: os.stat_result, offset: int) -> bool:
        """Save what preceded the damage as the snapshot, then keep the journal aside.

        Under the user's lock, and only if the journal is still the one that
        was read: another process may have dealt with it (and appended an
        acknowledged change to a new one) in the meantime. Returns False when
        the caller must read again.
        """
        with self.lock.held():
            try:
                same = os.stat(self.journal_path).st_ino == st.st_ino
            except FileNotFoundError:
                same = False
            if not same:
                self._forget()
                return False
            try:
                kept = self._keep_journal_aside()
            except OSError as exc:
                raise StorageError(describe_os_error(exc, self.journal_path, "keep")) from exc
            SafeJSONStorage.write(self, data)  # the recovered state, durably
            self._drop_journal()
            self._merged = data
        self.warn(
            f"change journal {self.journal_path} is damaged after byte {offset}; kept it as "
            f"{kept.name} and saved the changes before the damage"
        )
        return True

    def _keep_journal_aside(self) -> Path:
        """A hard link under a name never used before: no copy, nothing overwritten."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in range(1000):
            name = f"{self.journal_path.name}.corrupt-{stamp}" + (f"-{suffix}" if suffix else "")
            kept = self.journal_path.with_name(name)
            try:
                os.link(self.journal_path, kept)
            except FileExistsError:
                continue
            fsync_dir(kept.parent)
            return kept
        raise OSError(17, "too many kept copies", str(self.journal_path))

    # -- writing ------------------------------------------------------------

    def write(self, data: Tables) -> None:
        """A full snapshot; it contains every journalled change, so the journal goes."""
        super().write(data)
        self._stamp(self._signature)
        self._drop_journal()
        self._merged = data

    # -- a few documents without parsing the file ----------------------------

    def _stamp(
        self, signature: tuple[int, ...] | None, spans: dict[str, tuple[int, int]] | None = None
    ) -> None:
        """Remember which version we wrote, and where its tables lie if known.

        Losing this only costs the next command a parse.
        """
        if self.stamp_path is None or signature is None or not self.pretty:
            return
        stamp = {"file": list(signature), "tables": spans or {}}
        with contextlib.suppress(OSError, StorageError):
            check_folders(self.stamp_path, self.root)
            self.stamp_path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.stamp_path, orjson.dumps(stamp), 0o600, durable=False)

    def _read_stamp(self) -> tuple[tuple[int, ...], dict[str, tuple[int, int]]] | None:
        """The stamp, if it is whole and in this version's shape (a file in .cache: unchecked)."""
        assert self.stamp_path is not None
        try:
            raw = read_regular(self.stamp_path, root=self.root, limit=4096)
            stamp = orjson.loads(raw) if raw else None
        except (OSError, StorageError, orjson.JSONDecodeError):
            return None
        if not isinstance(stamp, dict):
            return None
        file, tables = stamp.get("file"), stamp.get("tables")
        if not isinstance(file, list) or not isinstance(tables, dict):
            return None
        spans = {
            name: (span[0], span[1])
            for name, span in tables.items()
            if isinstance(span, list)
            and len(span) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in span)
        }
        return tuple(file), spans

    def _own_table(self, table: str) -> canonical_json.Table | None:
        """``table`` in the file if the file is exactly the version this storage last wrote.

        Such a file is in :mod:`storage.canonical_json`'s layout and passed
        every check when it was written; anything else (a hand edit, a git
        pull, a restored backup) has another identity and is parsed as usual.
        Nothing parsed is held either: a process that holds the parsed file
        (the app) has no parse to save. The bytes and where the table lies
        are kept while the file stays that version, so a command that looks
        up its items several times reads the file once.
        """
        if self.stamp_path is None or self._cache is not None or self._blocked is not None:
            return None
        if not self._still_own():
            # Not the version read before: the stamp says whether it is ours.
            self._own = None
            stamp = self._read_stamp()
            if stamp is None:
                return None
            wanted, spans = stamp
            try:
                fd = open_regular(self.path, self.root)
            except StorageError:
                return None
            if fd is None:
                return None
            try:
                if signature_of(os.fstat(fd)) != wanted:
                    return None
                raw = read_fd_capped(fd, self.path, self.max_bytes)
                if signature_of(os.fstat(fd)) != wanted:
                    return None
            except (OSError, TooLarge):
                return None
            finally:
                os.close(fd)
            self._own = (wanted, raw, spans, {})
        assert self._own is not None
        signature, raw, spans, tables = self._own
        if table not in tables:
            tables[table] = found = canonical_json.locate(raw, table, spans.get(table))
            if found is not None and spans.get(table) != found.span:  # for the next command
                spans[table] = found.span
                self._stamp(signature, spans)
        return tables[table]

    def _journal_changes(self) -> dict[str, dict[str, Any]] | None:
        """Every change in the journal, table by table, the latest of each document last.

        Also notes how much of the journal is whole, as a full read does, so
        that an append after it cuts only a torn line. None when the journal
        is damaged: a full read deals with that.
        """
        st = self._journal_stat()
        self._forget()
        self._journal_good, self.journal_entries = 0, 0
        if st is None:
            return {}
        fd = open_regular(self.journal_path, self.root)
        if fd is None:
            return {}
        chunk = self._read_journal(fd)
        if chunk is None:
            return None
        changes: Tables = {}
        used = 0
        for entry in _entries(chunk):
            if entry is None:
                return None
            table, docs, length = entry
            apply_changes(changes, table, docs, deletions=True)
            used += length
            self.journal_entries += 1
        self._journal_good = used
        return changes

    def _still_own(self) -> bool:
        """Whether the file is still the version read.

        A fold in another process may have replaced it, and emptied the
        journal, between reading the one and the other.
        """
        try:
            now = signature_of(os.lstat(self.path))
        except OSError:
            return False
        return self._own is not None and self._own[0] == now

    def docs_of(self, table: str, keys: list[str]) -> dict[str, dict[str, Any]] | None:
        """The current documents of ``keys`` (those that exist), without parsing the file.

        None when this can only be answered by a full read (see
        :meth:`_own_table`). Call under the lock if a change follows.
        """
        located = self._own_table(table)
        if located is None:
            return None
        found = canonical_json.entries(located, keys)
        changes = self._journal_changes()
        if found is None or changes is None or not self._still_own():
            self._forget()
            return None
        wanted = set(keys)
        for key, doc in changes.get(table, {}).items():
            if key in wanted:
                if isinstance(doc, dict):
                    found[key] = doc
                else:
                    found.pop(key, None)
        return {key: doc for key, doc in found.items() if isinstance(doc, dict)}

    def _drop_journal(self) -> None:
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(describe_os_error(exc, self.journal_path, "remove")) from exc
        else:
            with contextlib.suppress(OSError):
                fsync_dir(self.journal_path.parent)
        self._journal_id, self._journal_good, self.journal_entries = None, 0, 0

    def append(
        self, table: str, changes: dict[str, dict[str, Any] | None], *, unparsed: bool = False
    ) -> None:
        """Durably record new versions of some documents (None deletes). Call under the lock.

        On any failure the journal is cut back to where it was, so a change
        reported as failed never shows up later. ``unparsed``: the documents
        came from :meth:`docs_of` under the same lock, which measured the
        journal; nothing is parsed, and nothing parsed is kept current.
        """
        data = None if unparsed else (self.read() or {})
        try:
            line = orjson.dumps({"t": table, "c": changes}) + b"\n"
        except TypeError as exc:  # lone surrogates and the like
            raise StorageError(
                f"cannot save {self.path}: the change cannot be written as JSON ({exc})"
            ) from exc
        st = self._journal_stat()
        try:
            check_folders(self.journal_path, self.root)
            self.journal_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.journal_path, _APPEND_FLAGS, 0o600)
            start: int | None = None
            try:
                kind = os.fstat(fd).st_mode
                if not stat.S_ISREG(kind):
                    raise self._odd_journal(kind)
                os.set_blocking(fd, True)
                try:
                    if st is not None and st.st_size != self._journal_good:
                        os.ftruncate(fd, self._journal_good)  # cut a torn line off
                    start = os.lseek(fd, 0, os.SEEK_END)
                    # Readers count only lines that end in a newline, so until
                    # it is written the line can be cut back unseen; after it,
                    # another process may have replayed it and it must stay.
                    _write_all(fd, line[:-1])
                    os.fsync(fd)
                    _write_all(fd, b"\n")
                except BaseException:
                    if start is not None:
                        with contextlib.suppress(OSError):
                            os.ftruncate(fd, start)
                    raise
                try:
                    os.fsync(fd)
                except OSError as exc:
                    raise StorageError(
                        describe_os_error(exc, self.journal_path, "sync")
                        + "; the change may not be saved"
                    ) from exc
                after = os.fstat(fd)
            finally:
                os.close(fd)
            if st is None:
                fsync_dir(self.journal_path.parent)
        except OSError as exc:
            self._cache, self._signature, self._merged = None, None, None
            if exc.errno == errno.ELOOP:
                raise self._odd_journal(stat.S_IFLNK) from None
            raise StorageError(describe_os_error(exc, self.journal_path, "save")) from exc
        self._journal_good = after.st_size
        self.journal_entries += 1
        if data is None:
            return
        apply_changes(data, table, changes)
        self._merged = data
        self._journal_id = (after.st_ino, after.st_size)

    def compact(self) -> None:
        """Fold the journal into the snapshot. Call under the lock."""
        if self._journal_stat() is None:
            return
        if self._cache is None and self._fold_own_table():
            return
        data = self.read()
        self.write(data if data is not None else {})

    def _fold_own_table(self) -> bool:
        """Fold by splicing the changed documents into our own file; False if it must be parsed."""
        changes = self._journal_changes()
        if changes is None or len(changes) != 1:
            return False
        [(table, docs)] = changes.items()
        located = self._own_table(table)
        changed = canonical_json.with_changes(located, docs) if located is not None else None
        if changed is None:
            return False
        try:
            st = self.save_bytes(changed.raw)
        finally:
            self._cache, self._signature, self._merged = None, None, None
        self._stamp(signature_of(st), {table: changed.span})
        self._drop_journal()
        return True

    @property
    def signature(self) -> tuple[Any, ...] | None:  # type: ignore[override]
        base = super().signature
        return (base, self._journal_id)
