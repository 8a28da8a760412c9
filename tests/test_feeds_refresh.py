"""Refreshing against feeds served from 127.0.0.1: what is fetched, applied and recorded."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest

from seeds.model import Item
from storage.atomic import StorageError
from storage.feeds.fetch import USER_AGENT, RefreshReport, fetch, make_client, refresh
from storage.feeds.match import merge_feed_entries
from storage.feeds.parse import FeedEntry, FeedError
from storage.feeds.store import Feed, FeedStore
from tests.feed_fixtures.lillog import corpus_items, lillog_posts, rss
from tests.feed_fixtures.server import FeedServer, Route, feed_server, fixture

pytestmark = pytest.mark.timeout(60)

ATOM = "application/atom+xml"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


@pytest.fixture
def client():
    # trust_env=False: a proxy set in the environment must not see 127.0.0.1.
    with make_client(timeout=5.0, trust_env=False) as http:
        yield http


@pytest.fixture
def store(tmp_path) -> FeedStore:
    return FeedStore.in_folder(tmp_path)


class Applied:
    """An ``apply`` that records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[FeedEntry]]] = []

    def __call__(self, feed: Feed, entries: list[FeedEntry]) -> None:
        self.calls.append((feed.name, entries))

    def titles(self, name: str) -> list[str]:
        return [e.entry.title for n, entries in self.calls if n == name for e in entries]


def _follow(store: FeedStore, server: FeedServer, name: str, path: str, route: Route) -> None:
    server.routes[path] = route
    store.add(server.url(path), name=name)


def _rss_items(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://example.com/{t}</link><guid>{t}</guid>"
        f"<pubDate>Mon, 01 Dec 2026 10:00:00 GMT</pubDate>"
        f"<description>About {t}.</description></item>"
        for t in titles
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Changing</title>'
        f"<link>https://example.com/</link>{items}</channel></rss>"
    ).encode()


def test_four_dialects_in_one_refresh(server, client, store):
    _follow(store, server, "openai", "/rss2", Route(fixture("rss2.xml"), etag='"a1"'))
    _follow(store, server, "lillog", "/atom", Route(fixture("atom.xml"), content_type=ATOM))
    _follow(store, server, "arxiv-cl", "/arxiv-rss", Route(fixture("arxiv_rss.xml")))
    _follow(
        store,
        server,
        "arxiv-api",
        "/arxiv-atom",
        Route(fixture("arxiv_atom.xml"), content_type=ATOM),
    )
    applied = Applied()
    report = refresh(store.feeds(), client=client, store=store, apply=applied)
    assert report.lines() == [
        "openai: 2 new of 2",
        "lillog: 2 new of 2",
        "arxiv-cl: 2 new of 2",
        "arxiv-api: 2 new of 2",
    ]
    assert not report.failed
    assert report.summary() == "4 feeds, 8 new entries"
    assert applied.titles("arxiv-cl") == [
        "GPT-4 Technical Report",
        "Training language models to follow instructions with human feedback",
    ]
    ((_, arxiv),) = [call for call in applied.calls if call[0] == "arxiv-cl"]
    assert arxiv[0].arxiv_id == "2303.08774" and arxiv[0].entry.category == "CL"
    assert arxiv[0].entry.source == "feed:arxiv-cl"
    assert applied.titles("arxiv-api")[0] == "Attention Is All You Need"
    assert applied.titles("lillog")[0] == "Reward Hacking in Reinforcement Learning"
    openai = store.get("openai")
    assert openai.etag == '"a1"' and openai.last_error is None and openai.last_refresh
    assert openai.seen == ["openai-reducing-bias", "https://openai.com/blog/escaped"]
    request = server.requests_to("/rss2")[0]
    assert request.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("shelf/")
    assert "if-none-match" not in request.headers


def test_a_feed_that_changes_between_refreshes(server, client, store):
    _follow(store, server, "changing", "/feed", Route(_rss_items("one", "two"), etag='"1"'))
    applied = Applied()
    refresh(["changing"], client=client, store=store, apply=applied)
    server.routes["/feed"] = Route(_rss_items("three", "one", "two"), etag='"2"')
    report = refresh(["changing"], client=client, store=store, apply=applied)
    assert report.lines() == ["changing: 1 new of 3"]
    assert [e.entry.title for e in report.new_entries] == ["three"]
    assert applied.titles("changing") == ["one", "two", "three"]
    assert store.get("changing").etag == '"2"'
    assert store.get("changing").seen == ["three", "one", "two"]
    assert server.requests_to("/feed")[1].headers["if-none-match"] == '"1"'
    # Fetched again but nothing new: nothing is applied.
    server.routes["/feed"] = Route(_rss_items("three", "one", "two"), etag='"3"')
    report = refresh(["changing"], client=client, store=store, apply=applied)
    assert report.outcomes[0].status == "unchanged"
    assert len(applied.calls) == 2


