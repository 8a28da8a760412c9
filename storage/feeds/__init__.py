"""Following feeds: the feed list, fetching, parsing, and matching entries to items.

The command line and the app reach this through the core; nothing here knows
about either. See ``fetch.refresh`` for how a refresh commits feed by feed.

How the layers above are meant to use it (not wired yet)::

    store = FeedStore.in_folder(data_dir)          # feeds.json in the data folder
    store.add(url, name)  /  store.feeds()  /  store.remove(name)

    def apply(feed, entries):                      # the library import, under its lock
        library.import_entries([e.entry for e in entries], f"feed:{feed.name}")
        # ... which merges with merge_feed_entries instead of merge_entries

    with make_client() as client:
        report = refresh(names or store.feeds(), client=client, store=store, apply=apply)
    report.lines()  # one per feed; report.failed decides the exit status

``apply`` runs between the fetch and the feed's record in ``feeds.json``, so
it must be idempotent (a refresh stopped after it applies the entries again).
"""

from storage.feeds.fetch import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    Apply,
    FeedOutcome,
    FetchResult,
    RefreshReport,
    fetch,
    make_client,
    refresh,
)
from storage.feeds.match import (
    TruncationIndex,
    match_truncated,
    merge_feed_entries,
    merge_matched,
)
from storage.feeds.parse import (
    ARXIV_KIND,
    FEED_KIND,
    MAX_FEED_BYTES,
    FeedEntry,
    FeedError,
    ParsedFeed,
    parse_feed,
    plain_text,
)
from storage.feeds.store import (
    FEEDS_FILE,
    Feed,
    FeedListError,
    FeedStore,
    suggest_name,
    validate_url,
)

__all__ = [
    "ARXIV_KIND",
    "DEFAULT_TIMEOUT",
    "FEEDS_FILE",
    "FEED_KIND",
    "MAX_FEED_BYTES",
    "USER_AGENT",
    "Apply",
    "Feed",
    "FeedEntry",
    "FeedError",
    "FeedListError",
    "FeedOutcome",
    "FeedStore",
    "FetchResult",
    "ParsedFeed",
    "RefreshReport",
    "TruncationIndex",
    "fetch",
    "make_client",
    "match_truncated",
    "merge_feed_entries",
    "merge_matched",
    "parse_feed",
    "plain_text",
    "refresh",
    "suggest_name",
    "validate_url",
]
