"""Truncated feed summaries find the corpus items they were cut from, and nothing else."""

from __future__ import annotations

import pytest

from seeds.merge import merge_entries
from seeds.model import Entry, Item
from storage.feeds.match import (
    MIN_MATCH_WORDS,
    TruncationIndex,
    match_truncated,
    merge_feed_entries,
    merge_matched,
)
from storage.feeds.parse import parse_feed
from tests.feed_fixtures.lillog import corpus_items, lillog_posts, rss, unrelated_item

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def corpus() -> list[Item]:
    return corpus_items()


def _by_id(items: list[Item]) -> dict[str, Item]:
    return {item.id: item for item in items}


def test_every_lillog_entry_matches_its_excerpt(corpus):
    posts = lillog_posts(corpus)
    assert len(posts) >= 20  # the corpus has two dozen Lil'Log excerpts with text
    feed = parse_feed(rss(posts), "feed:lillog")
    index = TruncationIndex(corpus)
    assert len(feed.entries) == len(posts)
    for post, parsed in zip(posts, feed.entries, strict=True):
        assert parsed.entry.title == post.title
        assert match_truncated(parsed.entry.summary, index) == post.item_id, post.title
        # The same through the one-shot form, on the raw description.
        assert match_truncated(post.description.replace("<p>", "").replace("</p>", ""), corpus) in (
            post.item_id,
            None,  # raw HTML entities are not decoded here; parse_feed's text is what matters
        )


def test_unrelated_entries_do_not_match(corpus):
    index = TruncationIndex(corpus)
    reward = next(i for i in corpus if i.summary.startswith("Reward hacking occurs"))
    opening = " ".join(reward.summary.split()[:10])
    summaries = [
        # A post the library does not have.
        "Agents that plan over long horizons need memory, tools and a way to recover "
        "from their own mistakes; this post surveys how recent systems manage all three…",
        # Too short to tell works apart, although it is an excerpt's opening.
        "Large transformer models are mainstream nowadays…",
        " ".join(reward.summary.split()[: MIN_MATCH_WORDS - 1]) + "…",
        # Opens like an excerpt, then says something else.
        opening + " entirely different words follow here and they keep on going for a while.",
        "",
        "… Read more",
    ]
    for summary in summaries:
        assert match_truncated(summary, index) is None, summary


def test_case_punctuation_and_unicode_do_not_matter(corpus):
    reward = next(i for i in corpus if i.summary.startswith("Reward hacking occurs"))
    shouted = reward.summary[:180].upper().replace(",", " ;").replace("(", "").replace(")", "")
    assert match_truncated(shouted + " […]", corpus) == reward.id


def test_feed_summary_longer_than_the_excerpt(corpus):
    """The library's excerpt was cut at 500 characters; the feed carries more of the text."""
    reward = next(i for i in corpus if i.summary.startswith("Reward hacking occurs"))
    longer = reward.summary + "ING and then the post goes on for another sentence or two."
    assert match_truncated(longer, corpus) == reward.id


def _item(item_id: str, text: str) -> Item:
    return Item(id=item_id, title=f"Title {item_id}", summary=text)


def test_two_items_opening_alike_are_told_apart_or_refused():
    shared = " ".join(f"word{n}" for n in range(30))
    one = _item("one", shared + " and then the first text goes this way entirely.")
    two = _item("two", shared + " but the second text turns somewhere else instead.")
    index = TruncationIndex([one, two])
    assert index.match(" ".join(shared.split()[:20]) + "…") is None  # ambiguous
    assert index.match(shared + " and then the first…") == "one"
    assert index.match(shared + " but the sec…") == "two"


def test_minimum_length_in_characters():
    tokens = " ".join("abcdefghijklmnopqrstuvwxyz")
    assert TruncationIndex([_item("x", tokens + " tail")]).match(tokens[:40] + "…") is None


def test_merge_matched_gives_the_excerpt_the_posts_title_date_and_link(corpus):
    posts = lillog_posts(corpus)
    post = posts[1]
    (parsed,) = parse_feed(rss([post]), "feed:lillog").entries
    item = _by_id(corpus)[post.item_id]
    assert item.title_derived and item.date is None
    merged = merge_matched(parsed.entry, item)
    assert merged.id == item.id
    assert merged.title == post.title and not merged.title_derived
    assert merged.date == post.date
    assert post.link in merged.urls
    assert merged.summary == item.summary  # the longer text stays
    assert "feed:lillog" in merged.sources and "feed" in merged.kinds
    assert set(item.keys) <= set(merged.keys)
    # The item now carries the post's title key, so the ordinary merge finds
    # it again on the next refresh without the truncation index.
    again = merge_entries([parsed.entry], [merged])
    assert again.unchanged == [item.id] and not again.added


def test_merge_feed_entries_end_to_end(corpus):
    posts = lillog_posts(corpus)
    extra = unrelated_item(
        "A Post The Library Lacks",
        "<p>Something new entirely, with enough words in it to be a real summary of a post.</p>",
    )
    feed = parse_feed(rss(posts, extra), "feed:lillog")
    result = merge_feed_entries([e.entry for e in feed.entries], corpus)
    changed = _by_id(result.items)
    assert sorted(result.merged) == sorted(p.item_id for p in posts)
    for post in posts:
        item = changed[post.item_id]
        assert (item.title, item.date, item.title_derived) == (post.title, post.date, False)
        assert post.link in item.urls
    (added,) = result.added
    assert changed[added].title == "A Post The Library Lacks"
    # Applying the same feed to the updated library changes nothing.
    library = _by_id(corpus) | changed
    second = merge_feed_entries([e.entry for e in feed.entries], library.values())
    assert not second.items and not second.added and not second.merged
    assert set(second.unchanged) == {p.item_id for p in posts} | {added}


def test_entries_without_a_match_merge_as_usual(corpus):
    gpt4 = next(i for i in corpus if i.title == "GPT-4 Technical Report")
    entry = Entry(
        source="feed:arxiv",
        kind="arxiv_feed",
        position=0,
        title="GPT-4 Technical Report",
        urls=["https://arxiv.org/abs/2303.08774"],
        summary="Short.",
    )
    result = merge_feed_entries([entry], corpus)
    assert result.merged == [gpt4.id]
    assert "https://arxiv.org/abs/2303.08774" in _by_id(result.items)[gpt4.id].urls
