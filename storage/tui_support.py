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
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from seeds.model import Item
from storage.atomic import StorageError, atomic_write
from storage.model import Annotation
from storage.paths import DataDir


def add_items(shelf, items: Iterable[Item]) -> None:
    library = shelf.library
    items = list(items)
    with library.lock.held():
        existing = library.items(with_text=True)
        library._write_items(items, existing)


def set_annotations(shelf, annotations: Mapping[str, Annotation]) -> None:
    """Replace the user's annotations wholesale (what an annotation import does)."""
    titles = {item_id: item.title for item_id, item in shelf.items(with_text=False).items()}
    shelf.annotations.replace_all(dict(annotations), titles)


# -- the list's row cache ------------------------------------------------------
#
# At 100k items, parsing library.json and building Item objects takes over a
# second, longer than the app may take to show its first screen. The list
# needs only a few short fields per item, so after each full load the app
# keeps them in a compact file stamped with library.json's identity; the next
# start shows the list from it and loads the library behind the first frame.

ROW_CACHE_VERSION = 1


def _dirs(shelf_or_dirs) -> DataDir:
    return getattr(shelf_or_dirs, "dirs", shelf_or_dirs)


def _row_cache_path(shelf_or_dirs) -> Path:
    return _dirs(shelf_or_dirs).root / ".cache" / "list-rows.json"


def library_signature(shelf_or_dirs) -> list[int] | None:
    try:
        st = os.stat(_dirs(shelf_or_dirs).library_file)
    except OSError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size]


def read_row_cache(shelf_or_dirs) -> tuple[list[str], list[list]] | None:
    """(ids, rows) if the cache describes library.json as it is now, else None.

    Takes a Shelf or a DataDir: launch reads it before opening the shelf,
    since a valid cache with rows also shows the library is not empty.
    """
    signature = library_signature(shelf_or_dirs)
    if signature is None:
        return None
    try:
        data = orjson.loads(_row_cache_path(shelf_or_dirs).read_bytes())
        if data.get("version") != ROW_CACHE_VERSION or data.get("signature") != signature:
            return None
        ids, rows = data["ids"], data["rows"]
        if not isinstance(ids, list) or not isinstance(rows, list) or len(ids) != len(rows):
            return None
        return ids, rows
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # a missing or damaged cache only costs a slower start


def write_row_cache(shelf, signature: list[int] | None, ids: list[str], rows: list) -> None:
    """Keep the rows for the next start; failing to is never an error for the user."""
    if signature is None:
        return
    path = _row_cache_path(shelf)
    data = {"version": ROW_CACHE_VERSION, "signature": signature, "ids": ids, "rows": rows}
    with contextlib.suppress(OSError, StorageError):
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, orjson.dumps(data))


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


def open_search_index(shelf, items: Iterable[Item], annotations: Mapping[str, Annotation]):
    """The saved index brought up to date, or a new one; saved again when it changed."""
    from storage.search import SearchIndex

    index_file, state_file = _index_paths(shelf)
    state = library_state(shelf)
    try:
        saved_state = state_file.read_text()
    except OSError:
        saved_state = None
    if saved_state is None or not index_file.exists():
        index = SearchIndex.build(items, annotations)
    else:
        # Same state as at save time: the items need not be checked one by one.
        index = SearchIndex.load(index_file, items, annotations, signature=state)
    if saved_state != state:
        with contextlib.suppress(OSError, StorageError):
            index_file.parent.mkdir(exist_ok=True)
            index.save(index_file, state)
            atomic_write(state_file, state.encode())
    return index
