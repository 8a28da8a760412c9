"""Putting ready-made items and annotations into a data folder, for tests and benchmarks.

The app's tests need a library of known items (snapshots must not change
when the parser learns something new) and the scale benchmarks need 100k
items without parsing 100k entries first. Both go through the library's and
the annotation store's public writes, as an import does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from seeds.model import Item
from storage.model import Annotation


def add_items(shelf: Any, items: Iterable[Item]) -> None:
    shelf.library.add_items(items)


def set_annotations(shelf: Any, annotations: Mapping[str, Annotation]) -> None:
    """Replace the user's annotations wholesale (what an annotation import does)."""
    titles = {item_id: item.title for item_id, item in shelf.items(with_text=False).items()}
    shelf.annotations.replace_all(dict(annotations), titles)
