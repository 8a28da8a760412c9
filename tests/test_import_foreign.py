"""Documents that are plainly something else are refused by name, and add nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from seeds.parse import UnknownFormat, parse_document
from tests.tui_helpers import open_test_shelf
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
CSV = "title,authors,year\nAttention Is All You Need,Vaswani,2017\nGPT-4,OpenAI,2023\n"


@pytest.mark.parametrize(
    ("name", "text", "named"),
    [
        ("README.md", (ROOT / "README.md").read_text(), "Markdown"),
        ("app.py", (ROOT / "tui" / "app.py").read_text(), "source code"),
        ("pyproject.toml", (ROOT / "pyproject.toml").read_text(), "TOML or INI"),
        ("papers.csv", CSV, "comma or tab separated"),
    ],
)
def test_foreign_documents_are_refused_by_name(name: str, text: str, named: str) -> None:
    with pytest.raises(UnknownFormat, match=named) as refused:
        parse_document(text, name)
    assert "\n" not in str(refused.value) and "--format" in str(refused.value)


def test_a_forced_format_reads_it_anyway() -> None:
    text = "Some Title\n\nSome prose that summarises the work in a sentence or two.\n"
    assert parse_document(text, "x.txt", kind="research_page").entries[0].title == "Some Title"
    with pytest.raises(UnknownFormat, match="unknown format 'nope'"):
        parse_document(text, "x.txt", kind="nope")


def test_shelf_import_of_the_readme_adds_nothing(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    before = list(open_test_shelf(folder).items(with_text=False))
    code = main(["--data-dir", str(folder), "import", str(ROOT / "README.md")])
    assert code == 1
    err = capsys.readouterr().err
    assert "README.md: looks like Markdown" in err
    assert list(open_test_shelf(folder).items(with_text=False)) == before
