"""Feeds through the command line, on the bundled corpus, served from 127.0.0.1.

A Lil'Log-style feed of the corpus's untitled excerpts merges into those
items (they gain the real title, date and link), a second refresh asks with
the feed's ETag and adds nothing, and a failing feed is one line and a
non-zero exit without stopping the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.session import Session
from tests.feed_fixtures.lillog import lillog_posts, rss
from tests.feed_fixtures.server import FeedServer, Route, feed_server
from tui.cli import main

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def shelf(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), "--user", "alice", *args])


def test_a_lillog_feed_names_the_corpus_excerpts(bundled_data: Path, server, capsys) -> None:
    items = Session.open(bundled_data, "alice").shelf.items()
    before = len(items)
    posts = lillog_posts(list(items.values()))
    server.routes["/lillog"] = Route(rss(posts), etag='"v1"')
    assert shelf(bundled_data, "feed", "add", server.url("/lillog"), "--name", "lillog") == 0
    capsys.readouterr()
    assert shelf(bundled_data, "feed", "list", "--json") == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["name"] == "lillog" and "seen" not in listed

    assert shelf(bundled_data, "refresh", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["feeds"][0]["status"] == "updated" and report["added"] == []
    assert len(report["merged"]) == len(posts)
    after = Session.open(bundled_data, "alice").shelf.items()
    assert len(after) == before  # merged into the excerpts, nothing new
    for post in posts:
        item = after[post.item_id]
        assert item.title == post.title and not item.title_derived
        assert item.date == post.date and post.link in item.urls

    assert shelf(bundled_data, "refresh") == 0  # the ETag matches: nothing fetched anew
    assert "lillog: not modified" in capsys.readouterr().out
    assert server.requests_to("/lillog")[-1].headers.get("if-none-match") == '"v1"'


def test_one_failing_feed_does_not_stop_the_others(bundled_data: Path, server, capsys) -> None:
    server.routes["/gone"] = Route(b"", status=404)
    server.routes["/ok"] = Route(rss([]))
    assert shelf(bundled_data, "feed", "add", server.url("/gone"), "--name", "gone") == 0
    assert shelf(bundled_data, "feed", "add", server.url("/ok"), "--name", "ok") == 0
    capsys.readouterr()
    assert shelf(bundled_data, "refresh") == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("gone: ") and "404" in err
    assert "ok: 0 new of 0" in out
    assert shelf(bundled_data, "feed", "remove", "gone") == 0
    assert shelf(bundled_data, "feed", "add", "file:///etc/passwd") == 1


def test_U_refreshes_feeds_in_the_app_and_new_items_appear(tmp_path: Path, server) -> None:
    import asyncio

    from core import feeds
    from tests.tui_helpers import open_test_shelf, settle
    from tui.app import ShelfApp

    folder = tmp_path / "data"
    session = Session(open_test_shelf(folder))
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
        b"<item><title>A Post About Sparse Mixtures</title><link>https://example.org/moe</link>"
        b"<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>"
        b"<description>Routing tokens to experts.</description></item></channel></rss>"
    )
    server.routes["/blog"] = Route(body)
    feeds.add_feed(session, server.url("/blog"), "blog")
    app = ShelfApp(session)

    async def go() -> list[str]:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert len(app.model.library_order) == 8
            await pilot.press("U")
            await settle(pilot)
            for _ in range(100):  # the poll that follows the refresh brings the items in
                if len(app.model.library_order) == 9:
                    break
                await pilot.pause(0.05)
            titles = [app.model.row(i).title for i in app.model.library_order]
            assert "A Post About Sparse Mixtures" in titles
            return [str(n.message) for n in app._notifications]

    notes = asyncio.run(go())
    assert "blog: 1 new of 1" in notes
