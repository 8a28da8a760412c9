"""``shelf list`` lines made from the item store and the saved annotations
(``core.list_rows``) must be the lines the item views give, byte for byte,
hostile text included, and must not decode the library or every annotation."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

import storage.library as library_module
from core.list_rows import list_rows, row_of_view
from core.session import Session
from core.text import visible, visible_lines
from seeds.model import Item
from storage.annotations import AnnotationStore
from storage.list_line import GLYPHS, NEW_GLYPH, list_line
from storage.model import Annotation, Note
from storage.search.saved_annotations import annotation_rows, annotations_corrected
from storage.seen import arrival_stamp
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items
from tests.storage_helpers import add_items, set_annotations
from tui.cli import main

pytestmark = pytest.mark.timeout(180)

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
CLEAR = "\x1b[2J"
BIDI = "\u202e"
MARKUP = "[link=x.json]click[/] [bold]"
HOSTILE = f"Policy {OSC52} learning {MARKUP}{CLEAR} tab\there\nnext {BIDI}\x9b31m \x00"

QUERIES = ["", "policy", "learning", "diffusion", "zzqxjv", "tag:rlhf", "is:read", "is:new"]


def _view_line(view: dict) -> str:
    """The line as ``shelf list`` printed it from a view before the fast path."""
    glyph = GLYPHS.get(view["status"], "?") + (NEW_GLYPH if view.get("new") else "")
    title = ("~" if view["title_derived"] else "") + view["title"]
    author = view["authors"][0] if view["authors"] else ""
    if author and (len(view["authors"]) > 1 or view["authors_truncated"]):
        author += " et al."
    tags = " ".join(f"#{t}" for t in view["tags"])
    fields = [view["id"], glyph, title, author, view["date_text"] or "", tags]
    return visible("  ".join(f for f in fields if f), lines=False) + "\n"


def _hostile_items() -> list[Item]:
    items = synthetic_items(400, seed=7)
    rng = random.Random(7)
    for k, item in enumerate(items[:40]):
        item.title = f"{HOSTILE} {k}" if k % 2 else f"policy {CLEAR}{k}"
        item.title_derived = k % 3 == 0
        item.authors = [] if k % 5 == 0 else [f"A{OSC52}", "B\tC"][: 1 + k % 2]
        item.authors_truncated = k % 4 == 0
        item.date_text = None if k % 6 == 0 else f"{2020 + k % 3} {BIDI}"
    rng.shuffle(items)
    return items


def _annotations(items: list[Item]) -> dict[str, Annotation]:
    anns = synthetic_annotations(items, 0.3, seed=8)
    for k, item in enumerate(items[:30]):
        anns[item.id] = Annotation(
            item.id,
            status=("read", "reading", "unread")[k % 3],
            title=f"Mine {HOSTILE}" if k % 2 else None,
            tags=[f"rlhf{CLEAR}", "[b]x[/b]"] if k % 3 else ["rlhf"],
            notes=[Note(f"note {OSC52}", "2026-11-01T00:00:00Z")],
        )
    return anns


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    session = Session.open(folder, "alice", import_bundled=False)
    add_items(session.shelf, _hostile_items()[:300])
    session.ensure_watermark()  # what arrives from now on is new to alice
    later = _hostile_items()[300:]
    for item in later:
        item.arrived = arrival_stamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    add_items(session.shelf, later)
    items = list(session.shelf.items(with_text=False).values())
    set_annotations(session.shelf, _annotations(items))
    session.shelf.flush()
    return folder


def _slow(session: Session, ids: list[str]) -> list[tuple]:
    source = session.views(ids, for_rows=True, new=True)
    return [row_of_view(v) for v in source.views_at(range(len(source)))]


def _fast(session: Session, ids: list[str]) -> list[tuple]:
    return [row for batch in list_rows(session, ids) for row in batch]


@pytest.mark.parametrize("query", QUERIES)
def test_rows_from_the_stores_are_the_views_rows(folder: Path, query: str) -> None:
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find(query)
    shelf = session.shelf
    assert annotation_rows(shelf.dirs, shelf.user) is not None  # the fast path is taken
    fast = _fast(session, ids)
    assert fast == _slow(Session.open(folder, "alice", import_bundled=False), ids)
    if query == "":
        assert any(row[2] for row in fast) and not all(row[2] for row in fast)  # some new
        assert any(row[4] for row in fast) and any(row[8] for row in fast)


@pytest.mark.parametrize("query", ["", "policy", "learning"])
def test_the_printed_listing_is_the_views_listing(folder: Path, query: str, capsys) -> None:
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find(query)
    expected = "".join(_view_line(v) for v in session.shelf.view_source(ids, for_rows=True,
                       new_ids=session.new_ids()).views_at(range(len(ids))))  # fmt: skip
    capsys.readouterr()
    assert main(["--data-dir", str(folder), "--user", "alice", "list", query]) == 0
    out = capsys.readouterr().out
    assert out == expected
    assert "\x1b" not in out and "\x9b" not in out and "\x00" not in out and BIDI not in out
    assert "␛]52;c;" in out and "␉" in out and "␊" in out and MARKUP in out


def test_a_listing_decodes_neither_the_library_nor_every_annotation(
    folder: Path, monkeypatch, capsys
) -> None:
    main(["--data-dir", str(folder), "--user", "alice", "list", "policy"])  # parts saved
    expected = capsys.readouterr().out
    assert expected.count("\n") > 20

    def refuse(*args, **kwargs):
        raise AssertionError("a listing decoded what it does not show")

    monkeypatch.setattr(library_module, "decode_item", refuse)
    monkeypatch.setattr(library_module.Library, "items", refuse)
    monkeypatch.setattr(AnnotationStore, "all", refuse)
    for query in ["policy", ""]:
        assert main(["--data-dir", str(folder), "--user", "alice", "list", query]) == 0
        out = capsys.readouterr().out
        if query == "policy":
            assert out == expected


def test_corrections_take_the_views_way(folder: Path) -> None:
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find("")
    assert annotations_corrected(session.shelf.dirs, "alice") is False
    session.correct(ids[3], {"authors": ["Fixed, Author", "Second"], "date": "1999"})
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find("")
    assert annotations_corrected(session.shelf.dirs, "alice") is not False  # (stale: None)
    assert annotation_rows(session.shelf.dirs, "alice") is None
    rows = _fast(session, ids)
    assert rows == _slow(session, ids)
    assert rows[3][5] == ["Fixed, Author", "Second"] and rows[3][7] == "1999"


def test_annotations_changed_after_the_query_are_shown_as_saved(folder: Path) -> None:
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find("policy")
    session.add_tags([ids[0]], ["fresh"])  # the saved part is stale now
    assert annotation_rows(session.shelf.dirs, "alice") is None
    rows = _fast(session, ids)
    assert "fresh" in rows[0][8]
    assert rows == _slow(session, ids)


def test_visible_lines_is_visible_line_by_line() -> None:
    cases = [[], [""], ["a", "b"], ["a\tb", "c"], ["x\ny"], [HOSTILE, "plain"], ["", "", "z"]]
    for lines in cases:
        assert visible_lines(lines) == "".join(visible(x, lines=False) + "\n" for x in lines)


@pytest.mark.parametrize("status", ["reading", "unread", "odd"])
@pytest.mark.parametrize("title", ["T", ""])
@pytest.mark.parametrize("authors", [["Solo"], [], ["", "Second"], ["A", "B"]])
@pytest.mark.parametrize("date_text", [None, "", "2020"])
@pytest.mark.parametrize("tags", [["x", ""], [], [""]])
def test_a_row_line_matches_the_view_line(status, title, authors, date_text, tags) -> None:
    for new, derived, truncated in [(True, True, True), (False, False, False)]:
        view = {
            "id": "abc",
            "status": status,
            "new": new,
            "title": title,
            "title_derived": derived,
            "authors": authors,
            "authors_truncated": truncated,
            "date_text": date_text,
            "tags": tags,
        }
        assert visible(list_line(row_of_view(view)), lines=False) + "\n" == _view_line(view)


# -- lines from the saved index's columns ---------------------------------------


def _indexed(folder: Path) -> Session:
    """A session whose next query is answered from a saved index (the first
    query of a folder builds and saves it)."""
    Session.open(folder, "alice", import_bundled=False).find("policy")
    return Session.open(folder, "alice", import_bundled=False)


def _refuse_the_item_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the lines were read from the item store")

    monkeypatch.setattr(library_module.Library, "row_fields", refuse)


def test_rows_in_another_order_or_of_other_items_come_from_the_index(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _indexed(folder)
    library = session.shelf.library
    hits = session.find("policy")
    every = list(session.shelf.items(with_text=False))
    assert 0 < len(hits) < len(every)
    wanted = {
        "reversed (--sort)": hits[::-1],
        "not hits": [i for i in every if i not in set(hits)][:50],
        "every item": every,
    }
    expected = {name: library.row_fields(ids) for name, ids in wanted.items()}
    _refuse_the_item_store(monkeypatch)
    for name, ids in wanted.items():
        assert session.row_fields(ids) == expected[name], name


def test_an_id_that_is_no_item_is_still_an_unknown_item(folder: Path) -> None:
    from storage.shelf import UnknownItem

    session = _indexed(folder)
    hits = session.find("policy")
    with pytest.raises(UnknownItem):
        session.row_fields([hits[0], "0" * 12])


def test_after_the_library_changes_the_lines_are_the_librarys_now(folder: Path) -> None:
    session = _indexed(folder)
    ids = session.find("policy")
    item = session.shelf.item(ids[0])
    assert item is not None
    item.title = "Retitled by a later import"
    item.date_text = "someday"
    add_items(session.shelf, [item])  # another process would do the same
    fields = session.row_fields(ids)
    assert fields[0][0] == "Retitled by a later import" and fields[0][4] == "someday"
    assert fields == session.shelf.library.row_fields(ids)


def _strip_row_columns(folder: Path, names: tuple[str, ...] = ("rowinfo", "rowinfo_at")) -> None:
    """Make the saved index one written before it had the row columns."""
    import json
    import os

    from storage.search.persist import MAGIC

    path = folder / ".cache" / "search-index.bin"
    data = path.read_bytes()
    stat = os.stat(path)
    header_at = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
    header = json.loads(data[header_at:])
    for name in names:
        del header["sections"][name]
    path.write_bytes(data[:header_at] + json.dumps(header).encode())
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same library state


def test_an_index_without_the_row_columns_gives_the_same_lines(folder: Path) -> None:
    _indexed(folder)
    _strip_row_columns(folder)
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find("learning")
    assert ids  # answered from the saved index, which is still trusted
    assert _fast(session, ids) == _slow(Session.open(folder, "alice", import_bundled=False), ids)


@pytest.mark.parametrize("bad", ["x", "", "01", "01+2020", "2-"])
def test_row_columns_that_do_not_parse_give_the_same_lines(
    folder: Path, bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.search.persist as persist

    real = persist.row_info
    monkeypatch.setattr(
        persist, "row_info", lambda item: bad if "policy" in item.title else real(item)
    )
    session = _indexed(folder)
    monkeypatch.setattr(persist, "row_info", real)
    ids = session.find("")
    assert _fast(session, ids) == _slow(Session.open(folder, "alice", import_bundled=False), ids)


# -- lines with the item's part made in the saved index -------------------------


def _views_listing(folder: Path, ids: list[str]) -> str:
    session = Session.open(folder, "alice", import_bundled=False)
    views = session.shelf.view_source(ids, for_rows=True, new_ids=session.new_ids())
    return "".join(_view_line(v) for v in views.views_at(range(len(ids))))


def _printed(session: Session, ids: list[str]) -> str:
    return "".join(visible_lines(lines) for lines in session.lines(ids))


@pytest.mark.parametrize("query", QUERIES)
def test_rows_and_lines_from_the_saved_index_are_the_views(
    folder: Path, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _indexed(folder)
    ids = session.find(query)
    expected_rows = _slow(Session.open(folder, "alice", import_bundled=False), ids)
    expected = _views_listing(folder, ids)
    assert session.row_tails(ids) is not None  # the made parts are what is joined
    _refuse_the_item_store(monkeypatch)
    assert _fast(session, ids) == expected_rows
    printed = _printed(session, ids)
    assert printed == expected
    if query == "":  # every kind of line was among them
        assert "Mine " in printed and NEW_GLYPH + "  " in printed and "  ~" in printed
        assert GLYPHS["reading"] in printed and "#rlhf" in printed


def test_lines_in_another_order_are_the_views_lines(folder: Path) -> None:
    session = _indexed(folder)
    ids = session.find("")[::-1]  # as --sort gives them: not the hits' order
    assert _printed(session, ids) == _views_listing(folder, ids)
    assert _printed(session, ids[:7]) == _views_listing(folder, ids[:7])
    assert _printed(session, []) == ""


def test_an_index_without_the_made_parts_gives_the_same_lines(folder: Path) -> None:
    _indexed(folder)
    _strip_row_columns(folder, ("tails", "tails_at", "tails_cut"))
    session = Session.open(folder, "alice", import_bundled=False)
    ids = session.find("")
    assert ids and session.row_tails(ids) is None
    assert _printed(session, ids) == _views_listing(folder, ids)


def test_renamed_items_whose_rest_cannot_be_read_take_their_fields(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.search.saved_rows import SavedRows

    session = _indexed(folder)
    ids = session.find("")
    monkeypatch.setattr(SavedRows, "rests", lambda self, item_ids: None)
    printed = _printed(session, ids)
    assert "Mine " in printed
    assert printed == _views_listing(folder, ids)


@pytest.mark.parametrize("cut", [10**6, 1])
def test_rests_that_do_not_add_up_are_not_used(
    folder: Path, cut: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from array import array

    from storage.search.persist import SavedFile

    session = _indexed(folder)
    ids = session.find("")
    saved = session._current_rows()
    assert saved is not None and saved.rests(ids[:3]) is not None
    real = SavedFile.numbers

    def numbers(self, name, typecode, count=None):
        out = real(self, name, typecode, count)
        return array("I", [cut] * len(out)) if name == "tails_cut" else out

    saved._cuts = None
    monkeypatch.setattr(SavedFile, "numbers", numbers)
    assert saved.rests(ids[:3]) is None
    assert _printed(session, ids) == _views_listing(folder, ids)
