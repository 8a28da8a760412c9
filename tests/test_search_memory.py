"""Abstracts from a text provider instead of the items, and the memory layout
that keeps a loaded 100k-item index small. Searching must not notice either."""

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


class Texts:
    """A caller's abstract store: item id -> abstract, counting look-ups."""

    def __init__(self, items: list[Item]) -> None:
        self.store = {i.id: i.summary for i in items}
        self.calls = 0

    def __call__(self, item_id: str) -> str:
        self.calls += 1
        return self.store[item_id]


def stripped(items: list[Item]) -> list[Item]:
    """The items as a caller that keeps abstracts elsewhere holds them."""
    out = [copy.deepcopy(i) for i in items]
    for i in out:
        i.summary = ""
    return out


Snapshot = dict[str, list[tuple[str, float, dict[str, list[tuple[int, int]]]]]]


def snapshot(index: SearchIndex) -> Snapshot:
    """Hits, scores and every field's spans (abstracts included) per query."""
    return {q: [(h.id, h.score, dict(h.matches)) for h in index.search(q).hits] for q in QUERIES}


def test_abstracts_from_texts_search_and_highlight_as_from_items() -> None:
    expected = SearchIndex.build(ITEMS, ANNS)
    index = SearchIndex.build(stripped(ITEMS), ANNS, texts=Texts(ITEMS))
    assert snapshot(index) == snapshot(expected)
    assert [h.id for h in index.search("quokka").hits] == ["graphs"]
    assert [h.id for h in index.search("wfn").hits] == ["wfn", "graphs"]
    assert index.highlights("graphs", "quokka") == expected.highlights("graphs", "quokka")
    assert index.highlights("graphs", "quokka")["summary"]


def test_abstracts_are_fetched_only_when_needed() -> None:
    texts = Texts(ITEMS)
    index = SearchIndex.build(stripped(ITEMS), ANNS, texts=texts)
    texts.calls = 0
    # A list row reads titles and authors; one-word queries are not re-ranked
    # on word adjacency: no abstract is needed.
    for hit in index.search("frobnication").hits:
        _ = hit.matches.get("title"), hit.matches.get("authors")
    assert texts.calls == 0
    hit = index.search("quokka").hits[0]
    assert hit.matches["summary"]
    assert texts.calls == 1


def test_save_and_load_with_texts(tmp_path: Path) -> None:
    expected = snapshot(SearchIndex.build(ITEMS, ANNS))
    path = tmp_path / "i.bin"
    # Saved by an index over full items, loaded by one with a provider (and
    # back): the file does not depend on where abstracts live.
    SearchIndex.build(ITEMS, ANNS).save(path)
    loaded = SearchIndex.load(path, stripped(ITEMS), ANNS, texts=Texts(ITEMS))
    assert snapshot(loaded) == expected
    SearchIndex.build(stripped(ITEMS), ANNS, texts=Texts(ITEMS)).save(path, signature="s")
    for signature in ("s", None):  # trusted, and checked item by item
        loaded = SearchIndex.load(path, stripped(ITEMS), ANNS, signature, texts=Texts(ITEMS))
        assert snapshot(loaded) == expected
    assert snapshot(SearchIndex.load(path, ITEMS, ANNS)) == expected


def test_load_with_texts_reads_the_file_rather_than_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "i.bin"
    SearchIndex.build(ITEMS, ANNS).save(path)

    def no_build(*args: object, **kw: object) -> SearchIndex:
        raise AssertionError("rebuilt")

    monkeypatch.setattr(SearchIndex, "build", no_build)
    loaded = SearchIndex.load(path, stripped(ITEMS), ANNS, texts=Texts(ITEMS))
    assert [h.id for h in loaded.search("quokka").hits] == ["graphs"]


def test_a_changed_abstract_from_texts_is_noticed_on_load(tmp_path: Path) -> None:
    path = tmp_path / "i.bin"
    SearchIndex.build(ITEMS, ANNS).save(path)
    texts = Texts(ITEMS)
    texts.store["lm"] = "Now about capybaras."
    loaded = SearchIndex.load(path, stripped(ITEMS), ANNS, texts=texts)
    assert [h.id for h in loaded.search("capybaras").hits] == ["lm"]
    assert "lm" not in [h.id for h in loaded.search('"neural language"').hits]


def test_update_item_with_texts_equals_a_fresh_build(tmp_path: Path) -> None:
    items = stripped(ITEMS[:50])
    texts = Texts(ITEMS)
    index = SearchIndex.build(items, ANNS, texts=texts)
    # The caller's store has the new abstract before the index hears of it:
    # the old one is gone, yet document frequencies must come out exact.
    texts.store["lm"] = "Capybara scaling laws (CSL) for neural language models."
    index.update_item(items[2])
    # A new title, same abstract.
    items[0] = copy.deepcopy(items[0])
    items[0].title = "Widget Frobnication Networks, revisited"
    index.update_item(items[0])
    # Edited in place, abstract too (the index still holds this object).
    items[1].title = "Other work on capybaras"
    # (Learned acronyms are kept across updates: this one stays defined.)
    texts.store["graphs"] = "Capybaras everywhere: widget frobnication networks (WFN)."
    index.update_item(items[1])
    # Removed, its abstract already gone from the store.
    gone = items.pop(7)
    del texts.store[gone.id]
    index.remove(gone.id)
    # New items.
    added = stripped(ITEMS[50:])
    items += added
    for new in added:
        index.update_item(new)

    full = [copy.deepcopy(i) for i in items]
    for i in full:
        i.summary = texts.store[i.id]
    expected = snapshot(SearchIndex.build(full, ANNS))
    assert snapshot(index) == expected
    assert [h.id for h in index.search("csl").hits] == ["lm"]
    path = tmp_path / "i.bin"
    index.save(path)
    assert snapshot(SearchIndex.load(path, items, ANNS, texts=texts)) == expected


def test_retired_docs_count_the_terms_they_were_indexed_with() -> None:
    items = stripped(ITEMS[:20])
    texts = Texts(ITEMS)
    index = SearchIndex.build(items, {}, texts=texts)
    old_terms = set(index._post.terms_of(2))  # type: ignore[union-attr]
    assert {"wombat", "empirical", "scaling", "kaplan"} <= old_terms
    texts.store["lm"] = "Capybaras."
    index.update_item(items[2])
    assert set(index._dead_df) == old_terms
    assert set(index._dead_short_df) == set(index._short.terms_of(2))  # type: ignore[union-attr]


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
    assert isinstance(index._order, array)
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
