"""The core without a terminal: sessions, changes, search kept current, streaming output."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from core.output import write_json_array
from core.session import Session, StaleView
from tests.tui_helpers import open_test_shelf


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session(open_test_shelf(tmp_path / "data"))


def test_a_change_returns_the_saved_state_of_every_item_it_names(session: Session) -> None:
    change = session.add_tags(["a1", "b2"], ["RLHF", "ppo"])
    assert change.ids == ["a1", "b2"]
    assert change.annotations["a1"].tags == ["ppo", "rlhf"]
    reopened = Session(open_test_shelf(session.data_dir))
    assert reopened.annotation("b2").tags == ["ppo", "rlhf"]


def test_toggle_acts_on_what_was_shown_and_refuses_a_newer_state(session: Session) -> None:
    other = Session(open_test_shelf(session.data_dir))
    shown = {"a1": "unread"}
    other.set_status(["a1"], "read")  # another process, after the screen was drawn
    with pytest.raises(StaleView, match="changed elsewhere"):
        session.toggle_read(["a1"], seen=shown)
    assert Session(open_test_shelf(session.data_dir)).annotation("a1").status == "read"
    assert session.toggle_read(["a1"], seen={"a1": "read"}).value == "unread"


def test_cycle_status_from_the_status_shown(session: Session) -> None:
    assert session.cycle_status("b2", seen="unread").value == "reading"
    assert session.cycle_status("b2", seen="reading").value == "read"
    with pytest.raises(StaleView):
        session.cycle_status("b2", seen="unread")


def test_search_follows_every_change_made_through_the_session(session: Session) -> None:
    assert session.find("tag:later") == []
    session.add_tags(["d4"], ["later"])
    assert session.find("tag:later") == ["d4"]
    session.add_note("b2", "read with the appendix on clipping")
    assert session.find("clipping") == ["b2"]
    session.remove_tags(["d4"], ["later"])
    assert session.find("tag:later") == []


def test_an_empty_query_is_the_library_in_order(session: Session) -> None:
    assert session.find("  ") == ["a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8"]


def test_poll_sees_what_another_process_wrote(session: Session) -> None:
    session.annotations()  # what the app shows first
    loaded = session.load()
    assert session.poll(loaded.items, with_others=False).empty
    Session(open_test_shelf(session.data_dir)).add_tags(["e5"], ["scaling"])
    seen = session.poll(loaded.items, with_others=False)
    assert seen.items is None and seen.annotations is not None
    assert seen.annotations["e5"].tags == ["scaling"]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_streamed_array_is_byte_for_byte_one_dump(count: int) -> None:
    items = [{"id": str(i), "nested": {"list": [1, {"x": None}], "s": "é\n"}} for i in range(count)]
    out = io.BytesIO()
    assert write_json_array(out, iter(items)) == count
    assert out.getvalue() == orjson.dumps(items, option=orjson.OPT_INDENT_2) + b"\n"


@pytest.mark.parametrize(
    "modules",
    [
        ["core.session", "core.listing", "core.search", "core.exports", "core.lifecycle"],
        ["tui.cli", "tui.commands"],
    ],
)
def test_the_core_and_the_command_line_load_no_textual(modules: list[str]) -> None:
    code = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich'})\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_title_spans_of_rows_past_the_first_are_worked_out_when_drawn(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.search

    monkeypatch.setattr(core.search, "HEAD_RANKS", 2)  # the sample has 8 items
    search = session.search
    search.open(session.shelf.items().values(), session.annotations(), {}, None)
    result = search.search("model OR shot OR image")
    ids = result.ids()
    assert len(ids) >= 4
    spans = search.title_spans(result)
    assert list(spans) == ids
    for rank, item_id in enumerate(ids):  # the head and the rows past it alike
        expected = tuple(result.hits[rank].matches.get("title", ()))
        assert expected
        assert item_id in spans
        assert spans[item_id] == expected
    assert "b2" not in ids and "b2" not in spans  # Proximal Policy Optimization
    assert spans.get("b2") is None
    with pytest.raises(KeyError):
        spans["b2"]
