"""The query language parser, on its own."""

from __future__ import annotations

import pytest

from storage.search import QueryError, parse_query
from storage.search.query import Filter, Phrase, Term


def test_free_words_are_normalised_and_the_last_is_a_prefix() -> None:
    q = parse_query("Diffusion GPT-4 dall·e")
    assert q.terms == [Term("diffusion", "Diffusion"), Term("gpt4", "GPT-4"),
                       Term("dalle", "dall·e", prefix=True)]  # fmt: skip
    assert not parse_query("scaling ").terms[0].prefix


def test_filters_and_aliases() -> None:
    q = parse_query("a:Radford #RLHF tag:to-read is:read has:code cat:cs.CL src:003 year:2020")
    names = [(f.name, f.value) for f in q.filters]
    assert names == [("author", "radford"), ("tag", "rlhf"), ("tag", "to-read"), ("is", "read"),
                     ("has", "code"), ("cat", "cl"), ("src", "003"), ("year", "2020")]  # fmt: skip
    assert q.filters[-1].years == (2020, 2020)


def test_year_ranges() -> None:
    assert parse_query("year:2019..2021").filters[0].years == (2019, 2021)
    assert parse_query("year:2019.. x").filters[0].years == (2019, 2999)
    assert parse_query("year:..2021 x").filters[0].years == (1000, 2021)
    assert parse_query("year:20").filters[0].years == (2000, 2099)  # still typing


def test_phrases_exclusions_and_negated_filters() -> None:
    q = parse_query('"scaling laws" -gpt -"image synthesis" -tag:old')
    assert q.phrases == [Phrase(("scaling", "laws"), "scaling laws")]
    assert q.not_terms == [Term("gpt", "-gpt"[1:])]
    assert q.not_phrases == [Phrase(("image", "synthesis"), "image synthesis")]
    assert q.not_filters == [Filter("tag", "old", "tag:old")]
    assert parse_query('"scaling la').phrases[0].open


def test_quoted_filter_values() -> None:
    q = parse_query('author:"Alec Radford" x')
    assert q.filters[0].value == "alec radford"


@pytest.mark.parametrize(
    "query",
    ["foo:bar", "Tag:", "is:nope", "has:wings x", "year:abc", "year:2021..2019", "year:12345"],
)
def test_errors(query: str) -> None:
    if query == "Tag:":
        assert parse_query(query).is_empty  # unfinished, not wrong
        with pytest.raises(QueryError):
            parse_query("tag: more")
        return
    with pytest.raises(QueryError):
        parse_query(query)


def test_unknown_filter_message_lists_the_known_ones() -> None:
    with pytest.raises(QueryError) as err:
        parse_query("foo:bar")
    assert str(err.value).startswith(
        "unknown filter 'foo:' (known: tag, author, a, is, has, cat, src, year"
    )


def test_words_that_look_like_filters() -> None:
    assert [t.text for t in parse_query("Sora: video").terms] == ["sora", "video"]
    assert [t.text for t in parse_query("see https://arxiv.org").terms][:1] == ["see"]
    assert parse_query("12:30").terms


def test_empty() -> None:
    assert parse_query("").is_empty
    assert parse_query('  - " ').is_empty
