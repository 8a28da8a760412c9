"""The feed list: ``feeds.json`` in the data folder.

A small versioned JSON file rather than a TinyDB table, because a reading
group shares it through git: it is pretty-printed with a stable order so it
diffs well, and it holds nothing private (a URL with a password in it is
refused). Every change is a locked read-modify-write replaced atomically, so a
``shelf feed add`` running beside a refresh loses neither change, and a crash
leaves the old list or the new one.

The file comes from other people, so reading it is strict: wrong types, an
unknown format or a newer version is an error naming the file, and a file
that cannot be read is never written over (the user's copy, conflict markers
and all, stays as it was for them to fix).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from storage.annotations import now_iso
from storage.atomic import StorageError, atomic_write
from storage.lock import FileLock
from storage.paths import DataDir

FEEDS_FILE = "feeds.json"
FORMAT_NAME = "shelf-feeds"
FORMAT_VERSION = 1

#: Guids remembered per feed: arXiv's busiest listings carry a few hundred a
#: day, so this covers the entries any feed still shows, and no more.
MAX_SEEN = 5000
MAX_FEEDS = 1000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_URL_CHARS = 2048
MAX_TEXT_CHARS = 2048

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_GENERIC_PATH = frozenset(
    {"feed", "feeds", "rss", "atom", "index", "xml", "rss2", "api", "query", "news", "blog"}
)
_OPTIONAL = ("etag", "last_modified", "added", "last_refresh", "last_error")

T = TypeVar("T")


class FeedListError(StorageError):
    """The feed list cannot be read or changed as asked; one line for the user."""


@dataclass
class Feed:
    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    added: str | None = None
    last_refresh: str | None = None
    last_error: str | None = None
    #: guids of the entries already applied, newest first (``refresh`` keeps it).
    seen: list[str] = field(default_factory=list)
    #: Fields a later shelf wrote; kept so that saving does not drop them.
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "url": self.url}
        for key in _OPTIONAL:
            data[key] = getattr(self, key)
        data["seen"] = list(self.seen)
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return data


def validate_url(url: object) -> str:
    """An http(s) URL with a host and no credentials, or FeedListError.

    Only http(s): a ``file:`` URL would let a shared feed list read the
    reader's own files. No credentials: the list is meant to be shared.
    """
    if not isinstance(url, str) or not url.strip():
        raise FeedListError("a feed URL must be text")
    url = url.strip()
    if len(url) > MAX_URL_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        raise FeedListError(f"not a usable feed URL: {url[:80]!r}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise FeedListError(f"not a usable feed URL: {url[:80]!r} ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FeedListError(f"only http and https feeds can be followed, not {url[:80]!r}")
    if not parts.hostname:
        raise FeedListError(f"the feed URL {url[:80]!r} has no host")
    if parts.username or parts.password:
        raise FeedListError(
            "a feed URL must not carry a user name or password (feeds.json is shared)"
        )
    return url


def validate_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        shown = name[:80] if isinstance(name, str) else type(name).__name__
        raise FeedListError(
            f"a feed name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, not {shown!r}"
        )
    return name


def suggest_name(url: str, taken: set[str]) -> str:
    """A short name from the URL (``lilianweng``, ``arxiv-cs.cl``), unique among ``taken``."""
    parts = urlsplit(url)
    labels = [
        label
        for label in (parts.hostname or "feed").split(".")
        if label not in ("www", "rss", "feeds", "feed", "blog", "export")
    ]
    host = labels[0] if len(labels) > 1 else (labels[0] if labels else "feed")
    segments = [s for s in parts.path.split("/") if s]
    words = []
    for segment in segments:
        stem = segment.rsplit(".", 1)[0] if segment.endswith((".xml", ".rss", ".atom")) else segment
        if stem.lower() not in _GENERIC_PATH and host not in stem.lower():
            words.append(stem)
    base = "-".join([host, *words[-1:]]).lower()
    base = re.sub(r"[^a-z0-9._-]+", "-", base).strip("-._")[:56] or "feed"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        name = f"{base}-{n}"
        n += 1
    return name


def _optional_text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
        raise FeedListError(f"{where}: {key!r} must be text or null")
    return value


def _feed_from(data: object, where: str) -> Feed:
    if not isinstance(data, dict):
        raise FeedListError(f"{where}: each feed must be an object, not {type(data).__name__}")
    try:
        name = validate_name(data.get("name"))
        url = validate_url(data.get("url"))
    except FeedListError as exc:
        raise FeedListError(f"{where}: {exc}") from None
    seen = data.get("seen", [])
    if not isinstance(seen, list) or not all(isinstance(s, str) for s in seen):
        raise FeedListError(f"{where}: 'seen' must be a list of text")
    known = {"name", "url", "seen", *_OPTIONAL}
    feed = Feed(
        name=name,
        url=url,
        seen=seen[:MAX_SEEN],
        extra={k: v for k, v in data.items() if k not in known},
    )
    for key in _OPTIONAL:
        setattr(feed, key, _optional_text(data, key, f"{where} ({name})"))
    return feed


def decode_feed_list(text: str, where: str) -> list[Feed]:
    """The feeds in a ``feeds.json`` text; FeedListError (one line) for anything else."""
    if "\n<<<<<<< " in f"\n{text}" or "\n>>>>>>> " in text:
        raise FeedListError(f"{where} has unresolved git conflict markers")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "too deep"
        raise FeedListError(f"{where} is not valid JSON ({detail})") from None
    if not isinstance(data, dict):
        raise FeedListError(f"{where} must hold a JSON object, not {type(data).__name__}")
    meta = data.get("format")
    if not isinstance(meta, dict) or meta.get("name") != FORMAT_NAME:
        raise FeedListError(f"{where} is not a shelf feed list (no format {FORMAT_NAME!r})")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FeedListError(f"{where}: the format version must be a whole number")
    if version > FORMAT_VERSION:
        raise FeedListError(
            f"{where} was written by a newer shelf (format version {version}); "
            f"this one reads version {FORMAT_VERSION}"
        )
    if version < 1:
        raise FeedListError(f"{where}: unknown format version {version}")
    feeds = data.get("feeds", [])
    if not isinstance(feeds, list):
        raise FeedListError(f"{where}: 'feeds' must be a list")
    if len(feeds) > MAX_FEEDS:
        raise FeedListError(f"{where} lists {len(feeds)} feeds, more than {MAX_FEEDS}")
    result = [_feed_from(item, f"{where}, feed {n + 1}") for n, item in enumerate(feeds)]
    names = [f.name.lower() for f in result]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise FeedListError(f"{where} names a feed twice: {', '.join(twice)}")
    return result


def encode_feed_list(feeds: list[Feed]) -> bytes:
    """Pretty, in list order, one trailing newline: what reads well in a git diff."""
    document = {
        "format": {"name": FORMAT_NAME, "version": FORMAT_VERSION},
        "feeds": [feed.to_dict() for feed in feeds],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class FeedStore:
    """``feeds.json``: every read is fresh, every change one locked atomic write."""

    def __init__(self, path: Path, lock_path: Path | None = None) -> None:
        self.path = Path(path)
        self._lock = FileLock(lock_path or self.path.parent / ".locks" / "feeds.lock")

    @classmethod
    def in_folder(cls, data_dir: DataDir | Path) -> FeedStore:
        """The feed list of a data folder, locked beside the other files' locks."""
        layout = data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir))
        return cls(layout.root / FEEDS_FILE, layout.lock_dir / "feeds.lock")

    def feeds(self) -> list[Feed]:
        """All feeds in file order; none when there is no file yet."""
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise FeedListError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        if len(raw) > MAX_FILE_BYTES:
            raise FeedListError(f"{self.path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FeedListError(f"{self.path} is not UTF-8 text") from None
        return decode_feed_list(text, str(self.path))

    def get(self, name: str) -> Feed:
        for feed in self.feeds():
            if feed.name.lower() == name.lower():
                return feed
        raise FeedListError(f"no feed called {name!r}")

    def _change(self, change: Callable[[list[Feed]], T]) -> T:
        with self._lock.held():
            feeds = self.feeds()
            result = change(feeds)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, encode_feed_list(feeds))
            return result

    def add(self, url: str, name: str | None = None, *, now: str | None = None) -> Feed:
        """Follow a feed; refuses a URL already followed or a name already taken."""
        url = validate_url(url)

        def add(feeds: list[Feed]) -> Feed:
            for feed in feeds:
                if feed.url == url:
                    raise FeedListError(f"{url} is already followed as {feed.name!r}")
            taken = {feed.name for feed in feeds}
            if name is not None:
                validate_name(name)
                if name.lower() in {t.lower() for t in taken}:
                    raise FeedListError(f"there is already a feed called {name!r}")
            if len(feeds) >= MAX_FEEDS:
                raise FeedListError(f"shelf follows at most {MAX_FEEDS} feeds")
            feed = Feed(name=name or suggest_name(url, taken), url=url, added=now or now_iso())
            feeds.append(feed)
            return feed

        return self._change(add)

    def remove(self, name: str) -> Feed:
        def remove(feeds: list[Feed]) -> Feed:
            for n, feed in enumerate(feeds):
                if feed.name.lower() == name.lower():
                    return feeds.pop(n)
            raise FeedListError(f"no feed called {name!r}")

        return self._change(remove)

    def record(self, name: str, **changes: Any) -> Feed | None:
        """Set fields of one feed in one atomic write; None when it was removed meanwhile.

        This is the commit point of a refresh: ``refresh`` calls it once per
        feed, after the feed's entries were applied to the library.
        """
        unknown = set(changes) - {"url", "seen", *_OPTIONAL}
        if unknown:
            raise TypeError(f"unknown feed fields: {', '.join(sorted(unknown))}")

        def record(feeds: list[Feed]) -> Feed | None:
            for feed in feeds:
                if feed.name.lower() == name.lower():
                    for key, value in changes.items():
                        setattr(feed, key, value)
                    feed.seen = feed.seen[:MAX_SEEN]
                    return feed
            return None

        return self._change(record)
