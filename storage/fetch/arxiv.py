"""Papers from the arXiv API (an Atom feed), as library entries.

arXiv asks for at most one request every three seconds, so ids are asked
for together, up to ``arxiv_batch`` (50) per ``id_list``, and the client
paces what remains. One id the API rejects makes it answer the whole batch
with a single error entry; the batch is then asked id by id so that one typo
does not fail the others.

The XML is parsed with the standard library. Python's expat resolves no
external entities, and it refuses entity expansion blow-ups since expat
2.4; on top of that the body is capped at 10 MB by the client and any DTD is
refused before parsing (the API never sends one), which rules out entity
tricks whatever expat a Python was built with. That is why ``defusedxml``,
one dependency more, is not needed here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from seeds.categories import CATEGORIES
from seeds.formats.common import clean_summary, clean_title, extract_urls, truncated
from seeds.model import Entry
from storage.fetch.crossref import date_fields
from storage.fetch.http import FetchError, HttpClient
from storage.fetch.refs import Found, Ref

KIND = "arxiv_api"
SERVICE = "arXiv API"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
MEDIA_TYPES = ("application/atom+xml", "application/xml", "text/xml")

_ABS_ID = re.compile(r"/abs/(?P<id>.+?)(?P<version>v\d+)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CODE_HOSTS = ("://github.com/", "://gitlab.com/", "://bitbucket.org/", "://www.github.com/")
_BARE_CODE = {full.casefold(): code for code, (full, _name) in CATEGORIES.items()}


@dataclass
class Paper:
    """One ``<entry>`` of the feed, as the Atom schema documents it."""

    arxiv_id: str  # without version
    version: str | None
    title: str
    summary: str
    published: str  # ISO timestamp of v1
    updated: str
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    primary_category: str | None = None
    categories: list[str] = field(default_factory=list)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    pdf_url: str | None = None


class FeedError(FetchError):
    """The API answered with its error entry (``<title>Error</title>``)."""


def parse_feed(body: bytes) -> list[Paper]:
    """The papers of one API answer; ``FetchError`` for malformed XML, ``FeedError`` for an error entry."""
    # In well-formed XML a raw "<!DOCTYPE" can only be markup (text escapes the "<").
    if _DTD.search(body):
        raise FetchError(f"{SERVICE} sent XML with a document type declaration; refused")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as err:
        line, column = err.position
        raise FetchError(
            f"{SERVICE} sent malformed XML (line {line}, column {column + 1})"
        ) from None
    if root.tag != f"{ATOM}feed":
        raise FetchError(f"{SERVICE} sent XML that is not an Atom feed (<{_local(root.tag)}>)")
    papers: list[Paper] = []
    for element in root.iter(f"{ATOM}entry"):
        title = _text(element, f"{ATOM}title")
        entry_id = _text(element, f"{ATOM}id")
        if title == "Error" and "/api/errors" in entry_id:
            message = _text(element, f"{ATOM}summary") or entry_id.rpartition("#")[2]
            raise FeedError(f"{SERVICE} error: {message}")
        paper = _paper(element, entry_id, title)
        if paper is not None:
            papers.append(paper)
    return papers


def _paper(element: ET.Element, entry_id: str, title: str) -> Paper | None:
    match = _ABS_ID.search(entry_id)
    if not match or not title:
        return None  # nothing to add without a title: the ref is reported as not found
    authors: list[str] = []
    affiliations: list[str] = []
    for author in element.findall(f"{ATOM}author"):
        name = " ".join(_text(author, f"{ATOM}name").split())
        if name:
            authors.append(name)
        for affiliation in author.findall(f"{ARXIV}affiliation"):
            text = " ".join((affiliation.text or "").split())
            if text and text not in affiliations:
                affiliations.append(text)
    primary = element.find(f"{ARXIV}primary_category")
    pdf = next(
        (
            link.get("href")
            for link in element.findall(f"{ATOM}link")
            if link.get("title") == "pdf" and link.get("href")
        ),
        None,
    )
    return Paper(
        arxiv_id=match.group("id"),
        version=match.group("version"),
        title=clean_title(title),
        summary=clean_summary(_text(element, f"{ATOM}summary")),
        published=_text(element, f"{ATOM}published"),
        updated=_text(element, f"{ATOM}updated"),
        authors=authors,
        affiliations=affiliations,
        primary_category=primary.get("term") if primary is not None else None,
        categories=[c.get("term", "") for c in element.findall(f"{ATOM}category") if c.get("term")],
        comment=_text(element, f"{ARXIV}comment") or None,
        journal_ref=_text(element, f"{ARXIV}journal_ref") or None,
        doi=_text(element, f"{ARXIV}doi") or None,
        pdf_url=pdf,
    )


def to_found(paper: Paper, ref: Ref) -> Found:
    """The library entry for a paper; ids and links in the forms the merge and exports use."""
    iso = _ISO.match(paper.published)
    date, date_text = date_fields(*(int(g) for g in iso.groups())) if iso else (None, None)
    version = ref.version or ""
    # Links on arxiv.org itself whatever mirror answered, without a version
    # unless one was asked for, so they match the corpus's and BibTeX's links.
    urls = [f"https://arxiv.org/abs/{paper.arxiv_id}"]
    if paper.pdf_url:  # the feed lists a PDF only when there is one
        urls.append(f"https://arxiv.org/pdf/{paper.arxiv_id}{version}")
    # The link keeps the DOI as registered (as the BibTeX import does), so the
    # two spell one URL; ``Found.doi`` is the case-folded identity.
    written = paper.doi.split()[0] if paper.doi else None
    doi = written.lower() if written else None
    if written:
        urls.append(f"https://doi.org/{written}")
    mentioned = extract_urls(paper.summary) + extract_urls(paper.comment or "")
    urls.extend(u for u in mentioned if u not in urls)
    entry = Entry(
        source=ref.source,
        kind=KIND,
        position=0,
        title=paper.title,
        authors=paper.authors,
        affiliations=paper.affiliations,
        date=date,
        date_text=date_text,
        category=_category(paper.primary_category),
        has_code=any(host in url for url in mentioned for host in _CODE_HOSTS),
        summary=paper.summary,
        summary_truncated=truncated(paper.summary),
        urls=urls,
    )
    details = {
        "version": paper.version or "",
        "updated": paper.updated,
        "categories": " ".join(paper.categories),
        "comment": " ".join((paper.comment or "").split()),
        "journal_ref": " ".join((paper.journal_ref or "").split()),
    }
    return Found(
        entry, arxiv_id=paper.arxiv_id, doi=doi, details={k: v for k, v in details.items() if v}
    )


def _category(term: str | None) -> str | None:
    """``cs.CL`` is stored as ``CL``, the way the corpus's listings write it; others stay whole."""
    if not term:
        return None
    return _BARE_CODE.get(term.casefold(), term)


