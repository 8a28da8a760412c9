"""What ``shelf list`` lines show of a query's hits, read by doc number from
the saved index the query ran on.

``shelf list diffusion`` prints 19,000 of 100,000 items. Reading their
fields from the item store means finding each id (a bisect in a block of
ids), reading its record, checking it and parsing it: about 140 ms of a
275 ms command. The saved index has each doc's title, authors and the rest
of its line (:func:`row_info`) in columns, and the query knew each hit's
doc number, so a line's fields are a few slices.

Faster still, the ``tails`` column has each doc's part of its line made
(``storage.list_line``): :meth:`SavedRows.tails` is a slice per hit, and
:meth:`SavedRows.rests` cuts the title off it for an item the user renamed.

The columns are trusted as the index is: each section is read whole and
checked against its CRC. Anything that does not add up (a section missing
from a file written before it existed, a value that does not parse, an id
that is no doc) makes :meth:`SavedRows.fields` answer None, and the caller
reads the item store instead: slower, the same lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from storage.list_line import SEP

if TYPE_CHECKING:
    from seeds.model import Item
    from storage.library import RowFields
    from storage.search.persist import SavedFile

__all__ = ["SavedRows", "row_info"]

_COLUMNS = ("titles", "authors", "rowinfo")
_FLAGS = (b"0", b"1")
_SEP = SEP.encode()


def row_info(item: Item) -> str:
    """The ``rowinfo`` column's value for ``item`` (the saved index writes it,
    :meth:`SavedRows.fields` reads it): "1" or "0" for a derived title, the
    same for an author list cut short, then "-" for no date or "=" and the
    date as written."""
    derived = "1" if item.title_derived else "0"
    truncated = "1" if item.authors_truncated else "0"
    date = "-" if item.date_text is None else "=" + item.date_text
    return derived + truncated + date


class SavedRows:
    """The list-line fields of a saved index's docs, for the ids a query found.

    ``ids``: each doc's id (None for a retired doc); ``hit_ids`` and
    ``docs``: the ids the query found, and their doc numbers. ``signature`` is
    the library state the index was saved for: the caller compares it with
    the state now before trusting the fields.
    """

    def __init__(
        self,
        saved: SavedFile,
        ids: Sequence[str | None],
        hit_ids: Sequence[str],
        docs: Sequence[int],
    ) -> None:
        self._saved = saved
        self._ids = ids
        self._hit_ids = hit_ids
        self._hits = docs
        self._doc: dict[str, int] | None = None
        self._every_doc = False
        self._cuts: Sequence[int] | None = None
        signature = saved.header.get("signature")
        self.signature = signature if isinstance(signature, str) else None

    def _doc_numbers(self, item_ids: Sequence[str]) -> list[int] | None:
        """Each id's doc: from the hits when ``item_ids`` are them (the usual
        case, in their order or sorted), else from every doc's id, once."""
        if len(item_ids) == len(self._hits) and item_ids == self._hit_ids:
            return list(self._hits)  # (the same strings: compared by identity first)
        ids = self._ids
        if self._doc is None:
            if len(self._hit_ids) != len(self._hits):
                return None
            self._doc = dict(zip(self._hit_ids, self._hits, strict=True))
        known = self._doc
        out: list[int] = []
        for item_id in item_ids:
            doc = known.get(item_id)
            if doc is None:
                if not self._every_doc:  # an id the query did not find: every doc's, once
                    known.update((i, d) for d, i in enumerate(ids) if i is not None)
                    self._every_doc = True
                    doc = known.get(item_id)
                if doc is None:
                    return None
            out.append(doc)
        return out

    def fields(self, item_ids: Sequence[str]) -> list[RowFields] | None:
        """(title, title derived, authors, authors cut short, date as written)
        of each of ``item_ids``, in their order, as ``Library.row_fields``
        gives them; None when the columns cannot give them all."""
        if not item_ids:
            return []
        saved = self._saved
        if not all(name in saved.sections for name in _COLUMNS):
            return None
        docs = self._doc_numbers(item_ids)
        if docs is None:
            return None
        try:
            (titles, title_at), (authors, author_at), (info, info_at) = map(saved.strings, _COLUMNS)
            out: list[RowFields] = []
            append = out.append
            for doc in docs:  # 19,000 hits: kept to slices and compares
                end = doc + 1
                title = titles[title_at[doc] : title_at[end] - 1].decode("utf-8", "surrogatepass")
                joined = authors[author_at[doc] : author_at[end] - 1]
                row = info[info_at[doc] : info_at[end] - 1]
                derived, truncated, dated = row[:1], row[1:2], row[2:3]
                if derived not in _FLAGS or truncated not in _FLAGS:
                    return None
                if dated == b"=":
                    date: str | None = row[3:].decode("utf-8", "surrogatepass")
                elif dated == b"-" and len(row) == 3:
                    date = None
                else:
                    return None
                append(
                    (
                        title,
                        derived == b"1",
                        joined.decode("utf-8", "surrogatepass").split("\x1e") if joined else [],
                        truncated == b"1",
                        date,
                    )
                )
            return out
        except (OSError, ValueError, IndexError):
            return None

    def tails(self, item_ids: Sequence[str]) -> list[str] | None:
        """Each of ``item_ids``' part of its list line (``storage.list_line``:
        title, author, date), in their order; None when the column cannot
        give them all."""
        if not item_ids:
            return []
        if "tails" not in self._saved.sections:
            return None
        docs = self._doc_numbers(item_ids)
        if docs is None:
            return None
        try:
            blob, at = self._saved.strings("tails")
            # 19,000 hits: a slice and a decode each, nothing else.
            return [
                blob[at[doc] : at[doc + 1] - 1].decode("utf-8", "surrogatepass") for doc in docs
            ]
        except (OSError, ValueError, IndexError):
            return None

    def rests(self, item_ids: Sequence[str]) -> list[str] | None:
        """Each of ``item_ids``' part of its list line after the title (the
        line of an item the user renamed shows their title instead); None
        when the columns cannot give them all."""
        if not item_ids:
            return []
        saved = self._saved
        if "tails" not in saved.sections or "tails_cut" not in saved.sections:
            return None
        docs = self._doc_numbers(item_ids)
        if docs is None:
            return None
        try:
            blob, at = saved.strings("tails")
            if self._cuts is None:
                self._cuts = saved.numbers("tails_cut", "I", saved.docs)
            cuts = self._cuts
            out: list[str] = []
            for doc in docs:
                tail = blob[at[doc] : at[doc + 1] - 1]
                cut = cuts[doc]
                if cut > len(tail) or (cut and not tail.startswith(_SEP)):
                    return None
                rest = tail[cut:]
                if rest and not rest.startswith(_SEP):
                    return None
                out.append(rest.decode("utf-8", "surrogatepass"))
            return out
        except (OSError, ValueError, IndexError):
            return None
