"""Properties over generated documents: no crash on any text, no entry ever lost."""

from __future__ import annotations

import random
from string import ascii_lowercase, ascii_uppercase

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from seeds.latex import latex_to_unicode
from seeds.merge import merge_entries
from seeds.model import DOCUMENT_KINDS as KINDS
from seeds.model import Entry
from seeds.normalize import abstract_key, title_key
from seeds.parse import ParseResult, UnknownFormat, parse_document
from seeds.titles import derive_title
from tests.seed_fixtures import (
    Paper,
    render_arxiv,
    render_blog_excerpts,
    render_blog_listing,
    render_paper_listing,
    render_research_page,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- building blocks -------------------------------------------------------------

capitalised = st.builds(
    str.__add__, st.sampled_from(ascii_uppercase), st.text(ascii_lowercase, min_size=1, max_size=9)
)
lower_word = st.text(ascii_lowercase, min_size=2, max_size=10)
title_word = st.one_of(
    capitalised,
    lower_word,
    st.sampled_from(
        ["GPT-4", "GPT-4o", "(VPT)", "CLIP", "PreTraining", "DALL·E", "LLMs", "3D", "Pre-Training",
         "Zero-Shot", "2:", "RL", "Dupré", "Self-Supervised", "via", "of", "for", "and"]
    ),
)  # fmt: skip
titles = st.builds(
    lambda first, rest: " ".join([first, *rest]),
    capitalised,
    st.lists(title_word, min_size=0, max_size=9),
)
sentences = st.builds(
    lambda words: " ".join(words).capitalize() + ".",
    st.lists(lower_word, min_size=3, max_size=14),
)
summaries = st.builds(" ".join, st.lists(sentences, min_size=1, max_size=4))

first_names = st.one_of(capitalised, st.sampled_from(["Jong Wook", "Jean-Baptiste", "Łukasz"]))
last_names = st.one_of(
    capitalised,
    st.sampled_from(["Dupré la Tour", "van den Oord", "McCandlish", "O'Neil", "Ng-Thow-Hing"]),
)
initials = st.sampled_from(["", "P. ", "B. ", "J. R. "])
persons = st.builds(lambda f, i, last: f"{f} {i}{last}", first_names, initials, last_names)
authors = st.one_of(
    st.lists(persons, min_size=1, max_size=5),
    st.builds(lambda rest: ["OpenAI", *rest], st.lists(persons, max_size=3)),
)
dates = st.builds(
    lambda m, d, y: (m, d, y),
    st.sampled_from(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]),
    st.integers(1, 28),
    st.one_of(st.none(), st.integers(1990, 2030)),
)
papers = st.builds(
    lambda title, names, abstract, cat, date, code, et_al, affs: Paper(
        title, names, abstract, cat, date[0], date[1], date[2], code, et_al, affs
    ),
    titles,
    authors,
    summaries,
    st.sampled_from(["CL", "LG", "CV", "AS", "AI", "stat.ML"]),
    dates,
    st.booleans(),
    st.booleans(),
    st.lists(st.sampled_from(["openai", "berkeley", "deepmind"]), max_size=2, unique=True),
)
update_notes = st.builds(
    lambda y, m, d, text: f"[Updated on {y}-{m:02d}-{d:02d}: {text}]",
    st.integers(2015, 2025),
    st.integers(1, 12),
    st.integers(1, 28),
    sentences,
)
excerpts = st.builds(
    lambda notes, body: " ".join([*notes, body]).strip(),
    st.lists(update_notes, max_size=3),
    st.one_of(st.just(""), summaries),
).filter(bool)


def check_result(result: ParseResult, source: str) -> None:
    assert result.kind in KINDS
    assert result.entries
    for position, entry in enumerate(result.entries):
        assert isinstance(entry, Entry)
        assert (entry.source, entry.kind, entry.position) == (source, result.kind, position)
        assert isinstance(entry.title, str) and isinstance(entry.summary, str)
        if entry.title_derived:
            assert len(entry.title) <= 80
    assert all(isinstance(note, str) for note in result.skipped)


# -- never crashes ----------------------------------------------------------------

format_fragments = st.sampled_from(
    ["Read More", "Read MoreTitle", "Abstract:", "Research", "", "LGJun 6, 2024Code", "CLFeb 6",
     "Title GlueAlec Radford, Ann Lee et al. · openai", "[Updated on 2020-01-01: x",
     "[Updated on 2020-13-01]: y. Z", "[1]", "$\\alpha$", "$$", "\\", "…", "Our", "Introduction",
     "Special thanks to Ann.", "[Special thanks]", "https://x.io).", "\x00", "\r", "\u200b"]
)  # fmt: skip
lines = st.one_of(st.text(max_size=80), format_fragments, sentences, titles)


