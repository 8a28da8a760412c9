"""Sources have names people know: "Lil'Log", not 004_c7da1ec205d5967c.txt."""

from __future__ import annotations

import json
from pathlib import Path

from storage.source_names import source_name
from tui.cli import main


def test_the_shipped_documents_feeds_and_references_are_named() -> None:
    assert source_name("004_c7da1ec205d5967c.txt") == "Lil'Log"
    assert source_name("000_952a18cb5a777fa5.txt") == "OpenAI blog"
    assert source_name("feed:lillog") == "lillog"
    assert source_name("arxiv:2303.08774") == "arXiv"
    assert source_name("my-papers.bib") == "my-papers"


def test_json_has_source_names_and_src_takes_them(bundled_data: Path, capsys) -> None:
    assert main(["--data-dir", str(bundled_data), "list", "src:lillog", "--json"]) == 0
    views = json.loads(capsys.readouterr().out)
    assert len(views) == 30
    assert all(v["source_names"] == ["Lil'Log"] for v in views)
    assert all(len(v["source_names"]) == len(v["sources"]) for v in views)
    assert main(["--data-dir", str(bundled_data), "list", "src:004", "--json"]) == 0
    assert [v["id"] for v in json.loads(capsys.readouterr().out)] == [v["id"] for v in views]
    assert main(["--data-dir", str(bundled_data), "list", "--json", "--", "-src:lillog"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 73 - 30
