"""The ``shelf list`` line, made by one set of functions wherever it is made.

A line is an item's id, the user's status glyph (``+`` after it when the
item is new to them), then the item's part: its title (``~`` before a title
made from the text; the user's own title, without ``~``, when they renamed
it), its first author (``et al.`` when there are more) and its date as
written; then the user's tags. Fields are two spaces apart and an empty one
is left out.

The item's part is the same for every user, so the saved search index keeps
it made for each doc (``storage.search.persist``, the ``tails`` column) and a
listing of 19,000 hits joins strings instead of formatting fields; lines
made any other way go through :func:`list_line`. Both use :func:`title_part`
and :func:`rest_part`, so they agree byte for byte.

Nothing here makes text safe to print: the caller does (``core.text``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "DERIVED_GLYPH",
    "GLYPHS",
    "NEW_GLYPH",
    "SEP",
    "Row",
    "joined_line",
    "list_line",
    "rest_part",
    "title_part",
]

SEP = "  "
GLYPHS = {"unread": "·", "reading": "◐", "read": "✓"}
#: After the status glyph: the item is new to you (is:new).
NEW_GLYPH = "+"
#: Before a title made from the item's text rather than given by its source.
DERIVED_GLYPH = "~"

#: One line's fields: (id, status, new, title shown, title derived and not
#: renamed, authors, authors cut short, date as written, tags). A tuple, not
#: an object: a listing makes one per hit.
Row = tuple[str, str, bool, str, bool, list[str], bool, str | None, list[str]]


def title_part(title: str, derived: bool) -> str:
    """The title's field with the separator before it, or "" when it is empty."""
    shown = DERIVED_GLYPH + title if derived else title
    return SEP + shown if shown else ""


def rest_part(authors: Sequence[str], truncated: bool, date_text: str | None) -> str:
    """The author and date fields, each with the separator before it."""
    author = authors[0] if authors else ""
    if author and (len(authors) > 1 or truncated):
        author += " et al."
    out = SEP + author if author else ""
    return out + SEP + date_text if date_text else out


def joined_line(item_id: str, status: str, new: bool, tail: str, tags: Sequence[str]) -> str:
    """The line of an item whose part (:func:`title_part` + :func:`rest_part`) is ``tail``."""
    line = item_id + SEP + GLYPHS.get(status, "?") + (NEW_GLYPH if new else "") + tail
    return line + SEP + " ".join(f"#{t}" for t in tags) if tags else line


def list_line(row: Row) -> str:
    """The line of an item from its fields."""
    item_id, status, new, title, derived, authors, truncated, date_text, tags = row
    tail = title_part(title, derived) + rest_part(authors, truncated, date_text)
    return joined_line(item_id, status, new, tail, tags)
