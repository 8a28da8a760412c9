"""Command-line habits, saved searches and the config file, through ``tui.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.config import load_config
from tests.tui_helpers import open_test_shelf
from tui.cli import main


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    return folder


def shelf(data_dir: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), "--user", "alice", *args])
    out, err = capsys.readouterr()
    return code, out, err


def ids_of(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("shelf ")


def test_a_misspelt_command_suggests_the_right_one(data_dir: Path, capsys) -> None:
    code, _, err = shelf(data_dir, capsys, "lsit")
    assert code == 2
    assert "did you mean 'list'?" in err


def test_list_and_export_help_describe_queries_and_formats(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["list", "--help"])
    out = capsys.readouterr().out
    for word in ("tag:rlhf", "is:unread", "year:2019..2021", "readby:", "@NAME", "--sort"):
        assert word in out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    for fmt in ("md", "csv", "bib", "ris", "csl-json", "html"):
        assert f"\n  {fmt} " in out


def test_show_takes_a_unique_title_match(data_dir: Path, capsys) -> None:
    code, out, _ = shelf(data_dir, capsys, "show", "proximal policy")
    assert code == 0 and "Proximal Policy Optimization Algorithms" in out
    code, _, err = shelf(data_dir, capsys, "show", "language")
    assert code == 1 and "titles contain 'language'" in err  # two match: give an id
    code, _, err = shelf(data_dir, capsys, "show", "no such thing")
    assert code == 1 and "no item with id or title" in err


def test_untag_of_a_missing_tag_says_so(data_dir: Path, capsys) -> None:
    assert shelf(data_dir, capsys, "tag", "a1", "llm")[0] == 0
    code, _, err = shelf(data_dir, capsys, "untag", "a1", "nosuch")
    assert code == 1 and "not tagged #nosuch" in err and "#llm" in err
    code, out, err = shelf(data_dir, capsys, "untag", "a1", "llm")
    assert code == 0 and err == ""


def test_list_sort(data_dir: Path, capsys) -> None:
    _, library, _ = shelf(data_dir, capsys, "list")
    _, by_title, _ = shelf(data_dir, capsys, "list", "--sort", "title")
    _, by_date, _ = shelf(data_dir, capsys, "list", "--sort", "date")
    _, relevance, _ = shelf(data_dir, capsys, "list", "language")
    _, in_library, _ = shelf(data_dir, capsys, "list", "--sort", "library", "language")
    assert ids_of(by_title) == ["h8", "a1", "f6", "b2", "c3", "e5", "g7", "d4"]
    assert ids_of(by_date)[0] == "g7"  # Dec 17, 2021 is the newest
    assert sorted(ids_of(in_library)) == sorted(ids_of(relevance))
    order = ids_of(library)
    assert ids_of(in_library) == sorted(ids_of(in_library), key=order.index)


def test_saved_searches_add_list_use_remove(data_dir: Path, capsys) -> None:
    assert shelf(data_dir, capsys, "read", "a1")[0] == 0
    code, out, _ = shelf(data_dir, capsys, "saved", "add", "to-read", "is:unread")
    assert code == 0 and "@to-read" in out
    code, out, _ = shelf(data_dir, capsys, "saved", "list", "--json")
    assert json.loads(out) == [{"name": "to-read", "query": "is:unread", "count": 7}]
    code, out, _ = shelf(data_dir, capsys, "list", "@to-read", "year:2020")
    assert ids_of(out) == ["e5"]  # a1 is 2020 too, but read
    # The file is in the data folder, versioned, for a reading group to share.
    saved = json.loads((data_dir / "saved-searches.json").read_text())
    assert saved["format"] == {"name": "shelf-saved-searches", "version": 1}
    code, _, err = shelf(data_dir, capsys, "list", "@nosuch")
    assert code == 1 and "no saved search named '@nosuch'" in err and "@to-read" in err
    code, _, err = shelf(data_dir, capsys, "saved", "add", "bad", "nosuch:x")
    assert code == 1 and "unknown filter" in err
    code, _, err = shelf(data_dir, capsys, "saved", "add", "has space", "x")
    assert code == 1
    assert shelf(data_dir, capsys, "saved", "remove", "to-read")[0] == 0
    code, _, err = shelf(data_dir, capsys, "saved", "remove", "to-read")
    assert code == 1 and "no saved search named 'to-read'" in err
    assert json.loads(shelf(data_dir, capsys, "saved", "list", "--json")[1]) == []


def test_config_path_get_set(tmp_path: Path, data_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SHELF_CONFIG_DIR", str(tmp_path / "conf"))
    code, out, _ = shelf(data_dir, capsys, "config", "path")
    assert out.strip() == str(tmp_path / "conf" / "config.toml")
    assert shelf(data_dir, capsys, "config", "get", "restore_view")[1].strip() == "true"
    assert shelf(data_dir, capsys, "config", "set", "theme", "textual-light")[0] == 0
    assert shelf(data_dir, capsys, "config", "set", "restore_view", "no")[0] == 0
    assert shelf(data_dir, capsys, "config", "set", "keys.item.toggle_read", "m")[0] == 0
    config = load_config()
    assert (config.theme, config.restore_view, config.keys) == (
        "textual-light",
        False,
        {"item.toggle_read": "m"},
    )
    assert shelf(data_dir, capsys, "config", "get", "theme")[1].strip() == "textual-light"
    code, _, err = shelf(data_dir, capsys, "config", "set", "default_sort", "random")
    assert code == 1 and "default_sort must be one of" in err
    code, _, err = shelf(data_dir, capsys, "config", "set", "colour", "red")
    assert code == 1 and "unknown setting 'colour'" in err
    assert load_config().default_sort == "relevance"  # a refused value is not written
