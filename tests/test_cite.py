"""``shelf cite`` and the links an item knows, through the command line's entry point."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import orjson
import pytest

from core.cite import citations, item_links, paper_link
from tui.cli import main

USER = "alice"


def shelf(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--data-dir", str(data), "--user", USER, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def ids_for(capsys, data: Path, *titles: str) -> list[str]:
    _, out, _ = shelf(capsys, data, "list", "--json")
    views = orjson.loads(out)
    return [next(v["id"] for v in views if v["title"].startswith(t)) for t in titles]


def test_cite_prints_stored_keys_in_the_order_asked(bundled_data, capsys):
    clip, gpt4 = ids_for(capsys, bundled_data, "Learning Transferable", "GPT-4 Technical")
    code, out, _ = shelf(capsys, bundled_data, "cite", gpt4, clip)
    assert code == 0
    assert out.splitlines() == ["achiam2023gpt4", "radford2021learning"]


def test_cite_bibtex_is_the_export_entry_and_parses(bundled_data, capsys):
    (clip,) = ids_for(capsys, bundled_data, "Learning Transferable")
    _, out, _ = shelf(capsys, bundled_data, "cite", clip, "--style", "bibtex")
    library = bibtexparser.parse_string(out)
    assert [e.key for e in library.entries] == ["radford2021learning"]
    _, full, _ = shelf(capsys, bundled_data, "export", "-f", "bib", "Transferable")
    assert out.strip() in full


def test_cite_markdown_links_the_paper_not_the_code(bundled_data, capsys):
    (clip,) = ids_for(capsys, bundled_data, "Learning Transferable")
    _, out, _ = shelf(capsys, bundled_data, "cite", clip, "-s", "markdown")
    assert out.startswith(
        "[Learning Transferable Visual Models From Natural Language Supervision]("
    )
    assert "github.com" not in out and "arxiv.org/search" in out


def test_cite_text_is_a_formatted_reference(bundled_data, capsys):
    (clip,) = ids_for(capsys, bundled_data, "Learning Transferable")
    _, out, _ = shelf(capsys, bundled_data, "cite", clip, "--style", "text")
    assert re.match(r"^Radford, A\. et al\. \(2021\) “Learning Transferable Visual Models", out)


def test_cite_unknown_id_fails_with_one_line(bundled_data, capsys):
    code, out, err = shelf(capsys, bundled_data, "cite", "zzzzzz")
    assert code != 0 and out == "" and "zzzzzz" in err


def view(**fields):
    base = {"id": "x", "title": "A Paper", "authors": ["Ann Author"], "urls": []}
    return {**base, **fields}


def test_arxiv_papers_get_abs_and_pdf_links_code_last():
    links = item_links(
        view(urls=["https://github.com/a/b", "https://arxiv.org/pdf/2103.00020v1.pdf"])
    )
    assert [(lk.kind, lk.url) for lk in links] == [
        ("paper", "https://arxiv.org/abs/2103.00020"),
        ("pdf", "https://arxiv.org/pdf/2103.00020"),
        ("code", "https://github.com/a/b"),
    ]


def test_a_blog_post_opens_its_own_page_and_javascript_is_never_a_link():
    post = view(authors=[], urls=["javascript:alert(1)", "https://openai.com/blog/x"])
    link = paper_link(post)
    assert link is not None and link.url == "https://openai.com/blog/x"
    assert all(lk.url.startswith("https://") for lk in item_links(post))


def test_citation_text_from_data_is_not_markdown_markup():
    out = citations([view(title="Brackets [x] and \\ too", citekey="k1")], "markdown")
    assert out.startswith("[Brackets \\[x\\] and \\\\ too](")
