"""The search index saved between runs, and one query answered from it.

Building the index of 100k abstracts takes most of a minute and loading a
saved one with every item about a second: too slow for ``shelf list QUERY``,
which wants a dozen milliseconds of search. :func:`query_hits` answers one
query from the saved file reading only what that query needs: the header,
the vocabulary (one blob, bisected in place), the postings of the terms the
query expands to, and for the few items a query looks at closely (re-ranking
the top hits on their titles, checking phrases) their title and authors from
columns in the same file and their abstract from ``texts``. No item is
decoded, and the ranking is the app's: the same :class:`SearchIndex` code
runs over lazily read tables.

The saved index is derived data under ``.cache/``, stamped with the identity
of library.json and texts.json (:func:`storage.search.saved_files.library_state`). One from another
library state, another version or a damaged file is not trusted: the caller's
items are loaded and the index is rebuilt (and saved for next time), as the
app does in :func:`open_search_index`.

The user's annotations change without the library changing, so they are
never read from the file: the caller's current ones are applied on top, with
the impacts saved for an unchanged annotation reused (10k annotated items
cost a few milliseconds this way, not the ~100 ms of re-analysing them;
see :mod:`storage.search.saved_annotations`).
"""

from __future__ import annotations

import contextlib
from array import array
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seeds.model import Item
from storage.atomic import StorageError, atomic_write
from storage.model import Annotation
from storage.paths import DataDir
from storage.search.index import SearchIndex, release_free_memory
from storage.search.persist import SavedFile, open_saved
from storage.search.query import QueryError, parse_query
from storage.search.saved_annotations import (
    DocNumbers,
    annotate,
    annotations_state,
    save_annotations_beside,
)
from storage.search.saved_files import index_paths, library_state
from storage.search.saved_rows import SavedRows
from storage.search.vocab import MappedVocabulary

__all__ = [
    "QueryError",
    "QueryHits",
    "load_for_query",
    "open_for_query",
    "open_search_index",
    "query_hits",
]

Others = Mapping[str, Mapping[str, Annotation]]


def open_search_index(
    shelf_or_dirs: Any,
    items: Iterable[Item],
    annotations: Mapping[str, Annotation],
    texts: Callable[[str], str] | None = None,
) -> SearchIndex:
    """The saved index brought up to date, or a new one; saved again when it changed.

    ``texts``: abstracts by item id, for items loaded without them.
    """
    index_file, state_file = index_paths(shelf_or_dirs)
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
        self._blob, self._at = saved.strings(name)

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
    user: str,
    annotations: Callable[[], Mapping[str, Annotation]] | None,
    others: Others | None = None,
    *,
    texts: Callable[[str], str],
) -> SearchIndex | None:
    """A read-only index over the saved file for answering a query or a few,
    or None when there is no saved index for the library as it is now.

    Its postings, titles and authors stay in the file until a query reads
    them. ``annotations`` (``user``'s) is called only when their saved part
    is missing or stale; None leaves them out. Searching the index gives
    exactly what the app's index gives; changing it (``update_item``,
    ``remove``, ``save``) is not supported.
    """
    loaded = _load_saved(data_dir, user, annotations, others, texts=texts)
    return None if loaded is None else loaded[0]


def _load_saved(
    data_dir: DataDir,
    user: str,
    annotations: Callable[[], Mapping[str, Annotation]] | None,
    others: Others | None = None,
    *,
    texts: Callable[[str], str],
) -> tuple[SearchIndex, SavedFile] | None:
    """:func:`load_for_query`, and the saved file the index reads."""
    index_file, _ = index_paths(data_dir)
    saved = open_saved(index_file)
    if saved is None:
        return None
    try:
        if saved.header.get("signature") != library_state(data_dir):
            saved.close()
            return None
        index = _from_saved(saved, texts)
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        saved.close()
        return None
    if annotations is not None:
        annotate(index, data_dir, user, annotations, saved)
    terms = saved.sorted_terms()
    extra = sorted(index._ann_post)
    post, short, author = index._post, index._short, index._author
    index._vocab = MappedVocabulary(terms, post._lengths, extra)  # type: ignore[union-attr]
    index._short_vocab = MappedVocabulary(terms, short._lengths, extra)  # type: ignore[union-attr]
    index._author_vocab = MappedVocabulary(terms, author._lengths)  # type: ignore[union-attr]
    index.set_other_users(others or {})
    return index, saved


