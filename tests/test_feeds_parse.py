"""Feed documents to entries: the dialects, arXiv's listing shapes, and hostile input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.feeds.parse import (
    ARXIV_KIND,
    FEED_KIND,
    MAX_ENTRIES,
    MAX_FEED_BYTES,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    FeedError,
    arxiv_id_of,
    parse_feed,
    plain_text,
)
from tests.feed_fixtures.server import fixture

pytestmark = pytest.mark.timeout(60)

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _rss(items: str, extra_ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{extra_ns}><channel>'
        f"<title>T</title><link>https://example.com/</link>{items}</channel></rss>"
    ).encode()


def test_rss2_fields():
    feed = parse_feed(fixture("rss2.xml"), "feed:openai")
    assert feed.title == "OpenAI News"
    assert feed.link == "https://openai.com/news/"
    first, second = feed.entries
    assert first.guid == "openai-reducing-bias"
    entry = first.entry
    assert entry.kind == FEED_KIND
    assert entry.source == "feed:openai"
    assert entry.position == 0
    assert entry.title == "Reducing Bias and Improving Safety in DALL·E 2"
    assert not entry.title_derived
    assert entry.date == "2022-07-18"
    assert entry.date_text == "Mon, 18 Jul 2022 16:00:00 GMT"
    assert entry.authors == ["OpenAI"]
    assert entry.urls == ["https://openai.com/blog/reducing-bias-and-improving-safety-in-dall-e-2"]
    assert entry.summary == (
        "Today, we are implementing a new technique so that DALL·E generates images of people "
        "that more accurately reflect the diversity of the world’s population."
    )
    assert not entry.summary_truncated
    # Markup escaped twice is still markup; a javascript: link is no link;
    # an e-mail address is not an author name.
    assert second.entry.title == "Escaped markup & entities"
    assert "<" not in second.entry.summary and "&" not in second.entry.summary
    assert second.entry.summary.startswith("Double")
    assert second.entry.summary.endswith("text with a link.")
    assert all(u.startswith("http") for u in second.entry.urls)
    assert second.entry.authors == ["Jane Doe"]
    assert second.entry.date == "2022-08-02"


def test_atom_fields():
    feed = parse_feed(fixture("atom.xml"), "feed:lillog")
    assert feed.title == "Lil'Log"
    reward, hallucination = (e.entry for e in feed.entries)
    assert reward.title == "Reward Hacking in Reinforcement Learning"
    assert reward.date == "2024-11-28"  # published, not the later update
    assert reward.authors == ["Lilian Weng"]
    assert reward.urls == ["https://lilianweng.github.io/posts/2024-11-28-reward-hacking/"]
    assert reward.summary.startswith("Reward hacking occurs when a reinforcement learning (RL)")
    assert reward.category is None  # a blog's tags are not arXiv classes
    assert feed.entries[1].guid == "tag:lilianweng.github.io,2024-07-07:hallucination"
    assert hallucination.date == "2024-07-07"  # only <updated> is given
    assert hallucination.summary == (
        "Hallucination in large language models usually refers to the model generating "
        "unfaithful, fabricated, inconsistent, or nonsensical content."
    )


def test_arxiv_rss_listing():
    feed = parse_feed(fixture("arxiv_rss.xml"), "feed:arxiv-cs.cl")
    gpt4, instruct = feed.entries
    assert gpt4.arxiv_id == "2303.08774" and gpt4.arxiv_version == "v1"
    assert gpt4.announce_type == "new"
    assert gpt4.categories == ["cs.CL", "cs.AI"]
    entry = gpt4.entry
    assert entry.kind == ARXIV_KIND
    assert entry.title == "GPT-4 Technical Report"
    assert entry.authors == ["OpenAI", "Josh Achiam", "Steven Adler", "Sandhini Agarwal"]
    assert entry.category == "CL"
    assert entry.urls == ["https://arxiv.org/abs/2303.08774"]
    assert entry.date == "2023-03-16"
    assert entry.summary.startswith("We report the development of GPT-4, a large-scale")
    assert "Announce" not in entry.summary and "Abstract" not in entry.summary
    assert instruct.announce_type == "replace-cross"
    assert instruct.entry.category == "LG"
    assert instruct.entry.authors == ["Long Ouyang", "Jeff Wu", "Xu Jiang", "Diogo Almeida"]


def test_arxiv_api_atom():
    feed = parse_feed(fixture("arxiv_atom.xml"), "feed:arxiv-api")
    attention, maldacena = feed.entries
    assert attention.arxiv_id == "1706.03762" and attention.arxiv_version == "v7"
    assert attention.entry.title == "Attention Is All You Need"
    assert attention.entry.authors == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert attention.entry.date == "2017-06-12"
    assert attention.entry.category == "CL"
    assert attention.categories == ["cs.CL", "cs.LG"]
    assert attention.entry.urls == ["https://arxiv.org/abs/1706.03762"]
    assert attention.entry.summary.startswith("The dominant sequence transduction models")
    assert "\n" not in attention.entry.summary
    assert maldacena.arxiv_id == "hep-th/9711200"
    assert maldacena.entry.category == "hep-th"
    assert maldacena.entry.urls == ["https://arxiv.org/abs/hep-th/9711200"]


def test_arxiv_rss1_listing():
    (gpt4,) = parse_feed(fixture("arxiv_rss1.xml"), "feed:old").entries
    assert gpt4.arxiv_id == "2303.08774"
    assert gpt4.entry.title == "GPT-4 Technical Report"
    assert gpt4.entry.category == "CL"
    assert gpt4.entry.authors == ["OpenAI", "Josh Achiam"]
    assert gpt4.entry.summary.startswith("We report the development of GPT-4")


@pytest.mark.parametrize(
    ("guid", "links", "description", "expected"),
    [
        ("oai:arXiv.org:2401.00001v2", [], "", ("2401.00001", "v2")),
        ("x", ["http://arxiv.org/abs/2401.12345"], "", ("2401.12345", "")),
        ("x", ["https://arxiv.org/pdf/2401.12345v3.pdf"], "", ("2401.12345", "v3")),
        ("x", ["https://export.arxiv.org/abs/cs/0112017v1"], "", ("cs/0112017", "v1")),
        ("x", [], "arXiv:2402.00042v1 Announce Type: cross Abstract: …", ("2402.00042", "v1")),
        ("x", ["https://example.com/abs/2401.12345"], "", None),
        ("x", ["https://arxiv.org/list/cs.CL/new"], "", None),
    ],
)
def test_arxiv_ids(guid, links, description, expected):
    assert arxiv_id_of(guid, links, description) == expected


def test_malformed_xml_is_one_line_error():
    with pytest.raises(FeedError) as info:
        parse_feed(fixture("malformed.xml"), "feed:broken")
    message = str(info.value)
    assert message.startswith("malformed feed: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<html><body><p>Hello</p></body></html>", "not an RSS or Atom feed"),
        (b"just some text", "malformed feed|not an RSS or Atom feed"),
        (b"\x00\x01\x02binary", "malformed feed|not an RSS or Atom feed"),
    ],
)
def test_not_a_feed(data, why):
    with pytest.raises(FeedError, match=why):
        parse_feed(data, "feed:x")


@pytest.mark.parametrize("byte", [b"\x80", b"\x00"])
def test_broken_encoding_declaration_is_a_feed_error(byte):
    data = fixture("rss2.xml").replace(b'encoding="utf-8"', b'encoding="' + byte + b'tf-8"')
    with pytest.raises(FeedError, match="unreadable feed|malformed feed"):
        parse_feed(data, "feed:x")


def test_oversized_document_refused():
    with pytest.raises(FeedError, match="larger than"):
        parse_feed(b" " * (MAX_FEED_BYTES + 1), "feed:x")


def test_control_characters_and_caps():
    long_title = "Word " * (MAX_TITLE_CHARS // 2)
    long_text = "lorem ipsum " * (MAX_SUMMARY_CHARS // 4)
    data = _rss(
        # Raw C0 controls are not XML (that is a malformed feed); they arrive
        # as C1 controls, bidi overrides and character references in escaped HTML.
        f"<item><title>Bell&amp;#7;\u202eEvil\u0085 {long_title}</title>"
        "<link>https://example.com/a</link>"
        f"<description>Text with &amp;#27;[31mcolour&amp;#27;[0m and&amp;#12; breaks. {long_text}</description>"
        "</item>"
    )
    (item,) = parse_feed(data, "feed:x").entries
    entry = item.entry
    assert not _CONTROL.search(entry.title) and not _CONTROL.search(entry.summary)
    assert entry.title.startswith("BellEvil")
    assert len(entry.title) <= MAX_TITLE_CHARS
    assert len(entry.summary) <= MAX_SUMMARY_CHARS
    # The escape character goes; what it would have introduced is inert text.
    assert entry.summary.startswith("Text with ")
    assert "breaks. lorem ipsum" in entry.summary
    assert (
        plain_text("a \x1b[31mred\x1b[0m \x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\ b")
        == "a red link b"
    )


def test_entry_count_capped_and_duplicates_dropped():
    items = "".join(
        f"<item><title>Post {n}</title><guid>id-{n % (MAX_ENTRIES + 10)}</guid></item>"
        for n in range(MAX_ENTRIES + 20)
    )
    feed = parse_feed(_rss(items), "feed:x")
    assert len(feed.entries) == MAX_ENTRIES
    assert any("over" in note for note in feed.skipped)
    dupes = _rss("<item><title>A</title><guid>same</guid></item>" * 2)
    feed = parse_feed(dupes, "feed:x")
    assert [e.entry.title for e in feed.entries] == ["A"]
    assert feed.skipped == ["a second entry with id 'same'"]


def test_truncation_markers():
    data = _rss(
        "<item><title>A</title><guid>1</guid><description>&lt;p&gt;We study the thing "
        "and find [&amp;#8230;]&lt;/p&gt;</description></item>"
        "<item><title>B</title><guid>2</guid><description>We study it. Read more</description></item>"
        "<item><title>C</title><guid>3</guid><description>We study it.</description></item>"
        "<item><title>D</title><guid>4</guid><description>&lt;p&gt;We study it [&amp;#8230;]&lt;/p&gt;"
        "&lt;p&gt;The post &lt;a href='https://x.org/d'&gt;D&lt;/a&gt; appeared first on "
        "&lt;a href='https://x.org'&gt;X Blog&lt;/a&gt;.&lt;/p&gt;</description></item>"
    )
    a, b, c, d = (e.entry for e in parse_feed(data, "feed:x").entries)
    assert a.summary == "We study the thing and find…" and a.summary_truncated
    assert b.summary == "We study it. …" and b.summary_truncated
    assert c.summary == "We study it." and not c.summary_truncated
    assert d.summary == "We study it…" and d.summary_truncated


def test_untitled_entry_gets_derived_title_and_update_notes():
    data = _rss(
        "<item><guid>u</guid><description>[Updated on 2023-01-24: add a small section on "
        "Distillation.] Large transformer models are mainstream nowadays, creating SoTA "
        "results for a variety of tasks.</description></item>"
    )
    (item,) = parse_feed(data, "feed:x").entries
    assert item.entry.title_derived
    assert item.entry.title
    assert item.entry.summary.startswith("Large transformer models are mainstream")
    assert [u.date for u in item.entry.updates] == ["2023-01-24"]


def test_prose_angle_brackets_stay_and_content_is_a_fallback():
    data = _rss(
        "<item><title>Why x &lt; y and z &gt; w</title><guid>1</guid>"
        "<description>Short teaser.</description>"
        "<content:encoded>&lt;p&gt;The whole long post.&lt;/p&gt;</content:encoded></item>"
        "<item><title>Only content</title><guid>2</guid>"
        "<content:encoded>&lt;p&gt;The whole long post.&lt;/p&gt;</content:encoded></item>",
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
    )
    first, second = (e.entry for e in parse_feed(data, "feed:x").entries)
    assert first.title == "Why x < y and z > w"
    assert first.summary == "Short teaser."
    assert second.summary == "The whole long post."


def test_entity_declarations_do_not_expand():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
        b'<rss version="2.0"><channel><title>x</title><item><title>&e;</title><guid>1</guid>'
        b"</item></channel></rss>"
    )
    try:
        feed = parse_feed(bomb, "feed:x")
    except FeedError:
        return  # refused outright: fine
    for item in feed.entries:
        assert len(item.entry.title) <= MAX_TITLE_CHARS


@given(st.text(max_size=300))
def test_plain_text_leaves_no_markup_or_controls(text):
    out = plain_text(text)
    assert not _CONTROL.search(out)
    assert not re.search(r"</?[A-Za-z!?][^<>]*>", out)
    assert out == out.strip()
    assert "  " not in out


@given(
    st.lists(st.sampled_from(["<p>", "</p>", "&amp;", "&lt;b&gt;", "x", " ", "<br/>", "&#8230;"]))
)
def test_plain_text_of_markup_fragments(parts):
    out = plain_text("".join(parts))
    assert "<b>" not in out and "<p>" not in out and "&amp;" not in out


_FIXTURES = [fixture(name) for name in ("rss2.xml", "atom.xml", "arxiv_rss.xml", "arxiv_atom.xml")]


@given(
    st.sampled_from(range(len(_FIXTURES))),
    st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=8)), max_size=6),
)
def test_mangled_feeds_parse_or_fail_cleanly(which, edits):
    """Whatever bytes arrive, the result is entries that keep the invariants, or one FeedError line."""
    data = bytearray(_FIXTURES[which])
    for position, replacement in edits:
        at = position % (len(data) + 1)
        data[at : at + len(replacement)] = replacement
    try:
        feed = parse_feed(bytes(data), "feed:fuzz")
    except FeedError as exc:
        assert "\n" not in str(exc)
        return
    for item in feed.entries:
        entry = item.entry
        for text in (entry.title, entry.summary, *entry.authors, *entry.urls):
            assert not _CONTROL.search(text)
        assert entry.title and len(entry.title) <= MAX_TITLE_CHARS
        assert len(entry.summary) <= MAX_SUMMARY_CHARS
        assert all(u.startswith(("http://", "https://")) for u in entry.urls)
        assert entry.date is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.date)
