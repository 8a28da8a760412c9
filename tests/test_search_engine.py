"""Behaviour of the search engine: every tolerance and every part of the language."""

from __future__ import annotations

import pytest

from seeds.model import Item
from storage.model import Annotation, Note
from storage.search import Hit, QueryError, SearchIndex


def item(id: str, title: str, summary: str = "", **kw: object) -> Item:
    return Item(id=id, title=title, summary=summary, **kw)  # type: ignore[arg-type]


ITEMS = [
    item(
        "ppo",
        "Proximal Policy Optimization Algorithms",
        "We propose a new family of policy gradient methods for reinforcement learning.",
        authors=["John Schulman", "Filip Wolski"],
        date="2017-07-20",
        category="LG",
        has_code=True,
        sources=["003_papers.txt"],
    ),
    item(
        "gpt4",
        "GPT-4 Technical Report",
        "We report the development of GPT-4, a large-scale multimodal model.",
        authors=["Josh Achiam"],
        date="2023-03-15",
        category="CL",
        sources=["003_papers.txt"],
    ),
    item(
        "dalle",
        "DALL·E 2 Pre-Training Mitigations",
        "Guardrails for image generation models before training.",
        sources=["000_blog.txt"],
    ),
    item(
        "scaling",
        "Scaling Laws for Neural Language Models",
        "We study empirical scaling laws for language model performance.",
        authors=["Jared Kaplan", "Sam McCandlish"],
        date="2020-01-23",
        category="LG",
        sources=["003_papers.txt"],
    ),
    item(
        "diffusion",
        "Diffusion Models Beat GANs on Image Synthesis",
        "Diffusion models can achieve image sample quality superior to generative models.",
        authors=["Prafulla Dhariwal", "Alex Nichol"],
        date="2021-05-11",
        category="CV",
        has_code=True,
        sources=["004_blog.txt"],
    ),
    item(
        "sae",
        "Scaling and evaluating sparse autoencoders",
        "Sparse autoencoders provide a promising unsupervised approach.",
        authors=["Leo Gao", "Tom Dupré la Tour"],
        date="2024-06-06",
        category="LG",
        sources=["003_papers.txt"],
    ),
    item(
        "webgpt",
        "WebGPT: Browser-assisted question-answering",
        "We fine-tune GPT-3 to answer long-form questions using a text-based web browser.",
        date="2021-12-16",
        category="CL",
        sources=["001_research.txt"],
    ),
    item(
        "summary-only",
        "Learning from comparisons",
        "A reward model trained on human comparisons, with a scaling study in the appendix.",
        date="2019-09-18",
        category="CL",
        sources=["001_research.txt"],
    ),
]


def note(text: str) -> Note:
    return Note(text, "2024-01-01T00:00:00Z")


ANNS = {
    "ppo": Annotation("ppo", status="read", tags=["rlhf", "rl"], notes=[note("classic baseline")]),
    "scaling": Annotation("scaling", status="reading", tags=["scaling"]),
    "dalle": Annotation("dalle", title="My favourite image paper"),
}


@pytest.fixture()
def index() -> SearchIndex:
    return SearchIndex.build(ITEMS, ANNS)


def ids(index: SearchIndex, query: str, **kw: object) -> list[str]:
    return [h.id for h in index.search(query, **kw).hits]  # type: ignore[arg-type]


def first(index: SearchIndex, query: str) -> str:
    hits = ids(index, query)
    assert hits, f"no hit for {query!r}"
    return hits[0]


# -- free text and its tolerances ------------------------------------------


def test_empty_query_is_every_item_in_library_order(index: SearchIndex) -> None:
    result = index.search("")
    assert [h.id for h in result.hits] == [i.id for i in ITEMS]
    assert result.total == len(ITEMS)
    assert ids(index, "   ") == [i.id for i in ITEMS]


def test_typo_is_tolerated(index: SearchIndex) -> None:
    assert first(index, "difusion") == "diffusion"
    assert first(index, "autoencodres") == "sae"
    assert first(index, "proximla") == "ppo"  # transposition