def _from_saved(saved: SavedFile, texts: Callable[[str], str]) -> SearchIndex:
    index = SearchIndex()
    index._texts = texts
    saved.fill(index, saved.sorted_terms())
    ids: list[str | None] = list(saved.ids())
    for doc in index._dead:
        ids[doc] = None
    index._ids = ids
    index._doc = DocNumbers(ids, index._dead, {})  # type: ignore[assignment]
    index._items = _DocItems(saved, ids)  # type: ignore[assignment]
    order = saved.numbers("order", "d", saved.docs)
    index._order = order
    # An array, not the app's list: made in one read, while a list of floats
    # would be 100k objects made for a query that reads a few hundred.
    index._tie = saved.numbers("tie", "d", saved.docs)  # type: ignore[assignment]
    index._fps = array("I")  # (only retiring a doc reads them)
    index.from_file = True
    return index


def _needs_others(query: str) -> bool:
    q = parse_query(query)
    return any(f.name in ("readby", "taggedby") for f in [*q.filters, *q.not_filters])


def open_for_query(
    data_dir: DataDir,
    user: str,
    annotations: Callable[[], Mapping[str, Annotation]],
    others: Others,
    *,
    items_loader: Callable[[], Iterable[Item]],
    texts: Callable[[str], str],
    with_annotations: bool = True,
) -> tuple[SearchIndex, SavedFile | None]:
    """The saved index read for a query or a few (:func:`load_for_query`)
    and its file; when there is none for the library as it is, one built
    from ``items_loader()`` and saved, with the annotations' part beside it
    for the next query (and no file). ``with_annotations`` False: a query
    that reads no annotation (an empty one) leaves them out of a saved one."""
    loaded = _load_saved(
        data_dir, user, annotations if with_annotations else None, others, texts=texts
    )
    if loaded is not None:
        return loaded
    state = annotations_state(data_dir, user)
    index = open_search_index(data_dir, items_loader(), annotations(), texts)
    index.set_other_users(others)
    save_annotations_beside(index, data_dir, user, state)
    return index, None


@dataclass(frozen=True)
class QueryHits:
    """A query's ids, and their list lines' fields where the saved index has them."""

    ids: list[str]
    #: The lines' fields by doc, from the saved index the query ran on (None
    #: when it ran on one just built). Compare ``rows.signature`` with
    #: :func:`library_state` before use: the library may have changed since.
    rows: SavedRows | None


def query_hits(
    data_dir: DataDir,
    user: str,
    query: str,
    *,
    annotations: Callable[[], Mapping[str, Annotation]],
    others: Callable[[], Others],
    items_loader: Callable[[], Iterable[Item]],
    texts: Callable[[str], str],
    new_ids: Callable[[], Collection[str]] | None = None,
) -> QueryHits:
    """The items matching ``query`` (``ids``), best first (for a query of
    filters only, or an empty one, in library order), exactly as the app's
    :meth:`SearchIndex.search` ranks them for ``user``.

    The arguments are sources, each asked only if needed: ``annotations``
    (``user``'s, by item id) when their saved part is stale; ``others``
    (other users' annotations by user) for ``readby:``/``taggedby:``;
    ``items_loader`` (every item; abstracts may be left out) when there is
    no saved index for the library as it is, which is then built and saved
    for the next query; ``texts`` (item id -> abstract, e.g. the library's
    text store) for the few items a query checks closely; ``new_ids``
    (the user's new items) for ``is:new``, asked only if the query has it.
    Raises :class:`QueryError` for a query that cannot mean anything, before
    reading anything.
    """
    q = parse_query(query)
    who = others() if _needs_others(query) else {}
    index, saved = open_for_query(
        data_dir,
        user,
        annotations,
        who,
        items_loader=items_loader,
        texts=texts,
        with_annotations=not q.is_empty,
    )
    index.set_new_source(new_ids)
    if q.is_empty:
        docs = index._library_order()
        ids: list[str] = list(map(index._ids.__getitem__, docs))  # type: ignore[arg-type]
    else:
        result = index.search(query)
        ids, docs = result.ids(), result.docs()
    return QueryHits(ids, None if saved is None else SavedRows(saved, index._ids, ids, docs))
