"""The annotation journal when things go wrong, and who may read the files.

Each test names the failure it guards against in its docstring or asserts.
"""

from __future__ import annotations

import os
import stat
import time

import pytest

from storage.annotations import AnnotationStore, journal_file
from storage.paths import DataDir
from tests.robust_helpers import corrupt_files


@pytest.fixture
def data_dir(data_dirs):
    return data_dirs


def tag(store: AnnotationStore, item_id: str, name: str) -> None:
    store.change([item_id], lambda a: (a.tags.append(name), True)[1])


def damaged_journal(data_dir: DataDir) -> bytes:
    """alice's journal with one good line, then damage, then more."""
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "in-file")  # creates the readable file
    tag(store, "b", "journalled")  # one journal line
    journal = journal_file(data_dir, "alice")
    good = journal.read_bytes()
    raw = good + b"this line is damaged\n" + good
    journal.write_bytes(raw)
    return raw


def test_changes_before_a_damaged_journal_line_survive_the_next_start(data_dir):
    damaged_journal(data_dir)
    warnings: list[str] = []
    first = AnnotationStore(data_dir, "alice", warn=warnings.append)
    assert first.get("b").tags == ["journalled"]
    assert len(warnings) == 1
    assert AnnotationStore(data_dir, "alice").get("b").tags == ["journalled"]


def test_quarantine_does_not_move_aside_a_change_appended_meanwhile(data_dir, monkeypatch):
    import storage.journal as journal

    damaged_journal(data_dir)
    writer = AnnotationStore(data_dir, "alice")
    reader = AnnotationStore(data_dir, "alice")
    real_replay = journal.replay
    armed = {"yes": True}

    def replay(data, chunk):
        result = real_replay(data, chunk)
        if result[2] and armed["yes"]:
            # The reader has just found the damage; before it acts, another
            # process deals with it and saves a change the user was told about.
            armed["yes"] = False
            tag(writer, "c", "acknowledged")
        return result

    monkeypatch.setattr(journal, "replay", replay)
    reader.all()
    monkeypatch.undo()
    assert AnnotationStore(data_dir, "alice").get("c").tags == ["acknowledged"]


def test_quarantine_never_overwrites_an_earlier_kept_journal(data_dir):
    raw = damaged_journal(data_dir)
    journal = journal_file(data_dir, "alice")
    earlier = {}
    now = time.time()
    for offset in (0, 1, 2):  # whatever second the quarantine happens in
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now + offset))
        path = journal.with_name(f"{journal.name}.corrupt-{stamp}")
        path.write_bytes(f"kept earlier {offset}".encode())
        earlier[path] = path.read_bytes()
    AnnotationStore(data_dir, "alice").all()
    for path, content in earlier.items():
        assert path.read_bytes() == content
    assert any(p.read_bytes() == raw for p in corrupt_files(data_dir.root))


# -- who may read the files -------------------------------------------------------------


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_annotation_files_are_owner_only_whatever_the_umask(data_dir):
    old = os.umask(0)
    try:
        store = AnnotationStore(data_dir, "alice")
        tag(store, "a", "x")  # the readable file
        tag(store, "b", "y")  # the journal
        journal = journal_file(data_dir, "alice")
        assert mode(store.path) == 0o600
        assert mode(journal) == 0o600
        store.flush()
        tag(store, "c", "z")
        store.flush()
        assert mode(store.path) == 0o600
        for backup in (data_dir.backup_dir / "annotations").glob("alice.json.[0-9]"):
            assert mode(backup) == 0o600, backup
        for lock in data_dir.lock_dir.glob("*.lock"):
            assert mode(lock) == 0o600
    finally:
        os.umask(old)


def test_a_hand_made_world_readable_annotation_file_becomes_owner_only(data_dir):
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "x")
    store.path.chmod(0o644)  # copied in, or checked out of git
    tag(store, "b", "y")
    store.flush()
    assert mode(store.path) == 0o600


def test_a_damaged_annotation_file_kept_aside_stays_owner_only(data_dir):
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "x")
    tag(store, "b", "y")
    store.flush()
    store.path.write_bytes(b"{damaged")
    store.path.chmod(0o600)
    AnnotationStore(data_dir, "alice").all()
    kept = corrupt_files(data_dir.root)
    assert len(kept) == 1 and mode(kept[0]) == 0o600
    assert mode(store.path) == 0o600


def test_a_failed_append_seen_by_a_reader_does_not_cost_the_next_change(data_dir, monkeypatch):
    writer = AnnotationStore(data_dir, "alice")
    reader = AnnotationStore(data_dir, "alice")
    tag(writer, "a", "in-file")
    tag(writer, "a", "journalled")
    reader.all()
    real_fsync = os.fsync
    journal = journal_file(data_dir, "alice")
    failed = {"yes": False}

    def fsync(fd):
        if not failed["yes"] and os.readlink(f"/proc/self/fd/{fd}") == str(journal):
            failed["yes"] = True
            reader.all()  # another process reads while the line is on the page cache
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    from storage.atomic import StorageError

    with pytest.raises(StorageError):
        tag(writer, "x", "failed")
    monkeypatch.undo()
    tag(writer, "y", "acknowledged, and longer than the failed change was")
    reader.all()  # the reader carries on from where it was
    fresh = AnnotationStore(data_dir, "alice")
    assert fresh.get("y").tags == ["acknowledged, and longer than the failed change was"]
    assert reader.get("y").tags == fresh.get("y").tags
