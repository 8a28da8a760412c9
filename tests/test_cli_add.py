"""shelf add through the command line, against arXiv and Crossref served from 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.session import Session
from tests.http_fixtures.server import JSON, ArxivAPI, FakeWeb, Reply, fixture
from tui.cli import main

pytestmark = pytest.mark.timeout(120)
CLIP = "Learning Transferable Visual Models From Natural Language Supervision"


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch, no_proxies: None) -> Iterator[FakeWeb]:
    api = ArxivAPI({"2103.00020": "arxiv_2103.00020.xml", "2303.08774": "arxiv_2303.08774.xml"})
    with FakeWeb() as server:
        server.route("/api/query", api)
        server.route(
            "/cr/works/10.1038/nature14539",
            Reply(body=fixture("crossref_10.1038_nature14539.json"), content_type=JSON),
        )
        monkeypatch.setenv("SHELF_ARXIV_API", server.url("/api/query"))
        monkeypatch.setenv("SHELF_CROSSREF_API", server.url("/cr"))
        monkeypatch.setenv("SHELF_DOI_RESOLVER", server.url("/doi"))
        yield server


def shelf(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), "--user", "alice", *args])


def clip_items(folder: Path) -> list:
    items = Session.open(folder, "alice").shelf.items()
    return [item for item in items.values() if item.title == CLIP]


def test_clip_by_arxiv_id_merges_into_the_corpus_item(bundled_data: Path, web, capsys) -> None:
    (before,) = clip_items(bundled_data)
    count = len(Session.open(bundled_data, "alice").shelf.items())
    assert shelf(bundled_data, "add", "arxiv:2103.00020", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == [] and report["merged"] == [before.id] and report["errors"] == []
    (after,) = clip_items(bundled_data)
    assert len(Session.open(bundled_data, "alice").shelf.items()) == count
    assert after.id == before.id and len(after.authors) == 12 and after.date == "2021-02-26"
    assert "https://arxiv.org/abs/2103.00020" in after.urls
    assert shelf(bundled_data, "show", before.id, "--json") == 0
    view = json.loads(capsys.readouterr().out)
    assert view["arxiv_id"] == "2103.00020" and view["doi"] is None
    # Twice: nothing changes.
    assert shelf(bundled_data, "add", "https://arxiv.org/abs/2103.00020") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 added, 0 merged, 1 unchanged"


def test_a_doi_adds_a_new_item_and_a_failure_adds_nothing(bundled_data: Path, web, capsys) -> None:
    count = len(Session.open(bundled_data, "alice").shelf.items())
    assert shelf(bundled_data, "add", "doi:10.1038/nature14539", "arxiv:2401.99999") == 1
    out, err = capsys.readouterr()
    assert "doi:10.1038/nature14539: Deep learning" in out
    assert err.strip().startswith("arxiv:2401.99999: ") and err.count("\n") == 1
    items = Session.open(bundled_data, "alice").shelf.items()
    assert len(items) == count + 1
    (new,) = [i for i in items.values() if i.title == "Deep learning"]
    assert shelf(bundled_data, "show", new.id, "--json") == 0
    assert json.loads(capsys.readouterr().out)["doi"] == "10.1038/nature14539"
    assert shelf(bundled_data, "add", "not a reference") == 1
    assert "not a reference" in capsys.readouterr().err


def test_a_in_the_app_adds_a_paper_and_lists_it(tmp_path: Path, web) -> None:
    import asyncio

    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp

    folder = tmp_path / "data"
    app = ShelfApp(Session(open_test_shelf(folder)))

    async def go() -> list[str]:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*"arxiv:2303.08774", "enter")
            await settle(pilot)
            for _ in range(100):
                if len(app.model.library_order) == 9:
                    break
                await pilot.pause(0.05)
            titles = [app.model.row(i).title for i in app.model.library_order]
            assert "GPT-4 Technical Report" in titles
            return [str(n.message) for n in app._notifications]

    notes = asyncio.run(go())
    assert "arxiv:2303.08774: GPT-4 Technical Report" in notes and "1 added, 0 merged" in notes
    items = Session(open_test_shelf(folder)).shelf.items()
    assert any(i.title == "GPT-4 Technical Report" for i in items.values())
