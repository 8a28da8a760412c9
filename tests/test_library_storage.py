"""The library's files: what goes where, what is read when, and that caches never lie."""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
from pathlib import Path

import orjson
import pytest

from seeds.bundled import bundled_documents
from seeds.model import Item, Update
from storage import library as library_module
from storage.library import KEYS_FILE, Library, decode_item, encode_item
from storage.paths import DataDir


@pytest.fixture
def data_dir(data_dirs):
    return data_dirs


@pytest.fixture
def imported(data_dir):
    library = Library(data_dir)
    library.import_documents(bundled_documents())
    return data_dir


def _tables(path):
    return orjson.loads(path.read_bytes())


FULL = Item(
    id="abc",
    title="A title",
    title_derived=True,
    authors=["Ada Lovelace", "Alan Turing"],
    authors_truncated=True,
    affiliations=["openai"],
    date="2020-01-02",
    date_text="Jan 2, 2020",
    category="CL",
    has_code=True,
    summary="An abstract.",
    urls=["https://example.org"],
    updates=[Update("2021-01-01", "fixed typos")],
    sources=["a.txt"],
    kinds=["paper_listing"],
    keys=["t:atitle"],
)


@pytest.mark.parametrize("item", [FULL, Item(id="abc", title="Bare")])
def test_items_round_trip_without_id_summary_or_keys(item):
    doc = encode_item(item)
    assert not {"id", "summary", "keys"} & set(doc)
    back = decode_item("abc", orjson.loads(orjson.dumps(doc)))
    expected = Item.from_dict({**item.to_dict(), "summary": "", "keys": []})
    assert back == expected
    assert [type(getattr(back, f.name)) for f in dataclasses.fields(Item)] == [
        type(getattr(expected, f.name)) for f in dataclasses.fields(Item)
    ]


def test_defaults_are_left_out_and_unknown_fields_ignored():
    assert encode_item(Item(id="x", title="T")) == {"title": "T"}
    item = decode_item("x", {"title": "T", "from_a_newer_shelf": 1})
    assert item == Item(id="x", title="T")
    a, b = decode_item("a", {"title": "A"}), decode_item("b", {"title": "B"})
    a.authors.append("Someone")
    assert b.authors == []  # every item owns its lists


def test_files_hold_metadata_texts_and_keys_apart(imported):
    meta = _tables(imported.library_file)
    texts = _tables(imported.texts_file)["texts"]
    keys = _tables(imported.root / KEYS_FILE)["keys"]
    items = meta["items"]
    assert items and set(items) == set(texts) == set(keys)
    for item_id, doc in items.items():
        assert "summary" not in doc and "keys" not in doc
        assert keys[item_id]["keys"]
    assert set(meta["documents"]) == {name for name, _ in bundled_documents()}


def test_items_are_cached_until_the_file_changes(imported):
    library = Library(imported)
    first = library.items(with_text=False)
    assert library.items(with_text=False) is first
    other = Library(imported)  # another process
    item = next(iter(other.items().values()))
    item.title = "Changed elsewhere"
    with other.lock.held():
        other._write_items([item], other.items())
    changed = library.items(with_text=False)
    assert changed is not first
    assert changed[item.id].title == "Changed elsewhere"


def test_texts_load_after_the_list(imported):
    library = Library(imported)
    items = library.items(with_text=False)
    assert all(item.summary == "" for item in items.values())
    assert not any(item.keys for item in items.values())
    library.load_texts()
    assert sum(1 for item in items.values() if item.summary) > len(items) // 2
    first_id, first = next(iter(items.items()))
    assert Library(imported).items()[first_id].summary == first.summary


def test_reimport_changes_nothing_and_writes_nothing(imported):
    before = {p.name: p.stat().st_mtime_ns for p in imported.root.glob("*.json")}
    report = Library(imported).import_documents(bundled_documents())
    assert not report.added and not report.merged and report.unchanged
    after = {p.name: p.stat().st_mtime_ns for p in imported.root.glob("*.json")}
    assert after == before


