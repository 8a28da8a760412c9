"""Feeds for front ends: the shared feed list and a refresh that merges what is new.

A refresh fetches each feed (conditional GET), merges its new entries into
the library exactly as an import does (``Library.import_entries``), and only
then records the feed's validators, so an interrupted refresh leaves each
feed applied or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.feeds import Feed, FeedEntry, FeedOutcome, FeedStore, RefreshReport, make_client
from storage.feeds import refresh as refresh_feeds

if TYPE_CHECKING:
    from core.session import Session


@dataclass
class Refreshed:
    """A refresh's report and the ids of the items it added or changed."""

    report: RefreshReport
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def feed_store(session: Session) -> FeedStore:
    return FeedStore.in_folder(session.shelf.dirs)


def list_feeds(session: Session) -> list[Feed]:
    return feed_store(session).feeds()


def add_feed(session: Session, url: str, name: str | None = None) -> Feed:
    return feed_store(session).add(url, name=name)


def remove_feed(session: Session, name: str) -> None:
    feed_store(session).remove(name)


def refresh(
    session: Session,
    names: Sequence[str] = (),
    *,
    force: bool = False,
    progress: Callable[[FeedOutcome], object] | None = None,
) -> Refreshed:
    """Refresh ``names`` (every feed when empty); one failing feed never stops the rest."""
    store = feed_store(session)
    library = session.shelf.library
    done = Refreshed(RefreshReport())

    def apply(feed: Feed, entries: list[FeedEntry]) -> None:
        session.ensure_watermark()
        report = library.import_entries([e.entry for e in entries], f"feed:{feed.name}")
        done.added += report.added
        done.merged += report.merged

    wanted: Sequence[Feed | str] = list(names) if names else store.feeds()
    with make_client() as client:
        done.report = refresh_feeds(
            wanted, client=client, store=store, apply=apply, force=force, progress=progress
        )
    if done.added or done.merged:
        items = session.shelf.items()
        session.search.note_items(items[i] for i in {*done.added, *done.merged} if i in items)
    return done


__all__ = [
    "Feed",
    "FeedOutcome",
    "Refreshed",
    "add_feed",
    "feed_store",
    "list_feeds",
    "refresh",
    "remove_feed",
]