def test_short_words_and_numbers_get_no_typos(index: SearchIndex) -> None:
    assert ids(index, "gpt3 ") == ["webgpt"]  # not GPT-4
    assert "ppo" not in ids(index, "laws")


def test_prefix_of_the_word_being_typed(index: SearchIndex) -> None:
    assert first(index, "scal") in {"scaling", "sae"}
    assert set(ids(index, "scal")) >= {"scaling", "sae"}
    assert first(index, "proxim") == "ppo"
    # A finished word (trailing space) no longer completes.
    assert ids(index, "proxim ") == []


def test_case_and_punctuation_do_not_matter(index: SearchIndex) -> None:
    for query in ("gpt4", "GPT-4", "gpt 4 technical", "Gpt-4 TECHNICAL"):
        assert first(index, query) == "gpt4", query
    for query in ("dalle", "dall-e", "DALL·E", "dall e"):
        assert first(index, query) == "dalle", query
    assert first(index, "pretraining mitigations") == "dalle"


def test_diacritics_do_not_matter(index: SearchIndex) -> None:
    assert first(index, "dupre") == "sae"
    assert first(index, "Dupré") == "sae"


def test_camel_case_parts(index: SearchIndex) -> None:
    assert first(index, "webgpt") == "webgpt"
    assert "webgpt" in ids(index, "gpt browser")


def test_acronym_finds_its_spelled_out_title(index: SearchIndex) -> None:
    assert first(index, "ppo") == "ppo"


def test_acronym_learned_from_the_library() -> None:
    items = [
        item("a", "Widget Frobnication Networks", "Nothing else here."),
        item("b", "Other work", "We extend widget frobnication networks (WFN) to graphs."),
    ]
    index = SearchIndex.build(items, {})
    assert ids(index, "wfn") == ["a", "b"]


def test_word_order_does_not_matter(index: SearchIndex) -> None:
    assert ids(index, "scaling laws") == ids(index, "laws scaling")
    assert first(index, "laws scaling") == "scaling"


def test_every_word_must_match_somewhere(index: SearchIndex) -> None:
    # AND across words, each in any field (title, authors, summary, tags, notes).
    assert ids(index, "kaplan laws") == ["scaling"]
    assert ids(index, "schulman baseline") == ["ppo"]  # author + note


def test_no_item_has_every_word_falls_back_to_best_coverage(index: SearchIndex) -> None:
    result = index.search("diffusion zzzqqq")
    assert result.fallback
    assert [h.id for h in result.hits] == ["diffusion"]
    assert not index.search("diffusion").fallback


def test_title_hit_outranks_summary_hit(index: SearchIndex) -> None:
    hits = ids(index, "scaling")
    assert hits.index("scaling") < hits.index("summary-only")
    assert hits.index("sae") < hits.index("summary-only")


def test_author_hit_outranks_summary_hit() -> None:
    items = [
        item("summary", "A", "This paper thanks Radford for comments."),
        item("author", "B", "Unrelated.", authors=["Alec Radford"]),
    ]
    assert ids(SearchIndex.build(items, {}), "radford") == ["author", "summary"]


def test_exact_word_outranks_a_typo_neighbour_in_a_title() -> None:
    items = [
        item("typo", "A critical topic", "Nothing."),
        item("exact", "Some paper", "Models produce toxic text."),
    ]
    assert ids(SearchIndex.build(items, {}), "toxic") == ["exact", "typo"]


def test_user_fields_are_searched(index: SearchIndex) -> None:
    assert first(index, "baseline") == "ppo"  # note
    assert first(index, "favourite") == "dalle"  # renamed title
    assert "ppo" in ids(index, "rlhf")  # tag as free text


def test_exclusion(index: SearchIndex) -> None:
    assert set(ids(index, "scaling")) >= {"scaling", "sae"}
    assert "sae" not in ids(index, "scaling -sparse")
    assert "scaling" in ids(index, "scaling -sparse")
    assert ids(index, "-gpt") and "gpt4" not in ids(index, "-gpt")


