"""Where the saved search files are, and which state of the library or of a
user's annotations each was saved for.

A saved file is trusted only for the state it was stamped with: the
identity (inode, time, size) of the files it was made from, as they are now.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storage.paths import DataDir
from storage.search.persist import open_saved

__all__ = [
    "SEARCH_INDEX_FILE",
    "annotations_path",
    "annotations_state",
    "dirs_of",
    "index_paths",
    "library_state",
    "saved_signature",
]

SEARCH_INDEX_FILE = "search-index.bin"


def dirs_of(shelf_or_dirs: Any) -> DataDir:
    return getattr(shelf_or_dirs, "dirs", shelf_or_dirs)


def index_paths(shelf_or_dirs: Any) -> tuple[Path, Path]:
    folder = dirs_of(shelf_or_dirs).root / ".cache"
    return folder / SEARCH_INDEX_FILE, folder / (SEARCH_INDEX_FILE + ".state")


def library_state(shelf_or_dirs: Any) -> str:
    """Identity of library.json and texts.json as they are now."""
    dirs = dirs_of(shelf_or_dirs)
    return _files_state((dirs.library_file, dirs.texts_file))


def _files_state(paths: Iterable[Path]) -> str:
    """The files' identities (inode, time, size; "-" for one missing), joined."""
    parts = []
    for path in paths:
        try:
            st = os.stat(path)
            parts.append(f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def annotations_state(data_dir: DataDir, user: str) -> str:
    """Identity of the user's annotation file and journal as they are now."""
    from storage.annotations import journal_file

    return _files_state((data_dir.annotation_file(user), journal_file(data_dir, user)))


def annotations_path(data_dir: DataDir, user: str) -> Path:
    return data_dir.root / ".cache" / f"search-annotations-{user}.bin"


def saved_signature(path: Path) -> str | None:
    saved = open_saved(path)
    if saved is None:
        return None
    try:
        signature = saved.header.get("signature")
        return signature if isinstance(signature, str) else None
    finally:
        saved.close()
