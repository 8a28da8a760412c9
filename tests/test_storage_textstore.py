"""Abstracts read one at a time from ``.cache/texts.bin``, never at odds with texts.json."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson
import pytest

from seeds.bundled import bundled_documents
from storage.library import TEXT_STORE_FILE, Library
from storage.paths import DataDir
from storage.shelf import Shelf
from storage.textstore import open_text_store, write_text_store

sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
import gen_corpus  # noqa: E402


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    d = DataDir(tmp_path / "data")
    d.create()
    Library(d).import_documents(bundled_documents())
    return d


def _summaries(data_dir: DataDir) -> dict[str, str]:
    """What texts.json says, read the plain way."""
    texts = orjson.loads(data_dir.texts_file.read_bytes())["texts"]
    return {item_id: doc.get("summary", "") for item_id, doc in texts.items()}


def test_an_import_writes_the_store_and_it_agrees_with_texts_json(data_dir: DataDir) -> None:
    assert (data_dir.cache_dir / TEXT_STORE_FILE).exists()
    expected = _summaries(data_dir)
    library = Library(data_dir)  # a fresh process: nothing in memory
    assert len(expected) == 73
    assert {item_id: library.text(item_id) for item_id in expected} == expected
    gpt3 = next(i for i, item in library.items(with_text=False).items() if "Few-Shot" in item.title)
    assert library.text(gpt3).startswith("Recent work has demonstrated substantial gains")


def test_reading_one_abstract_loads_no_other(data_dir: DataDir) -> None:
    library = Library(data_dir)
    items = library.items(with_text=False)
    some = next(iter(items))
    assert library.text(some)
    assert all(item.summary == "" for item in library.items(with_text=False).values())


def test_views_for_export_read_abstracts_without_filling_the_items(data_dir: DataDir) -> None:
    shelf = Shelf(data_dir.root, "alice", import_bundled=False)
    ids = list(shelf.items(with_text=False))
    views = shelf.views(ids)
    assert [v["summary"] for v in views] == [_summaries(data_dir)[i] for i in ids]
    assert all(item.summary == "" for item in shelf.items(with_text=False).values())
    assert shelf.view(ids[3])["summary"] == _summaries(data_dir)[ids[3]]


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(p.read_bytes()[:-10]),
        lambda p: p.write_bytes(b"garbage" * 100),
        lambda p: p.unlink(),
    ],
    ids=["empty", "truncated", "garbage", "missing"],
)
def test_a_damaged_or_missing_store_is_rebuilt_from_texts_json(data_dir: DataDir, damage) -> None:
    store = data_dir.cache_dir / TEXT_STORE_FILE
    before = data_dir.texts_file.read_bytes()
    damage(store)
    library = Library(data_dir)
    expected = _summaries(data_dir)
    assert {i: library.text(i) for i in expected} == expected
    assert data_dir.texts_file.read_bytes() == before  # the record is never touched
    assert open_text_store(store, library._texts_signature()) is not None


def test_a_store_older_than_texts_json_is_not_used(data_dir: DataDir) -> None:
    library = Library(data_dir)
    first = next(iter(library.items(with_text=False)))
    assert library.text(first)  # the store is open now
    # Another process imports more: texts.json and the store are replaced.
    documents = [(d.name, d.text) for d in gen_corpus.generate(40, seed=3)]
    report = Library(data_dir).import_documents(documents)
    assert len(report.added) == 40
    expected = _summaries(data_dir)
    assert {i: library.text(i) for i in report.added} == {i: expected[i] for i in report.added}
    assert any(expected[i] for i in report.added)
    assert library.text(first) == expected[first]


def test_ids_the_store_cannot_hold_fall_back_to_texts_json(tmp_path) -> None:
    path = tmp_path / "t.bin"
    assert write_text_store(path, [("é1", "x")], "sig") is False
    assert not path.exists()


def test_store_round_trip_and_lookups(tmp_path) -> None:
    path = tmp_path / "t.bin"
    pairs = [("b2", "héllo"), ("a1", "x"), ("zz9", ""), ("c3", "😀 emoji"), ("long-id-7", "y")]
    assert write_text_store(path, pairs, "sig")
    store = open_text_store(path, "sig")
    assert store is not None and len(store) == 5
    assert {k: store.get(k) for k, _ in pairs} == dict(pairs)
    assert store.get("a") == "" and store.get("zz99", "?") == "?" and "b2" in store
    assert open_text_store(path, "another signature") is None
    store.close()


def test_bulk_reads_match_single_reads_in_any_order(tmp_path, monkeypatch) -> None:
    import storage.textstore as textstore

    monkeypatch.setattr(textstore, "_WINDOW", 16)  # many windows, some texts longer than one
    path = tmp_path / "t.bin"
    pairs = [(f"id{i:03d}", ("ab" * (i % 23)) + f" text {i} é") for i in range(200)]
    assert write_text_store(path, pairs, "sig")
    store = open_text_store(path, "sig")
    assert store is not None
    wanted = [f"id{i:03d}" for i in (150, 3, 199, 0, 77, 3)] + ["missing"]
    assert store.get_many(wanted) == [store.get(i) for i in wanted]
    assert store.get_many(wanted)[0] == dict(pairs)["id150"]
    store.close()


def _count_reads(monkeypatch) -> list[int]:
    """The sizes of the store's reads from now on."""
    import storage.textstore as textstore

    sizes: list[int] = []
    real = os.pread

    def counting(fd, n, offset):
        sizes.append(n)
        return real(fd, n, offset)

    monkeypatch.setattr(textstore.os, "pread", counting)
    return sizes


