"""Blog excerpt pages: a site description, then one untitled excerpt per line.

Excerpts open with whatever the post opens with: dated update notes (which
become ``Update``s), acknowledgements, or nothing but update notes. None of
that is the topic, so the derived title skips it; an excerpt that is only
notes is titled from what they name (``seeds.notes``).
"""

from __future__ import annotations

from seeds.formats.common import clean_summary, excerpt, extract_urls, truncated
from seeds.formats.updates import extract_updates
from seeds.model import Entry
from seeds.notes import notes_title
from seeds.titles import derive_title

KIND = "blog_excerpts"

MIN_EXCERPT_WORDS = 5


def _prose(line: str) -> bool:
    """At least a few words that start with two letters: a sentence, not data."""
    words = line.split(None, 4 * MIN_EXCERPT_WORDS)
    return sum(1 for w in words if w.lstrip("[(“\"'")[:2].isalpha()) >= MIN_EXCERPT_WORDS


def detect(lines: list[str]) -> bool:
    content = [line for line in lines if line.strip()]
    if len(content) < 2:
        return False
    prose = sum(1 for line in content[1:] if _prose(line))
    return prose * 2 >= len(content) - 1


def parse(lines: list[str], source: str) -> tuple[list[Entry], list[str]]:
    content = [line.strip() for line in lines if line.strip()]
    if not content:
        return [], []
    skipped = [f"site description {excerpt(content[0])!r}"]
    entries = [_entry(line, source, i) for i, line in enumerate(content[1:])]
    return entries, skipped


def _entry(line: str, source: str, position: int) -> Entry:
    text, updates = extract_updates(line)
    summary = clean_summary(text)
    title = derive_title(summary) if summary else notes_title([u.text for u in updates])
    return Entry(
        source=source,
        kind=KIND,
        position=position,
        title=title or f"Untitled excerpt {position + 1}",
        title_derived=True,
        summary=summary,
        summary_truncated=truncated(summary),
        urls=extract_urls(line),
        updates=updates,
    )
