"""Fetching feeds politely, and refreshing the feed list one feed at a time.

Polite: a conditional GET from the stored ETag and Last-Modified, so an
unchanged feed costs the server a 304 and us nothing; a User-Agent that says
what is asking; one deadline per feed, so a slow server delays only its own
feed. Defensive: the body is capped while it streams (a gzip bomb is counted
after decompression), and redirects are followed by hand so that none leads
anywhere but http(s).

Refreshing is resumable. For each feed, in order: fetch, parse, hand the new
entries to the caller's ``apply`` (the library import), then record the
feed's new ETag, Last-Modified and seen guids in ``feeds.json`` in one atomic
write. An interruption before the record leaves the old validators in place,
so the next refresh fetches and applies the same entries again, which the
library's merge makes a no-op; an interruption after it has nothing left to
do. Each feed is therefore either fully applied or not at all.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from urllib.parse import urljoin, urlsplit

import httpx

from storage.annotations import now_iso
from storage.atomic import StorageError
from storage.feeds.parse import MAX_FEED_BYTES, FeedEntry, FeedError, parse_feed, plain_text
from storage.feeds.store import MAX_SEEN, Feed, FeedListError, FeedStore

DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def _user_agent() -> str:
    try:
        version = metadata.version("shelf")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"shelf/{version} (terminal reading list; feed refresh; httpx/{httpx.__version__})"


USER_AGENT = _user_agent()

#: ``apply(feed, new_entries)``: import the entries into the library. Called
#: only with entries not seen before, and only when there are some. It must be
#: idempotent (an interrupted refresh applies the same entries again), which
#: importing through ``seeds.merge`` is.
Apply = Callable[[Feed, list[FeedEntry]], object]


def make_client(*, timeout: float = DEFAULT_TIMEOUT, **options: object) -> httpx.Client:
    """An httpx client set up for ``fetch``: our User-Agent, no automatic redirects.

    ``options`` go to ``httpx.Client`` (``transport``, ``trust_env``, …).
    """
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        **options,  # type: ignore[arg-type]
    )


@dataclass
class FetchResult:
    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    url: str = ""  # where the body came from, after redirects
    moved_to: str | None = None  # set when every redirect was permanent


def _header(response: httpx.Response, name: str) -> str | None:
    value = response.headers.get(name)
    if value is None:
        return None
    value = plain_text(value, 1000)
    return value or None


def _reason(response: httpx.Response) -> str:
    phrase = plain_text(response.reason_phrase or "", 80)
    return f"HTTP {response.status_code}" + (f" {phrase}" if phrase else "")


def _read_capped(
    response: httpx.Response, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FeedError(f"the response is larger than the {_size(max_bytes)} limit")
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FeedError(f"the response is larger than the {_size(max_bytes)} limit")
        if time.monotonic() > deadline:
            raise FeedError(f"timed out after {timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_FEED_BYTES,
) -> FetchResult:
    """GET ``url`` conditionally; FeedError (one line) for anything but a feed body or a 304."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    permanent, redirected = True, False
    try:
        for _ in range(MAX_REDIRECTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FeedError(f"timed out after {timeout:g} s")
            with client.stream(
                "GET", url, headers=headers, timeout=httpx.Timeout(remaining)
            ) as response:
                status = response.status_code
                if status in _REDIRECTS:
                    target = urljoin(url, response.headers.get("location", ""))
                    if urlsplit(target).scheme.lower() not in ("http", "https"):
                        raise FeedError(f"redirected to a non-http address: {target[:80]!r}")
                    permanent = permanent and status in _PERMANENT
                    url, redirected = target, True
                    continue
                if status == 304:
                    return FetchResult(
                        not_modified=True,
                        etag=_header(response, "etag") or etag,
                        last_modified=_header(response, "last-modified") or last_modified,
                        url=url,
                        moved_to=url if redirected and permanent else None,
                    )
                if not 200 <= status < 300:
                    raise FeedError(_reason(response))
                body = _read_capped(response, max_bytes, deadline, timeout)
                return FetchResult(
                    not_modified=False,
                    body=body,
                    etag=_header(response, "etag"),
                    last_modified=_header(response, "last-modified"),
                    content_type=_header(response, "content-type"),
                    url=url,
                    moved_to=url if redirected and permanent else None,
                )
        raise FeedError(f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise FeedError(f"timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        detail = plain_text(str(exc), 200) or type(exc).__name__
        raise FeedError(f"cannot fetch {url[:80]}: {detail}") from None


# -- refresh ---------------------------------------------------------------------


@dataclass
class FeedOutcome:
    """What one feed's refresh did; ``line()`` is what the CLI prints for it."""

    name: str
    status: str  # "updated", "unchanged" (fetched, nothing new), "not_modified" (304), "failed"
    entries: int = 0  # in the feed as fetched
    new: list[FeedEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.name}: {self.error}"
        if self.status == "not_modified":
            return f"{self.name}: not modified"
        return f"{self.name}: {len(self.new)} new of {self.entries}"


@dataclass
class RefreshReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def new_entries(self) -> list[FeedEntry]:
        return [entry for o in self.outcomes for entry in o.new]

    def lines(self) -> list[str]:
        return [o.line() for o in self.outcomes]

    def summary(self) -> str:
        parts = [f"{len(self.outcomes)} feeds", f"{len(self.new_entries)} new entries"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts)


def _seen_after(previous: list[str], fetched: list[FeedEntry]) -> list[str]:
    """The feed's current guids first, then older ones, capped at ``MAX_SEEN``."""
    current = [e.guid for e in fetched]
    return list(dict.fromkeys([*current, *previous]))[:MAX_SEEN]


def refresh(
    feeds: Iterable[Feed | str],
    *,
    client: httpx.Client,
    store: FeedStore,
    apply: Apply,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_FEED_BYTES,
    force: bool = False,
    progress: Callable[[FeedOutcome], object] | None = None,
) -> RefreshReport:
    """Refresh each feed in turn; a failing feed is one line and does not stop the rest.

    ``feeds`` are Feeds or names; each is read afresh from ``store`` so its
    validators are the latest recorded. ``force`` ignores the stored ETag,
    Last-Modified and seen guids: for a library that did not make them (the
    feed list came from someone else through git) or was restored.
    ``progress`` is called with each feed's outcome as soon as it is known.
    Exceptions other than feed, network and storage errors (KeyboardInterrupt
    above all) propagate, leaving the feed under way unrecorded.
    """
    report = RefreshReport()
    for wanted in feeds:
        name = wanted if isinstance(wanted, str) else wanted.name
        outcome = _refresh_one(name, client, store, apply, timeout, max_bytes, force)
        report.outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return report


def _refresh_one(
    name: str,
    client: httpx.Client,
    store: FeedStore,
    apply: Apply,
    timeout: float,
    max_bytes: int,
    force: bool,
) -> FeedOutcome:
    try:
        feed = store.get(name)
    except FeedListError as exc:
        return FeedOutcome(name, "failed", error=str(exc))
    outcome = FeedOutcome(feed.name, "failed")
    try:
        result = fetch(
            client,
            feed.url,
            etag=None if force else feed.etag,
            last_modified=None if force else feed.last_modified,
            timeout=timeout,
            max_bytes=max_bytes,
        )
        changes: dict[str, object] = {"last_refresh": now_iso(), "last_error": None}
        if result.moved_to:
            changes["url"] = result.moved_to
        if result.not_modified:
            outcome.status = "not_modified"
            changes.update(etag=result.etag, last_modified=result.last_modified)
            store.record(feed.name, **changes)
            return outcome
        parsed = parse_feed(result.body, f"feed:{feed.name}", content_type=result.content_type)
        seen = set() if force else set(feed.seen)
        outcome.entries = len(parsed.entries)
        outcome.skipped = parsed.skipped
        outcome.new = [e for e in parsed.entries if e.guid not in seen]
        if outcome.new:
            try:
                apply(feed, outcome.new)
            except (StorageError, OSError, ValueError) as exc:
                outcome.new = []
                raise FeedError(f"could not add its entries: {exc}") from exc
        changes.update(
            etag=result.etag,
            last_modified=result.last_modified,
            seen=_seen_after([] if force else feed.seen, parsed.entries),
        )
        store.record(feed.name, **changes)
        outcome.status = "updated" if outcome.new else "unchanged"
        return outcome
    except FeedError as exc:
        outcome.status, outcome.error = "failed", str(exc)
        outcome.new = []
    except StorageError as exc:  # the feed list itself could not be written
        outcome.status, outcome.error = "failed", str(exc)
        return outcome
    # The error is in the report either way; if the list cannot be written
    # it keeps its last good state.
    with contextlib.suppress(StorageError):
        store.record(feed.name, last_refresh=now_iso(), last_error=outcome.error)
    return outcome
