"""Research index pages: a header, then title / blank line / summary blocks.

The scrape keeps page furniture: a section heading followed by a one-word
fragment of the next line ("Introduction" / "Our") is navigation, not a work.
"""

from __future__ import annotations

import re

from seeds.formats.common import clean_summary, clean_title, excerpt, extract_urls, truncated
from seeds.model import Entry

KIND = "research_page"

_SENTENCE_BREAK = re.compile(r"[.!?…]\s+\S")
_TERMINAL = re.compile(r"[.…:;,]$")
MAX_TITLE_WORDS = 25


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    return blocks


def _is_heading(block: str, max_words: int = MAX_TITLE_WORDS) -> bool:
    """Short, no sentence end and no inner sentence break: reads as a title."""
    words = block.split()
    return (
        0 < len(words) <= max_words
        and not _TERMINAL.search(block)
        and not _SENTENCE_BREAK.search(block)
    )


def _is_fragment(block: str) -> bool:
    return len(block.split()) == 1 and not _TERMINAL.search(block)


def _split_header(blocks: list[list[str]]) -> tuple[list[str], list[str]]:
    """The page header (if any) and the remaining blocks as text.

    The header is a first block of short lines ("Research" / "Research"). A
    single short line only counts as a header when a title follows it: a page
    may also start straight with its first title, then followed by its summary.
    """
    texts = [" ".join(block) for block in blocks]
    if not blocks or not all(_is_heading(line, 4) for line in blocks[0]):
        return [], texts
    if len(blocks[0]) > 1 or (len(texts) > 2 and _is_heading(texts[1])):
        return blocks[0], texts[1:]
    return [], texts


def detect(lines: list[str]) -> bool:
    _, rest = _split_header(_blocks(lines))
    return len(rest) >= 2 and _is_heading(rest[0])


def parse(lines: list[str], source: str) -> tuple[list[Entry], list[str]]:
    header, blocks = _split_header(_blocks(lines))
    skipped = [f"page header {' / '.join(header)!r}"] if header else []
    entries: list[Entry] = []
    i = 0
    while i < len(blocks):
        title = blocks[i]
        if not _is_heading(title):
            skipped.append(f"text without a title: {excerpt(title)!r}")
            i += 1
            continue
        if i + 1 == len(blocks):
            skipped.append(f"title without a summary at the end: {excerpt(title)!r}")
            break
        if _is_fragment(blocks[i + 1]):
            skipped.append(f"page chrome {title!r} / {blocks[i + 1]!r}")
            i += 2
            continue
        # Blocks alternate title / summary; prose blocks after a summary continue it.
        paragraphs = [blocks[i + 1]]
        i += 2
        while i < len(blocks) and not _is_heading(blocks[i]):
            paragraphs.append(blocks[i])
            i += 1
        entries.append(_entry(title, paragraphs, source, len(entries)))
    return entries, skipped


def _entry(title: str, paragraphs: list[str], source: str, position: int) -> Entry:
    summary = "\n\n".join(clean_summary(p) for p in paragraphs)
    return Entry(
        source=source,
        kind=KIND,
        position=position,
        title=clean_title(title),
        summary=summary,
        summary_truncated=truncated(summary),
        urls=extract_urls(summary),
    )
