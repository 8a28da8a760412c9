"""Annotation changes go to a journal first; every path back from disk must agree."""

from __future__ import annotations

import orjson
import pytest

from storage.annotations import COMPACT_AFTER, AnnotationStore, journal_file, read_other_users


@pytest.fixture
def data_dir(data_dirs):
    return data_dirs


def tag(store: AnnotationStore, item_id: str, name: str) -> None:
    store.change([item_id], lambda a: (a.tags.append(name), True)[1])


def test_changes_after_the_first_go_to_the_journal_and_survive_reopen(data_dir):
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "one")  # creates the file
    snapshot = store.path.read_bytes()
    tag(store, "b", "two")
    tag(store, "a", "three")
    assert store.path.read_bytes() == snapshot, "a small change must not rewrite the file"
    assert journal_file(data_dir, "alice").exists()
    reopened = AnnotationStore(data_dir, "alice")
    assert reopened.get("a").tags == ["one", "three"] and reopened.get("b").tags == ["two"]


def test_flush_folds_the_journal_into_the_readable_file(data_dir):
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "one")
    tag(store, "b", "two")
    store.flush()
    assert not journal_file(data_dir, "alice").exists()
    raw = orjson.loads(store.path.read_bytes())
    assert raw["annotations"]["b"]["tags"] == ["two"]
    assert AnnotationStore(data_dir, "alice").get("b").tags == ["two"]


def test_journal_is_compacted_when_it_grows(data_dir):
    store = AnnotationStore(data_dir, "alice")
    for i in range(COMPACT_AFTER + 5):
        tag(store, f"id{i}", "t")
    assert store.storage.journal_entries < COMPACT_AFTER
    raw = orjson.loads(store.path.read_bytes())
    assert len(raw["annotations"]) >= COMPACT_AFTER
    assert len(AnnotationStore(data_dir, "alice").all()) == COMPACT_AFTER + 5


def test_torn_last_line_is_ignored_and_cut_before_next_append(data_dir):
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "one")
    tag(store, "b", "two")
    journal = journal_file(data_dir, "alice")
    with open(journal, "ab") as handle:
        handle.write(b'{"t": "annotations", "c": {"x": {"tags": ["ha')  # crash mid-append
    reopened = AnnotationStore(data_dir, "alice")
    assert set(reopened.all()) == {"a", "b"}
    tag(reopened, "c", "three")
    again = AnnotationStore(data_dir, "alice")
    assert set(again.all()) == {"a", "b", "c"}
    assert all(orjson.loads(line) for line in journal.read_bytes().splitlines())


def test_damaged_middle_line_is_kept_aside_and_earlier_changes_kept(data_dir):
    warnings: list[str] = []
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "one")
    tag(store, "b", "two")
    journal = journal_file(data_dir, "alice")
    good = journal.read_bytes()
    journal.write_bytes(good + b"garbage\n" + good)
    reopened = AnnotationStore(data_dir, "alice", warn=warnings.append)
    assert reopened.get("b").tags == ["two"]
    assert warnings and "damaged" in warnings[0]
    kept = [p for p in journal.parent.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == good + b"garbage\n" + good


def test_two_stores_see_each_others_journal_entries(data_dir):
    one = AnnotationStore(data_dir, "alice")
    two = AnnotationStore(data_dir, "alice")
    tag(one, "a", "one")
    assert two.get("a").tags == ["one"]
    tag(two, "a", "two")
    assert one.changed_on_disk()
    assert one.get("a").tags == ["one", "two"]
    tag(one, "b", "x")
    assert sorted(two.all()) == ["a", "b"]


def test_other_users_are_read_with_their_journal(data_dir):
    bob = AnnotationStore(data_dir, "bob")
    tag(bob, "a", "first")
    tag(bob, "a", "journalled")
    others = read_other_users(data_dir, "alice", warn=lambda m: None)
    assert others["bob"]["a"].tags == ["first", "journalled"]


def test_removing_everything_from_an_item_drops_its_block(data_dir):
    store = AnnotationStore(data_dir, "alice")
    tag(store, "a", "one")
    store.change(["a"], lambda a: (a.tags.clear(), True)[1])
    assert "a" not in AnnotationStore(data_dir, "alice").all()
    store.flush()
    assert orjson.loads(store.path.read_bytes())["annotations"] == {}
