"""feeds.json: the shareable feed list, strict on read, atomic on write."""

from __future__ import annotations

import json
import threading

import pytest

from storage.feeds.store import (
    FEEDS_FILE,
    Feed,
    FeedListError,
    FeedStore,
    decode_feed_list,
    suggest_name,
    validate_url,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def store(tmp_path):
    return FeedStore.in_folder(tmp_path)


def _write(tmp_path, document) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    (tmp_path / FEEDS_FILE).write_text(text, encoding="utf-8")


def _document(*feeds, version=1):
    return {"format": {"name": "shelf-feeds", "version": version}, "feeds": list(feeds)}


def test_no_file_is_no_feeds(store):
    assert store.feeds() == []


def test_in_a_data_folder(tmp_path):
    from storage.paths import DataDir

    store = FeedStore.in_folder(DataDir(tmp_path))
    store.add("https://example.com/feed.xml", name="ex")
    assert (tmp_path / "feeds.json").is_file() and (tmp_path / ".locks" / "feeds.lock").is_file()


def test_add_list_remove_round_trip(store, tmp_path):
    lillog = store.add("https://lilianweng.github.io/index.xml", now="2026-12-01T10:00:00Z")
    arxiv = store.add("https://rss.arxiv.org/rss/cs.CL", name="arxiv-cl")
    assert lillog.name == "lilianweng"
    assert lillog.added == "2026-12-01T10:00:00Z"
    assert [f.name for f in store.feeds()] == ["lilianweng", "arxiv-cl"]
    data = json.loads((tmp_path / FEEDS_FILE).read_text(encoding="utf-8"))
    assert data["format"] == {"name": "shelf-feeds", "version": 1}
    assert data["feeds"][0] == {
        "name": "lilianweng",
        "url": "https://lilianweng.github.io/index.xml",
        "etag": None,
        "last_modified": None,
        "added": "2026-12-01T10:00:00Z",
        "last_refresh": None,
        "last_error": None,
        "seen": [],
    }
    assert store.get("ARXIV-CL").url == arxiv.url  # names are case-insensitive
    assert store.remove("lilianweng").name == "lilianweng"
    assert [f.name for f in store.feeds()] == ["arxiv-cl"]
    with pytest.raises(FeedListError, match="no feed called 'lilianweng'"):
        store.remove("lilianweng")
    # Nothing but the file itself is left in the folder (no temp files).
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", FEEDS_FILE]


def test_add_refuses_duplicates_and_bad_input(store):
    store.add("https://example.com/feed.xml", name="ex")
    with pytest.raises(FeedListError, match="already followed as 'ex'"):
        store.add("https://example.com/feed.xml")
    with pytest.raises(FeedListError, match="already a feed called 'EX'"):
        store.add("https://example.com/other.xml", name="EX")
    with pytest.raises(FeedListError, match="feed name"):
        store.add("https://example.com/third.xml", name="../etc")
    assert [f.name for f in store.feeds()] == ["ex"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed.xml",
        "javascript:alert(1)",
        "feed://example.com/rss",
        "https://",
        "https://user:secret@example.com/feed",
        "https://example.com/a b",
        "https://example.com:notaport/",
        "",
        42,
    ],
)
def test_non_http_urls_refused(url):
    with pytest.raises(FeedListError):
        validate_url(url)


def test_suggested_names():
    assert suggest_name("https://lilianweng.github.io/index.xml", set()) == "lilianweng"
    assert suggest_name("https://rss.arxiv.org/rss/cs.CL", set()) == "arxiv-cs.cl"
    assert suggest_name("https://openai.com/news/rss.xml", set()) == "openai"
    assert suggest_name("https://openai.com/news/rss.xml", {"openai"}) == "openai-2"
    assert suggest_name("http://localhost:8000/feed", set()) == "localhost"


def test_record_changes_one_feed_atomically(store, tmp_path):
    store.add("https://example.com/a.xml", name="a")
    store.add("https://example.com/b.xml", name="b")
    before = (tmp_path / FEEDS_FILE).stat().st_ino
    feed = store.record("a", etag='"v1"', last_modified="Mon, 01 Dec 2026 10:00:00 GMT", seen=["x"])
    assert feed is not None and feed.etag == '"v1"'
    assert store.get("a").seen == ["x"] and store.get("b").etag is None
    assert (tmp_path / FEEDS_FILE).stat().st_ino != before  # replaced, not rewritten in place
    assert store.record("gone", etag="x") is None
    with pytest.raises(TypeError):
        store.record("a", colour="red")


def test_concurrent_changes_are_not_lost(store):
    def add(n: int) -> None:
        store.add(f"https://example.com/{n}.xml", name=f"f{n}")

    threads = [threading.Thread(target=add, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(f.name for f in store.feeds()) == sorted(f"f{n}" for n in range(20))


def test_unknown_fields_survive_a_save(store, tmp_path):
    _write(
        tmp_path,
        _document({"name": "a", "url": "https://example.com/a", "colour": "red", "seen": ["1"]}),
    )
    store.record("a", etag="e")
    data = json.loads((tmp_path / FEEDS_FILE).read_text(encoding="utf-8"))
    assert data["feeds"][0]["colour"] == "red" and data["feeds"][0]["etag"] == "e"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "must hold a JSON object"),
        ({"feeds": []}, "not a shelf feed list"),
        (
            {"format": {"name": "shelf-annotations", "version": 1}, "feeds": []},
            "not a shelf feed list",
        ),
        (_document(version=2), "newer shelf \\(format version 2\\)"),
        (_document(version="1"), "whole number"),
        (_document(version=True), "whole number"),
        (_document(version=0), "unknown format version"),
        ({"format": {"name": "shelf-feeds", "version": 1}, "feeds": {}}, "'feeds' must be a list"),
        (_document("x"), "each feed must be an object"),
        (_document({"name": "a"}), "feed URL must be text"),
        (_document({"name": "a", "url": "file:///etc/passwd"}), "only http and https"),
        (_document({"name": 3, "url": "https://example.com"}), "feed name"),
        (_document({"name": "a", "url": "https://example.com", "etag": 5}), "'etag' must be text"),
        (
            _document({"name": "a", "url": "https://example.com", "seen": "x"}),
            "'seen' must be a list",
        ),
        (
            _document(
                {"name": "a", "url": "https://example.com/1"},
                {"name": "A", "url": "https://example.com/2"},
            ),
            "names a feed twice",
        ),
        ("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n", "git conflict markers"),
    ],
)
def test_hostile_files_are_clear_errors(store, tmp_path, document, message):
    _write(tmp_path, document)
    before = (tmp_path / FEEDS_FILE).read_bytes()
    with pytest.raises(FeedListError, match=message) as info:
        store.feeds()
    assert "\n" not in str(info.value)
    # A file we cannot read is never written over: changes refuse too.
    with pytest.raises(FeedListError):
        store.add("https://example.com/new.xml")
    assert (tmp_path / FEEDS_FILE).read_bytes() == before


def test_not_utf8_is_an_error(store, tmp_path):
    (tmp_path / FEEDS_FILE).write_bytes(b"\xff\xfe{\x00")
    with pytest.raises(FeedListError, match="not UTF-8"):
        store.feeds()


def test_decode_accepts_what_encode_writes():
    feeds = [Feed(name="a", url="https://example.com/a", etag='W/"1"', seen=["g1", "g2"])]
    from storage.feeds.store import encode_feed_list

    again = decode_feed_list(encode_feed_list(feeds).decode("utf-8"), "feeds.json")
    assert again == feeds
