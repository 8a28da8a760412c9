"""Paper listings: three lines per paper, with the fields glued together.

Line 1 is ``<category><date>[Code]`` (``LGJun 6, 2024Code``), line 2 is
``<title><authors>[ et al.][ · affiliations]``, line 3 the abstract. A date
without a year stays as written and gets no ISO date: guessing the year
would put the paper in the wrong place in a date-sorted list.
"""

from __future__ import annotations

import datetime as dt
import re

from seeds.formats.authors import split_byline
from seeds.formats.common import clean_summary, clean_title, excerpt, extract_urls, truncated
from seeds.model import Entry
from seeds.titles import derive_title

KIND = "paper_listing"

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_HEADER = re.compile(
    r"^\s*(?P<cat>[a-z][a-z-]*\.[A-Za-z-]+|[A-Z]{2,3}?)?\s*"
    r"(?P<date>(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
    r"\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?)"
    r"\s*(?P<code>Code)?\s*$"
)


def _iso(year: str | None, month: str, day: str) -> str | None:
    if not year:
        return None
    try:
        return dt.date(int(year), _MONTHS.index(month.lower()) + 1, int(day)).isoformat()
    except ValueError:
        return None


def detect(lines: list[str]) -> bool:
    content = [line for line in lines if line.strip()]
    if not content or not _HEADER.match(content[0]):
        return False
    headers = sum(1 for line in content if _HEADER.match(line))
    return headers * 4 >= len(content)


def parse(lines: list[str], source: str) -> tuple[list[Entry], list[str]]:
    groups: list[tuple[re.Match[str], list[str]]] = []
    skipped: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        header = _HEADER.match(line)
        if header:
            groups.append((header, []))
        elif groups:
            groups[-1][1].append(line)
        else:
            skipped.append(f"text before the first paper: {excerpt(line)!r}")
    entries: list[Entry] = []
    for header, body in groups:
        if not body:
            skipped.append(f"header {header.group(0).strip()!r} without a title")
            continue
        entries.append(_entry(header, body, source, len(entries)))
    return entries, skipped


def _entry(header: re.Match[str], body: list[str], source: str, position: int) -> Entry:
    byline = split_byline(clean_title(body[0]))
    summary = clean_summary(" ".join(body[1:]))
    title = byline.title or derive_title(summary)
    return Entry(
        source=source,
        kind=KIND,
        position=position,
        title=title,
        title_derived=not byline.title,
        authors=byline.authors,
        authors_truncated=byline.truncated,
        affiliations=byline.affiliations,
        date=_iso(header.group("year"), header.group("month"), header.group("day")),
        date_text=header.group("date"),
        category=header.group("cat"),
        has_code=bool(header.group("code")),
        summary=summary,
        summary_truncated=truncated(summary),
        urls=extract_urls(summary),
    )
