"""The research page (001): header, then title / blank line / summary, with page chrome."""

from __future__ import annotations

import pytest

from seeds.parse import parse_document
from tests.seed_fixtures import RESEARCH, parsed_seed, render_research_page

# (title, first words of the summary, last words, cut short?)
# Read from 001_66637d14103855ee.txt; summaries are cut mid-sentence without "…".
GOLDEN = [
    (
        "Our approach to alignment research",
        "Our approach to aligning AGI is empirical and iterative.",
        "that can help us solve all other alignment problems.",
        False,
    ),
    (
        "DALL·E 2 Pre-Training Mitigations",
        "In order to share the magic of DALL·E 2 with a broad audience",
        "This post focuses on pre-training",
        True,
    ),
    (
        "Learning to Play Minecraft with Video PreTraining (VPT)",
        "We trained a neural network to play Minecraft by Video PreTraining (VPT)",
        "a task that usually takes proficient humans over",
        True,
    ),
    (
        "AI-Written Critiques Help Humans Notice Flaws",
        "Showing model-generated critical comments to humans helps them find flaws in summaries.",
        "helps them find flaws in summaries.",
        False,
    ),
    (
        "Techniques for Training Large Neural Networks",
        "Large neural networks are at the core of many recent advances in AI",
        "machine learning practitioners have developed an increasing",
        True,
    ),
    (
        "Solving (Some) Formal Math Olympiad Problems",
        "We built a neural theorem prover for Lean that learned to solve",
        "to find proofs of formal statements. Each",
        True,
    ),
    (
        "Aligning Language Models to Follow Instructions",
        "We’ve trained language models that are much better at following user intentions",
        "are now deployed as the default language",
        True,
    ),
    (
        "WebGPT: Improving the Factual Accuracy of Language Models through Web Browsing",
        "We’ve fine-tuned GPT-3 to more accurately answer open-ended questions",
        "It is trained to cite its sources, which makes it",
        True,
    ),
    (
        "Solving Math Word Problems",
        "We’ve trained a system that solves grade school math problems",
        "scored 60% on a test from our dataset, while our",
        True,
    ),
]


def test_kind_and_count():
    result = parsed_seed(RESEARCH)
    assert result.kind == "research_page"
    assert len(result.entries) == 9


@pytest.mark.parametrize("position,expected", list(enumerate(GOLDEN)))
def test_golden_entry(position, expected):
    title, start, end, cut = expected
    entry = parsed_seed(RESEARCH).entries[position]
    assert entry.title == title
    assert entry.title_derived is False
    assert entry.summary.startswith(start)
    assert entry.summary.endswith(end)
    assert entry.summary_truncated is cut
    assert (entry.source, entry.kind, entry.position) == (RESEARCH, "research_page", position)
    assert (entry.authors, entry.date, entry.category, entry.urls, entry.updates) == (
        [],
        None,
        None,
        [],
        [],
    )


def test_header_and_heading_with_one_word_fragment_are_chrome():
    result = parsed_seed(RESEARCH)
    titles = [e.title for e in result.entries]
    assert "Research" not in titles
    assert "Introduction" not in titles
    assert "Our" not in titles
    assert any("Research" in note for note in result.skipped)
    assert any("'Introduction' / 'Our'" in note for note in result.skipped)


def test_footnote_marker_is_removed_from_the_text():
    summary = parsed_seed(RESEARCH).entries[5].summary
    assert "[1]" not in summary
    assert "adapted from the IMO. The prover uses a language model" in summary


def test_synthetic_page_round_trips():
    posts = [("Alpha Paper", "Alpha is a model. It works."), ("Beta: Two", "Beta is cut short")]
    result = parse_document(render_research_page(posts, header="Publications"), "p.txt")
    assert result.kind == "research_page"
    assert [(e.title, e.summary) for e in result.entries] == posts
    assert [e.summary_truncated for e in result.entries] == [False, True]


def test_a_short_summary_without_period_still_pairs_with_its_title():
    posts = [("First", "A short summary"), ("Second", "Another short one")]
    result = parse_document(render_research_page(posts), "p.txt")
    assert [(e.title, e.summary) for e in result.entries] == posts


def test_extra_paragraphs_continue_the_summary():
    text = (
        "Research\n\nTitle One\n\nFirst paragraph of the summary.\n\n"
        "A second paragraph, which is prose rather than a heading.\n\nTitle Two\n\nSummary two."
    )
    entries = parse_document(text, "p.txt").entries
    assert [e.title for e in entries] == ["Title One", "Title Two"]
    assert entries[0].summary == (
        "First paragraph of the summary.\n\n"
        "A second paragraph, which is prose rather than a heading."
    )


def test_chrome_in_the_middle_does_not_shift_the_pairs():
    text = (
        "Research\n\nTitle One\n\nSummary one.\n\nFeatured\n\nOur\n\n"
        "Title Two\n\nSummary two.[12] More text."
    )
    result = parse_document(text, "p.txt")
    assert [(e.title, e.summary) for e in result.entries] == [
        ("Title One", "Summary one."),
        ("Title Two", "Summary two. More text."),
    ]


def test_page_without_a_header_starts_with_its_first_title():
    text = "First Title Here\n\nIts summary, which is prose.\n\nSecond Title\n\nAnother summary."
    result = parse_document(text, "p.txt")
    assert result.kind == "research_page"
    assert [e.title for e in result.entries] == ["First Title Here", "Second Title"]
    assert not any("header" in note for note in result.skipped)


def test_single_line_header_followed_by_a_title():
    text = "Publications\n\nFirst Title\n\nIts summary.\n\nSecond Title\n\nAnother summary."
    result = parse_document(text, "p.txt")
    assert [e.title for e in result.entries] == ["First Title", "Second Title"]
    assert result.skipped == ["page header 'Publications'"]


def test_hard_wrapped_summary_lines_are_joined():
    text = "Research\n\nA Title\n\nA summary that was\nwrapped over two lines."
    entry = parse_document(text, "p.txt").entries[0]
    assert entry.summary == "A summary that was wrapped over two lines."
