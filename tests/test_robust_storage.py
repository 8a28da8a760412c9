"""The storage layer under stress it should never see: races, stale caches,
damaged files, odd file systems. Each test names the failure it rules out."""

from __future__ import annotations

import errno
import os
import stat
import threading

import orjson
import pytest

from storage.atomic import StorageError, atomic_write, fsync_dir
from storage.jsonstore import SafeJSONStorage, decode
from storage.lock import FileLock
from storage.tables import KeyedDB
from tests.robust_helpers import FaultPlan, corrupt_files, path_endswith, temp_files


def make_db(path, backups_dir, warnings=None, **kwargs):
    storage = SafeJSONStorage(
        path,
        backup_dir=backups_dir,
        warn=(warnings.append if warnings is not None else None),
        **kwargs,
    )
    return KeyedDB(storage=lambda: storage), storage


def put(db, key, value):
    db.keyed("t").apply(lambda t: t.__setitem__(key, {"v": value}))


def values(db):
    return {k: d["v"] for k, d in db.keyed("t").raw().items()}


# -- caches ------------------------------------------------------------------


def test_in_place_edit_with_same_size_and_restored_mtime_is_seen(tmp_path):
    """The parse cache must not serve an old version that merely looks the same."""
    path = tmp_path / "db.json"
    one, _ = make_db(path, tmp_path / "bak")
    put(one, "1", "aaaa")
    assert values(one) == {"1": "aaaa"}
    st = os.stat(path)
    raw = path.read_bytes().replace(b"aaaa", b"bbbb")
    with open(path, "r+b") as handle:  # same inode, same size
        handle.write(raw)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime too
    assert values(one) == {"1": "bbbb"}


def test_unencodable_text_is_a_clear_error_and_the_cache_stays_true(tmp_path):
    """A lone surrogate (from argv bytes) must not poison the in-memory copy."""
    path = tmp_path / "db.json"
    db, storage = make_db(path, tmp_path / "bak")
    put(db, "1", "fine")
    before = path.read_bytes()
    with pytest.raises(StorageError, match="cannot be written as JSON"):
        put(db, "2", "bad \udcff")
    assert path.read_bytes() == before
    assert values(db) == {"1": "fine"}
    assert storage.read() == decode(before)


def test_read_pairs_bytes_and_identity_from_one_open_file(tmp_path, monkeypatch):
    """A replace between stat and read must not cache new bytes under an old identity."""
    path = tmp_path / "db.json"
    db, storage = make_db(path, tmp_path / "bak")
    put(db, "1", "old")
    other, _ = make_db(path, tmp_path / "bak")
    real_fstat = os.fstat
    swapped = {"done": False}

    def fstat_then_replace(fd):
        result = real_fstat(fd)
        if not swapped["done"] and fd != -1:
            swapped["done"] = True
            put(other, "1", "new")  # lands between our look and our read
        return result

    storage.close()
    monkeypatch.setattr(os, "fstat", fstat_then_replace)
    first = values(db)
    monkeypatch.setattr(os, "fstat", real_fstat)
    assert first in ({"1": "old"}, {"1": "new"})
    assert values(db) == {"1": "new"}


# -- backups -----------------------------------------------------------------


def test_backups_keep_three_distinct_previous_versions(tmp_path):
    path = tmp_path / "db.json"
    backups = tmp_path / "bak"
    db, storage = make_db(path, backups)
    for i in range(10):
        put(db, "n", i)
    names = sorted(p.name for p in backups.iterdir() if not p.name.endswith(".lock"))
    assert names == ["db.json.1", "db.json.2", "db.json.3"]
    kept = [orjson.loads(storage.backup_path(g).read_bytes())["t"]["n"]["v"] for g in (1, 2, 3)]
    assert kept == [8, 7, 6]
    inodes = {os.stat(p).st_ino for p in [path, *backups.glob("db.json.?")]}
    assert len(inodes) == 4, "each generation is its own file"


def test_failed_save_leaves_the_live_file_unshared_with_backups(tmp_path, monkeypatch):
    """An editor that rewrites a hard-linked file in place must not damage a backup too."""
    path = tmp_path / "db.json"
    db, storage = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    put(db, "n", 2)
    FaultPlan(monkeypatch).fail("replace", errno.ENOSPC, when=path_endswith("db.json"))
    with pytest.raises(StorageError, match="disk is full"):
        put(db, "n", 3)
    assert os.stat(path).st_nlink == 1
    assert not storage.backup_path(0).exists()
    assert orjson.loads(storage.backup_path(1).read_bytes())["t"]["n"]["v"] == 1


