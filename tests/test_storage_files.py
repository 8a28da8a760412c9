"""The crash-safe storage and per-user annotation files, reopened from disk."""

from __future__ import annotations

import os
import stat

import orjson
import pytest
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from storage.annotations import AnnotationStore, read_other_users
from storage.atomic import StorageError, atomic_write, clean_temp_files
from storage.jsonstore import SafeJSONStorage
from storage.model import Annotation, Note
from storage.paths import validate_user
from storage.tables import KeyedDB


@pytest.fixture
def data_dir(data_dirs):
    return data_dirs


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "f.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_failed_replace_keeps_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    atomic_write(target, b"old")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(StorageError, match="disk is full"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_clean_temp_files_removes_dead_writers_leftovers(tmp_path):
    dead = tmp_path / ".shelf-x.json.999999999.abcd.tmp"
    dead.write_bytes(b"partial")
    mine_live = tmp_path / f".shelf-x.json.{os.getppid()}.abcd.tmp"
    mine_live.write_bytes(b"in progress")
    removed = clean_temp_files(tmp_path)
    assert dead in removed and not dead.exists()
    assert mine_live.exists()


@pytest.mark.parametrize("storage_kind", ["memory", "safe-json"])
def test_keyed_tables_behave_alike_on_memory_and_json(tmp_path, storage_kind):
    if storage_kind == "memory":
        db = KeyedDB(storage=MemoryStorage)
    else:
        db = KeyedDB(tmp_path / "db.json", storage=SafeJSONStorage)
    table = db.keyed("items")
    table.apply(lambda t: t.update({"abc": {"n": 1}, "def": {"n": 2}}))
    table.apply(lambda t: t.pop("abc"))
    assert dict(table.raw()) == {"def": {"n": 2}}
    assert table.get(doc_id="def") == {"n": 2}


def test_safe_storage_reopens_from_disk(tmp_path):
    path = tmp_path / "db.json"
    db = KeyedDB(path, storage=SafeJSONStorage)
    db.keyed("t").apply(lambda t: t.update({"k": {"v": "x"}}))
    again = KeyedDB(path, storage=SafeJSONStorage)
    assert dict(again.keyed("t").raw()) == {"k": {"v": "x"}}


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b'{"t": {"k": {"v": 1}', "not valid JSON"),
        (b"[1, 2]", "top level is a list"),
        (b'{"t": {"k": NaN}}', "not valid JSON"),
        (b"\xff\xfe garbage", "not valid JSON"),
    ],
)
def test_corrupt_file_is_kept_aside_and_backup_restored(tmp_path, content, reason):
    path = tmp_path / "db.json"
    warnings: list[str] = []
    make = lambda: SafeJSONStorage(path, backup_dir=tmp_path / "bak", warn=warnings.append)  # noqa: E731
    db = TinyDB(storage=make)
    db.table("t").insert({"v": 1})
    db.table("t").insert({"v": 2})  # second write: a backup of the first exists
    path.write_bytes(content)
    reopened = TinyDB(storage=make)
    assert [d["v"] for d in reopened.table("t").all()] == [1]
    assert len(warnings) == 1 and reason in warnings[0] and "restored the backup" in warnings[0]
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("db.json.corrupt-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content


def test_corrupt_file_without_backup_starts_empty_and_keeps_original(tmp_path):
    path = tmp_path / "db.json"
    path.write_bytes(b"{broken")
    warnings: list[str] = []
    db = TinyDB(storage=lambda: SafeJSONStorage(path, warn=warnings.append))
    assert db.table("t").all() == []
    assert "no good backup" in warnings[0]
    assert (
        tmp_path / next(p.name for p in tmp_path.iterdir() if "corrupt" in p.name)
    ).read_bytes() == b"{broken"


def test_bom_prefixed_file_is_read(tmp_path):
    path = tmp_path / "db.json"
    path.write_bytes(b"\xef\xbb\xbf" + orjson.dumps({"t": {"1": {"v": 3}}}))
    db = TinyDB(storage=lambda: SafeJSONStorage(path))
    assert db.table("t").all() == [{"v": 3}]


def test_annotations_persist_and_are_private(data_dir):
    store = AnnotationStore(data_dir, "alice")

    def edit(ann: Annotation) -> bool:
        ann.tags = ["rlhf"]
        ann.notes = [Note("good", "2026-01-01T00:00:00Z")]
        ann.status = "read"
        return True

    store.change(["abc123"], edit, titles={"abc123": "A title"})
    again = AnnotationStore(data_dir, "alice")
    ann = again.get("abc123")
    assert ann.tags == ["rlhf"] and ann.status == "read" and ann.notes[0].text == "good"
    mode = stat.S_IMODE(os.stat(data_dir.annotation_file("alice")).st_mode)
    assert mode == 0o600
    raw = orjson.loads(data_dir.annotation_file("alice").read_bytes())
    assert raw["annotations"]["abc123"]["about"] == "A title"
    assert raw["meta"]["format"]["version"] == 1
    text = data_dir.annotation_file("alice").read_text()
    assert text.index('"about"') < text.index('"notes"') < text.index('"status"')


def test_change_rereads_file_written_by_another_store(data_dir):
    one = AnnotationStore(data_dir, "alice")
    two = AnnotationStore(data_dir, "alice")
    one.all()
    two.change(["x"], lambda a: a.tags.append("a") or True)
    one.change(["y"], lambda a: a.tags.append("b") or True)
    assert set(AnnotationStore(data_dir, "alice").all()) == {"x", "y"}
    assert one.get("x").tags == ["a"]


def test_other_users_are_read_not_written(data_dir):
    AnnotationStore(data_dir, "bob").change(["x"], lambda a: a.tags.append("t") or True)
    before = data_dir.annotation_file("bob").read_bytes()
    others = read_other_users(data_dir, "alice", warn=lambda m: None)
    assert others["bob"]["x"].tags == ["t"]
    assert data_dir.annotation_file("bob").read_bytes() == before


@pytest.mark.parametrize("name", ["", "..", ".", "../x", "/x", "a/b", "a\\b", "-rf", ".hidden"])
def test_unsafe_user_names_are_refused(name):
    with pytest.raises(StorageError):
        validate_user(name)


def test_ordinary_user_names_are_accepted():
    assert validate_user("alice") == "alice"
    assert validate_user("j.doe-2") == "j.doe-2"
