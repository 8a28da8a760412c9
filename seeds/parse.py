"""Entry point from a document's text to its entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from seeds.collector import paused_gc
from seeds.detect import detect_lines
from seeds.foreign import foreign_kind
from seeds.formats import BY_KIND
from seeds.formats.common import looks_binary, prepare
from seeds.model import Entry


class UnknownFormat(ValueError):
    """The text is in none of the known formats; the message says why in one line."""


@dataclass
class ParseResult:
    kind: str
    entries: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # notes on what was ignored


KNOWN = "a blog listing, research page, abstract list, paper listing or excerpt page"


def parse_document(text: str, source: str, kind: str | None = None) -> ParseResult:
    """Parse one document; ``source`` (its file name) is recorded, never inspected.

    ``kind`` forces a format (``shelf import --format``) instead of detecting one.
    """
    if not isinstance(text, str):
        raise UnknownFormat(f"{source}: expected text, got {type(text).__name__}")
    if not text.strip():
        raise UnknownFormat(f"{source}: the document is empty")
    if looks_binary(text):
        raise UnknownFormat(f"{source}: the document is not text (control characters)")
    lines = prepare(text)
    if kind is not None:
        if kind not in BY_KIND:
            raise UnknownFormat(f"unknown format {kind!r} (choose from {', '.join(BY_KIND)})")
    else:
        other = foreign_kind(lines)
        if other is not None:
            raise UnknownFormat(
                f"{source}: looks like {other}, not {KNOWN}; --format NAME reads it as one anyway"
            )
        kind = detect_lines(lines)
    if kind is None:
        raise UnknownFormat(f"{source}: not {KNOWN}")
    with paused_gc():
        entries, skipped = BY_KIND[kind].parse(lines, source)
    if not entries:
        raise UnknownFormat(f"{source}: looks like a {kind.replace('_', ' ')} but has no entries")
    return ParseResult(kind=kind, entries=entries, skipped=skipped)
