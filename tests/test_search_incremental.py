"""The index kept current item by item equals a fresh build, and narrowing
from the previous keystroke's result changes nothing but the speed."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seeds.model import Item
from storage.model import Annotation, Note
from storage.search import SearchIndex, SearchResult
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items

POOL = synthetic_items(40, seed=3)
BASE = POOL[:25]
BASE_ANNS = synthetic_annotations(BASE, fraction=0.4, seed=3)
WORDS = ["rlhf", "scaling", "diffusion", "safety", "laws", "policy", "my notes", "gpt-4"]

QUERIES = [
    "",
    "model",
    "mod",
    "language models",
    "gpt4",
    "scaling laws",
    "rlhf",
    "#rlhf",
    "tag:safety",
    "is:read",
    "is:unread",
    "has:note",
    "has:tag",
    "notes",
    "diffusion -image",
    '"language model"',
    "year:2015..2020 model",
    "a:radford",
    "policy optimization",
    "the",
    "s",
    "difusion",
]


def snapshot(index: SearchIndex) -> dict[str, list[tuple[str, float]]]:
    return {q: [(h.id, round(h.score, 4)) for h in index.search(q).hits] for q in QUERIES}


ops = st.lists(
    st.one_of(
        st.tuples(st.just("tag"), st.integers(0, 39), st.lists(st.sampled_from(WORDS), max_size=3)),
        st.tuples(st.just("note"), st.integers(0, 39), st.sampled_from(WORDS)),
        st.tuples(st.just("rename"), st.integers(0, 39), st.sampled_from([None, *WORDS])),
        st.tuples(st.just("status"), st.integers(0, 39), st.sampled_from(["unread", "read"])),
        st.tuples(st.just("import"), st.integers(0, 39), st.none()),
        st.tuples(st.just("edit"), st.integers(0, 39), st.sampled_from(WORDS)),
        st.tuples(st.just("remove"), st.integers(0, 39), st.none()),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_incremental_updates_equal_a_full_rebuild(steps: list[tuple[str, int, object]]) -> None:
    items: dict[str, Item] = {i.id: copy.deepcopy(i) for i in BASE}
    anns: dict[str, Annotation] = copy.deepcopy(BASE_ANNS)
    index = SearchIndex.build(list(items.values()), copy.deepcopy(anns))
    for kind, n, arg in steps:
        target = POOL[n]
        if kind == "import" or (kind == "edit" and target.id in items):
            new = copy.deepcopy(target)
            if kind == "edit":
                new.title = f"{items[target.id].title} {arg}"
                new.summary = f"{arg} {items[target.id].summary}"
            items[new.id] = new
            index.update_item(new)
            continue
        if kind == "remove":
            if target.id in items:
                del items[target.id]
                index.remove(target.id)
            continue
        if kind == "edit":
            continue
        ann = copy.deepcopy(anns.get(target.id, Annotation(target.id)))
        if kind == "tag":
            ann.tags = list(dict.fromkeys(arg))  # type: ignore[call-overload]
        elif kind == "note":
            ann.notes = [*ann.notes, Note(str(arg), "2024-01-01T00:00:00Z")]
        elif kind == "rename":
            ann.title = arg  # type: ignore[assignment]
        elif kind == "status":
            ann.status = str(arg)
        anns[target.id] = ann
        index.update_annotation(copy.deepcopy(ann))
    rebuilt = SearchIndex.build(list(items.values()), copy.deepcopy(anns))
    assert snapshot(index) == snapshot(rebuilt)


def type_out(index: SearchIndex, query: str, narrow: bool) -> list[SearchResult]:
    results = []
    previous = None
    for end in range(1, len(query) + 1):
        try:
            result = index.search(query[:end], previous=previous if narrow else None)
        except ValueError:
            result = None
        if result is not None:
            results.append(result)
        previous = result
    return results


TYPED = [
    "language models",
    "gpt-4 technical",
    '"language model" sc',
    '"language model is a',
    "tag:safety model",
    "model -the",
    "year:2019..2021 pol",
    "scaling laws #rl",
    "a:radf",
    "difusion modls",
    "is:rea lang",
]


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(TYPED), st.integers(0, 2))
def test_narrowing_from_previous_gives_the_same_results(query: str, extra: int) -> None:
    index = SearchIndex.build(POOL, synthetic_annotations(POOL, fraction=0.4, seed=3))
    query = query + " x" * extra
    plain = type_out(index, query, narrow=False)
    narrowed = type_out(index, query, narrow=True)
    assert [[(h.id, h.score) for h in r.hits] for r in plain] == [
        [(h.id, h.score) for h in r.hits] for r in narrowed
    ]
    assert [r.total for r in plain] == [r.total for r in narrowed]


def test_narrowing_is_used_when_the_query_extends_the_previous_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    index = SearchIndex.build(POOL, {})
    started: list[bool] = []
    original = index._candidates

    def spy(terms, q, start):  # type: ignore[no-untyped-def]
        started.append(start is not None)
        return original(terms, q, start)

    monkeypatch.setattr(index, "_candidates", spy)
    first = index.search("model")
    index.search("model lang", previous=first)
    index.search("mode", previous=first)  # shorter: not a narrowing
    index.search("model -lang", previous=first)
    assert started == [False, True, False, True]


def test_previous_from_before_an_update_is_ignored() -> None:
    index = SearchIndex.build(POOL[:10], {})
    before = index.search("model")
    index.update_item(POOL[20])
    after = index.search("model s", previous=before)
    assert [h.id for h in after.hits] == [h.id for h in index.search("model s").hits]
