"""What the user typed after ``shelf add``, reduced to one of three kinds of reference.

The same paper reaches us spelled many ways (``arxiv:2303.08774``, an abs or PDF
link, with or without ``v2``, arXiv's own DataCite DOI). Normalising here means
the fetchers, the batching of arXiv ids and any "already in the library?"
check all compare one canonical form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

from seeds.model import Entry

RefKind = Literal["arxiv", "doi", "url"]

# New-style ids (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN since.
_NEW_ID = r"(?P<new>\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})"
# Old-style ids: archive[.SUBJECT-CLASS]/YYMMNNN. The subject class is not part
# of the identifier (arXiv ignores it), so it is dropped when normalising.
_OLD_ID = r"(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Za-z]{2})?/(?P<old>\d{2}(?:0[1-9]|1[0-2])\d{3})"
_ARXIV_ID = re.compile(rf"^(?:{_NEW_ID}|{_OLD_ID})(?P<version>v[1-9]\d*)?$")
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_ARXIV_PATH = re.compile(r"^/(?:abs|pdf|html|format)/(?P<id>.+?)(?:\.pdf)?/?$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
# arXiv registers a DataCite DOI for every paper; Crossref does not know it,
# the arXiv API does.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):(?P<rest>.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference in canonical form; ``str(ref)`` is how messages name it.

    ``id`` is the arXiv id without version, the DOI in lower case (DOIs are
    case-insensitive) or the URL as given; ``version`` (``"v2"``) is kept apart
    so that two versions of one paper share an ``id``.
    """

    kind: RefKind
    id: str
    version: str | None = None

    def __str__(self) -> str:
        if self.kind == "url":
            return self.id
        return f"{self.kind}:{self.id}{self.version or ''}"

    @property
    def source(self) -> str:
        """The source an added item records: the work, not the version asked for.

        Adding ``arxiv:2103.00020v1`` after ``arxiv:2103.00020`` is the same
        paper, so the second add must change nothing.
        """
        return self.id if self.kind == "url" else f"{self.kind}:{self.id}"

    @property
    def arxiv_query_id(self) -> str:
        """The id as the arXiv API's ``id_list`` wants it (with the version if one was asked)."""
        return f"{self.id}{self.version or ''}"


def parse_ref(text: str) -> Ref:
    """The canonical reference for ``text``; ``ValueError`` with a one-line reason otherwise.

    Accepted: ``arxiv:ID`` (``arXiv:`` too), arXiv abs/pdf/html URLs,
    ``doi:10.…``, doi.org URLs, any other http(s) URL, and, since people paste
    them bare, a bare arXiv id or DOI.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty reference: give arxiv:ID, doi:10.…, or an http(s) URL")
    if any(c.isspace() for c in raw):
        raise ValueError(f"{_quote(raw)} is not a reference: it contains spaces")
    match = _SCHEME.match(raw)
    scheme = match.group("scheme").lower() if match else ""
    if match and scheme == "arxiv":
        return _arxiv(match.group("rest"), raw)
    if match and scheme == "doi":
        return _doi(match.group("rest"), raw)
    if match and scheme in ("http", "https"):
        return _url(raw)
    if _DOI.match(raw):
        return _doi(raw, raw)
    if _ARXIV_ID.match(raw):
        return _arxiv(raw, raw)
    if match and match.group("rest").startswith("//"):
        raise ValueError(f"{_quote(raw)}: only http and https URLs can be fetched")
    if match and "." not in scheme:
        raise ValueError(
            f"{_quote(raw)}: unknown kind of reference {scheme + ':'!r};"
            " give arxiv:ID, doi:10.…, or an http(s) URL"
        )
    if "." in raw.split("/", 1)[0] and "/" in raw:
        raise ValueError(f"{_quote(raw)} is not a reference: did you mean 'https://{raw}'?")
    raise ValueError(
        f"{_quote(raw)} is not a reference: give arxiv:ID (e.g. arxiv:2303.08774),"
        " doi:10.…, or an http(s) URL"
    )


def _arxiv(value: str, raw: str) -> Ref:
    value = value.strip().removeprefix("//")
    match = _ARXIV_ID.match(value)
    if not match:
        raise ValueError(
            f"{_quote(raw)}: not an arXiv id (expected YYMM.NNNNN or archive/YYMMNNN,"
            " e.g. 2303.08774 or hep-th/9901001)"
        )
    if match.group("new"):
        ident = match.group("new")
    else:
        ident = f"{match.group('archive')}/{match.group('old')}"
    return Ref("arxiv", ident, match.group("version"))


def _doi(value: str, raw: str) -> Ref:
    doi = unquote(value.strip()).removeprefix("//")
    if not _DOI.match(doi):
        raise ValueError(f"{_quote(raw)}: not a DOI (a DOI starts with 10.NNNN/)")
    arxiv = _ARXIV_DOI.match(doi)
    if arxiv:
        return _arxiv(arxiv.group("id"), raw)
    return Ref("doi", doi.lower())


def _url(raw: str) -> Ref:
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError(f"{_quote(raw)}: not a valid URL") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"{_quote(raw)}: the URL has no host")
    if host in _ARXIV_HOSTS:
        path = _ARXIV_PATH.match(parts.path)
        if path and _ARXIV_ID.match(path.group("id")):
            return _arxiv(path.group("id"), raw)
    if host in _DOI_HOSTS and parts.path.strip("/"):
        return _doi(parts.path.lstrip("/"), raw)
    return Ref("url", raw)


def _quote(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:79] + "…")


@dataclass(slots=True)
class Found:
    """What one reference resolved to: the entry, and the identifiers ``Entry`` has no field for.

    ``arxiv_id`` and ``doi`` also travel in ``entry.urls`` (as
    ``https://arxiv.org/abs/ID`` and ``https://doi.org/DOI``), which is what
    the merge and the exports read today; here they are plain for callers
    that check "already in the library?" first. ``details`` holds what a
    reader may want but no field keeps yet (venue, volume, pages, comment).
    """

    entry: Entry
    arxiv_id: str | None = None
    doi: str | None = None
    details: dict[str, str] = field(default_factory=dict)
