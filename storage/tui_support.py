"""Putting ready-made items into a library, for the TUI's tests and scale benchmarks.

The app's tests need a library of known items (snapshots must not change when
the parser learns something new) and the scale benchmarks need 100k items
without parsing 100k entries first. Importing documents is the only public way
in, so this helper writes items the way an import does: under the library
lock, texts first, in one write each.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from seeds.model import Item
from storage.atomic import StorageError, atomic_write
from storage.model import Annotation
from storage.row_cache import (  # noqa: F401 - where the app still imports them from
    NO_YEAR,
    ROW_CACHE_VERSION,
    Base,
    CachedRows,
    _dirs,
    item_base,
    library_signature,
    read_row_cache,
    write_row_cache,
)


def add_items(shelf, items: Iterable[Item]) -> None:
    shelf.library.add_items(items)


def set_annotations(shelf, annotations: Mapping[str, Annotation]) -> None:
    """Replace the user's annotations wholesale (what an annotation import does)."""
    titles = {item_id: item.title for item_id, item in shelf.items(with_text=False).items()}
    shelf.annotations.replace_all(dict(annotations), titles)


# -- the search index, saved between runs ---------------------------------------
#
# Building the index of 100k abstracts takes most of a minute; loading a saved
# one takes about a second. The saved index is stamped with the identity of
# both library files, since titles and abstracts are what it indexes.

SEARCH_INDEX_FILE = "search-index.bin"


def _index_paths(shelf) -> tuple[Path, Path]:
    folder = _dirs(shelf).root / ".cache"
    return folder / SEARCH_INDEX_FILE, folder / (SEARCH_INDEX_FILE + ".state")


def library_state(shelf) -> str:
    """Identity of library.json and texts.json as they are now."""
    parts = []
    for path in (_dirs(shelf).library_file, _dirs(shelf).texts_file):
        try:
            st = os.stat(path)
            parts.append(f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def open_search_index(
    shelf,
    items: Iterable[Item],
    annotations: Mapping[str, Annotation],
    texts: Callable[[str], str] | None = None,
):
    """The saved index brought up to date, or a new one; saved again when it changed.

    ``texts``: abstracts by item id, for items loaded without them.
    """
    from storage.search import SearchIndex
    from storage.search.index import release_free_memory

    index_file, state_file = _index_paths(shelf)
    state = library_state(shelf)
    try:
        saved_state = state_file.read_text()
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