def test_exact_phrase(index: SearchIndex) -> None:
    assert ids(index, '"scaling laws"') == ["scaling"]
    assert ids(index, '"laws scaling"') == []
    assert ids(index, '"image synthesis"') == ["diffusion"]
    # Punctuation between the words is still the phrase.
    assert ids(index, '"browser assisted"') == ["webgpt"]
    assert "scaling" not in ids(index, 'scaling -"scaling laws"')
    assert ids(index, '"jared kaplan"') == ["scaling"]  # in the authors
    assert ids(index, '"classic baseline"') == ["ppo"]  # in a note
    assert ids(index, '"favourite image"') == ["dalle"]  # in the renamed title


def test_unclosed_quote_while_typing(index: SearchIndex) -> None:
    assert ids(index, '"scaling law') == ["scaling"]
    # A last word of one or two letters is not checked for order yet.
    assert "scaling" in ids(index, '"scaling la')


# -- filters ---------------------------------------------------------------


def test_tag_filter_and_hash(index: SearchIndex) -> None:
    assert ids(index, "tag:rlhf") == ["ppo"]
    assert ids(index, "#rlhf") == ["ppo"]
    assert ids(index, "tag:RLHF") == ["ppo"]
    assert ids(index, "#rl ") == ["ppo"]
    assert ids(index, "#nothing") == []
    assert "ppo" not in ids(index, "-#rlhf")


def test_author_filter(index: SearchIndex) -> None:
    assert ids(index, "author:schulman") == ["ppo"]
    assert ids(index, "a:schulman") == ["ppo"]
    assert ids(index, "a:schulmann") == ["ppo"]  # typo
    assert ids(index, 'author:"jared kaplan"') == ["scaling"]
    assert ids(index, "a:kaplan policy") == []


def test_status_filters(index: SearchIndex) -> None:
    assert ids(index, "is:read") == ["ppo"]
    assert ids(index, "is:reading") == ["scaling"]
    unread = ids(index, "is:unread")
    assert "ppo" not in unread and "scaling" not in unread and "gpt4" in unread


def test_has_filters(index: SearchIndex) -> None:
    assert ids(index, "has:code") == ["ppo", "diffusion"]
    assert ids(index, "has:note") == ["ppo"]
    assert ids(index, "has:tag") == ["ppo", "scaling"]


def test_category_source_and_year(index: SearchIndex) -> None:
    assert ids(index, "cat:CV") == ["diffusion"]
    assert ids(index, "cat:cs.cv") == ["diffusion"]
    assert set(ids(index, "src:001")) == {"webgpt", "summary-only"}
    assert ids(index, "year:2020") == ["scaling"]
    assert ids(index, "year:2020..2021") == ["scaling", "diffusion", "webgpt"]
    assert ids(index, "year:2023..") == ["gpt4", "sae"]
    assert ids(index, "year:..2017") == ["ppo"]


def test_filters_combine_with_free_text(index: SearchIndex) -> None:
    assert ids(index, "scaling year:2024") == ["sae"]
    assert ids(index, "models cat:CV has:code") == ["diffusion"]
    assert ids(index, "scaling -year:2024") == ["scaling", "summary-only"]


