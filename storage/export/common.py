"""What every format derives from a view, derived once and the same way.

Views are the ``shelf list --json`` dicts. Exports must never invent data: a
date written "Feb 6" has no year, so no format may print one.

Views also carry other people's text (a teammate's notes and tags, titles of
imported documents), and a text export is often read with ``cat``: a note
holding ``ESC ] 52`` could set the reader's clipboard. So the text formats
(md, csv, bib, ris, html) show every control character a terminal acts on as
a visible stand-in, the one normalisation they all share (:func:`visible`);
the JSON formats keep the exact text, written as ``\\u`` escapes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

View = Mapping[str, Any]

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_INDEX = {m.casefold(): i + 1 for i, m in enumerate(MONTH_ABBR)}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b")

#: Kinds that are papers whatever else: parsed listings, arXiv feeds, fetched metadata.
PAPER_KINDS = frozenset({"paper_listing", "arxiv_abstracts", "arxiv_feed", "arxiv_api", "crossref"})
#: Kinds that say nothing either way: the links, category and authors decide.
_UNDECIDED_KINDS = frozenset({"bibtex", "web_page", "reference"})
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
        if all(k not in _UNDECIDED_KINDS for k in kinds):
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


#: Said beside a title the parser made from the text (the list marks it ``~``).
DERIVED_MARK = "title derived from the text"


def update_lines(view: View) -> list[str]:
    """The source's ``[Updated on …]`` notes, one line each, oldest first, as the list shows them."""
    lines = []
    for update in view.get("updates") or ():
        text = " ".join(str(update.get("text") or "").split())
        if text:
            date = update.get("date")
            lines.append(f"updated {date}: {text}" if date else f"updated: {text}")
    return lines


# --- control characters ------------------------------------------------------

#: What a terminal acts on: C0 controls but tab and newline, DEL, and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: C0 and DEL become their Unicode Control Pictures (ESC shows as ␛), so the
#: text says what was there; C1 has no pictures and becomes U+FFFD.
_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})
# A literal first byte: the regex engine then skips ahead to each \xc2 quickly.
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_OR_DEL_UTF8 = re.compile(rb"\xc2[\x80-\x9f]|\x7f")
_ESCAPE_RBFU = re.compile(rb"\\[rbfu]")


def visible(text: str) -> str:
    """Text with nothing a terminal would act on: CR and CRLF become newlines
    (a note written on Windows keeps its lines), every other control
    character but tab and newline its visible stand-in."""
    if text.isprintable() or _CONTROL.search(text) is None:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_PICTURES)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list | tuple):
        return [_cleaned(x) for x in value]
    if isinstance(value, Mapping):
        return {_cleaned(k): _cleaned(x) for k, x in value.items()}
    return value


def _has_controls(raw: bytes) -> bool:
    """Whether orjson's output holds a control character.

    orjson writes DEL and C1 as they are and C0 as an escape (``\\u001b``,
    ``\\r``, ``\\b``, ``\\f``), and a literal backslash doubled: after an odd
    run of backslashes ``r`` is ``\\rho`` in an abstract, not a CR.
    """
    if b"\x7f" in raw or _C1_UTF8.search(raw) is not None:
        return True
    if b"\\" not in raw:
        return False
    for m in _ESCAPE_RBFU.finditer(raw):
        start = i = m.start()
        while i and raw[i - 1] == 0x5C:
            i -= 1
        if (start - i) % 2 == 0:
            return True
    return False


def clean_view(view: View) -> View:
    """The view with :func:`visible` applied to every string in it."""
    try:
        dirty = _has_controls(orjson.dumps(view))
    except TypeError:  # not JSON-able after all: walk it
        dirty = True
    return _cleaned(view) if dirty else view


def clean_views(views: Sequence[View]) -> Sequence[View]:
    """:func:`clean_view` of each view, checked a batch at a time.

    Almost no view has a control character, and finding that out must not
    cost a walk over every field of 100,000 views in Python, nor a call per
    view: one orjson call and a scan of its output clear a batch of views.
    """
    try:
        dirty = _has_controls(orjson.dumps(list(views)))
    except TypeError:
        dirty = True
    return [clean_view(v) for v in views] if dirty else views


def escape_c1(raw: bytes) -> bytes:
    """JSON from orjson with DEL and C1 written as ``\\u`` escapes too.

    orjson escapes C0 but writes DEL and C1 as UTF-8, which some terminals
    act on. Both only ever occur inside JSON strings, where an escape means
    the same character, so a parser reads back exactly the same text.
    """
    if b"\x7f" not in raw and _C1_UTF8.search(raw) is None:
        return raw
    return _C1_OR_DEL_UTF8.sub(lambda m: b"\\u%04x" % ord(m.group().decode("utf-8")), raw)
