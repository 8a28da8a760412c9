"""Metadata for works named by reference (arXiv id, DOI, URL), fetched over HTTP.

``shelf add REF...`` and the app's add key call ``fetch_entries`` and merge
``report.entries`` the way imported documents are merged. The report is per
reference and all-or-nothing per reference: a reference either yields its
entry or one line saying why not, never a half-filled entry, so a failed
fetch cannot leave a stub in the library.

Nothing here touches the library: fetching is slow and may fail, merging is
quick and must not, so the two are separate steps and the caller holds the
library's lock only for the second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from seeds.model import Entry
from storage.fetch import arxiv, crossref, html_meta
from storage.fetch.http import FetchError, FetchSettings, HttpClient
from storage.fetch.refs import Found, Ref, parse_ref

__all__ = [
    "FetchError",
    "FetchReport",
    "FetchResult",
    "FetchSettings",
    "Found",
    "HttpClient",
    "Ref",
    "fetch_entries",
    "parse_ref",
]

#: ``progress(done, total)``, counted in references.
Progress = Callable[[int, int], None]


@dataclass
class FetchResult:
    """One reference as given, and either what it resolved to or why it did not."""

    text: str  # as the user typed it
    ref: Ref | None  # None when ``text`` is not a reference
    found: Found | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        """How messages name the reference: canonical when it parsed, as typed otherwise."""
        return str(self.ref) if self.ref else self.text

    @property
    def entries(self) -> list[Entry]:
        return [self.found.entry] if self.found else []

    @property
    def line(self) -> str:
        """One line for the user: ``arxiv:2303.08774: GPT-4 Technical Report`` or the error."""
        if self.found:
            return f"{self.name}: {self.found.entry.title}"
        if self.ref is None:
            return self.error or ""  # parse_ref's message already quotes the text
        return f"{self.name}: {self.error}"


@dataclass
class FetchReport:
    """Results in the order the references were given."""

    results: list[FetchResult] = field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        """Every fetched entry once (a reference given twice is fetched and listed once)."""
        seen: set[int] = set()
        out: list[Entry] = []
        for result in self.results:
            for entry in result.entries:
                if id(entry) not in seen:
                    seen.add(id(entry))
                    out.append(entry)
        return out

    @property
    def errors(self) -> list[str]:
        return [result.line for result in self.results if result.error]

    @property
    def ok(self) -> bool:
        return all(result.error is None for result in self.results)


def fetch_entries(
    refs: Iterable[Ref | str],
    *,
    client: HttpClient | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch each reference's metadata; failures are per reference, never raised.

    ``refs`` may be ``Ref`` objects or text (parsed here, so one typo is one
    error line among the results instead of an exception). Without a
    ``client`` one is made from ``FetchSettings.from_env()`` and closed at
    the end; that raises ``ValueError`` when a ``SHELF_*`` setting is not a
    URL, before anything is fetched.
    """
    results = [_start(item) for item in refs]
    total = len(results)
    done = 0

    def advance(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    if progress:
        progress(0, total)
    unparsed = sum(1 for r in results if r.ref is None)
    if unparsed:
        advance(unparsed)
    wanted = {r.ref for r in results if r.ref is not None}
    if not wanted:
        return FetchReport(results)

    own = client is None
    http = client or HttpClient(FetchSettings.from_env())
    outcome: dict[Ref, Found | str] = {}
    per_ref = {ref: sum(1 for r in results if r.ref == ref) for ref in wanted}
    try:
        ordered = list(dict.fromkeys(r.ref for r in results if r.ref is not None))
        papers = [ref for ref in ordered if ref.kind == "arxiv"]
        if papers:
            outcome.update(arxiv.fetch(papers, http, done=lambda ref: advance(per_ref[ref])))
        for ref in ordered:
            if ref.kind == "arxiv":
                continue
            outcome[ref] = _fetch_one(ref, http)
            advance(per_ref[ref])
    finally:
        if own:
            http.close()
    for result in results:
        if result.ref is None:
            continue
        got = outcome[result.ref]
        if isinstance(got, Found):
            result.found = got
        else:
            result.error = got
    return FetchReport(results)


def _fetch_doi(ref: Ref, client: HttpClient) -> Found:
    """Crossref first; a DOI it does not know may still have a landing page with citation tags.

    Crossref registers journals and proceedings; DataCite DOIs (Zenodo,
    figshare, datasets) are unknown to it but resolve, through doi.org, to
    pages that usually carry ``citation_*`` tags.
    """
    try:
        return crossref.fetch(ref, client)
    except FetchError as err:
        if err.status != 404:
            raise
    landing = f"{client.settings.doi_resolver}/{quote(ref.id, safe='/')}"
    try:
        found = html_meta.fetch(ref, client, url=landing)
    except FetchError as err:
        raise FetchError(
            f"Crossref has no work with this DOI, and its landing page gave none ({err})"
        ) from None
    link = f"https://doi.org/{ref.id}"
    if found.doi is None:
        found.doi = ref.id
    if not any(url.lower() == link for url in found.entry.urls):
        found.entry.urls.append(link)
    return found


def _start(item: Ref | str) -> FetchResult:
    if isinstance(item, Ref):
        return FetchResult(str(item), item)
    try:
        return FetchResult(item, parse_ref(item))
    except ValueError as err:
        return FetchResult(item, None, error=str(err))


def _fetch_one(ref: Ref, client: HttpClient) -> Found | str:
    try:
        if ref.kind == "doi":
            return _fetch_doi(ref, client)
        return html_meta.fetch(ref, client)
    except FetchError as err:
        return str(err)
    except Exception as err:  # a parser bug on one odd answer must not lose the others
        return f"could not read the answer ({type(err).__name__}: {err})".splitlines()[0]
