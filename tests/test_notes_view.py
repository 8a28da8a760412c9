"""Posts known only by their update notes, as shown: the notes as their text, and
a link to the item a note names (``shelf show``, ``--json``, the detail view)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from seeds.model import Item
from tests.test_cli import SEEDS, run
from tests.test_notes_titles import NOTES_ONLY, _as_before, _entries
from tests.tui_helpers import open_test_shelf, settle

EXPERT = "6c3989de3acc"
TRAINING = "536a353e4beb"
TRAINING_TITLE = "Techniques for Training Large Neural Networks"
EXCERPTS = SEEDS / "004_c7da1ec205d5967c.txt"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _show_json(data_dir: Path, ref: str) -> dict:
    return orjson.loads(run(data_dir, "show", ref, "--json").stdout)


def test_show_prints_the_notes_as_the_text_and_the_item_they_name(data_dir):
    out = run(data_dir, "show", EXPERT).stdout
    assert out.startswith(NOTES_ONLY[EXPERT][1] + "  (derived title)")
    assert "(no abstract)" not in out
    assert "  2022-03-13  add expert choice routing." in out
    assert "  2022-06-10  Greg and I wrote a shorted and upgraded version" in out
    assert "updated 2022-03-13:" not in out  # shown once, as the text
    assert f"See also: {TRAINING_TITLE} ({TRAINING})" in out


def test_show_json_has_links_to_and_the_contract_fields(data_dir):
    view = _show_json(data_dir, EXPERT)
    assert view["links_to"] == [{"id": TRAINING, "title": TRAINING_TITLE}]
    assert view["title"] == NOTES_ONLY[EXPERT][1] and view["title_derived"] is True
    assert view["summary"] == "" and len(view["updates"]) == 2
    # The named item exists under that id; it names nothing itself.
    target = _show_json(data_dir, TRAINING)
    assert target["title"] == TRAINING_TITLE and target["links_to"] == []


def test_names_that_are_no_items_title_make_no_link(data_dir):
    # Quoted section names ("Momentum Contrast") and a cut-off name are not titles here.
    for item_id in ("f8be263f85e9", "c95ef244ea94", "032eceaf20e4", "ba4dbfa86a6f"):
        assert _show_json(data_dir, item_id)["links_to"] == []


def test_an_item_with_an_abstract_still_shows_it_and_its_updates_as_before(data_dir):
    items = orjson.loads(run(data_dir, "list", "--json").stdout)
    item = next(i for i in items if i["updates"] and i["summary"])
    out = run(data_dir, "show", item["id"]).stdout
    assert f"updated {item['updates'][0]['date']}: " in out
    assert "update notes (" not in out


def _old_library(folder: Path) -> None:
    """A library as imported before: the six titled from their first note."""
    from seeds.merge import merge_entries

    items = merge_entries(_entries()).items
    old = [_as_before(i) if i.id in NOTES_ONLY else i for i in items]
    open_test_shelf(folder, items=old)


def test_an_existing_library_keeps_ids_and_annotations_and_gets_the_titles_on_reimport(
    data_dir,
):
    _old_library(data_dir)
    run(data_dir, "tag", EXPERT, "moe")
    run(data_dir, "note", "f7fd2519d96c", "read with the diffusion papers")
    run(data_dir, "status", "reading", "f8be263f85e9")
    before = {v["id"]: v for v in orjson.loads(run(data_dir, "list", "--json").stdout)}
    assert {i: before[i]["title"] for i in NOTES_ONLY} == {
        i: old for i, (old, _) in NOTES_ONLY.items()
    }
    # Links are made when shown, so the old library has them before any import.
    assert _show_json(data_dir, EXPERT)["links_to"] == [{"id": TRAINING, "title": TRAINING_TITLE}]

    report = run(data_dir, "import", str(EXCERPTS)).stdout
    assert "0 added, 6 merged" in report
    after = {v["id"]: v for v in orjson.loads(run(data_dir, "list", "--json").stdout)}
    assert set(after) == set(before)
    assert {i: after[i]["title"] for i in NOTES_ONLY} == {
        i: new for i, (_, new) in NOTES_ONLY.items()
    }
    assert all(after[i]["title_derived"] for i in NOTES_ONLY)
    assert after[EXPERT]["tags"] == ["moe"]
    assert [n["text"] for n in after["f7fd2519d96c"]["notes"]] == ["read with the diffusion papers"]
    assert after["f8be263f85e9"]["status"] == "reading"
    # The new titles are what a search finds.
    found = orjson.loads(run(data_dir, "list", "--json", "glide unclip").stdout)
    assert found[0]["id"] == "f7fd2519d96c"


def test_the_detail_view_shows_the_notes_and_goes_to_the_named_item(tmp_path: Path) -> None:
    from seeds.merge import merge_entries
    from tui.app import ShelfApp
    from tui.screens.detail import DetailScreen
    from tui.widgets.detail import DetailPane

    items: list[Item] = merge_entries(_entries()).items
    folder = tmp_path / "data"

    async def go() -> None:
        from core.session import Session

        app = ShelfApp(Session(open_test_shelf(folder, items=items)))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"expert choice routing", "enter")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DetailScreen) and screen.item_id == EXPERT
            drawn = screen.query_one(DetailPane).drawn_text
            assert "~Training Large Neural Networks: expert choice routing" in drawn
            assert "Update notes" in drawn and "(no abstract)" not in drawn
            assert "2022-03-13  add expert choice routing." in drawn
            assert "See also" in drawn and f"{TRAINING_TITLE}  {TRAINING}" in drawn
            await pilot.press("L")
            await settle(pilot)
            assert screen.item_id == TRAINING
            assert TRAINING_TITLE in screen.query_one(DetailPane).drawn_text

    asyncio.run(go())


def test_links_are_exact_titles_only_never_the_item_itself():
    from core.mentions import TitleIndex, links_to

    ids = ["a", "b", "c", "d"]
    titles = [
        "Techniques for Training Large Neural Networks",
        "Improved Techniques for Training GANs",
        "Techniques for training large neural networks!",  # case and punctuation aside: same
        "Training Large Neural Networks",
    ]
    lookup = TitleIndex().lookup(ids, titles)
    updates = [
        {"date": "2022-06-10", "text": "published on OpenAI Blog: “Techniques for Training Large "
         "Neural Networks”"},
        {"date": "2022-06-11", "text": "see “Training GANs” and “Training Large Neural Networks”"},
    ]  # fmt: skip
    assert links_to("c", updates, lookup) == [
        {"id": "a", "title": titles[0]},
        {"id": "d", "title": titles[3]},
    ]
    assert (
        links_to("x", [{"date": "2020-01-01", "text": "add expert choice routing."}], lookup) == []
    )


def test_the_title_index_follows_new_columns():
    from core.mentions import TitleIndex

    index = TitleIndex()
    assert index.lookup(["a"], ["Old Title"])("old title") == [("a", "Old Title")]
    assert index.lookup(["a", "b"], ["Old Title", "New Title"])("new title") == [("b", "New Title")]


def test_import_bundled_brings_an_old_library_the_new_titles(data_dir) -> None:
    """After an upgrade, ``shelf import --bundled`` is how a library made before gets
    what the shipped corpus now parses to; ids and annotations stay."""
    _old_library(data_dir)
    run(data_dir, "tag", EXPERT, "moe")
    dry = run(data_dir, "import", "--bundled", "--dry-run").stdout
    assert "would be: 0 added, 6 merged" in dry
    report = run(data_dir, "import", "--bundled").stdout
    assert "0 added, 6 merged" in report
    after = {v["id"]: v for v in orjson.loads(run(data_dir, "list", "--json").stdout)}
    assert {i: after[i]["title"] for i in NOTES_ONLY} == {
        i: new for i, (_, new) in NOTES_ONLY.items()
    }
    assert after[EXPERT]["tags"] == ["moe"]
    assert "0 added, 0 merged" in run(data_dir, "import", "--bundled").stdout


def test_import_needs_documents_or_bundled(data_dir) -> None:
    from tui.cli import main

    for argv in (["import"], ["import", "--bundled", "x.txt"]):
        code = main(["--data-dir", str(data_dir), *argv])
        assert code == 1
