"""Feed documents (RSS 0.9x/1.0/2.0, Atom, arXiv listings) to ``seeds.model.Entry``.

feedparser does the hard part (dialects, dates, encodings, sanitising); this
module decides what a shelf entry takes from it. Feeds come from servers we
do not control, so everything read here is treated as hostile: markup is
stripped to text rather than trusted to be sanitised, control characters
(which could drive the terminal) are removed, and every field is capped so one
absurd entry cannot bloat the library.

arXiv publishes papers through three shapes of feed, and a paper has to be
recognised in each of them so that it merges with the same paper from an
abstract dump or a paper listing:

* the RSS/Atom listings since 2024 (``rss.arxiv.org``): guid
  ``oai:arXiv.org:2303.08774v1``, a description that opens
  ``arXiv:2303.08774v1 Announce Type: new Abstract: …``, ``dc:creator`` with
  every author in one comma-separated string, one ``category`` per class;
* the older RSS 1.0 listings: titles ending ``(arXiv:2303.08774v1 [cs.CL])``,
  the abstract as HTML and the authors as links;
* the API's Atom (``export.arxiv.org/api/query``): ``id`` the abs URL, one
  ``author`` element per author, ``arxiv:primary_category``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import feedparser

from seeds.formats.updates import extract_updates
from seeds.model import Entry
from seeds.normalize import is_truncated
from seeds.notes import notes_title
from seeds.titles import derive_title

#: Entry kinds of feed entries: a post, and a paper recognised by its arXiv id.
FEED_KIND = "feed"
ARXIV_KIND = "arxiv_feed"

#: Caps on what one feed may bring in. A real feed is far below every one.
MAX_FEED_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 20000
MAX_AUTHORS = 500
MAX_NAME_CHARS = 200
MAX_URL_CHARS = 2048
MAX_URLS = 10
MAX_CATEGORIES = 20
MAX_GUID_CHARS = 2048

#: Elements whose content is never prose.
_SKIP = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg"}
)
#: Elements that end a word: their text must not be glued to the next element's.
_BREAKS = frozenset(
    {
        "br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3",
        "h4", "h5", "h6", "blockquote", "pre", "hr", "section", "article", "figure",
        "figcaption", "dd", "dt", "dl", "img",
    }
)  # fmt: skip
# What an HTML parser would take for a tag; "x < y" is prose and stays.
_TAG_LEFT = re.compile(r"</?[A-Za-z!?][^<>]*>")
# C0/C1 controls, and the Unicode formatting characters a terminal or a
# reader can be fooled by (bidi overrides and isolates, zero-width joiners
# inside words are harmless but invisible, so they go too).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_SPACE = re.compile(r"\s+")

_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?P<version>v\d+)?")
_ARXIV_HOSTS = ("arxiv.org", "www.arxiv.org", "export.arxiv.org", "rss.arxiv.org")
_ARXIV_GUID = re.compile(rf"^oai:arXiv\.org:(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?P<version>v\d+)?$")
_ARXIV_ABS_PATH = re.compile(
    rf"^/(?:abs|pdf)/(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?P<version>v\d+)?(?:\.pdf)?/?$"
)
# "arXiv:2303.08774v1 Announce Type: new Abstract: ..." (2024 listings).
_ANNOUNCE = re.compile(
    rf"^\s*arXiv:\s*(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?P<version>v\d+)?\s+"
    r"Announce\s+Type:\s*(?P<type>[A-Za-z-]+)\s*",
    re.IGNORECASE,
)
_ABSTRACT = re.compile(r"^\s*Abstract\s*:\s*", re.IGNORECASE)
# "Title. (arXiv:2303.08774v1 [cs.CL] UPDATED)" (older RSS listings).
_TITLE_SUFFIX = re.compile(
    rf"\.?\s*\(arXiv:\s*(?:{_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?"
    r"(?:\s*\[(?P<category>[^\]]*)\])?(?:\s*[A-Z]+)?\)\s*$"
)
_ARXIV_CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
_READ_MORE = re.compile(
    r"(?:\s*(?:\[\s*(?:…|\.\.\.)\s*\]|(?:continue\s+reading|read\s+more)\b[^\w]*(?:…|\.\.\.)?|»))+\s*$",
    re.IGNORECASE,
)
# WordPress signs every description "The post TITLE appeared first on SITE.";
# it is the feed's furniture, not the post's text.
_APPEARED_FIRST = re.compile(r"\s*The post .{1,400}? appeared first on [^.]{1,200}\.?\s*$")


class FeedError(Exception):
    """A feed that cannot be used; the message is one line for the user."""


@dataclass
class FeedEntry:
    """One entry of a feed: what the library gets, and what the feed list remembers.

    ``guid`` is how the next refresh knows it has seen the entry (the feed's
    own id, else its link, else its title). ``arxiv_id`` is without version.
    """

    guid: str
    entry: Entry
    arxiv_id: str | None = None
    arxiv_version: str | None = None
    announce_type: str | None = None  # arXiv listings: new, cross, replace, replace-cross
    categories: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    title: str
    link: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per dropped entry


# -- text ------------------------------------------------------------------------


class _TextOnly(HTMLParser):
    """Collects character data outside non-prose elements; entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _strip_markup(markup: str) -> str:
    parser = _TextOnly()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # HTMLParser is lenient; anything it chokes on loses its tags bluntly
        return _TAG_LEFT.sub(" ", markup)
    return "".join(parser.parts)