def test_damage_in_place_restores_the_newest_previous_version(tmp_path):
    path = tmp_path / "db.json"
    warnings: list[str] = []
    db, _ = make_db(path, tmp_path / "bak", warnings)
    for i in range(4):
        put(db, "n", i)
    with open(path, "r+b") as handle:  # vim writes hard-linked files in place
        handle.truncate(5)
    reopened, _ = make_db(path, tmp_path / "bak", warnings)
    assert values(reopened) == {"n": 2}
    assert len(warnings) == 1 and "kept it as db.json.corrupt-" in warnings[0]


def test_writer_killed_between_link_and_rename_leaves_no_shared_backup(tmp_path):
    """A stale generation 0 that is the live file is dropped, not rotated in."""
    path = tmp_path / "db.json"
    db, storage = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    put(db, "n", 2)
    os.link(path, storage.backup_path(0))  # as a writer killed before its rename left it
    put(db, "n", 3)
    versions = [orjson.loads(storage.backup_path(g).read_bytes())["t"]["n"]["v"] for g in (1, 2)]
    assert versions == [2, 1]
    assert os.stat(path).st_nlink == 1 and not storage.backup_path(0).exists()


def test_writer_killed_after_rename_keeps_its_previous_version(tmp_path):
    """A stale generation 0 that is an older version is rotated in, not thrown away."""
    path = tmp_path / "db.json"
    db, storage = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    previous = tmp_path / "previous"
    os.link(path, previous)
    put(db, "n", 2)
    os.replace(previous, storage.backup_path(0))  # killed after rename, before rotating
    put(db, "n", 3)
    assert orjson.loads(storage.backup_path(1).read_bytes())["t"]["n"]["v"] == 2
    assert {orjson.loads(storage.backup_path(g).read_bytes())["t"]["n"]["v"] for g in (2, 3)} == {1}


# -- recovery ------------------------------------------------------------------


def test_recovery_never_reuses_an_existing_corrupt_name(tmp_path, monkeypatch):
    import storage.jsonstore as jsonstore

    monkeypatch.setattr(jsonstore, "_stamp", lambda when=None: "20260101T000000")
    path = tmp_path / "db.json"
    db, _ = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    put(db, "n", 2)
    older = tmp_path / "db.json.corrupt-20260101T000000"
    older.write_bytes(b"an earlier damaged file")
    path.write_bytes(b"{oops")
    reopened, _ = make_db(path, tmp_path / "bak")
    assert values(reopened) == {"n": 1}
    assert older.read_bytes() == b"an earlier damaged file"
    assert (tmp_path / "db.json.corrupt-20260101T000000-1").read_bytes() == b"{oops"


