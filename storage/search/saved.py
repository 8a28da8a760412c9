"""The search index saved between runs, and one query answered from it.

Building the index of 100k abstracts takes most of a minute and loading a
saved one with every item about a second: too slow for ``shelf list QUERY``,
which wants a dozen milliseconds of search. :func:`query_ids` answers one
query from the saved file reading only what that query needs: the header,
the vocabulary (one blob, bisected in place), the postings of the terms the
query expands to, and for the few items a query looks at closely (re-ranking
the top hits on their titles, checking phrases) their title and authors from
columns in the same file and their abstract from ``texts``. No item is
decoded, and the ranking is the app's: the same :class:`SearchIndex` code
runs over lazily read tables.

The saved index is derived data under ``.cache/``, stamped with the identity
of library.json and texts.json (:func:`library_state`). One from another
library state, another version or a damaged file is not trusted: the caller's
items are loaded and the index is rebuilt (and saved for next time), as the
app does in :func:`open_search_index`.

The user's annotations change without the library changing, so they are
never read from the file: the caller's current ones are applied on top, with
the impacts saved for an unchanged annotation reused (10k annotated items
cost a few milliseconds this way, not the ~100 ms of re-analysing them).
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import Any

from seeds.model import Item
from storage.atomic import StorageError, atomic_write
from storage.model import Annotation
from storage.paths import DataDir
from storage.search.index import SearchIndex, release_free_memory
from storage.search.persist import SavedFile, apply_annotations, open_saved
from storage.search.query import QueryError, parse_query
from storage.search.scoring import TIE
from storage.search.vocab import MappedVocabulary

__all__ = [
    "SEARCH_INDEX_FILE",
    "QueryError",
    "library_state",
    "load_for_query",
    "open_search_index",
    "query_ids",
]

SEARCH_INDEX_FILE = "search-index.bin"

Others = Mapping[str, Mapping[str, Annotation]]


def _dirs(shelf_or_dirs: Any) -> DataDir:
    return getattr(shelf_or_dirs, "dirs", shelf_or_dirs)


def _index_paths(shelf_or_dirs: Any) -> tuple[Path, Path]:
    folder = _dirs(shelf_or_dirs).root / ".cache"
    return folder / SEARCH_INDEX_FILE, folder / (SEARCH_INDEX_FILE + ".state")


def library_state(shelf_or_dirs: Any) -> str:
    """Identity of library.json and texts.json as they are now."""
    dirs = _dirs(shelf_or_dirs)
    parts = []
    for path in (dirs.library_file, dirs.texts_file):
        try:
            st = os.stat(path)
            parts.append(f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def open_search_index(
    shelf_or_dirs: Any,
    items: Iterable[Item],
    annotations: Mapping[str, Annotation],
    texts: Callable[[str], str] | None = None,
) -> SearchIndex:
    """The saved index brought up to date, or a new one; saved again when it changed.

    ``texts``: abstracts by item id, for items loaded without them.
    """
    index_file, state_file = _index_paths(shelf_or_dirs)
    state = library_state(shelf_or_dirs)
    try:
        saved_state: str | None = state_file.read_text()
    except OSError:
        saved_state = None
    if saved_state is None or not index_file.exists():
        index = SearchIndex.build(items, annotations, texts=texts)
    else:
        # Same state as at save time: the items need not be checked one by one.
        index = SearchIndex.load(index_file, items, annotations, signature=state, texts=texts)
    # Saved again when the library changed, and when the saved file could not
    # be used (another version, damaged): else every start would rebuild it.
    if saved_state != state or not index.from_file:
        with contextlib.suppress(OSError, StorageError):
            index_file.parent.mkdir(exist_ok=True)
            index.save(index_file, state)
            atomic_write(state_file, state.encode())
        release_free_memory()  # what the save's scratch buffers freed
    return index


# -- one query from the saved file ------------------------------------------------


class _DocItem:
    """What the index reads of an item while ranking, from the file's columns.

    Affiliations are not among them (only highlights read those), and the
    abstract comes from the index's ``texts``."""

    __slots__ = ("id", "title", "authors")

    affiliations: tuple[str, ...] = ()
    summary = ""

    def __init__(self, item_id: str, title: str, authors: list[str]) -> None:
        self.id = item_id
        self.title = title
        self.authors = authors


