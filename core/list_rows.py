"""What a ``shelf list`` line shows of many items, found in one pass.

A line shows an item's id, the user's status and tags, whether it is new to
them, its title (theirs if they renamed it), its first author and its date.
Item views carry thirty fields made from a decoded Item and annotation each:
a listing of 19,000 hits spent most of a second making them to print eight.
Here the item's fields come from the columns of the saved index the query
ran on, or else from the item store's documents (``Session.row_fields``),
and the user's from the saved part of their annotations that the query
finding the hits has just brought up to date
(``storage.search.saved_annotations.annotation_rows``), so neither the library nor the
user's 10,000 annotations is decoded.

When that part is stale, or some annotation has corrections (a corrected
author list is what the line shows, and the part leaves corrections out),
the lines come from the views as before: slower, the same.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.session import Session

#: One line's fields: (id, status, new, title shown, title derived and not
#: renamed, authors, authors cut short, date as written, tags). A tuple, not
#: an object: a listing makes one per hit.
Row = tuple[str, str, bool, str, bool, list[str], bool, str | None, list[str]]

#: Lines made at a time: a 100k listing never holds them all as text.
BATCH = 2000


def row_of_view(view: dict[str, Any]) -> Row:
    """The line's fields of an item view (made with ``new=True``)."""
    return (
        view["id"],
        view["status"],
        bool(view.get("new")),
        view["title"],
        view["title_derived"],
        view["authors"],
        view["authors_truncated"],
        view["date_text"],
        view["tags"],
    )


def list_rows(session: Session, item_ids: Sequence[str]) -> Iterator[list[Row]]:
    """The lines' fields of ``item_ids``, in their order, a batch at a time."""
    from storage.search.saved_annotations import annotation_rows

    shelf = session.shelf
    annotations = annotation_rows(shelf.dirs, shelf.user)
    if annotations is None:
        yield from _from_views(session, item_ids)
        return
    new_ids: Container[str] = session.new_ids()
    fields = session.row_fields(item_ids)
    get = annotations.get
    for start in range(0, len(item_ids), BATCH):
        out: list[Row] = []
        for item_id, (title, derived, authors, truncated, date_text) in zip(
            item_ids[start : start + BATCH], fields[start : start + BATCH], strict=True
        ):
            ann = get(item_id)
            row: Row
            if ann is None:
                row = (item_id, "unread", item_id in new_ids, title, derived, authors,
                       truncated, date_text, [])  # fmt: skip
            else:
                status, renamed, tags = ann
                row = (item_id, status, item_id in new_ids, renamed or title,
                       derived and not renamed, authors, truncated, date_text, tags)  # fmt: skip
            out.append(row)
        yield out


def _from_views(session: Session, item_ids: Sequence[str]) -> Iterator[list[Row]]:
    source = session.views(item_ids, for_rows=True, new=True)
    for start in range(0, len(source), BATCH):
        views = source.views_at(range(start, min(start + BATCH, len(source))))
        yield [row_of_view(view) for view in views]
