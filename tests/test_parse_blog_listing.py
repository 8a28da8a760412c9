"""The blog listing (000): title / summary / ``Read More``, with scraping glue."""

from __future__ import annotations

import pytest

from seeds.parse import parse_document
from tests.seed_fixtures import BLOG, parsed_seed, render_blog_listing

# (title, first words of the summary, last words of the summary, cut short?)
# Read from 000_952a18cb5a777fa5.txt.
GOLDEN = [
    (
        "Reducing Bias and Improving Safety in DALL·E 2",
        "Today, we are implementing a new technique so that DALL·E generates",
        "Based on our internal evaluation,…",
        True,
    ),
    (
        "DALL·E 2: Extending Creativity",
        "As part of our DALL·E 2 research preview, more than 3,000 artists",
        "Creative professionals using…",
        True,
    ),
    (
        "DALL·E 2 Pre-Training Mitigations",
        "In order to share the magic of DALL·E 2 with a broad audience",
        "a subset of these guardrails which…",
        True,
    ),
    (
        "Learning to Play Minecraft with Video PreTraining (VPT)",
        "We trained a neural network to play Minecraft by Video PreTraining (VPT)",
        "over 20 minutes (24,000 actions). Our…",
        True,
    ),
    (
        "Learning to play Minecraft with Video PreTraining",
        "We trained a neural network to play Minecraft by Video PreTraining (VPT)",
        "over 20 minutes (24,000 actions). Our…",
        True,
    ),
    (
        "AI-Written Critiques Help Humans Notice Flaws",
        "We trained “critique-writing” models to describe flaws in summaries.",
        "to assist human supervision of AI systems on difficult tasks.",
        False,
    ),
    (
        "Techniques for Training Large Neural Networks",
        "Large neural networks are at the core of many recent advances in AI",
        "an increasing variety of techniques to parallelize…",
        True,
    ),
    (
        "Measuring Goodhart’s law",
        "Goodhart’s law famously says: “When a measure becomes a target,",
        "objectives that are difficult or costly to measure.",
        False,
    ),
]


def test_kind_and_count():
    result = parsed_seed(BLOG)
    assert result.kind == "blog_listing"
    assert len(result.entries) == 8


@pytest.mark.parametrize("position,expected", list(enumerate(GOLDEN)))
def test_golden_entry(position, expected):
    title, start, end, cut = expected
    entry = parsed_seed(BLOG).entries[position]
    assert entry.title == title
    assert entry.title_derived is False
    assert entry.summary.startswith(start)
    assert entry.summary.endswith(end)
    assert entry.summary_truncated is cut
    assert entry.source == BLOG
    assert entry.kind == "blog_listing"
    assert entry.position == position
    # A blog listing carries no paper metadata.
    assert (entry.authors, entry.affiliations, entry.date, entry.date_text) == ([], [], None, None)
    assert (entry.category, entry.has_code, entry.urls, entry.updates) == (None, False, [], [])


def test_read_more_glued_to_the_next_title_starts_a_new_entry():
    titles = [e.title for e in parsed_seed(BLOG).entries]
    assert "Measuring Goodhart’s law" in titles
    assert not any("Read More" in t for t in titles)
    assert not any("Read More" in e.summary for e in parsed_seed(BLOG).entries)


def test_link_chrome_after_the_summary_is_dropped_and_reported():
    result = parsed_seed(BLOG)
    critiques = result.entries[5]
    assert "Read paper" not in critiques.summary
    assert "View" not in critiques.summary
    assert any("Read paperView…" in note for note in result.skipped)


def test_same_post_twice_with_different_capitalisation_is_kept_as_two_entries():
    # Parsing reports what the page says; merging decides they are one work.
    entries = parsed_seed(BLOG).entries
    assert entries[3].summary == entries[4].summary
    assert entries[3].title.lower() != entries[4].title.lower()


def test_glued_read_more_in_a_synthetic_listing():
    posts = [("First Post", "One. Two."), ("Second Post", "Three…"), ("Third", "Four.")]
    result = parse_document(render_blog_listing(posts, glue=True), "x.txt")
    assert [(e.title, e.summary) for e in result.entries] == posts


def test_read_more_followed_by_lowercase_is_not_a_separator():
    text = "Read Moreover\nA summary of the post.\nRead More\nSecond\nAnother one.\nRead More"
    titles = [e.title for e in parse_document(text, "x.txt").entries]
    assert titles == ["Read Moreover", "Second"]


def test_summary_spread_over_lines_is_joined_and_urls_extracted():
    text = "Title\nFirst line of the summary,\nsecond line https://example.org/post.\nRead More\n"
    entry = parse_document(text, "x.txt").entries[0]
    assert entry.summary == "First line of the summary, second line https://example.org/post."
    assert entry.urls == ["https://example.org/post"]


@pytest.mark.parametrize(
    "summary,kept",
    [
        ("Done. Read paperView…", "Done."),
        ("Done. View code", "Done."),
        ("Done. Read more…", "Done."),
        # A single capitalised word after a sentence may be prose cut short.
        ("Done. Learn…", "Done. Learn…"),
        ("We Read Papers…", "We Read Papers…"),
    ],
)
def test_link_chrome_rules(summary, kept):
    text = f"Title\n{summary}\nRead More"
    assert parse_document(text, "x.txt").entries[0].summary == kept
