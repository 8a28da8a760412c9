"""Any other web page, read from the metadata it declares about itself.

Publishers and repositories write Highwire ``citation_*`` tags for Google
Scholar; libraries and CMSs write Dublin Core (``DC.title``, ``dcterms``);
blogs and news sites write OpenGraph for link previews. They are trusted in
that order, the most bibliographic first, and the page's ``<title>`` is the
last resort. Nothing is read from the visible text: guessing authors from
prose would put wrong names on the shelf.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from seeds.formats.common import clean_summary, clean_title, truncated
from seeds.model import Entry
from storage.fetch.crossref import date_fields
from storage.fetch.http import FetchError, HttpClient, Response
from storage.fetch.refs import Found, Ref, parse_ref

KIND = "web_page"
MEDIA_TYPES = ("text/html", "application/xhtml+xml")

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?=$|[T\s])")
_DOI = re.compile(r"(10\.\d{4,9}/\S+)")

_TITLE = ("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title")
_AUTHORS = ("citation_author", "dc.creator", "dcterms.creator", "article:author", "author")
_DATES = (
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.date",
    "dcterms.created",
    "article:published_time",
)
_SUMMARY = (
    "citation_abstract",
    "dc.description",
    "dcterms.abstract",
    "dcterms.description",
    "og:description",
    "twitter:description",
    "description",
)


class _Head(HTMLParser):
    """Meta tags (by lower-cased name or property, in order), canonical link, <title> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.canonical: str | None = None
        self.title_parts: list[str] = []
        self._in_title = False
        self._done_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = values.get("name") or values.get("property") or values.get("itemprop") or ""
            content = " ".join(values.get("content", "").split())
            if name and content:
                self.meta.setdefault(name.strip().lower(), []).append(content)
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href") or None
        elif tag == "title" and not self._done_title:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self._done_title = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)

    def first(self, names: Iterable[str]) -> str:
        for name in names:
            for value in self.meta.get(name, []):
                if value.strip():
                    return value.strip()
        return ""

    def all_of(self, names: Iterable[str]) -> list[str]:
        """Every value of the first name that has any: Highwire authors are not mixed with OG's."""
        for name in names:
            values = [v for v in self.meta.get(name, []) if v.strip()]
            if values:
                return values
        return []


def decode(response: Response) -> str:
    """The page's text: the header's charset, else a ``<meta charset>``, else UTF-8."""
    charset = response.charset
    if not charset:
        sniffed = _META_CHARSET.search(response.body[:4096])
        charset = sniffed.group(1).decode("ascii").lower() if sniffed else None
    if charset is None:
        # Web pages without a declared charset are mostly UTF-8 or its subset;
        # the odd stray byte should not cost the user the whole page.
        return response.body.decode("utf-8", errors="replace")
    return response.text(charset)


def fetch(ref: Ref, client: HttpClient, url: str | None = None) -> Found:
    """The entry a page declares about itself; ``FetchError`` when it declares no title.

    ``url`` is where to find the page when it is not the reference itself (a
    DOI's landing page, through the resolver).
    """
    address = url or ref.id
    response = client.get(address, accept=MEDIA_TYPES, service=_host(address))
    return page_to_found(decode(response), response.url, ref)


def page_to_found(html: str, url: str, ref: Ref) -> Found:
    """The entry for one HTML page fetched from ``url``."""
    head = _Head()
    head.feed(html)
    head.close()
    title = clean_title(head.first(_TITLE) or " ".join("".join(head.title_parts).split()))
    if not title:
        raise FetchError(f"{_host(url)}: the page has no title (no citation_, DC or og: tags)")
    authors = [_person(a) for a in head.all_of(_AUTHORS)]
    authors = [a for a in dict.fromkeys(authors) if a and not a.startswith(("http://", "https://"))]
    affiliations = list(dict.fromkeys(head.meta.get("citation_author_institution", [])))
    date, date_text = _date(head.first(_DATES))
    summary = clean_summary(head.first(_SUMMARY))
    page = _absolute(
        head.first(["citation_abstract_html_url"]) or head.canonical or head.first(["og:url"]), url
    )
    urls = [page or url]
    pdf = _absolute(head.first(["citation_pdf_url"]), url)
    if pdf:
        urls.append(pdf)
    doi = _doi(head.first(["citation_doi", "dc.identifier", "dcterms.identifier", "prism.doi"]))
    if doi:
        urls.append(f"https://doi.org/{doi}")
    arxiv_id = _arxiv_id(head.first(["citation_arxiv_id"]))
    if arxiv_id:
        urls.append(f"https://arxiv.org/abs/{arxiv_id}")
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
        urls=list(dict.fromkeys(urls)),
    )
    details = {
        "container": head.first(["citation_journal_title", "citation_conference_title"]),
        "site": head.first(["og:site_name"]),
        "publisher": head.first(["citation_publisher", "dc.publisher"]),
    }
    return Found(
        entry,
        arxiv_id=arxiv_id,
        doi=doi.lower() if doi else None,
        details={k: v for k, v in details.items() if v},
    )


def _person(name: str) -> str:
    """``Radford, Alec`` (Highwire's and DC's usual order) as ``Alec Radford``."""
    name = " ".join(name.split())
    family, comma, given = name.partition(", ")
    if comma and given and "," not in given:
        return f"{given} {family}"
    return name


def _date(value: str) -> tuple[str | None, str | None]:
    match = _DATE.match(value)
    if not match:
        return None, None
    year, month, day = (int(g) if g else None for g in match.groups())
    return date_fields(year, month, day)


def _doi(value: str) -> str | None:
    match = _DOI.search(value)
    return match.group(1).rstrip(".,;") if match else None


def _arxiv_id(value: str) -> str | None:
    if not value:
        return None
    try:
        ref = parse_ref(f"arxiv:{value.removeprefix('arXiv:')}")
    except ValueError:
        return None
    return ref.id


def _absolute(value: str, base: str) -> str:
    if not value:
        return ""
    joined = urljoin(base, value)
    return joined if joined.startswith(("http://", "https://")) else ""


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
