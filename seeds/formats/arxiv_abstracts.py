"""arXiv abstract dumps: one ``Abstract:`` line per paper, no title.

The title is derived here and flagged; merging replaces it with a real one
when another document carries the same abstract.
"""

from __future__ import annotations

import re

from seeds.formats.common import clean_summary, excerpt, extract_urls, truncated
from seeds.model import Entry
from seeds.titles import derive_title

KIND = "arxiv_abstracts"

_ABSTRACT = re.compile(r"^\s*Abstract\s*:\s*", re.IGNORECASE)


def detect(lines: list[str]) -> bool:
    content = [line for line in lines if line.strip()]
    return bool(content) and all(_ABSTRACT.match(line) for line in content)


def parse(lines: list[str], source: str) -> tuple[list[Entry], list[str]]:
    entries: list[Entry] = []
    skipped: list[str] = []
    for line in lines:
        match = _ABSTRACT.match(line)
        if not match:
            if line.strip():
                skipped.append(f"line without 'Abstract:': {excerpt(line)!r}")
            continue
        summary = clean_summary(line[match.end() :])
        if not summary:
            skipped.append("empty abstract")
            continue
        entries.append(
            Entry(
                source=source,
                kind=KIND,
                position=len(entries),
                title=derive_title(summary),
                title_derived=True,
                summary=summary,
                summary_truncated=truncated(summary),
                urls=extract_urls(summary),
            )
        )
    return entries, skipped