class _Column:
    """One string per doc from a "\\n"-joined section, decoded one at a time."""

    def __init__(self, saved: SavedFile, name: str) -> None:
        self._blob = saved.raw(name)
        self._at = saved.numbers(name + "_at", "I", saved.docs + 1)
        if saved.docs and self._at[-1] != len(self._blob) + 1:
            raise ValueError(f"search index column {name} does not add up")

    def __getitem__(self, doc: int) -> str:
        at = self._at
        return self._blob[at[doc] : at[doc + 1] - 1].decode("utf-8", "surrogatepass")


class _DocItems(Sequence[_DocItem | None]):
    """The index's items by doc, made when the ranking asks for one; the
    columns are read on the first ask (many queries never ask)."""

    def __init__(self, saved: SavedFile, ids: list[str | None]) -> None:
        self._saved = saved
        self._ids = ids
        self._columns: tuple[_Column, _Column] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, doc):  # type: ignore[no-untyped-def, override]
        item_id = self._ids[doc]
        if item_id is None:
            return None
        if self._columns is None:
            self._columns = (_Column(self._saved, "titles"), _Column(self._saved, "authors"))
        titles, authors = self._columns
        joined = authors[doc]
        return _DocItem(item_id, titles[doc], joined.split("\x1e") if joined else [])


def load_for_query(
    data_dir: DataDir,
    annotations: Mapping[str, Annotation] | None,
    others: Others | None = None,
    *,
    texts: Callable[[str], str],
) -> SearchIndex | None:
    """A read-only index over the saved file for answering a query or a few,
    or None when there is no saved index for the library as it is now.

    Its postings, titles and authors stay in the file until a query reads
    them. Searching it gives exactly what the app's index gives; changing
    it (``update_item``, ``remove``, ``save``) is not supported.
    """
    index_file, _ = _index_paths(data_dir)
    saved = open_saved(index_file)
    if saved is None:
        return None
    try:
        if saved.header.get("signature") != library_state(data_dir):
            saved.close()
            return None
        return _from_saved(saved, annotations, others or {}, texts)
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        saved.close()
        return None


def _from_saved(
    saved: SavedFile,
    annotations: Mapping[str, Annotation] | None,
    others: Others,
    texts: Callable[[str], str],
) -> SearchIndex:
    index = SearchIndex()
    index._texts = texts
    terms = saved.sorted_terms()
    saved.fill(index, terms)
    ids: list[str | None] = list(saved.ids())
    for doc in index._dead:
        ids[doc] = None
    index._ids = ids
    index._doc = {item_id: doc for doc, item_id in enumerate(ids) if item_id is not None}
    index._items = _DocItems(saved, ids)  # type: ignore[assignment]
    order = saved.numbers("order", "d", saved.docs)
    index._order = order
    index._tie = list(map(mul, order, repeat(TIE)))
    index._fps = array("I")  # (only retiring a doc reads them)
    if annotations:
        apply_annotations(index, annotations, saved.json("ann"))
    extra = list(index._ann_post)
    post, short, author = index._post, index._short, index._author
    index._vocab = MappedVocabulary(terms, post._lengths, extra)  # type: ignore[union-attr]
    index._short_vocab = MappedVocabulary(terms, short._lengths, extra)  # type: ignore[union-attr]
    index._author_vocab = MappedVocabulary(terms, author._lengths)  # type: ignore[union-attr]
    index.from_file = True
    index.set_other_users(others)
    return index


def query_ids(
    data_dir: DataDir,
    query: str,
    annotations: Mapping[str, Annotation],
    others: Others | None = None,
    *,
    items_loader: Callable[[], Iterable[Item]],
    texts: Callable[[str], str],
) -> list[str]:
    """Ids of the items matching ``query``, best first (for a query of
    filters only, or an empty one, in library order), exactly as the app's
    :meth:`SearchIndex.search` ranks them.

    ``annotations``: the user's, by item id; ``others``: other users'
    annotations by user, for ``readby:``/``taggedby:``; ``texts``: item id ->
    abstract (``Library.text``), read for the few items a query checks
    closely. ``items_loader`` is called only when there is no usable saved
    index: it returns every item (abstracts may be left out when ``texts``
    has them), the index is built from them and saved for the next query.
    Raises :class:`QueryError` for a query that cannot mean anything, before
    reading anything.
    """
    q = parse_query(query)
    index = load_for_query(data_dir, None if q.is_empty else annotations, others, texts=texts)
    if index is None:
        index = open_search_index(data_dir, items_loader(), annotations, texts)
        index.set_other_users(others or {})
    if q.is_empty:
        return list(map(index._ids.__getitem__, index._library_order()))  # type: ignore[arg-type]
    return index.search(query).ids()
