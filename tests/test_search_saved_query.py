"""One query answered from the saved index (``storage.search.saved``) must rank
exactly as the app's in-memory index does, and must never trust a saved index
that no longer describes the library."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from seeds.model import Item
from storage.model import Annotation
from storage.search import QueryError, SearchIndex
from storage.search.saved import load_for_query, open_search_index, query_hits
from storage.search.saved_files import SEARCH_INDEX_FILE
from storage.shelf import Shelf
from tests.benchmarks.synthetic import synthetic_annotations, synthetic_items
from tests.storage_helpers import add_items, set_annotations

QUERIES = Path(__file__).parent / "relevance" / "queries.toml"

#: Beyond the relevance set: typos, prefixes, phrases, negation, every filter.
EXTRA = [
    "",
    "   ",
    "difusion",
    "difus",
    "langauge modles",
    "scal",
    "reinforcement learn",
    "d",
    "co",
    "transformer",
    '"language model"',
    '"language mod',
    '-"language model" policy',
    "policy -reward",
    "diffusion -image",
    "tag:rlhf",
    "#rlhf safety",
    "tag:rl",
    "author:radford",
    "a:radford scaling",
    'a:"alec radford"',
    "a:radfrd",
    "is:read",
    "is:unread policy",
    "is:reading",
    "has:code",
    "has:note",
    "has:tag",
    "has:rename",
    "-has:code model",
    "cat:CL",
    "cat:cs.LG learning",
    "src:00",
    "year:2020",
    "year:2019..2021 policy",
    "year:..2018",
    "-year:2020 network",
    "readby:bob",
    "taggedby:bob model",
    "ppo",
    "rlhf",
    "gpt4",
    "dall-e",
    "my copy",
    "zzqxjvw",
    "zzqxjv",
    "zzqxjwv policy",
    "quokk",
    "rpximal policy",
    "oplicy gradient",
    "the",
    "policy gradient methods for reinforcement learning with function approximation",
]


def _queries() -> list[str]:
    with open(QUERIES, "rb") as f:
        relevance = [q["q"] for q in tomllib.load(f)["query"]]
    return relevance + EXTRA


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Shelf:
    """The bundled corpus plus synthetic items, a tenth annotated, another user."""
    root = tmp_path_factory.mktemp("saved-query")
    shelf = Shelf(root, "ann")
    add_items(shelf, synthetic_items(1500, seed=3))
    items = list(shelf.items(with_text=False).values())
    anns = synthetic_annotations(items, 0.1, seed=4)
    # An annotation term no item has, and a renamed title, so the vocabulary
    # and the re-ranking both see annotation-only words.
    first = items[0].id
    anns[first] = Annotation(first, status="read", tags=["zzqxjvw"], title="Quokka Survey")
    set_annotations(shelf, anns)
    bob = Shelf(root, "bob")
    set_annotations(bob, synthetic_annotations(items, 0.05, seed=5))
    shelf.flush()
    bob.flush()
    return Shelf(root, "ann")


def _full(shelf: Shelf) -> SearchIndex:
    """The app's index, built in memory from every item."""
    index = SearchIndex.build(shelf.items(with_text=True).values(), shelf.all_annotations())
    index.set_other_users(shelf.others())
    return index


def _saved(shelf: Shelf, query: str, loader=None, annotations=None) -> list[str]:
    def no_items() -> list[Item]:
        raise AssertionError("the saved index should have answered")

    return query_hits(
        shelf.dirs,
        shelf.user,
        query,
        annotations=annotations or shelf.all_annotations,
        others=shelf.others,
        items_loader=loader or no_items,
        texts=shelf.library.text,
    ).ids


def _save_index(shelf: Shelf) -> None:
    items = shelf.items(with_text=False).values()
    open_search_index(shelf, items, shelf.all_annotations(), shelf.library.text)


def _expected(index: SearchIndex, query: str) -> list[str]:
    if not query.strip():
        return [i for i in index._ids if i is not None]
    return index.search(query).ids()


def test_every_query_ranks_as_the_full_index(library: Shelf) -> None:
    _save_index(library)
    full = _full(library)
    checked = 0
    for query in _queries():
        expected = _expected(full, query)
        assert _saved(library, query) == expected, query
        checked += bool(expected)
    assert checked > 40  # the queries do find things


