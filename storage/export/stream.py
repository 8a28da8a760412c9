"""Exports written as they are made: a batch of views at a time, in parts.

Building every view of a 100,000-item library first and the whole output
string after held about a gigabyte and spent a second of system time on page
faults. Here views are built a batch at a time and each batch is written
before the next is made; the CLI also splits the work between processes
(see :mod:`storage.export.parts`). Whichever way it runs, the output is
byte for byte the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Protocol

import orjson

from seeds.collector import paused_gc
from storage.export.base import ExportError, Meta, Writer
from storage.export.common import View
from storage.export.keys import citation_keys
from storage.export.layout import ITEM, Step, layout, split
from storage.export.parts import Render, render_parts

#: Items whose views are in memory at once.
BATCH = 2000
#: Fewer items than this are not worth a second process.
PARALLEL_FROM = 4 * BATCH


class ViewSource(Protocol):
    """The items of an export, in order."""

    def __len__(self) -> int: ...

    def facts(self) -> Sequence[View]:
        """Per item, at least: id, title, original_title, authors, date, date_text,
        urls, status and tags (what citation keys and sections are made from)."""
        ...

    def views_at(self, positions: Sequence[int]) -> Sequence[View]: ...


class ViewList:
    """Views already in hand."""

    def __init__(self, views: Sequence[View]) -> None:
        self.views = views

    def __len__(self) -> int:
        return len(self.views)

    def facts(self) -> Sequence[View]:
        return self.views

    def views_at(self, positions: Sequence[int]) -> Sequence[View]:
        views = self.views
        return [views[p] for p in positions]


def writer_class(fmt: str) -> type[Writer]:
    if fmt == "json":
        from storage.export.json_doc import JsonWriter

        return JsonWriter
    if fmt == "csv":
        from storage.export.table import CsvWriter

        return CsvWriter
    if fmt == "bib":
        from storage.export.bibtex import BibtexWriter

        return BibtexWriter
    if fmt == "ris":
        from storage.export.ris import RisWriter

        return RisWriter
    if fmt == "csl-json":
        from storage.export.csl import CslWriter

        return CslWriter
    if fmt == "md":
        from storage.export.markdown import MarkdownWriter

        return MarkdownWriter
    from storage.export.html_page import HtmlWriter

    return HtmlWriter


def stream_export(source: ViewSource, fmt: str, meta: Meta, out: IO[bytes], workers: int) -> None:
    """Write the export of ``source`` to ``out``; ``fmt`` and ``meta`` already checked."""
    cls = writer_class(fmt)
    group_by = meta.group_by if cls.has_sections else None
    facts = source.facts() if cls.needs_keys or group_by else None
    keys = citation_keys(facts) if cls.needs_keys and facts is not None else ()
    steps = layout(len(source), facts, group_by)
    del facts
    writer = cls(meta, keys)
    if len(source) < PARALLEL_FROM:
        workers = 1

    def part(index: int, run: Sequence[Step]) -> Render:
        return lambda sink: _render(writer, source, run, index, sink)

    try:
        out.write(writer.head())
        render_parts([part(i, run) for i, run in split(steps, workers)], out)
        out.write(writer.tail())
    except orjson.JSONEncodeError as err:
        raise ExportError(f"cannot export: {err}") from None


def _render(
    writer: Writer, source: ViewSource, steps: Sequence[Step], index: int, out: IO[bytes]
) -> None:
    # An export allocates millions of short-lived strings and lists but forms
    # no cycles; with the collector on, each of its passes would rescan every
    # view in hand.
    with paused_gc():
        for start in range(0, len(steps), BATCH):
            run = steps[start : start + BATCH]
            positions = [s[1] for s in run if s[0] == ITEM]
            views = source.views_at(positions) if positions else ()
            out.write(writer.batch(run, views, index))
            index += len(positions)
