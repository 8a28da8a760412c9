"""The shapes data takes on its way from seed text to the library.

An ``Entry`` is what one document says about one work; an ``Item`` is the work
itself, merged from every entry that describes it. Both are plain dataclasses
with dict round-trips so that storage can persist them without knowing their
fields and the UI never sees raw text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: The five document formats the parser recognises, by content.
DOCUMENT_KINDS = (
    "blog_listing",
    "research_page",
    "arxiv_abstracts",
    "paper_listing",
    "blog_excerpts",
)
#: Every kind an entry can have: the documents' and the other ways in.
KINDS = (
    *DOCUMENT_KINDS,
    "feed",  # a post from an RSS or Atom feed (storage.feeds)
    "arxiv_feed",  # a paper from an arXiv listing feed
    "arxiv_api",  # a paper fetched by shelf add from the arXiv API
    "crossref",  # a work fetched by DOI from Crossref
    "web_page",  # a page's citation meta tags
)


@dataclass(frozen=True)
class Update:
    """A dated ``[Updated on …]`` note from a blog post."""

    date: str  # ISO YYYY-MM-DD
    text: str


@dataclass
class Entry:
    """One entry of one document, as the parser read it."""

    source: str  # file name of the document
    kind: str  # one of KINDS
    position: int  # 0-based index of the entry within its document
    title: str
    title_derived: bool = False
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    affiliations: list[str] = field(default_factory=list)
    date: str | None = None  # ISO YYYY-MM-DD, None when the year is unknown
    date_text: str | None = None  # as written
    category: str | None = None  # arXiv category code as written, e.g. "CL"
    has_code: bool = False
    summary: str = ""
    summary_truncated: bool = False  # the source cut the text short ("…")
    urls: list[str] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    # From a BibTeX file: the entry type ("inproceedings") and every field as
    # written (lower-case names, raw BibTeX values), so an export writes back
    # what was imported (storage.export.bibtex).
    entry_type: str = ""
    bib_fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Item:
    """One work in the library, merged from one or more entries.

    Slotted: a library holds 100k of these, and a slot is 8 bytes where an
    instance dict entry costs several times that.
    """

    id: str
    title: str
    title_derived: bool = False
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    affiliations: list[str] = field(default_factory=list)
    date: str | None = None
    date_text: str | None = None
    category: str | None = None
    has_code: bool = False
    summary: str = ""
    urls: list[str] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    # Normalised merge keys (titles and abstract fingerprints) so that later
    # imports find this item again even after its id was assigned.
    keys: list[str] = field(default_factory=list)
    # The citation key, given once when the item enters the library
    # (storage.export.keys.assign_citekeys) and never changed afterwards.
    citekey: str = ""
    # As Entry: the BibTeX entry type and fields of the first BibTeX file that had it.
    entry_type: str = ""
    bib_fields: dict[str, str] = field(default_factory=dict)
    # When the item first entered this library by an import, ``shelf add`` or a
    # feed (UTC, to the microsecond; storage.seen.arrival_stamp); "" for the
    # bundled corpus and items from before arrivals were kept. Merging into
    # the item later keeps it: what is new to a user is what arrived.
    # Not part of what the item is: two libraries importing it agree on it.
    arrived: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["updates"] = [
            u if isinstance(u, Update) else Update(**u) for u in known.get("updates", [])
        ]
        return cls(**known)