def plain_text(value: object, limit: int = MAX_SUMMARY_CHARS) -> str:
    """Text safe to store and show: no markup, entities decoded, no controls, capped.

    Markup is stripped twice when the first pass leaves tags behind, because
    feeds often escape their HTML once more than they declare
    (``&lt;p&gt;`` inside a CDATA section), which decodes into fresh tags.
    """
    if not isinstance(value, str) or not value:
        return ""
    text = value[: limit * 4]  # markup and entities shrink; never read megabytes
    for _ in range(3):
        if "<" not in text and "&" not in text:
            break
        stripped = _strip_markup(text)
        if stripped == text:
            break
        text = stripped
    text = _TAG_LEFT.sub(" ", text)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", _ANSI.sub("", text.replace("\t", " "))))
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _first_text(data: Any, *keys: str, limit: int = MAX_TITLE_CHARS) -> str:
    for key in keys:
        text = plain_text(data.get(key), limit)
        if text:
            return text
    return ""


def _http_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = _CONTROL.sub("", value).strip()
    if not value or len(value) > MAX_URL_CHARS or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


# -- arXiv -------------------------------------------------------------------------


def _arxiv_from_url(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() not in _ARXIV_HOSTS:
        return None
    match = _ARXIV_ABS_PATH.match(parts.path)
    return (match["id"], match["version"] or "") if match else None


def arxiv_id_of(guid: str, links: list[str], description: str = "") -> tuple[str, str] | None:
    """(id, version) from the guid, an arXiv link or an ``arXiv:ID`` announcement."""
    if match := _ARXIV_GUID.match(guid.strip()):
        return match["id"], match["version"] or ""
    for url in [guid, *links]:
        if found := _arxiv_from_url(url):
            return found
    if match := _ANNOUNCE.match(description):
        return match["id"], match["version"] or ""
    return None


def _arxiv_abstract(text: str) -> tuple[str, str | None]:
    """The abstract without the 2024 listings' preamble, and the announce type."""
    announce = None
    if match := _ANNOUNCE.match(text):
        announce = match["type"].lower()
        text = text[match.end() :]
    if match := _ABSTRACT.match(text):
        text = text[match.end() :]
    return text.strip(), announce


def _category_code(term: str) -> str:
    """``cs.CL`` as the corpus writes it (``CL``); other archives in full."""
    return term[3:] if term.startswith("cs.") else term


def _split_names(text: str) -> list[str]:
    names = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", text)
    return [n for n in names if n]


# -- entries -----------------------------------------------------------------------


def _local_date(text: str) -> str | None:
    """The calendar date as the feed wrote it, before any shift to UTC.

    feedparser converts to UTC, which moves a post dated just after local
    midnight to the day before; the corpus records dates as published.
    """
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return None


def _date(data: Any) -> tuple[str | None, str | None]:
    for parsed_key, text_key in (("published_parsed", "published"), ("updated_parsed", "updated")):
        parsed = data.get(parsed_key)
        if isinstance(parsed, time.struct_time) and 1 <= parsed.tm_year <= 9999:
            text = plain_text(data.get(text_key), 100) or None
            utc = f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
            return (_local_date(text) if text else None) or utc, text
    return None, None


def _authors(data: Any, arxiv: bool) -> list[str]:
    raw: list[str] = []
    for author in data.get("authors") or []:
        if isinstance(author, dict):
            raw.append(plain_text(author.get("name"), MAX_NAME_CHARS * MAX_AUTHORS))
    if not any(raw):
        raw = [plain_text(data.get("author"), MAX_NAME_CHARS * MAX_AUTHORS)]
    names: list[str] = []
    for text in raw:
        if not text:
            continue
        # One dc:creator often holds every author ("A, B and C"); a blog's
        # single "Weng, Lilian" must not become two people, so split only
        # arXiv entries or lists whose every part is a full name.
        parts = _split_names(text)
        if arxiv or (len(parts) > 1 and all(" " in p for p in parts)):
            names.extend(parts)
        else:
            names.append(text)
    unique = list(dict.fromkeys(n[:MAX_NAME_CHARS] for n in names if "@" not in n))
    return unique[:MAX_AUTHORS]


def _links(data: Any) -> list[str]:
    urls: list[str] = []
    candidates: list[object] = [data.get("link")]
    for link in data.get("links") or []:
        if isinstance(link, dict) and link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    if data.get("guidislink"):
        candidates.append(data.get("id"))
    for candidate in candidates:
        url = _http_url(candidate)
        if url and url not in urls:
            urls.append(url)
    return urls[:MAX_URLS]


def _categories(data: Any) -> list[str]:
    terms: list[str] = []
    primary = data.get("arxiv_primary_category")
    if isinstance(primary, dict):
        terms.append(str(primary.get("term") or ""))
    for tag in data.get("tags") or []:
        if isinstance(tag, dict):
            terms.append(str(tag.get("term") or ""))
    cleaned = [plain_text(t, 100) for t in terms]
    return list(dict.fromkeys(t for t in cleaned if t))[:MAX_CATEGORIES]


def _summary_markup(data: Any) -> str:
    """The entry's summary; its content only when there is no summary.

    Content (``content:encoded``, Atom ``<content>``) is often the whole
    post; the library keeps abstracts, and a summary is what merges with the
    excerpts and abstracts it already has.
    """
    summary = data.get("summary")
    if isinstance(summary, str) and summary.strip():
        return summary
    values = [c.get("value") for c in data.get("content") or [] if isinstance(c, dict)]
    return max((v for v in values if isinstance(v, str)), key=len, default="")


def _entry(data: Any, source: str, position: int) -> FeedEntry | None:
    urls = _links(data)
    title = _first_text(data, "title")
    description = plain_text(_summary_markup(data))
    guid = plain_text(data.get("id"), MAX_GUID_CHARS) or (urls[0] if urls else "") or title
    if not guid:
        return None
    found = arxiv_id_of(guid, urls, description)
    categories = _categories(data)
    announce = None
    arxiv_id = version = None
    if found:
        arxiv_id, version = found
        description, announce = _arxiv_abstract(description)
        if suffix := _TITLE_SUFFIX.search(title):
            title = title[: suffix.start()]
            if suffix["category"] and not categories:
                categories = [suffix["category"].strip()]
        urls = [f"https://arxiv.org/abs/{arxiv_id}"]
        categories = [c for c in categories if _ARXIV_CATEGORY.match(c)]
    summary, updates = extract_updates(description)
    # "… Read more" and "[…]" say the feed carries only the opening of the text.
    # The library tells a cut-off text by its ending (seeds.normalize.is_truncated),
    # and prefers a complete text to a longer cut-off one, so the marker
    # becomes the ellipsis it reads, or a teaser ending in a full stop would
    # pass for the whole text.
    bare = _READ_MORE.sub("", _APPEARED_FIRST.sub("", summary)).strip()
    if bare and bare != summary.strip() and not bare.endswith(("…", "...")):
        bare += " …" if bare[-1] in ".!?" else "…"
    cut = is_truncated(bare)
    summary = bare
    date, date_text = _date(data)
    derived = not title
    if derived:
        title = derive_title(summary) or notes_title([u.text for u in updates])
        if not title:
            return None
    entry = Entry(
        source=source,
        kind=ARXIV_KIND if found else FEED_KIND,
        position=position,
        title=title,
        title_derived=derived,
        authors=_authors(data, arxiv=bool(found)),
        date=date,
        date_text=date_text,
        category=_category_code(categories[0]) if found and categories else None,
        summary=summary,
        summary_truncated=bool(summary) and cut,
        urls=urls,
        updates=updates,
    )
    return FeedEntry(
        guid=guid,
        entry=entry,
        arxiv_id=arxiv_id,
        arxiv_version=version or None,
        announce_type=announce,
        categories=categories,
    )


def _bozo_is_fatal(parsed: Any) -> bool:
    """Malformed XML is fatal; feedparser's notes on encodings and content types are not."""
    if not parsed.get("bozo"):
        return False
    exc = parsed.get("bozo_exception")
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    return not isinstance(exc, benign)


def _bozo_line(exc: object) -> str:
    text = plain_text(str(exc) if exc is not None else "", 200)
    return text or type(exc).__name__


def parse_feed(data: bytes, source: str, *, content_type: str | None = None) -> ParsedFeed:
    """Parse one fetched feed; raises FeedError (one line) when it is unusable.

    ``source`` becomes each entry's ``source`` (``feed:NAME`` by convention),
    so an item remembers which feed it came through. Error messages leave it
    out: the caller puts the feed's name in front, once.
    """
    if not isinstance(data, bytes | bytearray):
        raise FeedError(f"expected bytes, got {type(data).__name__}")
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FeedError("the feed is empty")
    headers = {"content-type": content_type} if content_type else {}
    # A file-like object, never a string: given a string that looks like a
    # URL, feedparser would go and fetch it.
    try:
        parsed = feedparser.parse(io.BytesIO(bytes(data)), response_headers=headers)
    except Exception as exc:  # hostile bytes reach corners feedparser does not guard
        # (a NUL or a stray byte in the encoding declaration raises from its
        # encoding detection, not as bozo)
        raise FeedError(f"unreadable feed: {_bozo_line(exc)}") from None
    if _bozo_is_fatal(parsed):
        raise FeedError(f"malformed feed: {_bozo_line(parsed.get('bozo_exception'))}")
    if not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed")
    meta = parsed.get("feed") or {}
    result = ParsedFeed(title=_first_text(meta, "title"), link=_http_url(meta.get("link")))
    raw_entries = parsed.get("entries") or []
    if len(raw_entries) > MAX_ENTRIES:
        result.skipped.append(f"{len(raw_entries) - MAX_ENTRIES} entries over {MAX_ENTRIES}")
    seen: set[str] = set()
    for data_entry in raw_entries[:MAX_ENTRIES]:
        feed_entry = _entry(data_entry, source, len(result.entries))
        if feed_entry is None:
            result.skipped.append("an entry with neither title, link nor text")
        elif feed_entry.guid in seen:
            result.skipped.append(f"a second entry with id {feed_entry.guid[:80]!r}")
        else:
            seen.add(feed_entry.guid)
            result.entries.append(feed_entry)
    return result
