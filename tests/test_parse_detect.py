"""Formats are recognised by content: names and order of documents do not matter."""

from __future__ import annotations

import random

import pytest

from seeds.bundled import bundled_documents
from seeds.detect import detect_kind
from seeds.model import DOCUMENT_KINDS as KINDS
from seeds.parse import ParseResult, UnknownFormat, parse_document
from tests.seed_fixtures import (
    ARXIV,
    BLOG,
    EXCERPTS,
    PAPERS,
    RESEARCH,
    SEED_FILES,
    parsed_seed,
    seed_text,
)

KIND_OF = {
    BLOG: "blog_listing",
    RESEARCH: "research_page",
    ARXIV: "arxiv_abstracts",
    PAPERS: "paper_listing",
    EXCERPTS: "blog_excerpts",
}


@pytest.mark.parametrize("name", SEED_FILES)
def test_each_seed_is_detected(name):
    assert detect_kind(seed_text(name)) == KIND_OF[name]
    assert KIND_OF[name] in KINDS


def test_every_kind_is_covered_once():
    assert sorted(KIND_OF.values()) == sorted(KINDS)


@pytest.mark.parametrize("name", SEED_FILES)
def test_renamed_files_parse_the_same(name):
    renamed = parse_document(seed_text(name), "downloaded (3).txt")
    original = parsed_seed(name)
    assert renamed.kind == original.kind
    assert [e.title for e in renamed.entries] == [e.title for e in original.entries]
    assert {e.source for e in renamed.entries} == {"downloaded (3).txt"}


def test_shuffled_names_and_order_parse_the_same():
    names = list(SEED_FILES)
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    # Give each document another document's name, in another order.
    for name, alias in zip(reversed(names), shuffled, strict=True):
        result = parse_document(seed_text(name), alias)
        assert result.kind == KIND_OF[name]
        assert len(result.entries) == len(parsed_seed(name).entries)


@pytest.mark.parametrize("name", SEED_FILES)
def test_windows_line_endings_and_bom(name):
    text = "\ufeff" + seed_text(name).replace("\n", "\r\n")
    result = parse_document(text, name)
    assert result.kind == KIND_OF[name]
    assert [e.title for e in result.entries] == [e.title for e in parsed_seed(name).entries]
    assert [e.summary for e in result.entries] == [e.summary for e in parsed_seed(name).entries]


def test_total_entries_across_the_seeds():
    assert sum(len(parsed_seed(n).entries) for n in SEED_FILES) == 80


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n\t",
        "\x00\x01\x02binary\x00junk\x7f" * 20,
        "".join(chr(c) for c in range(1, 32)) * 10,
        "one line",
        "Research",
        "Read More",
        "LGJun 6, 2024Code",
    ],
)
def test_unknown_format(text):
    assert detect_kind(text) is None or detect_kind(text) in KINDS
    with pytest.raises(UnknownFormat) as raised:
        parse_document(text, "junk.bin")
    message = str(raised.value)
    assert "junk.bin" in message and "\n" not in message


def test_unknown_format_is_a_value_error():
    assert issubclass(UnknownFormat, ValueError)


def test_parse_result_shape():
    result = parsed_seed(BLOG)
    assert isinstance(result, ParseResult)
    assert isinstance(result.skipped, list)


def test_bundled_documents_are_the_seed_files():
    documents = bundled_documents()
    assert [name for name, _ in documents] == list(SEED_FILES)
    for name, text in documents:
        assert text == seed_text(name)


def _shuffled(name: str, rng: random.Random) -> str:
    """The document with its entries in another order, in its own layout."""
    text = seed_text(name)
    lines = text.split("\n")
    if name == PAPERS:
        groups = [lines[i : i + 3] for i in range(0, len(lines), 3)]
        rng.shuffle(groups)
        return "\n".join(line for group in groups for line in group)
    if name in (ARXIV, EXCERPTS):
        head, body = (lines[:1], lines[1:]) if name == EXCERPTS else ([], lines)
        rng.shuffle(body)
        return "\n".join(head + body)
    if name == RESEARCH:
        blocks = text.split("\n\n")
        head, pairs = blocks[:3], [blocks[i : i + 2] for i in range(3, len(blocks), 2)]
        rng.shuffle(pairs)
        return "\n\n".join(head + [b for pair in pairs for b in pair])
    chunks = text.replace("Read More", "\nRead More\n").split("\nRead More\n")
    posts = [c.strip("\n") for c in chunks if c.strip()]
    rng.shuffle(posts)
    return "\n" + "\nRead More\n".join(posts) + "\nRead More"


@pytest.mark.parametrize("name", SEED_FILES)
def test_entries_in_another_order_parse_the_same(name):
    result = parse_document(_shuffled(name, random.Random(5)), "shuffled.txt")
    original = parsed_seed(name)
    assert result.kind == original.kind
    fields = sorted(
        (e.title, e.summary, e.authors, e.date_text, len(e.updates)) for e in result.entries
    )
    expected = sorted(
        (e.title, e.summary, e.authors, e.date_text, len(e.updates)) for e in original.entries
    )
    assert fields == expected
    assert [e.title for e in result.entries] != [e.title for e in original.entries]
