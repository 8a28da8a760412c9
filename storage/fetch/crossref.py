"""Works from Crossref's REST API (``/works/{doi}``), as library entries.

Crossref is where journal and proceedings DOIs are registered, so it knows
what the publisher deposited: title, authors with affiliations, the issue
date to whatever precision was given, and sometimes a JATS abstract. Fields
the library has no place for yet (venue, volume, pages) go to
``Found.details`` rather than being squeezed into ones with another meaning.
"""

from __future__ import annotations

import json
from datetime import date as Date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from seeds.formats.common import clean_summary, clean_title, extract_urls, truncated
from seeds.model import Entry
from storage.fetch.http import FetchError, HttpClient
from storage.fetch.refs import Found, Ref

KIND = "crossref"
SERVICE = "Crossref"
MEDIA_TYPES = ("application/json",)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The order Crossref's own documentation gives for "when was this published".
_DATE_FIELDS = ("issued", "published-print", "published-online", "published", "created")


def date_fields(
    year: int | None, month: int | None = None, day: int | None = None
) -> tuple[str | None, str | None]:
    """(ISO date only when year, month and day are all known and real; the date as text).

    The same convention as the BibTeX import: nothing is invented, so a
    proceedings paper dated June 2016 has no ISO date, only ``Jun 2016``.
    """
    if not year or not 1 <= year <= 9999:
        return None, None
    if month is None or not 1 <= month <= 12:
        return None, str(year)
    if day is not None:
        try:
            Date(year, month, day)
        except ValueError:
            day = None
    if day is None:
        return None, f"{_MONTHS[month - 1]} {year}"
    return f"{year:04d}-{month:02d}-{day:02d}", f"{_MONTHS[month - 1]} {day}, {year}"


class _Text(HTMLParser):
    """Text of JATS or HTML markup; JATS ``<title>`` ("Abstract") is a heading, not text."""

    _BLOCKS = frozenset({"p", "sec", "list-item", "br", "div"})
    _SKIP = frozenset({"title", "label", "xref-group"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = tag.rpartition(":")[2]
        if name in self._SKIP:
            self._skipping += 1
        elif name in self._BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        name = tag.rpartition(":")[2]
        if name in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif name in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def markup_text(markup: str) -> str:
    """Plain text of a JATS abstract or an HTML-marked title, whitespace collapsed."""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


def fetch(ref: Ref, client: HttpClient) -> Found:
    """The Crossref record for a DOI reference; ``FetchError`` (one line) otherwise."""
    url = f"{client.settings.crossref_api}/works/{quote(ref.id, safe='/')}"
    try:
        response = client.get(url, accept=MEDIA_TYPES, service=SERVICE)
    except FetchError as err:
        if err.status == 404:
            raise FetchError(f"{SERVICE} has no work with this DOI (HTTP 404)", 404) from None
        raise
    try:
        data = json.loads(response.text())
    except json.JSONDecodeError as err:
        raise FetchError(
            f"{SERVICE} sent malformed JSON (line {err.lineno}, column {err.colno})"
        ) from None
    if not isinstance(data, dict) or data.get("status") != "ok":
        status = data.get("status") if isinstance(data, dict) else type(data).__name__
        raise FetchError(f"{SERVICE} answered with status {status!r}, not 'ok'")
    message = data.get("message")
    if not isinstance(message, dict):
        raise FetchError(f"{SERVICE} answered without a work record")
    return to_found(message, ref)


def to_found(work: dict[str, Any], ref: Ref) -> Found:
    """The library entry for one Crossref work record (the ``message`` object)."""
    title = clean_title(markup_text(_first(work.get("title"))))
    if not title:
        raise FetchError(f"{SERVICE}'s record for this DOI has no title")
    subtitle = clean_title(markup_text(_first(work.get("subtitle"))))
    if subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    authors, affiliations = _people(work.get("author"))
    date, date_text = _date(work)
    summary = clean_summary(markup_text(_str(work.get("abstract"))))
    written = _str(work.get("DOI")) or ref.id
    doi = written.lower()
    urls = [f"https://doi.org/{written}"]
    urls.extend(u for u in extract_urls(summary) if u not in urls)
    entry = Entry(
        source=ref.source,
        kind=KIND,
        position=0,
        title=title,
        authors=authors,
        affiliations=affiliations,
        date=date,
        date_text=date_text,
        summary=summary,
        summary_truncated=truncated(summary),
        urls=urls,
    )
    details = {
        "type": _str(work.get("type")),
        "container": markup_text(_first(work.get("container-title"))),
        "volume": _str(work.get("volume")),
        "issue": _str(work.get("issue")),
        "pages": _str(work.get("page")),
        "publisher": _str(work.get("publisher")),
    }
    return Found(entry, doi=doi, details={k: v for k, v in details.items() if v})


def _people(value: object) -> tuple[list[str], list[str]]:
    authors: list[str] = []
    affiliations: list[str] = []
    if not isinstance(value, list):
        return authors, affiliations
    for person in value:
        if not isinstance(person, dict):
            continue
        parts = [_str(person.get("given")), _str(person.get("family"))]
        name = " ".join(" ".join(p for p in parts if p).split()) or _str(person.get("name"))
        if name:
            authors.append(name)
        for place in person.get("affiliation") or []:
            label = " ".join(_str(place.get("name")).split()) if isinstance(place, dict) else ""
            if label and label not in affiliations:
                affiliations.append(label)
    return authors, affiliations


def _date(work: dict[str, Any]) -> tuple[str | None, str | None]:
    for name in _DATE_FIELDS:
        holder = work.get(name)
        parts = holder.get("date-parts") if isinstance(holder, dict) else None
        if not (isinstance(parts, list) and parts and isinstance(parts[0], list)):
            continue
        numbers = [p if isinstance(p, int) else _int(p) for p in parts[0][:3]]
        numbers += [None] * (3 - len(numbers))
        found = date_fields(*numbers)
        if found != (None, None):
            return found
    return None, None


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _first(value: object) -> str:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), "")
    return _str(value)


def _str(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""