def test_import_updates_the_cache_it_wrote(data_dir):
    library = Library(data_dir)
    documents = bundled_documents()
    library.import_documents(documents[:2])
    first = library.items()
    report = library.import_documents(documents[2:])
    items = library.items()
    assert items is not first
    assert set(report.added) <= set(items)
    fresh = Library(data_dir).items()
    assert list(items) == list(fresh)
    for item_id, item in fresh.items():
        mine = items[item_id]
        assert (mine.title, mine.summary, mine.sources) == (item.title, item.summary, item.sources)
    assert library.documents() == Library(data_dir).documents()


def test_libraries_written_before_keys_json_still_merge(imported):
    """Keys used to sit in each item's document; an import must still find them."""
    meta = _tables(imported.library_file)
    keys = _tables(imported.root / KEYS_FILE)["keys"]
    for item_id, doc in meta["items"].items():
        doc["keys"] = keys[item_id]["keys"]
    imported.library_file.write_bytes(orjson.dumps(meta))
    os.unlink(imported.root / KEYS_FILE)
    report = Library(imported).import_documents(bundled_documents())
    assert not report.added and not report.merged


def test_parallel_parsing_gives_the_same_library(tmp_path, monkeypatch):
    serial = Library(DataDir(tmp_path / "serial"))
    serial.data_dir.create()
    serial.import_documents(bundled_documents())
    monkeypatch.setattr(library_module, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setenv("SHELF_IMPORT_WORKERS", "2")
    parallel = Library(DataDir(tmp_path / "parallel"))
    parallel.data_dir.create()
    report = parallel.import_documents(bundled_documents())
    assert [d.entries for d in report.documents] == [
        d["entries"] for d in serial.documents().values()
    ]
    assert parallel.items() == serial.items()


def test_loading_leaves_the_collector_running(imported):
    assert gc.isenabled()
    Library(imported).items()
    assert gc.isenabled()


def test_progress_reports_phases_and_ends_complete(data_dir):
    calls: list[tuple] = []

    class Recorder:
        def phase(self, label, unit="items"):
            calls.append(("phase", label))

        def __call__(self, done, total):
            calls.append((done, total))

    Library(data_dir).import_documents(bundled_documents(), progress=Recorder())
    phases = [c[1] for c in calls if c[0] == "phase"]
    assert phases == ["parsing", "merging", "saving"]
    for label in phases:
        start = calls.index(("phase", label))
        end = next((i for i in range(start + 1, len(calls)) if calls[i][0] == "phase"), len(calls))
        ticks = calls[start + 1 : end]
        assert ticks and ticks[-1][0] == ticks[-1][1]
        assert all(0 <= done <= total for done, total in ticks)


def test_a_plain_callable_is_enough_for_progress(data_dir):
    seen = []
    Library(data_dir).import_documents(bundled_documents(), progress=lambda d, t: seen.append(t))
    assert seen


def test_an_import_leaves_the_list_rows_for_the_next_start(data_dir, tmp_path):
    from storage.row_cache import item_base, read_row_cache

    Library(data_dir).import_documents(bundled_documents())
    cached = read_row_cache(data_dir)
    assert cached is not None
    items = Library(data_dir).items(with_text=False)
    ids, rows = cached
    assert ids == list(items) and len(ids) == 73
    assert [rows[i] for i in range(len(ids))] == [item_base(items[i]) for i in ids]
    # A second import that adds items rewrites them, in library order.
    sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
    import gen_corpus

    more = [(d.name, d.text) for d in gen_corpus.generate(30, seed=5)]
    Library(data_dir).import_documents(more)
    ids, rows = read_row_cache(data_dir)
    items = Library(data_dir).items(with_text=False)
    assert ids == list(items) and len(ids) == 103
    assert rows[len(ids) - 1] == item_base(items[ids[-1]])
