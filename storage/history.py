"""A user's undo history: one fsynced line per step, so undo outlives a crash or a restart.

Each step records, for every item it touched, the annotation before and
after (as stored documents). Undo and redo are further lines that name a
step; the stacks are worked out by replaying the file, so an append is the
only write a change costs. The file is the user's own (``.history/NAME.log``)
and is compacted to the newest ``KEEP`` steps once it grows past twice that.

The file is read as hostile like every other: a damaged line is skipped with
a warning, a file that is not a regular file is refused, and reads are capped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from storage.atomic import StorageError, atomic_write, fsync_dir
from storage.lock import FileLock
from storage.paths import DataDir, validate_user

#: Steps kept after compaction; at least the 100 the undo promise needs.
KEEP = 200
MAX_BYTES = 64 * 1024 * 1024
Doc = dict[str, Any]


@dataclass(frozen=True)
class Record:
    """One item in a step: its annotation document before and after (None: nothing said)."""

    item: str
    before: Doc | None
    after: Doc | None


@dataclass(frozen=True)
class Step:
    id: int
    label: str
    at: str
    records: list[Record] = field(default_factory=list)
    #: Items the step took out of the library (``Item.to_dict``), to put back on undo.
    removed: list[Doc] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [r.item for r in self.records] + [str(d.get("id")) for d in self.removed]


@dataclass
class Stacks:
    done: list[Step] = field(default_factory=list)  # oldest first; the last is undone next
    undone: list[Step] = field(default_factory=list)  # the last is redone next


def _step_json(step: Step) -> Doc:
    return {
        "id": step.id,
        "label": step.label,
        "at": step.at,
        "records": [{"item": r.item, "before": r.before, "after": r.after} for r in step.records],
        **({"removed": step.removed} if step.removed else {}),
    }


def _step_from(data: Any) -> Step:
    if not isinstance(data, dict):
        raise ValueError("a step is an object")
    records = []
    for raw in data.get("records") or []:
        item = raw.get("item") if isinstance(raw, dict) else None
        if not isinstance(item, str):
            raise ValueError("a record names no item")
        before, after = raw.get("before"), raw.get("after")
        if not all(d is None or isinstance(d, dict) for d in (before, after)):
            raise ValueError("a record's states are not objects")
        records.append(Record(item, before, after))
    step_id, label, at = data.get("id"), data.get("label"), data.get("at")
    if not isinstance(step_id, int) or not isinstance(label, str) or not isinstance(at, str):
        raise ValueError("a step needs an id, a label and a time")
    removed = data.get("removed") or []
    if not isinstance(removed, list) or not all(
        isinstance(d, dict) and isinstance(d.get("id"), str) for d in removed
    ):
        raise ValueError("a step's removed items are not item objects")
    return Step(step_id, label, at, records, removed)


class History:
    def __init__(self, dirs: DataDir, user: str, warn: Callable[[str], None] | None = None):
        self.user = validate_user(user)
        self.folder = dirs.root / ".history"
        self.path = self.folder / f"{self.user}.log"
        self.lock = FileLock(dirs.lock_dir / f"history-{self.user}.lock")
        self._warn = warn

    # -- reading -------------------------------------------------------------

    def _read(self) -> list[Doc]:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"cannot read your undo history {self.path.name!r}: {exc}") from exc
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise StorageError(f"your undo history {self.path.name!r} is not a regular file")
            if info.st_size > MAX_BYTES:
                raise StorageError(f"your undo history is over {MAX_BYTES >> 20} MB; remove it")
            data = os.read(fd, info.st_size) if info.st_size else b""
        finally:
            os.close(fd)
        entries: list[Doc] = []
        end = data.rfind(b"\n") + 1  # a torn last line was never acknowledged
        damaged = 0
        for line in data[:end].splitlines():
            try:
                entry = orjson.loads(line)
                if not isinstance(entry, dict) or entry.get("op") not in {"do", "undo", "redo"}:
                    raise ValueError("unknown entry")
                entries.append(entry)
            except ValueError:
                damaged += 1
        if damaged and self._warn is not None:
            self._warn(f"skipped {damaged} damaged line(s) of your undo history")
        return entries

    def stacks(self) -> Stacks:
        """The steps that can be undone and redone now, by replaying the file."""
        stacks = Stacks()
        for entry in self._read():
            op = entry["op"]
            if op == "do":
                try:
                    stacks.done.append(_step_from(entry.get("step")))
                except ValueError:
                    continue
                stacks.undone.clear()  # a new change ends what could be redone
            elif op == "undo" and stacks.done and stacks.done[-1].id == entry.get("id"):
                stacks.undone.append(stacks.done.pop())
            elif op == "redo" and stacks.undone and stacks.undone[-1].id == entry.get("id"):
                stacks.done.append(stacks.undone.pop())
        return stacks

    # -- writing -------------------------------------------------------------

    def _append(self, entry: Doc) -> None:
        line = orjson.dumps(entry) + b"\n"
        new = not self.path.exists()
        self.folder.mkdir(mode=0o700, exist_ok=True)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot keep your undo history: {exc.strerror}") from exc
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StorageError(f"your undo history {self.path.name!r} is not a regular file")
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:
            fsync_dir(self.folder)

    def record(
        self, label: str, at: str, records: list[Record], removed: list[Doc] | None = None
    ) -> Step | None:
        """Keep a step that changed something; None when nothing did."""
        if not records and not removed:
            return None
        with self.lock.held():
            entries = self._read()
            last = max((e.get("step", {}).get("id", 0) for e in entries if e["op"] == "do"),
                       default=0)  # fmt: skip
            number = int(last) + 1 if isinstance(last, int) else 1
            step = Step(number, label, at, records, list(removed or []))
            self._append({"op": "do", "step": _step_json(step)})
            if sum(1 for e in entries if e["op"] == "do") > 2 * KEEP:
                self._compact()
        return step

    def mark(self, op: str, step: Step) -> None:
        """Say that ``step`` was undone (``op='undo'``) or redone (``'redo'``)."""
        with self.lock.held():
            self._append({"op": op, "id": step.id})

    def _compact(self) -> None:
        """Keep the newest ``KEEP`` steps that can be undone, and every one that can be redone."""
        stacks = self.stacks()
        # undone[-1] is the step undone last: the newest steps, in their order, are
        # reversed(undone); writing them done and then undoing them in the order
        # they were undone gives the same stacks back.
        kept = stacks.done[-KEEP:] + list(reversed(stacks.undone))
        lines: list[Doc] = [{"op": "do", "step": _step_json(s)} for s in kept]
        lines += [{"op": "undo", "id": s.id} for s in stacks.undone]
        data = b"".join(orjson.dumps(line) + b"\n" for line in lines)
        atomic_write(self.path, data)
