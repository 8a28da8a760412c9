"""The arXiv abstract list (002): one ``Abstract:`` line per paper, no titles."""

from __future__ import annotations

import pytest

from seeds.parse import parse_document
from tests.seed_fixtures import ARXIV, parsed_seed, render_arxiv

# (derived title, first words of the abstract, urls). Each derived title was
# checked by hand against its abstract: it names the topic, fits in 80
# characters and has no dangling bracket.
GOLDEN = [
    (
        "Generative AI models perturb the foundations of effective human communication",
        "Generative AI models perturb the foundations",
        [],
    ),
    (
        "The potential implications of large language models (LLMs)",
        "We investigate the potential implications of large language models",
        [],
    ),
    (
        "An alternative method for 3D object generation",
        "While recent work on text-conditional 3D object generation",
        ["https://github.com/openai/point-e"],
    ),
    (
        "A hazard analysis framework constructed at OpenAI",
        "Codex, a large language model (LLM) trained on a variety of codebases",
        [],
    ),
    (
        "An avenue for aligning language models with user intent on a wide range of tasks",
        "Making language models bigger does not inherently make them better",
        [],
    ),
    (
        "Diffusion models for the problem of text-conditional image synthesis",
        "Diffusion models have recently been shown to generate high-quality synthetic images",
        ["https://github.com/openai/glide-text2im"],
    ),
    (
        "Codex, a GPT language model fine-tuned on publicly available code from GitHub",
        "We introduce Codex, a GPT language model fine-tuned on publicly available code",
        [],
    ),
    (
        "State-of-the-art computer vision systems are trained to predict a fixed set…",
        "State-of-the-art computer vision systems are trained to predict",
        ["https://github.com/OpenAI/CLIP"],
    ),
]


def test_kind_and_count():
    result = parsed_seed(ARXIV)
    assert result.kind == "arxiv_abstracts"
    assert len(result.entries) == 8
    assert result.skipped == []


@pytest.mark.parametrize("position,expected", list(enumerate(GOLDEN)))
def test_golden_entry(position, expected):
    title, start, urls = expected
    entry = parsed_seed(ARXIV).entries[position]
    assert entry.title == title
    assert entry.title_derived is True
    assert entry.summary.startswith(start)
    assert not entry.summary.startswith("Abstract")
    assert entry.summary_truncated is False
    assert entry.urls == urls
    assert (entry.authors, entry.date, entry.category, entry.has_code) == ([], None, None, False)


def test_derived_titles_are_scannable():
    for entry in parsed_seed(ARXIV).entries:
        assert 20 <= len(entry.title) <= 80
        assert entry.title[0].isupper()
        assert entry.title.count("(") == entry.title.count(")")
        assert not entry.title.endswith((".", ",", ":", ";"))


def test_abstract_prefix_variants_and_blank_lines():
    text = "\n Abstract: First abstract here about things.\n\nabstract :Second one.\n"
    entries = parse_document(text, "a.txt").entries
    assert [e.summary for e in entries] == ["First abstract here about things.", "Second one."]


def test_synthetic_round_trip():
    abstracts = [f"We introduce model number {i}, a system for task {i}." for i in range(5)]
    entries = parse_document(render_arxiv(abstracts), "a.txt").entries
    assert [e.summary for e in entries] == abstracts
    assert all(e.title_derived and e.title for e in entries)