def test_304_when_the_etag_matches(server, client, store):
    _follow(store, server, "static", "/static", Route(_rss_items("a"), etag='"same"'))
    last_modified = "Mon, 01 Dec 2026 10:00:00 GMT"
    _follow(store, server, "dated", "/dated", Route(_rss_items("b"), last_modified=last_modified))
    applied = Applied()
    refresh(store.feeds(), client=client, store=store, apply=applied)
    report = refresh(store.feeds(), client=client, store=store, apply=applied)
    assert report.lines() == ["static: not modified", "dated: not modified"]
    assert [o.status for o in report.outcomes] == ["not_modified", "not_modified"]
    assert len(applied.calls) == 2  # only the first refresh applied anything
    assert server.requests_to("/static")[1].headers["if-none-match"] == '"same"'
    assert server.requests_to("/dated")[1].headers["if-modified-since"] == last_modified
    assert store.get("static").etag == '"same"' and store.get("static").seen == ["a"]
    # force ignores what was recorded: fetched in full and applied again.
    report = refresh(["static"], client=client, store=store, apply=applied, force=True)
    assert report.lines() == ["static: 1 new of 1"]
    assert "if-none-match" not in server.requests_to("/static")[2].headers


def test_failures_are_one_line_each_and_do_not_stop_the_others(server, client, store):
    _follow(store, server, "good-1", "/good1", Route(_rss_items("a")))
    store.add(server.url("/missing"), name="missing")
    _follow(store, server, "broken", "/500", Route(b"oops", status=500))
    _follow(store, server, "malformed", "/bad", Route(fixture("malformed.xml")))
    _follow(
        store,
        server,
        "html",
        "/html",
        Route(b"<html><body>hi</body></html>", content_type="text/html"),
    )
    _follow(store, server, "good-2", "/good2", Route(_rss_items("b")))
    applied = Applied()
    report = refresh(store.feeds(), client=client, store=store, apply=applied)
    lines = report.lines()
    assert lines[0] == "good-1: 1 new of 1"
    assert lines[1] == "missing: HTTP 404 Not Found"
    assert lines[2] == "broken: HTTP 500 Internal Server Error"
    assert lines[3].startswith("malformed: malformed feed: ")
    assert lines[4] == "html: not an RSS or Atom feed"
    assert lines[5] == "good-2: 1 new of 1"
    assert all("\n" not in line for line in lines)
    assert [o.name for o in report.failed] == ["missing", "broken", "malformed", "html"]
    assert applied.titles("good-1") == ["a"] and applied.titles("good-2") == ["b"]
    missing = store.get("missing")
    assert missing.last_error == "HTTP 404 Not Found" and missing.etag is None
    assert missing.last_refresh is not None and missing.seen == []
    # The next good refresh clears the error.
    server.routes["/missing"] = Route(_rss_items("c"))
    refresh(["missing"], client=client, store=store, apply=applied)
    assert store.get("missing").last_error is None


def test_a_response_over_the_cap_is_refused(server, client, store):
    _follow(store, server, "huge", "/huge", Route(stream_bytes=6 * 1024 * 1024))
    _follow(store, server, "declared", "/declared", Route(_rss_items("x"), headers={}))
    server.routes["/declared"].body = b" " * (2 * 1024 * 1024)
    # A few kilobytes on the wire, 8 MB once decompressed: the cap counts the latter.
    bomb = gzip.compress(b" " * (8 * 1024 * 1024))
    _follow(store, server, "bomb", "/bomb", Route(bomb, headers={"Content-Encoding": "gzip"}))
    _follow(store, server, "small", "/small", Route(_rss_items("ok")))
    report = refresh(
        store.feeds(), client=client, store=store, apply=Applied(), max_bytes=1024 * 1024
    )
    assert len(bomb) < 64 * 1024
    assert report.lines() == [
        "huge: the response is larger than the 1 MB limit",
        "declared: the response is larger than the 1 MB limit",
        "bomb: the response is larger than the 1 MB limit",
        "small: 1 new of 1",
    ]


def test_a_slow_feed_times_out(server, client, store):
    _follow(store, server, "slow", "/slow", Route(_rss_items("late"), delay=20.0))
    _follow(store, server, "quick", "/quick", Route(_rss_items("fast")))
    report = refresh(store.feeds(), client=client, store=store, apply=Applied(), timeout=1.5)
    assert report.lines() == ["slow: timed out after 1.5 s", "quick: 1 new of 1"]
    assert store.get("slow").last_error == "timed out after 1.5 s"


def test_redirects(server, client, store):
    server.routes["/new-home"] = Route(_rss_items("moved"))
    _follow(
        store, server, "moved", "/old-home", Route(status=301, headers={"Location": "/new-home"})
    )
    _follow(
        store,
        server,
        "sneaky",
        "/sneaky",
        Route(status=302, headers={"Location": "file:///etc/passwd"}),
    )
    _follow(store, server, "loop", "/loop", Route(status=302, headers={"Location": "/loop"}))
    report = refresh(store.feeds(), client=client, store=store, apply=Applied())
    assert report.lines() == [
        "moved: 1 new of 1",
        "sneaky: redirected to a non-http address: 'file:///etc/passwd'",
        "loop: more than 5 redirects",
    ]
    # A permanent move is remembered.
    assert store.get("moved").url == server.url("/new-home")
    assert store.get("sneaky").url == server.url("/sneaky")


