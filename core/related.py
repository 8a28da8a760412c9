"""Related items: the few items most like one, for the detail view and ``shelf related``.

The lookup is a "more like this" query over the search index's own terms
(:mod:`storage.search.related`). The app asks its open index from a worker;
the command line reads only the item's terms' postings from the saved index,
so ``shelf related ID`` costs about what ``shelf list QUERY`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.shelf import UnknownItem

if TYPE_CHECKING:
    from core.search import SearchService
    from core.session import Session

__all__ = ["DEFAULT_LIMIT", "Related", "find_related", "related_in_index"]

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class Related:
    """An item like the one asked about.

    ``score``: 0..1, how much of the item's weighted terms it shares (1 would
    be the same text); ``shared``: the terms that weighed most, strongest first.
    """

    id: str
    score: float
    shared: tuple[str, ...]


def find_related(session: Session, item_id: str, limit: int = DEFAULT_LIMIT) -> list[Related]:
    """The ``limit`` items most like ``item_id``, best first (slow at 100k: off the UI).

    Uses the session's open index when it has one, else the saved index.
    Raises :class:`UnknownItem` for an item the library does not have.
    """
    if session.search.ready:
        return related_in_index(session.search, item_id, limit)
    shelf = session.shelf
    annotations = session.annotations()
    if any(a.corrections for a in annotations.values()):
        # Corrections change an item's words: the whole index, corrected.
        items = shelf.items(with_text=False)
        session.search.open(items.values(), annotations, session.others(), shelf.library.text)
        return find_related(session, item_id, limit)
    from storage.search.related import related_from_saved

    store = shelf.library.open_text_store()
    try:
        hits = related_from_saved(
            shelf.dirs,
            shelf.user,
            item_id,
            limit,
            annotations=lambda: annotations,
            items_loader=lambda: shelf.items(with_text=False).values(),
            texts=store if store is not None else shelf.library.text,
        )
    except KeyError:
        raise UnknownItem(f"no item with id {item_id!r}") from None
    return [Related(h.id, h.score, h.shared) for h in hits]


def related_in_index(
    search: SearchService, item_id: str, limit: int = DEFAULT_LIMIT
) -> list[Related]:
    """From the open index only (the app's worker): raises ``SearchUnavailable``
    while it is not open, :class:`UnknownItem` if it does not have the item."""
    try:
        hits = search.related(item_id, limit)
    except KeyError:
        raise UnknownItem(f"no item with id {item_id!r}") from None
    return [Related(h.id, h.score, h.shared) for h in hits]