@SETTINGS
@given(st.text())
def test_arbitrary_text_parses_or_raises_unknown_format(text):
    try:
        result = parse_document(text, "any.txt")
    except UnknownFormat as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        check_result(result, "any.txt")


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, min_size=1, max_size=12))
def test_format_like_text_parses_or_raises_unknown_format(parts):
    text = "\n".join(parts)
    try:
        result = parse_document(text, "mix.txt")
    except UnknownFormat:
        return
    check_result(result, "mix.txt")


@SETTINGS
@given(st.text())
@example('["]')  # mending the quote used to leave "[" unclosed
@example('["x]')
@example("0" * 81)  # one unbroken word: the ellipsis used to make it 81
def test_text_helpers_never_raise(text):
    assert isinstance(latex_to_unicode(text), str)
    assert isinstance(abstract_key(text), str)
    assert title_key(title_key(text)) == title_key(text)
    title = derive_title(text)
    assert len(title) <= 80
    for opening, closing in (("(", ")"), ("[", "]"), ("“", "”")):
        assert title.count(opening) == title.count(closing)


# -- never drops an entry -----------------------------------------------------------


@SETTINGS
@given(st.lists(st.tuples(titles, summaries), min_size=1, max_size=12), st.booleans())
def test_blog_listing_keeps_every_entry(posts, glue):
    assume(not any(t.startswith("Read") for t, _ in posts))
    result = parse_document(render_blog_listing(posts, glue=glue), "b.txt")
    assert result.kind == "blog_listing"
    assert [(e.title, e.summary) for e in result.entries] == posts


@SETTINGS
@given(st.lists(st.tuples(titles, summaries), min_size=1, max_size=12))
def test_research_page_keeps_every_entry(posts):
    # A block ending in ":" reads as the start of a paragraph, not a title.
    assume(not any(t.endswith(":") for t, _ in posts))
    result = parse_document(render_research_page(posts), "r.txt")
    assert result.kind == "research_page"
    assert [(e.title, e.summary) for e in result.entries] == posts


@SETTINGS
@given(st.lists(summaries, min_size=1, max_size=12))
def test_arxiv_list_keeps_every_entry(abstracts):
    result = parse_document(render_arxiv(abstracts), "a.txt")
    assert result.kind == "arxiv_abstracts"
    assert [e.summary for e in result.entries] == abstracts
    assert all(e.title and e.title_derived for e in result.entries)


@SETTINGS
@given(st.lists(papers, min_size=1, max_size=10))
def test_paper_listing_keeps_every_entry_and_field(listing):
    result = parse_document(render_paper_listing(listing), "p.txt")
    assert result.kind == "paper_listing"
    got = [
        (e.title, e.authors, e.authors_truncated, e.affiliations, e.date_text, e.has_code)
        for e in result.entries
    ]
    want = [(p.title, p.authors, p.et_al, p.affiliations, p.date_text, p.code) for p in listing]
    assert got == want
    for paper, entry in zip(listing, result.entries, strict=True):
        assert entry.date == (
            f"{paper.year}-{'JanFebMarAprMayJunJulAugSepOctNovDec'.index(paper.month) // 3 + 1:02d}"
            f"-{paper.day:02d}"
            if paper.year
            else None
        )


@SETTINGS
@given(st.lists(excerpts, min_size=1, max_size=12))
def test_blog_excerpts_keeps_every_entry_and_update(lines_):
    assume(all(len(line.split()) >= 6 for line in lines_))
    result = parse_document(render_blog_excerpts(lines_), "e.txt")
    assert result.kind == "blog_excerpts"
    assert len(result.entries) == len(lines_)
    for line, entry in zip(lines_, result.entries, strict=True):
        assert len(entry.updates) == line.count("[Updated on")
        assert entry.title and "[Updated" not in entry.title and "[Updated" not in entry.summary


# -- merging ----------------------------------------------------------------------


@SETTINGS
@given(st.lists(papers, min_size=1, max_size=8, unique_by=lambda p: title_key(p.title)), st.data())
def test_merge_is_idempotent_and_order_free(listing, data):
    for n, paper in enumerate(listing):  # distinct abstracts, long enough to identify
        paper.abstract = f"We study open question number {n} in depth. {paper.abstract}"
    entries = parse_document(render_paper_listing(listing), "p.txt").entries
    entries += parse_document(render_arxiv([p.abstract for p in listing]), "a.txt").entries
    first = merge_entries(entries)
    assert merge_entries(entries, first.items).unchanged == [i.id for i in first.items]
    shuffled = data.draw(st.permutations(entries))
    again = merge_entries(shuffled)
    assert {i.id: i.title for i in again.items} == {i.id: i.title for i in first.items}
    # Each paper found its untitled abstract, and took its title.
    assert len(first.items) == len(listing)
    assert not any(item.title_derived for item in first.items)


def test_many_synthetic_entries_round_trip():
    rng = random.Random(11)
    posts = [
        (f"Post Number {i} About Things", f"Summary {i} of the post. More.") for i in range(500)
    ]
    rng.shuffle(posts)
    result = parse_document(render_blog_listing(posts, glue=True), "big.txt")
    assert [(e.title, e.summary) for e in result.entries] == posts