def test_crash_between_keeping_aside_and_restoring_does_not_pile_up_copies(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    db, _ = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    put(db, "n", 2)
    path.write_bytes(b"{oops")

    class Crash(BaseException):
        pass

    plan = FaultPlan(monkeypatch)
    plan.fail("fsync", Crash(), times=1, after=1)  # the fsync of the restored copy
    with pytest.raises(Crash):
        values(make_db(path, tmp_path / "bak")[0])
    monkeypatch.undo()
    assert path.read_bytes() == b"{oops" and temp_files(tmp_path) == []
    warnings: list[str] = []
    reopened, _ = make_db(path, tmp_path / "bak", warnings)
    assert values(reopened) == {"n": 1}
    kept = corrupt_files(tmp_path)
    assert len(kept) == 1 and kept[0].read_bytes() == b"{oops"


def test_two_processes_recovering_at_once_keep_one_copy_and_lose_no_save(tmp_path, monkeypatch):
    """A save that lands while another reader is about to recover must not be moved aside."""
    path = tmp_path / "db.json"
    warnings: list[str] = []
    writer, _ = make_db(path, tmp_path / "bak")
    put(writer, "n", 1)
    put(writer, "n", 2)
    path.write_bytes(b"{damaged")
    reader, reader_storage = make_db(path, tmp_path / "bak", warnings)
    fixer, _ = make_db(path, tmp_path / "bak")
    real = SafeJSONStorage._recover

    def someone_else_first(self, reason, damaged):
        if self is reader_storage:
            # Another process got the lock first: it recovered, then saved a change.
            put(fixer, "n", 99)
        return real(self, reason, damaged)

    monkeypatch.setattr(SafeJSONStorage, "_recover", someone_else_first)
    assert values(reader) == {"n": 99}
    assert len(corrupt_files(tmp_path)) == 1, "only the other process kept a copy"
    assert warnings == [], "this reader had nothing to recover"


def test_damaged_file_in_a_folder_that_cannot_keep_it_is_left_alone(tmp_path, monkeypatch):
    """No way to keep the original aside: show the backup read-only, refuse to save over it."""
    path = tmp_path / "db.json"
    warnings: list[str] = []
    db, _ = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    put(db, "n", 2)
    path.write_bytes(b"\x00\x01 binary garbage")
    plan = FaultPlan(monkeypatch)
    plan.fail("link", errno.EROFS)
    plan.fail("open", errno.EROFS, when=lambda p, flags, *a, **k: bool(flags & os.O_CREAT))
    reopened, _ = make_db(path, tmp_path / "bak", warnings)
    assert values(reopened) == {"n": 1}
    assert len(warnings) == 1 and "could not be kept aside" in warnings[0]
    assert "read-only" in warnings[0] and "\n" not in warnings[0]
    with pytest.raises(StorageError, match="not saved until it is fixed"):
        put(reopened, "n", 3)
    assert path.read_bytes() == b"\x00\x01 binary garbage"
    assert values(reopened) == {"n": 1}, "no repeated warning, same data"
    assert len(warnings) == 1


def test_file_system_without_hard_links_keeps_a_copy(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    warnings: list[str] = []
    db, _ = make_db(path, tmp_path / "bak")
    put(db, "n", 1)
    put(db, "n", 2)
    path.write_bytes(b"[1, 2")
    FaultPlan(monkeypatch).fail("link", errno.EPERM, when=path_endswith("db.json"))
    reopened, _ = make_db(path, tmp_path / "bak", warnings)
    assert values(reopened) == {"n": 1}
    assert [p.read_bytes() for p in corrupt_files(tmp_path)] == [b"[1, 2"]


# -- atomic_write and locks ----------------------------------------------------


def test_atomic_write_refuses_a_symlink_and_leaves_link_and_target_alone(tmp_path):
    """A link may have come from a teammate's commit: never write through it or cut it."""
    real = tmp_path / "git-checkout" / "alice.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "alice.json"
    link.symlink_to(real)
    with pytest.raises(StorageError, match="symbolic link"):
        atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"old"
    assert temp_files(tmp_path) == []


def test_atomic_write_keeps_the_replaced_files_permissions(tmp_path):
    target = tmp_path / "export.md"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_atomic_write_with_a_very_long_name(tmp_path):
    target = tmp_path / ("x" * 250)
    atomic_write(target, b"data")
    assert target.read_bytes() == b"data" and temp_files(tmp_path) == []


def test_folder_sync_unsupported_by_the_file_system_is_not_an_error(tmp_path, monkeypatch):
    real_fsync = os.fsync

    def no_dir_sync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", no_dir_sync)
    atomic_write(tmp_path / "f", b"x")
    fsync_dir(tmp_path)
    assert (tmp_path / "f").read_bytes() == b"x"


def test_lock_on_a_read_only_folder_uses_the_existing_lock_file(tmp_path, monkeypatch):
    lock_path = tmp_path / "locks" / "user.lock"
    with FileLock(lock_path).held():
        pass
    FaultPlan(monkeypatch).fail(
        "open", errno.EROFS, when=lambda p, flags, *a, **k: bool(flags & os.O_RDWR)
    )
    with FileLock(lock_path).held():
        pass
    with (
        pytest.raises(StorageError, match="cannot lock .*read-only"),
        FileLock(tmp_path / "locks" / "other.lock").held(),
    ):
        pass


def test_lock_excludes_another_instance_in_the_same_process(tmp_path):
    """Two Shelf objects in one process each have their own lock; they must still exclude."""
    one, two = FileLock(tmp_path / "l"), FileLock(tmp_path / "l")
    order: list[str] = []
    with one.held():
        worker = threading.Thread(target=lambda: (two.held().__enter__(), order.append("two")))
        worker.start()
        worker.join(0.2)
        order.append("one done")
    worker.join(2)
    assert order == ["one done", "two"]


def test_lock_is_reentrant_for_the_holder(tmp_path):
    lock = FileLock(tmp_path / "l")
    with lock.held(), lock.held():
        assert lock.is_held
    assert not lock.is_held


def test_damaged_file_behind_a_symlink_is_refused_not_recovered_through_the_link(tmp_path):
    real = tmp_path / "checkout" / "db.json"
    real.parent.mkdir()
    real.write_bytes(b"{damaged")
    link = tmp_path / "db.json"
    link.symlink_to(real)
    db, _ = make_db(link, None)
    with pytest.raises(StorageError, match="symbolic link"):
        values(db)
    with pytest.raises(StorageError, match="symbolic link"):
        put(db, "n", 1)
    assert link.is_symlink() and real.read_bytes() == b"{damaged"
    assert corrupt_files(tmp_path) == []


def test_shelves_dropped_by_a_long_running_process_are_freed(tmp_path):
    import gc
    import weakref

    from storage.shelf import Shelf

    root = tmp_path / "data"
    Shelf(root, "alice")
    refs = []
    for _ in range(5):
        shelf = Shelf(root, "alice", import_bundled=False)
        shelf.items(with_text=False)
        refs.append(weakref.ref(shelf))
        del shelf
    gc.collect()
    assert [r for r in refs if r() is not None] == []
