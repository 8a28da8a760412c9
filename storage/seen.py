"""What each user has looked at: the per-user state behind ``is:new``.

An item that arrived in the library (an import, ``shelf add``, a feed
refresh; see ``Item.arrived``) after the user last caught up is new to them
until they open or mark it. Each user's state is a small file of their own,
``seen/NAME.json``::

    {"format": {"name": "shelf-seen", "version": 1},
     "looked": "2026-12-06T20:15:58.123456Z",
     "opened": ["3f2a9c1b7d4e", ...]}

``looked`` is the watermark: what arrived at or before it is not new. It is
set when the file is first made (so a new user finds nothing new) and moved
on by catching up (``shelf seen --all``), which also empties ``opened``, the
items that arrived after it and were opened or marked since. Only such
items are recorded, so the file stays as small as what arrived since the
user last caught up.

It is kept apart from the annotation file, which is rewritten whole: opening
an item writes these few bytes, never the annotations. Like every file in
the data folder it is read as if a stranger wrote it: never through a link,
at most :data:`MAX_SEEN_BYTES`, and a file that does not read (bad JSON,
wrong shape, too large) is kept aside as ``NAME.json.corrupt-TIME`` with a
one-line warning, and the user starts caught up. Nothing else of the user's
is touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storage.atomic import StorageError, atomic_write
from storage.file_names import safe_name
from storage.lock import FileLock
from storage.paths import DataDir, validate_user
from storage.safe_files import (
    NotRegularFile,
    TooLarge,
    check_folders,
    lexists_regular,
    read_regular,
)

__all__ = [
    "MAX_SEEN_BYTES",
    "MAX_OPENED",
    "SEEN_FORMAT",
    "SeenFile",
    "SeenState",
    "arrival_stamp",
]

SEEN_FORMAT = "shelf-seen"
SEEN_VERSION = 1
#: The largest seen file read: 100k ids at ~15 bytes each, with room to spare.
MAX_SEEN_BYTES = 4 * 1024 * 1024
#: Opened items kept at most; past it the oldest records give way (those items
#: turn new again, which is the safe side: nothing is hidden).
MAX_OPENED = 200_000
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
_ID = re.compile(r"[0-9A-Za-z_.:-]{1,64}")

Warn = Callable[[str], None]


def arrival_stamp(now: dt.datetime | None = None) -> str:
    """A UTC time to the microsecond, ``2026-12-06T20:15:58.123456Z``.

    Arrival stamps and watermarks are compared as strings, so both always
    come from here: one fixed width, one zone.
    """
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def valid_stamp(value: object) -> bool:
    return isinstance(value, str) and _STAMP.fullmatch(value) is not None


@dataclass(frozen=True)
class SeenState:
    """The watermark and the new items opened or marked since it."""

    looked: str
    opened: frozenset[str] = field(default_factory=frozenset)

    def is_new(self, arrived: str) -> bool:
        return bool(arrived) and arrived > self.looked


class SeenFile:
    """One user's ``seen/NAME.json``; read and changed under a lock of its own."""

    def __init__(self, dirs: DataDir, user: str, warn: Warn | None = None) -> None:
        self.root = dirs.root
        self.path = dirs.root / "seen" / f"{validate_user(user)}.json"
        self._lock = FileLock(dirs.lock_dir / f"seen-{validate_user(user)}.lock")
        self._warn = warn or (lambda message: None)
        self._memory: SeenState | None = None  # when the file cannot be used at all
        self._cached: tuple[tuple[int, int, int], SeenState] | None = None

    # -- reading -------------------------------------------------------------

    def signature(self) -> tuple[int, int, int] | None:
        try:
            st = os.lstat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def state(self) -> SeenState:
        """The user's state; made (and saved) the first time, so they start caught up."""
        if self._memory is not None:
            return self._memory
        signature = self.signature()
        if self._cached is not None and signature == self._cached[0]:
            return self._cached[1]
        try:
            with self._lock.held():
                return self._read_or_create()
        except StorageError:  # the lock or the file cannot be had: read-only, say
            self._give_up(None)
            assert self._memory is not None
            return self._memory

    def _read_or_create(self) -> SeenState:
        """Under the lock: the saved state, or a fresh one written now."""
        state = self._read()
        if state is None:
            state = SeenState(arrival_stamp())
            self._write(state)
        return state

    def _read(self) -> SeenState | None:
        """The saved state; None when there is none (or it was unreadable and set aside)."""
        try:
            raw = read_regular(self.path, root=self.root, limit=MAX_SEEN_BYTES)
        except NotRegularFile as exc:
            self._give_up(f"{exc}; what is new is not remembered this time")
            return None
        except TooLarge as exc:
            self._set_aside(str(exc))
            return None
        if raw is None:
            return None
        signature = self.signature()
        try:
            state = _parse(raw)
        except ValueError as exc:
            self._set_aside(f"it does not read ({exc})")
            return None
        if signature is not None:
            self._cached = (signature, state)
        return state

    def _give_up(self, message: str | None) -> None:
        """Keep the state in memory only from now on; ``message``: the one warning.

        A link or a damaged file is worth a warning; a folder that cannot be
        written (read-only, no space) is not: the command says what it could
        not do itself, and what is new is a convenience.
        """
        if message:
            self._warn(message)
        self._memory = SeenState(arrival_stamp())

    def _set_aside(self, reason: str) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        for suffix in range(1000):
            name = f"{self.path.name}.corrupt-{stamp}" + (f"-{suffix}" if suffix else "")
            kept = self.path.with_name(name)
            if os.path.lexists(kept):
                continue
            try:
                os.rename(self.path, kept)  # the file itself, never what a link names
            except OSError:
                break
            self._warn(
                f"{safe_name(self.path)}: {reason}; kept it as {kept.name} and "
                "starting with nothing new"
            )
            return
        self._give_up(f"{safe_name(self.path)}: {reason}, and it could not be set aside")

    # -- changing --------------------------------------------------------------

    def _write(self, state: SeenState) -> None:
        if self._memory is not None:
            self._memory = state
            return
        data = {
            "format": {"name": SEEN_FORMAT, "version": SEEN_VERSION},
            "looked": state.looked,
            "opened": sorted(state.opened),
        }
        try:
            check_folders(self.path, self.root)
            if os.path.lexists(self.path) and not lexists_regular(self.path):
                raise NotRegularFile(f"{safe_name(self.path)} is not a regular file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(data, indent=2).encode("utf-8"), 0o600)
        except NotRegularFile as exc:
            self._give_up(str(exc))
            self._memory = state
            return
        except (OSError, StorageError):
            self._give_up(None)
            self._memory = state
            return
        signature = self.signature()
        self._cached = (signature, state) if signature is not None else None

    def change(self, edit: Callable[[SeenState], SeenState | None]) -> SeenState:
        """Read, ``edit`` (None: no change) and save, under the lock."""
        if self._memory is not None:
            new = edit(self._memory)
            if new is not None:
                self._memory = new
            return self._memory
        try:
            with self._lock.held():
                state = self._read_or_create()
                if self._memory is not None:  # it turned out unusable
                    state = self._memory
                new = edit(state)
                if new is None:
                    return state
                self._write(new)
                return new
        except StorageError:
            self._give_up(None)
            return self.change(edit)

    def add_opened(self, item_ids: Iterable[str]) -> SeenState:
        """Record items as opened; ``item_ids`` should be ones that are new."""
        wanted = frozenset(item_ids)

        def edit(state: SeenState) -> SeenState | None:
            if wanted <= state.opened:
                return None
            opened = state.opened | wanted
            if len(opened) > MAX_OPENED:
                opened = frozenset(sorted(opened)[-MAX_OPENED:])
            return SeenState(state.looked, opened)

        return self.change(edit)

    def catch_up(self, now: str | None = None) -> SeenState:
        """Nothing that arrived until now is new any more."""
        looked = now or arrival_stamp()
        return self.change(lambda state: SeenState(max(looked, state.looked)))


def _parse(raw: bytes) -> SeenState:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    fmt = data.get("format")
    if not isinstance(fmt, dict) or fmt.get("name") != SEEN_FORMAT:
        raise ValueError("not a shelf seen file")
    version = fmt.get("version")
    if not isinstance(version, int) or version > SEEN_VERSION:
        raise ValueError(f"format version {version!r} is not one this shelf reads")
    looked = data.get("looked")
    if not valid_stamp(looked):
        raise ValueError("'looked' is not a time")
    assert isinstance(looked, str)
    opened = data.get("opened", [])
    if not isinstance(opened, list) or len(opened) > MAX_OPENED:
        raise ValueError("'opened' is not a list of ids")
    if not all(isinstance(i, str) and _ID.fullmatch(i) for i in opened):
        raise ValueError("'opened' holds something that is not an id")
    return SeenState(looked, frozenset(opened))


def seen_path(dirs: DataDir, user: str) -> Path:
    return dirs.root / "seen" / f"{validate_user(user)}.json"