def test_filter_only_query_keeps_library_order(index: SearchIndex) -> None:
    assert ids(index, "cat:LG") == ["ppo", "scaling", "sae"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foo:bar", "unknown filter 'foo:' (known: tag, author, a, is, has, cat, src, year"),
        ("is:done", "unknown value for 'is:'"),
        ("has:wings", "unknown value for 'has:'"),
        ("year:20x", "'year:' expects YYYY or YYYY..YYYY"),
        ("year:2022..2020", "empty range"),
        ("tag: x", "'tag:' needs a value"),
    ],
)
def test_bad_queries_are_one_line_errors(index: SearchIndex, query: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        index.search(query)
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert isinstance(err.value, ValueError)


def test_unfinished_filters_are_not_errors(index: SearchIndex) -> None:
    assert index.search("scaling tag:").total == index.search("scaling").total
    assert ids(index, "is:rea") == ["ppo", "scaling"]  # read or reading, so far
    assert ids(index, "year:202") == ["scaling", "gpt4", "diffusion", "sae", "webgpt"] or set(
        ids(index, "year:202")
    ) == {"scaling", "gpt4", "diffusion", "sae", "webgpt"}


def test_a_word_ending_in_a_colon_is_a_word(index: SearchIndex) -> None:
    assert first(index, "WebGPT: browser") == "webgpt"


def test_other_users(index: SearchIndex) -> None:
    with pytest.raises(QueryError, match="unknown user 'bob'"):
        index.search("readby:bob")
    index.set_other_users(
        {"bob": {"gpt4": Annotation("gpt4", status="read"), "sae": Annotation("sae", tags=["x"])}}
    )
    assert ids(index, "readby:bob") == ["gpt4"]
    assert ids(index, "taggedby:bob") == ["sae"]


# -- results ---------------------------------------------------------------


def test_limit_and_total(index: SearchIndex) -> None:
    result = index.search("models", limit=1)
    assert len(result.hits) == 1
    assert result.total > 1
    assert [h.id for h in index.search("models").hits][:1] == [result.hits[0].id]


def test_hits_behave_like_a_list(index: SearchIndex) -> None:
    hits = index.search("scaling").hits
    as_list = list(hits)
    assert hits[0] == as_list[0] and hits[-1] == as_list[-1]
    assert hits[:2] == as_list[:2]
    assert len(hits) == len(as_list)
    assert isinstance(hits[0], Hit)
    assert all(a.score >= b.score for a, b in zip(as_list, as_list[1:], strict=False))


def test_result_membership_and_position(index: SearchIndex) -> None:
    result = index.search("scaling")
    assert "scaling" in result and "gpt4" not in result
    assert result.position(result.hits[1].id) == 1
    assert result.position("gpt4") is None


def test_match_spans_are_in_displayed_strings(index: SearchIndex) -> None:
    hit = index.search("kaplan scal").hits[0]
    assert hit.id == "scaling"
    title = ITEMS[3].title
    assert [title[s:e] for s, e in hit.matches["title"]] == ["Scal"]
    authors = ", ".join(ITEMS[3].authors)
    assert [authors[s:e] for s, e in hit.matches["authors"]] == ["Kaplan"]


def test_match_spans_follow_the_renamed_title(index: SearchIndex) -> None:
    hit = index.search("favourite").hits[0]
    assert [("My favourite image paper")[s:e] for s, e in hit.matches["title"]] == ["favourite"]
    hit = index.search("mitigations").hits[0]
    assert "title" not in hit.matches  # the displayed title is the rename
    assert hit.matches["original_title"]


def test_match_spans_for_punctuation_typos_phrases_tags(index: SearchIndex) -> None:
    def spans(query: str, field: str) -> list[str]:
        hit = index.search(query).hits[0]
        text = {
            "title": ITEMS[[i.id for i in ITEMS].index(hit.id)].title,
            "tags": " ".join(ANNS.get(hit.id, Annotation(hit.id)).tags),
        }[field]
        return [text[s:e] for s, e in hit.matches.get(field, [])]

    assert spans("gpt4 ", "title") == ["GPT-4"]
    assert spans("difusion ", "title") == ["Diffusion"]
    assert spans('"scaling laws"', "title") == ["Scaling Laws"]
    assert spans("tag:rlhf", "tags") == ["rlhf"]
    assert spans("ppo", "title") == ["Proximal Policy Optimization"]


def test_highlights_method(index: SearchIndex) -> None:
    assert index.highlights("gpt4", "technical") == {"title": [(6, 15)]}


@pytest.mark.timeout(120)  # a stall shows as a timeout; speed is for the benchmarks
def test_very_long_field_is_indexed_up_to_the_cap() -> None:
    huge = "lorem ipsum dolor sit amet " * 400_000  # ~10 MB
    items = [item("huge", "Huge", huge + " needle"), item("small", "Small", "needle here")]
    index = SearchIndex.build(items, {})
    result = index.search("ipsum dolor")
    assert [h.id for h in result.hits] == ["huge"]
    assert result.hits[0].matches is not None
    assert ids(index, "needle") == ["small"]  # past the indexed cap