def test_only_a_query_of_several_words_reads_the_titles(
    library: Shelf, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking reads titles to reward those that hold several query words; a
    one-word query has nothing to reward, and its 6 MB of titles at 100k
    stay in the file."""
    from storage.search.persist import SavedFile

    _save_index(library)
    full = _full(library)
    real = SavedFile.strings
    asked: list[str] = []

    def strings(self, name):
        asked.append(name)
        return real(self, name)

    monkeypatch.setattr(SavedFile, "strings", strings)
    for query in ["learning", "lerning", "author:radford"]:
        assert _saved(library, query) == _expected(full, query) != []
    assert "titles" not in asked
    assert _saved(library, "policy learning") == _expected(full, "policy learning") != []
    assert "titles" in asked


def test_empty_query_is_every_item_in_library_order(library: Shelf) -> None:
    _save_index(library)
    assert _saved(library, "") == list(library.items(with_text=False))


def test_a_bad_query_raises_before_reading_anything(tmp_path: Path) -> None:
    shelf = Shelf(tmp_path, "u")
    with pytest.raises(QueryError):
        _saved(shelf, "colour:red")
    with pytest.raises(QueryError):
        _saved(shelf, "year:abc")


def test_unknown_other_user_is_a_query_error(library: Shelf) -> None:
    _save_index(library)
    with pytest.raises(QueryError):
        _saved(library, "readby:nobody")


def test_annotations_changed_since_the_save_are_current(tmp_path: Path) -> None:
    """Annotations are read from the user's files as they are now, not from
    when the index was saved: a tag or note added since is found, one
    removed is not, and their saved part is used only while it is current."""
    shelf = _fresh_library(tmp_path)
    items = list(shelf.items(with_text=False))
    shelf.add_tags([items[3]], ["oldtag"])
    _save_index(shelf)
    calls: list[int] = []

    def counted() -> dict[str, Annotation]:
        calls.append(1)
        return shelf.all_annotations()

    assert _saved(shelf, "oldtag", annotations=counted) == [items[3]]
    assert calls == [1]  # parsed once, saved for the next query
    assert _saved(shelf, "tag:oldtag", annotations=counted) == [items[3]]
    assert calls == [1]
    shelf.add_tags([items[7]], ["brandnewtag"])
    shelf.add_note(items[8], "wombat notes")
    shelf.rename(items[9], "Quokka survey of transformers")
    shelf.remove_tags([items[3]], ["oldtag"])
    shelf.set_status([items[10]], "reading")
    assert _saved(shelf, "tag:brandnewtag", annotations=counted) == [items[7]]
    assert calls == [1, 1]
    assert _saved(shelf, "wombat") == [items[8]]
    assert _saved(shelf, "brandnewt") == [items[7]]
    assert _saved(shelf, "oldtag") == []
    assert _saved(shelf, "is:reading") == [items[10]]
    shelf.flush()  # the journal folded into the file: another identity, same annotations
    full = _full(shelf)
    queries = ["quokka", "transformers", "has:note", "has:tag", "has:rename", "is:unread model"]
    for query in [*queries, '"wombat notes"', "tag:brand", "-has:tag transformers"]:
        assert _saved(shelf, query) == full.search(query).ids(), query


def _fresh_library(root: Path) -> Shelf:
    shelf = Shelf(root, "u")
    add_items(shelf, synthetic_items(300, seed=9))
    return shelf


def test_a_stale_index_is_not_trusted(tmp_path: Path) -> None:
    shelf = _fresh_library(tmp_path)
    _save_index(shelf)
    assert load_for_query(shelf.dirs, "u", None, texts=shelf.library.text) is not None
    # The library changes behind the saved index's back (another process).
    new = Item(id="zz-new-item", title="Quasar wombat transformers", summary="about wombats")
    add_items(Shelf(tmp_path, "u"), [new])
    shelf = Shelf(tmp_path, "u")
    assert load_for_query(shelf.dirs, "u", None, texts=shelf.library.text) is None
    calls = []

    def loader() -> list[Item]:
        calls.append(1)
        return list(shelf.items(with_text=False).values())

    assert _saved(shelf, "wombat", loader) == ["zz-new-item"]
    assert calls == [1]
    assert _saved(shelf, "wombat") == ["zz-new-item"]  # saved again: no loader this time
    assert _saved(shelf, "transformers") == _expected(_full(shelf), "transformers")


def test_annotations_of_items_not_in_the_library_are_ignored(tmp_path: Path) -> None:
    shelf = _fresh_library(tmp_path)
    items = list(shelf.items(with_text=False))
    anns = dict(shelf.all_annotations())
    anns["gone-item"] = Annotation("gone-item", status="read", tags=["orphan"])
    anns[items[2]] = Annotation(items[2], status="read", tags=["orphan"])
    set_annotations(shelf, anns)
    _save_index(shelf)
    for _ in range(2):  # parsed, then from their saved part
        assert _saved(shelf, "tag:orphan") == [items[2]]
        assert _saved(shelf, "orphan") == [items[2]]
        assert _saved(shelf, "is:read") == [items[2]]
        assert _saved(shelf, "is:unread")[:3] == [i for i in items if i != items[2]][:3]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_annotations_part_is_not_trusted(tmp_path: Path, damage: str) -> None:
    shelf = _fresh_library(tmp_path)
    items = list(shelf.items(with_text=False))
    shelf.add_tags(items[:5], ["alpha"])
    shelf.add_note(items[5], "a note on alpha particles")
    _save_index(shelf)
    assert _saved(shelf, "alpha") == _expected(_full(shelf), "alpha")
    part = shelf.dirs.root / ".cache" / "search-annotations-u.bin"
    data = part.read_bytes()
    stat = os.stat(part)
    if damage == "truncate":
        part.write_bytes(data[: len(data) - 40])
    elif damage == "garbage":
        part.write_bytes(data[:30] + b"\xfe" * 50 + data[80:])
    else:
        part.write_bytes(b"")
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    for query in ("alpha", "tag:alpha", "has:note", "is:unread alpha"):
        assert _saved(shelf, query) == _expected(_full(shelf), query), query


@pytest.mark.parametrize("damage", ["truncate", "garbage", "zero", "empty", "header", "missing"])
def test_a_damaged_index_is_not_trusted(tmp_path: Path, damage: str) -> None:
    shelf = _fresh_library(tmp_path)
    _save_index(shelf)
    path = shelf.dirs.root / ".cache" / SEARCH_INDEX_FILE
    data = path.read_bytes()
    stat = os.stat(path)
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(data[:20] + bytes(range(256)) * 40 + data[20 + 256 * 40 :])
    elif damage == "zero":
        # Inside the vocabulary, which a query reads (every section but the
        # postings carries a CRC).
        path.write_bytes(data[:100] + b"\xff" * 64 + data[164:])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "header":
        path.write_bytes(data[:-5] + b"#####")
    else:
        path.unlink()
    if path.exists():
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    expected = _expected(_full(shelf), "transformer policy")
    got = _saved(shelf, "transformer policy", lambda: shelf.items(with_text=False).values())
    assert got == expected


def _vocabularies(words: list[str], extra: list[str]):
    """The same terms as a Vocabulary and as a saved index reads them."""
    from array import array

    from storage.search.postings import SortedTerms
    from storage.search.vocab import MappedVocabulary, Vocabulary

    base = sorted(set(words))
    mask = array("I", [0 if i % 7 == 3 else 1 for i in range(len(base))] + [0])
    kept = [t for t, m in zip(base, mask, strict=False) if m]
    blob = "\n".join(base).encode()
    at = array("I", [0])
    for t in base:
        at.append(at[-1] + len(t.encode()) + 1)
    plain = Vocabulary(kept + extra)
    mapped = MappedVocabulary(SortedTerms(blob, at), mask, sorted(set(extra)))
    return plain, mapped


def test_saved_vocabulary_answers_as_the_built_one() -> None:
    items = synthetic_items(300, seed=11)
    words = sorted({w.lower().strip(".,:;()") for i in items for w in i.summary.split()} - {""})
    plain, mapped = _vocabularies(words, ["zzqxjvw", "modelx", "diffusionn", words[5]])
    assert list(plain) == list(mapped)
    probes = [*words[::37], "mod", "modl", "difusion", "zzqx", "a", "lear", "leanring", "q"]
    for term in probes:
        assert (term in plain) == (term in mapped), term
        assert plain.completions(term) == mapped.completions(term), term
        for edits in (1, 2):
            assert plain.typos(term, edits) == mapped.typos(term, edits), term
            assert plain.typo_prefixes(term, edits) == mapped.typo_prefixes(term, edits), term
    for term in ("zzqxjvx", "moddel"):
        plain.add(term)
        mapped.add(term)
        assert plain.typo_prefixes("zzqxj", 1) == mapped.typo_prefixes("zzqxj", 1)
        assert plain.completions("mod") == mapped.completions("mod")


def test_typo_prefixes_are_every_close_prefix_with_the_first_letter() -> None:
    """Against a brute force over every prefix of every term, before and
    after terms are added (the prefix lists are kept per first letter)."""
    from rapidfuzz.distance import OSA

    from storage.search.vocab import Vocabulary

    words = ["model", "models", "modular", "mode", "moderate", "nodel", "diffusion", "difficult"]
    vocab = Vocabulary(words)

    def brute(term: str, edits: int) -> list[tuple[str, int]]:
        lengths = range(max(1, len(term) - edits), len(term) + edits + 1)
        prefixes = {w[:n] for w in vocab for n in lengths if len(w) >= n and w[0] == term[0]}
        found = {p: OSA.distance(term, p) for p in prefixes if p != term}
        return sorted(((p, d) for p, d in found.items() if d <= edits), key=lambda x: (x[1], x[0]))

    for term, edits in [("modl", 1), ("difus", 1), ("moedl", 2), ("nod", 1)]:
        assert vocab.typo_prefixes(term, edits) == brute(term, edits)
    vocab.add("modulus")
    vocab.add("mo")
    for term, edits in [("modl", 1), ("modu", 1), ("mosulu", 2)]:
        assert vocab.typo_prefixes(term, edits) == brute(term, edits)
