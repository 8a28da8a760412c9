"""Following feeds: the feed list, fetching, parsing, and matching entries to items.

The command line and the app reach this through the core; nothing here knows
about either. See ``fetch.refresh`` for how a refresh commits feed by feed.
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