def test_connection_refused_is_one_line(client, store):
    with feed_server() as gone:
        url = gone.url("/feed")
    store.add(url, name="down")
    report = refresh(["down", "not-followed"], client=client, store=store, apply=Applied())
    assert report.outcomes[0].status == "failed"
    assert report.lines()[0].startswith("down: cannot fetch")
    assert report.lines()[1] == "not-followed: no feed called 'not-followed'"


def test_fetch_alone(server, client):
    server.routes["/f"] = Route(
        _rss_items("a"), etag='"e"', last_modified="Mon, 01 Dec 2026 10:00:00 GMT"
    )
    first = fetch(client, server.url("/f"))
    assert not first.not_modified and first.etag == '"e"' and b"<rss" in first.body
    assert first.content_type == "application/rss+xml; charset=utf-8"
    second = fetch(client, server.url("/f"), etag=first.etag)
    assert second.not_modified and second.body == b"" and second.etag == '"e"'
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch(client, server.url("/nothing"))


class Interrupt(BaseException):
    """Stands in for KeyboardInterrupt or the process being stopped mid-refresh."""


def test_an_interrupted_refresh_leaves_each_feed_applied_or_not(server, client, store):
    _follow(store, server, "first", "/first", Route(_rss_items("a1", "a2"), etag='"a"'))
    _follow(store, server, "second", "/second", Route(_rss_items("b1"), etag='"b"'))
    _follow(store, server, "third", "/third", Route(_rss_items("c1"), etag='"c"'))
    library: dict[str, list[str]] = {}

    def apply_then_die(feed: Feed, entries: list[FeedEntry]) -> None:
        if feed.name == "second":
            raise Interrupt
        library.setdefault(feed.name, []).extend(e.guid for e in entries)

    with pytest.raises(Interrupt):
        refresh(store.feeds(), client=client, store=store, apply=apply_then_die)
    assert library == {"first": ["a1", "a2"]}
    assert store.get("first").etag == '"a"' and store.get("first").seen == ["a1", "a2"]
    # The feed under way when the refresh stopped was not recorded...
    assert store.get("second").etag is None and store.get("second").seen == []
    assert store.get("third").etag is None

    def apply(feed: Feed, entries: list[FeedEntry]) -> None:
        library.setdefault(feed.name, []).extend(e.guid for e in entries)

    # ...so the next refresh picks it up; the finished feed is not applied twice.
    report = refresh(store.feeds(), client=client, store=store, apply=apply)
    assert report.lines() == ["first: not modified", "second: 1 new of 1", "third: 1 new of 1"]
    assert library == {"first": ["a1", "a2"], "second": ["b1"], "third": ["c1"]}


def test_a_failing_apply_fails_only_its_feed(server, client, store):
    _follow(store, server, "full-disk", "/a", Route(_rss_items("a"), etag='"a"'))
    _follow(store, server, "fine", "/b", Route(_rss_items("b")))
    applied = Applied()

    def apply(feed: Feed, entries: list[FeedEntry]) -> None:
        if feed.name == "full-disk":
            raise StorageError("cannot save library.json: the disk is full")
        applied(feed, entries)

    report = refresh(store.feeds(), client=client, store=store, apply=apply)
    assert report.lines() == [
        "full-disk: could not add its entries: cannot save library.json: the disk is full",
        "fine: 1 new of 1",
    ]
    assert report.outcomes[0].new == []
    assert store.get("full-disk").etag is None  # retried in full next time
    assert store.get("full-disk").seen == []


def test_progress_is_told_each_outcome(server, client, store):
    _follow(store, server, "a", "/a", Route(_rss_items("x")))
    _follow(store, server, "b", "/b", Route(status=500))
    seen: list[str] = []
    report = refresh(
        store.feeds(),
        client=client,
        store=store,
        apply=Applied(),
        progress=lambda o: seen.append(o.line()),
    )
    assert seen == report.lines()
    assert isinstance(report, RefreshReport)


def test_lillog_feed_titles_the_corpus_excerpts(server, client, store):
    """End to end: the feed is fetched, its entries applied through merge_feed_entries."""
    corpus = corpus_items()
    posts = lillog_posts(corpus)
    _follow(store, server, "lillog", "/index.xml", Route(rss(posts), etag='"lil"'))
    library: dict[str, Item] = {item.id: item for item in corpus}

    def apply(feed: Feed, entries: list[FeedEntry]) -> None:
        result = merge_feed_entries([e.entry for e in entries], library.values())
        library.update({item.id: item for item in result.items})

    report = refresh(["lillog"], client=client, store=store, apply=apply)
    assert report.lines() == [f"lillog: {len(posts)} new of {len(posts)}"]
    assert len(library) == len(corpus)  # nothing added: every entry found its excerpt
    for post in posts:
        item = library[post.item_id]
        assert (item.title, item.date, item.title_derived) == (post.title, post.date, False)
        assert post.link in item.urls
        assert "feed:lillog" in item.sources
