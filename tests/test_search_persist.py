"""A saved index loads back equal to a fresh build, and never stale."""

from __future__ import annotations

import copy
from pathlib import Path

from storage.search import SearchIndex
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items

ITEMS = synthetic_items(60, seed=5)
ANNS = synthetic_annotations(ITEMS, fraction=0.3, seed=5)
QUERIES = ["", "model", "mod", "language models", "#rlhf", "is:read", "year:2018..2020 data",
           "cat:CL", "src:synthetic_01", "has:code", "difusion", '"language model"', "ppo"]  # fmt: skip


def snapshot(index: SearchIndex) -> dict[str, list[tuple[str, float]]]:
    return {q: [(h.id, h.score) for h in index.search(q).hits] for q in QUERIES}


def test_round_trip_equals_a_fresh_build(tmp_path: Path) -> None:
    built = SearchIndex.build(ITEMS, ANNS)
    built.save(tmp_path / "index.bin")
    loaded = SearchIndex.load(tmp_path / "index.bin", ITEMS, ANNS)
    assert snapshot(loaded) == snapshot(built)


def test_round_trip_after_updates(tmp_path: Path) -> None:
    index = SearchIndex.build(ITEMS[:40], ANNS)
    changed = copy.deepcopy(ITEMS[3])
    changed.title = "Completely different words"
    index.update_item(changed)
    index.remove(ITEMS[5].id)
    for item in ITEMS[40:50]:
        index.update_item(item)
    current = [changed if i.id == changed.id else i for i in ITEMS[:50] if i.id != ITEMS[5].id]
    index.save(tmp_path / "index.bin")
    loaded = SearchIndex.load(tmp_path / "index.bin", current, ANNS)
    assert snapshot(loaded) == snapshot(SearchIndex.build(current, ANNS))


def test_items_added_since_the_save_are_indexed(tmp_path: Path) -> None:
    SearchIndex.build(ITEMS[:30], ANNS).save(tmp_path / "i.bin", signature="v1")
    loaded = SearchIndex.load(tmp_path / "i.bin", ITEMS, ANNS, signature="v1")
    assert snapshot(loaded) == snapshot(SearchIndex.build(ITEMS, ANNS))


def test_changed_or_missing_items_are_never_served_stale(tmp_path: Path) -> None:
    SearchIndex.build(ITEMS, ANNS).save(tmp_path / "i.bin")
    edited = [copy.deepcopy(i) for i in ITEMS[1:]]
    edited[0].title = "Zebra crossings"
    loaded = SearchIndex.load(tmp_path / "i.bin", edited, ANNS)
    assert snapshot(loaded) == snapshot(SearchIndex.build(edited, ANNS))
    assert [h.id for h in loaded.search("zebra").hits] == [edited[0].id]


def test_unusable_files_mean_a_rebuild(tmp_path: Path) -> None:
    expected = snapshot(SearchIndex.build(ITEMS, ANNS))
    missing = SearchIndex.load(tmp_path / "nothing.bin", ITEMS, ANNS)
    assert snapshot(missing) == expected
    path = tmp_path / "i.bin"
    SearchIndex.build(ITEMS, ANNS).save(path)
    path.write_bytes(path.read_bytes()[:-100])
    assert snapshot(SearchIndex.load(path, ITEMS, ANNS)) == expected
    path.write_bytes(b"garbage")
    assert snapshot(SearchIndex.load(path, ITEMS, ANNS)) == expected


def test_annotations_changed_since_the_save_are_reindexed(tmp_path: Path) -> None:
    SearchIndex.build(ITEMS, ANNS).save(tmp_path / "i.bin")
    anns = copy.deepcopy(ANNS)
    first = next(iter(anns.values()))
    first.tags = ["quokka"]
    first.title = "Renamed to wombat"
    del anns[list(anns)[1]]
    loaded = SearchIndex.load(tmp_path / "i.bin", ITEMS, anns)
    assert snapshot(loaded) == snapshot(SearchIndex.build(ITEMS, anns))
    assert [h.id for h in loaded.search("wombat").hits] == [first.item_id]
    assert [h.id for h in loaded.search("#quokka").hits] == [first.item_id]


def test_saving_a_loaded_index_leaves_its_postings_packed(tmp_path: Path) -> None:
    SearchIndex.build(ITEMS, ANNS).save(tmp_path / "i.bin")
    loaded = SearchIndex.load(tmp_path / "i.bin", ITEMS, ANNS)
    loaded.save(tmp_path / "again.bin")
    for table in (loaded._post, loaded._short, loaded._author):
        assert not table._own  # type: ignore[union-attr]
    again = SearchIndex.load(tmp_path / "again.bin", ITEMS, ANNS)
    assert snapshot(again) == snapshot(loaded)
    assert (tmp_path / "again.bin").read_bytes() == (tmp_path / "i.bin").read_bytes()
