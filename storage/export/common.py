"""What every format derives from a view, derived once and the same way.

Views are the ``shelf list --json`` dicts. Exports must never invent data: a
date written "Feb 6" has no year, so no format may print one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

View = Mapping[str, Any]

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_INDEX = {m.casefold(): i + 1 for i, m in enumerate(MONTH_ABBR)}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b")

#: Document kinds that describe papers rather than blog posts.
PAPER_KINDS = frozenset({"paper_listing", "arxiv_abstracts"})
_PAPER_HOSTS = ("arxiv.org/", "doi.org/", "openreview.net/", "aclanthology.org/")

_ARXIV_ID = re.compile(
    r"arxiv\.org/(?:abs|pdf)/((?:\d{4}\.\d{4,5})|(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))", re.I
)
_DOI = re.compile(r"doi\.org/(10\.\d{4,9}/\S+)", re.I)

STATUS_ORDER = ("reading", "unread", "read")
STATUS_HEADINGS = {"reading": "Reading", "unread": "To read", "read": "Read"}


def date_parts(view: View) -> tuple[int | None, int | None, int | None]:
    """(year, month, day), each None when the item does not say it."""
    iso = view.get("date")
    if iso:
        if len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
            y, mo, d = iso[:4], iso[5:7], iso[8:]
            if y.isdigit() and mo.isdigit() and d.isdigit() and 1 <= int(mo) <= 12:
                return int(y), int(mo), int(d)
        m = _ISO.match(iso)
        if m:
            year, month, day = (int(g) if g else None for g in m.groups())
            return year, month if month and 1 <= month <= 12 else None, day
    text = view.get("date_text")
    if not text:
        return None, None, None
    ym = _YEAR.search(text)
    year = int(ym.group(1)) if ym else None
    mm = _MONTH.search(text)
    if not mm:
        return year, None, None
    month = _MONTH_INDEX[mm.group(1).casefold()]
    rest = text[: mm.start()] + " " + text[mm.end() :]
    if ym:
        rest = _YEAR.sub(" ", rest)
    dm = _DAY.search(rest)
    day = int(dm.group(1)) if dm and 1 <= int(dm.group(1)) <= 31 else None
    return year, month, day


def date_label(view: View) -> str:
    """The date for people to read: ISO when complete, else as written."""
    year, month, day = date_parts(view)
    if year and month and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    text = view.get("date_text")
    if text:
        return str(text)
    if year:
        return f"{MONTH_ABBR[month - 1]} {year}" if month else str(year)
    return ""


def http_urls(view: View) -> list[str]:
    """Only web links: a ``javascript:`` URL must never become a link."""
    return [
        u
        for u in view.get("urls") or ()
        if u[:7].lower() == "http://" or u[:8].lower() == "https://"
    ]


def arxiv_id(urls: list[str]) -> str | None:
    for url in urls:
        m = _ARXIV_ID.search(url)
        if m:
            return m.group(1)
    return None


def doi(urls: list[str]) -> str | None:
    for url in urls:
        m = _DOI.search(url)
        if m:
            return m.group(1).rstrip(".,;")
    return None


def is_paper(view: View) -> bool:
    """Papers become @article / JOUR / article; everything else a blog post.

    The ``kinds`` of the item decide when the view has them; otherwise an arXiv
    category, a scholarly link or named authors mark a paper (blog posts in the
    corpus carry no authors).
    """
    kinds = view.get("kinds")
    if kinds:
        if any(k in PAPER_KINDS for k in kinds):
            return True
        if all(k != "bibtex" for k in kinds):
            return False
    if view.get("category"):
        return True
    for url in view.get("urls") or ():
        low = url.lower()
        if any(host in low for host in _PAPER_HOSTS):
            return True
    return bool(view.get("authors"))


def author_line(view: View) -> str:
    authors = list(view.get("authors") or ())
    text = ", ".join(authors)
    if view.get("authors_truncated"):
        text = f"{text} et al." if text else "et al."
    return text


def status_label(view: View) -> str:
    return str(view.get("status") or ("read" if view.get("read") else "unread"))


def note_texts(view: View) -> list[str]:
    return [str(n.get("text", "")) for n in view.get("notes") or () if n.get("text")]