def fetch(
    refs: Sequence[Ref],
    client: HttpClient,
    done: Callable[[Ref], None] | None = None,
) -> dict[Ref, Found | str]:
    """Each arXiv ref's entry, or its one-line error; requests batched and paced."""
    settings = client.settings
    outcome: dict[Ref, Found | str] = {}
    unique = list(dict.fromkeys(refs))
    size = max(1, min(settings.arxiv_batch, 50))
    for start in range(0, len(unique), size):
        batch = unique[start : start + size]
        try:
            results = _ask(batch, client)
        except FeedError as err:
            if len(batch) == 1:
                results = {batch[0]: str(err)}
            else:  # which id was it? ask one at a time
                results = {}
                for ref in batch:
                    try:
                        results.update(_ask([ref], client))
                    except FetchError as single:
                        results[ref] = str(single)
        except FetchError as err:
            results = dict.fromkeys(batch, str(err))
        except Exception as err:  # a parser bug on one odd feed must not lose the other batches
            results = dict.fromkeys(
                batch, f"could not read the answer ({type(err).__name__}: {err})"
            )
        for ref in batch:
            outcome[ref] = results[ref]
            if done:
                done(ref)
    return outcome


def _ask(batch: Sequence[Ref], client: HttpClient) -> dict[Ref, Found | str]:
    settings = client.settings
    response = client.get(
        settings.arxiv_api,
        params={
            "id_list": ",".join(ref.arxiv_query_id for ref in batch),
            "start": "0",
            "max_results": str(len(batch)),
        },
        accept=MEDIA_TYPES,
        service=SERVICE,
        pace=("arxiv", settings.arxiv_interval),
    )
    by_id: dict[str, Paper] = {}
    for paper in parse_feed(response.body):
        by_id.setdefault(paper.arxiv_id, paper)
    return {
        ref: to_found(by_id[ref.id], ref)
        if ref.id in by_id
        else f"arXiv has no paper {ref.arxiv_query_id}"
        for ref in batch
    }


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
