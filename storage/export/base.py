"""What every format writer is: a head, batches of layout steps, a tail.

A writer renders any run of steps on its own, given how many items came
before it, so the export can stream in batches and be split between
processes; the pieces concatenate to the file a single pass would write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from storage.export.common import View
from storage.export.layout import ITEM, Step


class ExportError(ValueError):
    """A request the exporter cannot satisfy; its message is one line."""


@dataclass(frozen=True)
class Meta:
    """What the header of a reading list says about the export."""

    count: int
    query: str = ""
    user: str = ""
    stamp: str = ""
    group_by: str | None = None


class Writer:
    #: Whether the format needs every item's citation key (computed over all items).
    needs_keys = False
    #: Whether ``group_by`` sections apply to the format.
    has_sections = False

    def __init__(self, meta: Meta, keys: Sequence[str] = ()) -> None:
        self.meta = meta
        self.keys = keys

    def head(self) -> bytes:
        return b""

    def batch(self, steps: Sequence[Step], views: Sequence[View], index: int) -> bytes:
        """``views`` are those of the ITEM steps, in order; ``index`` items came before."""
        raise NotImplementedError

    def tail(self) -> bytes:
        return b""


def items_of(steps: Sequence[Step], views: Sequence[View]) -> Iterator[tuple[int, View]]:
    """(position, view) of each item step."""
    it = iter(views)
    for step in steps:
        if step[0] == ITEM:
            yield step[1], next(it)
