"""Blog listings: title line, summary line(s), then a ``Read More`` link.

Scraping glues the link text to whatever follows it, so ``Read More`` may open
the next title's line, and summaries can end in link labels of their own.
"""

from __future__ import annotations

import re

from seeds.formats.common import clean_summary, clean_title, excerpt, extract_urls, truncated
from seeds.model import Entry

KIND = "blog_listing"

_READ_MORE = re.compile(r"^\s*Read [Mm]ore(?![a-z]) ?")
# Link labels scraped onto the end of a summary after its last sentence,
# e.g. "… difficult tasks. Read paperView…".
_LABEL = r"(?:Read|View|Download|Learn|See|Watch|Listen|Try|Explore|Visit)(?: [a-z][a-z ]{0,20}?)?"
_CHROME = re.compile(r"(?<=[.!?”\"’)])\s+((?:" + _LABEL + r"\s?)+(?:…|\.\.\.)?)\s*$")
_LABEL_WORD = re.compile(_LABEL)


def detect(lines: list[str]) -> bool:
    separators = sum(1 for line in lines if _READ_MORE.match(line))
    content = sum(1 for line in lines if line.strip() and not _READ_MORE.match(line))
    return separators >= 1 and content >= 1 and separators * 8 >= content


def parse(lines: list[str], source: str) -> tuple[list[Entry], list[str]]:
    chunks: list[list[str]] = [[]]
    for line in lines:
        match = _READ_MORE.match(line)
        if match:
            chunks.append([])
            line = line[match.end() :]
        if line.strip():
            chunks[-1].append(line)
    entries: list[Entry] = []
    skipped: list[str] = []
    for chunk in chunks:
        if not chunk:
            continue
        entry, note = _entry(chunk, source, len(entries))
        entries.append(entry)
        if note:
            skipped.append(note)
    return entries, skipped


def _entry(chunk: list[str], source: str, position: int) -> tuple[Entry, str | None]:
    title = clean_title(chunk[0])
    summary = clean_summary(" ".join(chunk[1:]))
    note = None
    chrome = _CHROME.search(summary)
    if chrome and _is_chrome(chrome.group(1)):
        note = f"link text {chrome.group(1)!r} after the summary of {excerpt(title, 40)!r}"
        summary = summary[: chrome.start()].rstrip()
    entry = Entry(
        source=source,
        kind=KIND,
        position=position,
        title=title,
        summary=summary,
        summary_truncated=truncated(summary),
        urls=extract_urls(summary),
    )
    return entry, note


def _is_chrome(text: str) -> bool:
    """Two glued labels, or one with an object ("Read paper"); a lone "Learn…" may be prose."""
    labels = _LABEL_WORD.findall(text)
    return len(labels) >= 2 or (len(labels) == 1 and " " in labels[0].strip())
