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

Faster still, the saved index keeps the item's part of every line made
(``storage.list_line``); :func:`list_lines` joins it with the id, the user's
glyph and tags, and formats fields only for the items the user renamed.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from storage.list_line import GLYPHS, NEW_GLYPH, SEP, Row, joined_line, list_line, title_part

if TYPE_CHECKING:
    from core.session import Session
    from storage.search.saved_annotations import AnnotationRows

__all__ = ["Row", "list_line", "list_lines", "list_rows", "row_of_view"]

#: Lines made at a time: a 100k listing never holds them all as text.
BATCH = 2000

_UNREAD = SEP + GLYPHS["unread"]
_UNREAD_NEW = _UNREAD + NEW_GLYPH


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


def list_lines(session: Session, item_ids: Sequence[str]) -> Iterator[list[str]]:
    """The lines of ``item_ids``, in their order, a batch at a time.

    The item's part of each line comes made from the saved index when it can
    (``Session.row_tails``): a hit the user never annotated is its id, the
    unread glyph and that part, joined. Else each line is made from its
    fields (:func:`list_rows`).
    """
    from storage.search.saved_annotations import annotation_rows

    if not item_ids:
        return
    shelf = session.shelf
    annotations = annotation_rows(shelf.dirs, shelf.user)
    tails = session.row_tails(item_ids) if annotations is not None else None
    if annotations is None or tails is None:
        for rows in _rows(session, item_ids, annotations):
            yield [list_line(row) for row in rows]
        return
    new_ids: Container[str] = session.new_ids()
    get, annotated = annotations.get, annotations.annotated
    unread, unread_new = _UNREAD, _UNREAD_NEW
    for start in range(0, len(item_ids), BATCH):
        out: list[str] = []
        append = out.append
        renamed: list[tuple[int, str, str, bool, str, list[str]]] = []
        for item_id, tail in zip(
            item_ids[start : start + BATCH], tails[start : start + BATCH], strict=True
        ):
            if item_id not in annotated:  # most hits: three strings joined
                append(item_id + (unread_new if item_id in new_ids else unread) + tail)
                continue
            ann = get(item_id)
            assert ann is not None
            status, title, tags = ann
            if title:
                renamed.append((len(out), item_id, status, item_id in new_ids, title, tags))
                append("")
            else:
                append(joined_line(item_id, status, item_id in new_ids, tail, tags))
        if renamed:  # the user's title, and the item's author and date
            rests = session.row_rests([r[1] for r in renamed])
            for (at, item_id, status, new, title, tags), rest in zip(renamed, rests, strict=True):
                out[at] = joined_line(item_id, status, new, title_part(title, False) + rest, tags)
        yield out


def list_rows(session: Session, item_ids: Sequence[str]) -> Iterator[list[Row]]:
    """The lines' fields of ``item_ids``, in their order, a batch at a time."""
    from storage.search.saved_annotations import annotation_rows

    shelf = session.shelf
    return _rows(session, item_ids, annotation_rows(shelf.dirs, shelf.user))


def _rows(
    session: Session, item_ids: Sequence[str], annotations: AnnotationRows | None
) -> Iterator[list[Row]]:
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
