"""The memory layout that keeps a loaded 100k-item index small. Searching must
not notice it."""

from __future__ import annotations

import copy
from array import array
from pathlib import Path

import pytest

from seeds.model import Item
from storage.model import Annotation, Note
from storage.search import SearchIndex
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items


def item(id: str, title: str, summary: str = "", **kw: object) -> Item:
    return Item(id=id, title=title, summary=summary, **kw)  # type: ignore[arg-type]


HANDMADE = [
    item("wfn", "Widget Frobnication Networks", "Nothing else here.", authors=["Ada Lovelace"]),
    item(
        "graphs",
        "Other work",
        "We extend widget frobnication networks (WFN) to graphs; see the quokka appendix.",
        authors=["Alan Turing"],
        date="2021-02-03",
        category="LG",
        has_code=True,
        sources=["a.txt"],
    ),
    item(
        "lm",
        "Scaling Laws",
        "Empirical scaling laws for neural language models, with a wombat-sized dataset.",
        authors=["Jared Kaplan"],
        date="2020-01-23",
        category="CL",
        sources=["b.txt"],
    ),
    item("title-only", "Language models as wombats", "", date="2019-05-01"),
]
ITEMS = HANDMADE + synthetic_items(60, seed=11)
ANNS = {
    **synthetic_annotations(ITEMS, fraction=0.3, seed=11),
    "lm": Annotation("lm", tags=["scaling"], notes=[Note("wombat notes", "2024-01-01T00:00:00Z")]),
}
QUERIES = [
    "",
    "quokka",  # only in an abstract
    "wfn",  # acronym learned from an abstract
    "frobnication",
    '"scaling laws"',
    '"neural language"',  # a phrase only in an abstract
    '"language models"',
    'wombat -"language models"',
    "wombat",
    "language models",
    "languag",
    "scaling laws wombat",
    "year:2020..2021",
    "cat:lg",
    "has:code",
    "model",
    "mod",
    "difusion",
    "the",
]


Snapshot = dict[str, list[tuple[str, float, dict[str, list[tuple[int, int]]]]]]


def snapshot(index: SearchIndex) -> Snapshot:
    """Hits, scores and every field's spans (abstracts included) per query."""
    return {q: [(h.id, h.score, dict(h.matches)) for h in index.search(q).hits] for q in QUERIES}


# -- layout -----------------------------------------------------------------


@pytest.fixture()
def loaded(tmp_path: Path) -> tuple[SearchIndex, list[Item]]:
    path = tmp_path / "i.bin"
    SearchIndex.build(ITEMS, ANNS).save(path)
    items = [copy.deepcopy(i) for i in ITEMS]
    return SearchIndex.load(path, items, ANNS), items


def test_loaded_index_searches_like_a_fresh_build(loaded: tuple[SearchIndex, list[Item]]) -> None:
    index, items = loaded
    assert snapshot(index) == snapshot(SearchIndex.build(items, ANNS))


def test_loaded_index_keeps_per_item_data_in_arrays(loaded: tuple[SearchIndex, list[Item]]) -> None:
    index, items = loaded
    for facet in (index._years, index._cats, index._srcs):
        assert facet
        for docs in facet.values():
            assert isinstance(docs, array)
            assert list(docs) == sorted(docs)
    assert isinstance(index._code, array)
    assert isinstance(index._order, array) and isinstance(index._tie, array)
    # Ids are the caller's strings, not copies read from the file.
    assert all(index._ids[index._doc[i.id]] is i.id for i in items)
    # One term index for the all-fields and the title-and-authors tables.
    assert index._short._index is index._post._index  # type: ignore[union-attr]


def test_built_index_has_the_same_layout() -> None:
    index = SearchIndex.build(ITEMS, ANNS)
    assert index._short._index is index._post._index  # type: ignore[union-attr]
    assert all(isinstance(docs, array) for docs in index._years.values())


def test_terms_only_in_titles_share_the_index_but_not_the_tables(
    loaded: tuple[SearchIndex, list[Item]],
) -> None:
    index, _ = loaded
    post, short = index._post, index._short
    assert set(short) <= set(post)
    only_post = next(t for t in post if t not in short)
    assert short.get(only_post) is None and only_post not in short
    assert len(short) == len(list(short)) < len(post)
    assert index._vocab is not None and "quokka" in index._vocab
    assert "quokka" not in index._short_vocab