def test_a_scattered_batch_reads_its_texts_and_not_the_gaps_between(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.bin"
    pairs = [(f"id{i:04d}", f"{i} " + "x" * 3000) for i in range(1000)]
    assert write_text_store(path, pairs, "sig")
    store = open_text_store(path, "sig")
    assert store is not None
    store.get_many([])  # the ids and offsets, read once for every batch
    sizes = _count_reads(monkeypatch)
    wanted = [f"id{i:04d}" for i in range(999, 0, -50)]  # 20 texts, 150 kB apart
    assert store.get_many(wanted) == [dict(pairs)[i] for i in wanted]
    assert sum(sizes) < 21 * 3010
    sizes.clear()
    everything = [k for k, _ in pairs]
    assert store.get_many(everything[::-1]) == [t for _, t in pairs][::-1]
    assert len(sizes) == 1  # 3 MB of neighbours: one read
    store.close()


def test_one_abstract_is_read_without_the_tables_of_all(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.bin"
    pairs = [(f"id{i:05d}", f"text {i}") for i in range(20_000)]
    assert write_text_store(path, pairs, "sig")
    store = open_text_store(path, "sig")
    assert store is not None
    sizes = _count_reads(monkeypatch)
    assert [store.get(k) for k in ("id00000", "id12345", "id19999")] == [
        "text 0",
        "text 12345",
        "text 19999",
    ]
    assert store.get("id2") == "" and "id07" not in store and "id00007" in store
    assert max(sizes) <= 16 and len(sizes) < 6 * 20  # a bisection of the file, no table
    for k, text in pairs[: 2 * store.TABLES_AFTER]:  # many look-ups: the tables are read
        assert store.get(k) == text
    assert max(sizes) >= 20_000 * 7
    store.close()


def test_a_store_left_half_written_by_a_killed_import_is_removed_on_start(data_dir) -> None:
    from storage.atomic import TEMP_PREFIX, TEMP_SUFFIX, temp_path_for

    own = temp_path_for(data_dir.cache_dir / TEXT_STORE_FILE)
    assert own.name.startswith(TEMP_PREFIX) and own.name.endswith(TEMP_SUFFIX)
    # The same name, written by a process that no longer exists.
    token = own.name.split(".")[-3]  # PID, or PID-START-BOOT where /proc tells more
    dead_token = "999999999" + token[len(str(os.getpid())) :]
    dead = own.with_name(own.name.replace(f".{token}.", f".{dead_token}."))
    assert dead != own
    dead.write_bytes(b"half a store")
    Shelf(data_dir.root, "alice", import_bundled=False)
    assert not dead.exists()
    assert (data_dir.cache_dir / TEXT_STORE_FILE).exists()


def test_a_search_index_build_reads_abstracts_in_batches(data_dir: DataDir, monkeypatch) -> None:
    """One read per abstract starved the app's UI thread of the GIL during a build."""
    import storage.search.index as search_index
    from storage.search import SearchIndex

    monkeypatch.setattr(search_index, "PREFETCH", 10)
    library = Library(data_dir)
    items = library.items(with_text=False)
    store = library.text_source()
    batches: list[int] = []
    bulk = store.get_many

    def one_at_a_time(item_id: str, default: str = "") -> str:
        raise AssertionError(f"read {item_id} on its own")

    monkeypatch.setattr(store, "get", one_at_a_time)
    monkeypatch.setattr(store, "get_many", lambda ids: batches.append(len(ids)) or bulk(ids))
    index = SearchIndex.build(items.values(), {}, texts=store)
    assert sum(batches) == len(items) == 73 and max(batches) == 10
    monkeypatch.undo()  # searching reads the few abstracts it re-ranks, one by one
    gpt3 = next(i for i, item in items.items() if "Few-Shot" in item.title)
    # Words only its abstract has still find it: the batches reached the index.
    assert gpt3 in list(index.search("substantial gains pre-training").ids())[:3]
