"""The item store: one item found and read without decoding the library, and never wrongly."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import orjson
import pytest

import storage.library as library_module
from seeds.bundled import bundled_documents
from seeds.model import Item
from storage.item_store import open_item_store, write_item_store
from storage.library import ITEM_STORE_FILE, Library, UnknownItem
from storage.paths import DataDir
from storage.shelf import Shelf
from tui.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))
import gen_corpus  # noqa: E402

USER = "alice"


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    d = DataDir(tmp_path / "data")
    d.create()
    Library(d).import_documents(bundled_documents())
    return d


def _stored(data_dir: DataDir) -> dict[str, dict]:
    """What library.json says, read the plain way."""
    return orjson.loads(data_dir.library_file.read_bytes())["items"]


def _store_path(data_dir: DataDir) -> Path:
    return data_dir.cache_dir / ITEM_STORE_FILE


def _current_store(data_dir: DataDir):
    library = Library(data_dir)
    signature = library_module._stamp(library_module._file_signature(library._meta_path))
    return open_item_store(_store_path(data_dir), signature)


def _old_resolve(ids: list[str], ref: str) -> str:
    """Shelf.resolve as it was before the store, over the ids in library order."""
    ref = ref.strip().lower()
    if ref in ids:
        return ref
    if not ref:
        raise UnknownItem("empty item id")
    matches = [item_id for item_id in ids if item_id.startswith(ref)]
    if not matches:
        raise UnknownItem(f"no item with id {ref!r}")
    if len(matches) > 1:
        shown = ", ".join(sorted(matches)[:5])
        more = "…" if len(matches) > 5 else ""
        raise UnknownItem(f"id prefix {ref!r} is ambiguous: {shown}{more}")
    return matches[0]


def _outcome(resolve, ref: str) -> str:
    try:
        return "ok " + resolve(ref)
    except UnknownItem as exc:
        return "error " + str(exc)


def test_an_import_writes_the_store_and_it_agrees_with_library_json(data_dir: DataDir) -> None:
    store = _current_store(data_dir)
    assert store is not None
    stored = _stored(data_dir)
    assert len(store) == len(stored) == 73
    assert store.ids() == list(stored)  # library order
    assert {item_id: store.doc(item_id) for item_id in stored} == stored
    assert store.doc("0" * 12) is None and "nope" not in store
    assert store.decoded_in_order(lambda i, doc: doc) == list(stored.items())
    store.close()


def test_the_whole_library_loads_from_the_store_as_from_library_json(
    data_dir: DataDir, monkeypatch
) -> None:
    library = Library(data_dir)
    signature = library_module._file_signature(library._meta_path)
    assert library._items_from_store(signature) is not None  # the store is what is read
    from_store = library.items(with_text=False)
    monkeypatch.setattr(Library, "_items_from_store", lambda self, signature: None)
    from_json = Library(data_dir).items(with_text=False)
    assert list(from_store) == list(from_json) and from_store == from_json
    # The documents table is read when an import needs it, not at start-up.
    assert (
        Library(data_dir).documents()
        == orjson.loads(data_dir.library_file.read_bytes())["documents"]
    )


def test_one_item_commands_decode_nothing_but_that_item(data_dir: DataDir, no_decoding) -> None:
    ids = list(_stored(data_dir))
    root = str(data_dir.root)
    for argv in (
        ["tag", ids[5], "x"],
        ["read", ids[6]],
        ["note", ids[7], "a", "note"],
        ["rename", ids[8], "My", "title"],
        ["untag", ids[5][:8], "x"],
    ):
        assert main(["--data-dir", root, "--user", USER, *argv]) == 0
    assert no_decoding == {"load_meta": 0, "decode_item": 0}
    assert main(["--data-dir", root, "--user", USER, "show", ids[9]]) == 0
    assert no_decoding == {"load_meta": 0, "decode_item": 1}


def test_the_changes_are_on_disk_with_the_items_titles(data_dir: DataDir) -> None:
    ids = list(_stored(data_dir))
    root = str(data_dir.root)
    assert main(["--data-dir", root, "--user", USER, "tag", ids[3][:10], "Fresh"]) == 0
    assert main(["--data-dir", root, "--user", USER, "rename", ids[4], "Mine"]) == 0
    shelf = Shelf(data_dir.root, USER, import_bundled=False)  # reopened from disk
    assert shelf.annotation(ids[3]).tags == ["fresh"]
    assert (
        shelf.title(ids[4]) == "Mine" and shelf.title(ids[3]) == _stored(data_dir)[ids[3]]["title"]
    )
    saved = orjson.loads(shelf.annotations.path.read_bytes())["annotations"]
    assert saved[ids[3]]["about"] == _stored(data_dir)[ids[3]]["title"]


def test_resolution_is_what_it_was(data_dir: DataDir) -> None:
    # A bigger library, so that short prefixes are ambiguous and ids span blocks.
    documents = [(d.name, d.text) for d in gen_corpus.generate(3000, seed=5)]
    Library(data_dir).import_documents(documents)
    ids = list(_stored(data_dir))
    assert len(ids) == 3073
    refs = [*ids[::97], *(i[:n] for i in ids[::301] for n in (1, 2, 3, 4, 6)), *"0123456789abcdef"]
    refs += ["", "  ", ids[10].upper(), f"  {ids[11][:7]} ", "zzz", "é", ids[12] + "0", "\0"]
    library = Library(data_dir)
    assert library.open_item_store() is not None
    through_store = [_outcome(library.resolve, ref) for ref in refs]
    assert library._cache is None  # the library was not decoded
    expected = [_outcome(lambda r: _old_resolve(ids, r), ref) for ref in refs]
    assert through_store == expected
    assert any("ambiguous" in o and "…" in o for o in expected)
    assert any(o.startswith("ok") for o in expected) and any("no item" in o for o in expected)
    library.items(with_text=False)  # decoded now: answered from the items instead
    assert [_outcome(library.resolve, ref) for ref in refs] == expected
    assert Shelf(data_dir.root, USER, import_bundled=False).resolve(ids[40][:9]) == ids[40]


def test_a_store_older_than_library_json_is_not_used(data_dir: DataDir, no_decoding) -> None:
    old = _store_path(data_dir).read_bytes()
    documents = [(d.name, d.text) for d in gen_corpus.generate(40, seed=3)]
    report = Library(data_dir).import_documents(documents)  # another process imports more
    _store_path(data_dir).write_bytes(old)  # and the store it wrote is lost
    new = report.added[0]
    no_decoding.update(load_meta=0, decode_item=0)
    library = Library(data_dir)
    assert library.resolve(new) == new
    assert library.title(new) == _stored(data_dir)[new]["title"]
    assert library.ids() == list(_stored(data_dir))
    assert no_decoding["load_meta"] == 0  # rebuilt from library.json, not from the items
    assert _current_store(data_dir) is not None  # and rewritten for the file as it is


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _in_ids(path: Path, store) -> int:
    return store._ids_at + 2 * store._width + 3  # a byte of the third id


def _in_order(path: Path, store) -> int:
    return store._order_at + 1


def _in_record(path: Path, store) -> int:
    return store._blob_at + 20


def _in_offsets(path: Path, store) -> int:
    return store._offsets_at + 8 * 5 + 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda p, s: p.write_bytes(b""),
        lambda p, s: p.write_bytes(p.read_bytes()[:-10]),
        lambda p, s: p.write_bytes(b"garbage" * 100),
        lambda p, s: p.unlink(),
        lambda p, s: _flip(p, 40),  # the header
        lambda p, s: _flip(p, _in_ids(p, s)),
        lambda p, s: _flip(p, _in_order(p, s)),
        lambda p, s: _flip(p, _in_record(p, s)),
        lambda p, s: _flip(p, _in_offsets(p, s)),
    ],
    ids=["empty", "truncated", "garbage", "missing", "header", "ids", "order", "record", "offsets"],
)
def test_a_damaged_store_is_never_believed_and_is_rebuilt(data_dir: DataDir, damage) -> None:
    store = _current_store(data_dir)
    assert store is not None
    ids = store.ids()  # sorted ids, from the undamaged store
    by_position = sorted(ids)
    path = _store_path(data_dir)
    damage(path, store)
    store.close()
    before = data_dir.library_file.read_bytes()
    stored = _stored(data_dir)
    library = Library(data_dir)
    # Every look-up that could meet the damage: the first items, and all of them.
    for item_id in [*by_position[:6], *ids]:
        assert library.resolve(item_id[:11]) == item_id
        item = library.item(item_id)
        assert item is not None and item.title == stored[item_id]["title"]
    assert library.ids() == list(stored)
    whole = Library(data_dir).items(with_text=False)  # loaded whole: from library.json
    assert list(whole) == list(stored) and all(whole[i].title == stored[i]["title"] for i in stored)
    assert _outcome(library.resolve, by_position[0][:1]).startswith("error id prefix")
    assert data_dir.library_file.read_bytes() == before  # the record is never touched
    rebuilt = _current_store(data_dir)
    assert rebuilt is not None and rebuilt.ids() == list(stored)
    rebuilt.close()


def test_many_items_are_cut_from_one_read_and_checked_as_one_by_one(data_dir: DataDir) -> None:
    store = _current_store(data_dir)
    assert store is not None
    ids = store.ids()
    wanted = [*ids[3:15], "0" * 12, ids[40]]  # over a twentieth: the bulk read
    assert store.docs_of(wanted) == {i: store.doc(i) for i in wanted if i != "0" * 12}
    assert list(store.docs_of(wanted)) == [i for i in wanted if i != "0" * 12]
    whole = Library(data_dir).items(with_text=False)
    assert Library(data_dir).items_of(wanted) == {i: whole[i] for i in wanted if i in whole}
    path = _store_path(data_dir)
    _flip(path, _in_record(path, store))
    store.close()
    damaged = _current_store(data_dir)
    assert damaged is not None
    with pytest.raises(library_module.DamagedStore):
        damaged.docs_of(ids)
    damaged.close()
    # The library is never wrong: it rebuilds the store and reads it again.
    assert Library(data_dir).items_of(wanted) == {i: whole[i] for i in wanted if i in whole}


@pytest.mark.parametrize("share", [1, 10_000], ids=["one-by-one", "whole-blob"])
@pytest.mark.parametrize("count", [3, 100])
def test_docs_in_gives_each_ids_document_in_order_a_batch_at_a_time(
    data_dir: DataDir, monkeypatch, share: int, count: int
) -> None:
    monkeypatch.setattr("storage.item_store.BULK_SHARE", share)
    store = _current_store(data_dir)
    assert store is not None
    ids = store.ids()[::-1][:count]
    wanted = [ids[0], "0" * 12, *ids[1:], ids[0], "Not an id é"]
    batches = list(store.docs_in(wanted, 7))
    assert [len(b) for b in batches] == [min(7, len(wanted) - k) for k in range(0, len(wanted), 7)]
    docs = [doc for batch in batches for doc in batch]
    assert docs == [store.doc(i) if i in store else None for i in wanted]
    assert docs[1] is None and docs[-1] is None and docs[0] == docs[-2] is not None
    assert list(store.docs_in([], 7)) == []
    store.close()


def test_row_fields_are_the_items_fields(data_dir: DataDir) -> None:
    library = Library(data_dir)
    ids = library.ids()[::3]
    whole = Library(data_dir).items(with_text=False)
    expected = [
        (it.title, it.title_derived, it.authors, it.authors_truncated, it.date_text)
        for it in (whole[i] for i in ids)
    ]
    assert library.row_fields(ids) == expected
    assert library._cache is None  # from the store, not the decoded library
    loaded = Library(data_dir)
    loaded.items(with_text=False)
    assert loaded._cache is not None and loaded.row_fields(ids) == expected  # from the items
    with pytest.raises(UnknownItem):
        library.row_fields([ids[0], "0" * 12])


def test_items_read_alone_match_the_decoded_library(data_dir: DataDir) -> None:
    library = Library(data_dir)
    alone = {i: library.item(i, with_text=True) for i in _stored(data_dir)}
    assert library._cache is None
    whole = Library(data_dir).items(with_text=True)
    assert alone == whole
    assert library.item("0" * 12) is None and library.title("0" * 12) is None


def test_add_items_writes_the_store_too(data_dir: DataDir, no_decoding) -> None:
    library = Library(data_dir)
    extra = Item(id="feedfacecafe", title="Ready-made", authors=["A. Author"], summary="Text.")
    library.add_items([extra])
    no_decoding.update(load_meta=0, decode_item=0)
    fresh = Library(data_dir)
    assert fresh.item("feedfacecafe", with_text=True) == extra
    assert fresh.resolve("feedf") == "feedfacecafe" and fresh.ids()[-1] == "feedfacecafe"
    assert no_decoding["load_meta"] == 0


def test_ids_a_store_cannot_hold_fall_back_to_the_library(tmp_path) -> None:
    path = tmp_path / "items.bin"
    assert write_item_store(path, {"é1": {"title": "x"}}, "sig") is False
    assert write_item_store(path, {"a\0": {"title": "x"}}, "sig") is False
    assert not path.exists()


def _copy(data_dir: DataDir, tmp_path: Path, name: str) -> str:
    target = tmp_path / name
    shutil.copytree(data_dir.root, target)
    return str(target)


def test_show_and_tag_print_what_they_printed_without_the_store(
    data_dir: DataDir, tmp_path, monkeypatch, capsys
) -> None:
    with_store = _copy(data_dir, tmp_path, "with")
    without = _copy(data_dir, tmp_path, "without")
    item_id = list(_stored(data_dir))[17]

    def run(root: str, *argv: str) -> str:
        assert main(["--data-dir", root, "--user", USER, *argv]) == 0
        return capsys.readouterr().out

    commands = [
        ("show", item_id[:8]),
        ("tag", item_id, "x", "#Y"),
        ("rename", item_id, "Own", "title"),
        ("show", item_id, "--json"),
    ]
    first = [run(with_store, *argv) for argv in commands]
    with monkeypatch.context() as m:  # the old way: no store, the library decoded
        m.setattr(library_module, "open_item_store", lambda path, signature: None)
        m.setattr(library_module, "write_item_store", lambda *args, **kwargs: False)
        second = [run(without, *argv) for argv in commands]

    def timeless(out: str) -> str:
        return "\n".join(line for line in out.splitlines() if '"status_at"' not in line)

    assert [timeless(o) for o in first] == [timeless(o) for o in second]
    assert "tags: x y" in first[1] and "Own title" in first[2]


def test_views_of_a_few_hits_do_not_decode_the_library(tmp_path, monkeypatch) -> None:
    """``shelf list QUERY`` builds the hits' views from the item and text stores."""
    from core.session import Session
    from storage import library as library_module

    folder = tmp_path / "data"
    Session.open(folder, "alice").find("radford")  # the corpus, its stores and saved index
    session = Session.open(folder, "alice")
    decoded: list[str] = []
    real = library_module.Library._load_meta

    def counting(self):  # noqa: ANN001, ANN202 - a spy
        decoded.append("library")
        return real(self)

    monkeypatch.setattr(library_module.Library, "_load_meta", counting)
    ids = session.find("author:radford")
    views = session.views(ids).views_at(range(len(ids)))
    assert ids and all("Alec Radford" in v["authors"] for v in views)
    assert all(v["summary"] for v in views)
    assert decoded == []
