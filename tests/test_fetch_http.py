"""The HTTP policy against a real local server: retries, pacing, caps, timeouts, redirects."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from storage.fetch.http import (
    DEFAULT_ARXIV_API,
    DEFAULT_CROSSREF_API,
    FetchError,
    FetchSettings,
    HttpClient,
    retry_after,
)
from tests.http_fixtures.server import JSON, FakeTime, FakeWeb, Reply, closed_port

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_proxies")]


NOW = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with FakeWeb() as server:
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake_time: FakeTime) -> Iterator[HttpClient]:
    settings = FetchSettings(
        contact_email="reader@example.org",
        project_url="https://example.org/shelf",
        connect_timeout=2.0,
        read_timeout=0.5,
        max_bytes=64 * 1024,
    )
    with HttpClient(settings, clock=fake_time.clock, sleep=fake_time.sleep, now=lambda: NOW) as c:
        yield c


def get_json(client: HttpClient, url: str, **kwargs: object) -> object:
    return client.get(url, accept=["application/json"], service="Test API", **kwargs)  # type: ignore[arg-type]


# -- settings ---------------------------------------------------------------------------


def test_settings_default_to_the_real_services() -> None:
    settings = FetchSettings.from_env({})
    assert settings.arxiv_api == DEFAULT_ARXIV_API == "http://export.arxiv.org/api/query"
    assert settings.crossref_api == DEFAULT_CROSSREF_API == "https://api.crossref.org"
    assert settings.doi_resolver == "https://doi.org"
    assert settings.contact_email is None
    assert settings.user_agent.startswith("shelf/")
    assert "mailto" not in settings.user_agent


def test_settings_follow_the_environment() -> None:
    settings = FetchSettings.from_env(
        {
            "SHELF_ARXIV_API": "http://mirror.example/api/query/",
            "SHELF_CROSSREF_API": "https://crossref.mirror.example",
            "SHELF_DOI_RESOLVER": "http://resolver.example/",
            "SHELF_CONTACT_EMAIL": " reader@example.org ",
        },
        project_url="https://example.org/shelf",
    )
    assert settings.arxiv_api == "http://mirror.example/api/query"
    assert settings.crossref_api == "https://crossref.mirror.example"
    assert settings.doi_resolver == "http://resolver.example"
    assert settings.user_agent.endswith(" (+https://example.org/shelf; mailto:reader@example.org)")


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="SHELF_CROSSREF_API='file:///etc' is not an http"):
        FetchSettings.from_env({"SHELF_CROSSREF_API": "file:///etc"})


# -- answers ----------------------------------------------------------------------------


def test_a_good_answer_and_what_we_sent(web: FakeWeb, client: HttpClient) -> None:
    web.route("/works/x", Reply(body='{"status": "ok"}', content_type="application/json"))
    response = client.get(
        web.url("/works/x"), params={"q": "a b"}, accept=["application/json"], service="Test API"
    )
    assert response.body == b'{"status": "ok"}'
    assert response.media_type == "application/json"
    assert response.charset is None
    assert response.text() == '{"status": "ok"}'
    (seen,) = web.seen("/works/x")
    assert seen.query == {"q": ["a b"]}
    assert seen.headers["User-Agent"].endswith(
        "(+https://example.org/shelf; mailto:reader@example.org)"
    )
    assert seen.headers["Accept"].startswith("application/json")


def test_404_is_one_line_with_the_status(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    with pytest.raises(FetchError) as caught:
        get_json(client, web.url("/missing"))
    assert str(caught.value) == "Test API: HTTP 404 Not Found"
    assert caught.value.status == 404
    assert fake_time.sleeps == []  # a 404 is an answer, not a hiccup: no retry
    assert len(web.seen("/missing")) == 1


def test_500_then_200_is_retried_after_a_backoff(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    web.route("/flaky", Reply(500, "oops"), Reply(body="[]", content_type=JSON))
    assert get_json(client, web.url("/flaky")).body == b"[]"  # type: ignore[attr-defined]
    assert len(web.seen("/flaky")) == 2
    assert fake_time.sleeps == [2.0]


def test_backoff_doubles_and_then_gives_up(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    web.route("/down", Reply(503, "busy"))
    with pytest.raises(FetchError, match=r"^Test API: HTTP 503 Service Unavailable$"):
        get_json(client, web.url("/down"))
    assert fake_time.sleeps == [2.0, 4.0, 8.0]
    assert len(web.seen("/down")) == 4


def test_429_waits_as_long_as_retry_after_says(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    web.route(
        "/limited",
        Reply(429, "slow down", headers={"Retry-After": "7"}),
        Reply(body="{}", content_type=JSON),
    )
    assert get_json(client, web.url("/limited")).body == b"{}"  # type: ignore[attr-defined]
    assert fake_time.sleeps == [7.0]


def test_retry_after_as_an_http_date(web: FakeWeb, client: HttpClient, fake_time: FakeTime) -> None:
    web.route(
        "/limited",
        Reply(503, "", headers={"Retry-After": "Sun, 06 Dec 2026 12:00:12 GMT"}),
        Reply(body="{}", content_type=JSON),
    )
    get_json(client, web.url("/limited"))
    assert fake_time.sleeps == [12.0]


def test_a_retry_after_beyond_the_cap_fails_instead_of_stalling(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    web.route("/limited", Reply(429, "", headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError) as caught:
        get_json(client, web.url("/limited"))
    assert str(caught.value) == (
        "Test API is busy (HTTP 429) and asked to wait 3600 s; try again later"
    )
    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Sun, 06 Dec 2026 12:01:00 GMT", 60.0),
        ("Sun, 06 Dec 2026 11:00:00 GMT", 0.0),  # in the past: go now
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, NOW) == seconds


def test_paced_requests_are_spaced_out(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    web.route("/api", Reply(body="{}", content_type=JSON))
    for _ in range(3):
        get_json(client, web.url("/api"), pace=("arxiv", 3.0))
    assert fake_time.sleeps == [3.0, 3.0]
    fake_time.now += 10  # long enough since the last one: no wait
    get_json(client, web.url("/api"), pace=("arxiv", 3.0))
    get_json(client, web.url("/api"))  # not paced
    assert fake_time.sleeps == [3.0, 3.0]


def test_a_retry_waits_for_its_pace_too(
    web: FakeWeb, client: HttpClient, fake_time: FakeTime
) -> None:
    web.route(
        "/api", Reply(503, "", headers={"Retry-After": "1"}), Reply(body="{}", content_type=JSON)
    )
    get_json(client, web.url("/api"), pace=("arxiv", 3.0))
    assert fake_time.sleeps == [1.0, 2.0]  # Retry-After, then the rest of the 3 s


# -- limits -----------------------------------------------------------------------------


def test_an_announced_oversized_body_is_not_read(web: FakeWeb, client: HttpClient) -> None:
    web.route("/big", Reply(body=b"[" + b"0," * 40000 + b"0]", content_type=JSON))
    with pytest.raises(
        FetchError, match=r"^127\.0\.0\.1 sent more than 0\.0625 MB \(0\.1 MB\); stopped reading$"
    ):
        get_json(client, web.url("/big"))


def test_a_streamed_body_is_cut_at_the_cap(web: FakeWeb, client: HttpClient) -> None:
    web.route("/huge", Reply(content_type=JSON, stream_bytes=50 * 1024 * 1024))
    with pytest.raises(
        FetchError, match=r"^127\.0\.0\.1 sent more than 0\.0625 MB; stopped reading$"
    ):
        get_json(client, web.url("/huge"))


def test_a_slow_server_times_out(web: FakeWeb, client: HttpClient) -> None:
    web.route("/slow", Reply(body="{}", content_type=JSON, delay=3.0))
    with pytest.raises(FetchError) as caught:
        get_json(client, web.url("/slow"))
    assert str(caught.value) == "Test API (127.0.0.1) did not answer within 0.5 s"


def test_nothing_listening_is_one_line(client: HttpClient) -> None:
    with pytest.raises(FetchError) as caught:
        get_json(client, f"http://127.0.0.1:{closed_port()}/works/x")
    message = str(caught.value)
    assert message.startswith("cannot connect to 127.0.0.1: ")
    assert "refused" in message.lower()
    assert "\n" not in message


def test_the_wrong_content_type_is_refused(web: FakeWeb, client: HttpClient) -> None:
    web.route("/page", Reply(body="<html></html>", content_type="text/html"))
    with pytest.raises(
        FetchError, match="^Test API answered with text/html, not application/json$"
    ):
        get_json(client, web.url("/page"))


def test_an_unknown_or_wrong_charset_is_reported(web: FakeWeb, client: HttpClient) -> None:
    web.route("/a", Reply(body="{}", content_type="application/json; charset=klingon"))
    web.route("/b", Reply(body=b'{"t": "\xff"}', content_type="application/json; charset=utf-8"))
    with pytest.raises(FetchError, match="unknown charset 'klingon'"):
        get_json(client, web.url("/a")).text()  # type: ignore[attr-defined]
    with pytest.raises(FetchError, match=r"not valid utf-8 \(byte 7\)"):
        get_json(client, web.url("/b")).text()  # type: ignore[attr-defined]


# -- redirects --------------------------------------------------------------------------


def test_redirects_to_http_are_followed(web: FakeWeb, client: HttpClient) -> None:
    web.route("/old", Reply(301, "", headers={"Location": "/new"}))
    web.route("/new", Reply(body="{}", content_type=JSON))
    response = get_json(client, web.url("/old"))
    assert response.url == web.url("/new")  # type: ignore[attr-defined]


def test_a_redirect_off_http_is_not_followed(web: FakeWeb, client: HttpClient) -> None:
    web.route("/sneaky", Reply(302, "", headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="redirected to a file: URL; only http"):
        get_json(client, web.url("/sneaky"))


def test_a_redirect_loop_ends(web: FakeWeb, client: HttpClient) -> None:
    web.route("/loop", Reply(302, "", headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        get_json(client, web.url("/loop"))
    assert len(web.seen("/loop")) == 6


def test_pacing_holds_across_threads(web: FakeWeb, client: HttpClient, fake_time: FakeTime) -> None:
    web.route("/api", Reply(body="{}", content_type=JSON))
    threads = [
        threading.Thread(
            target=get_json, args=(client, web.url("/api")), kwargs={"pace": ("arxiv", 3.0)}
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(web.seen("/api")) == 4
    assert fake_time.sleeps == [3.0, 3.0, 3.0]  # one at a time, each a full interval after the last


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://127.0.0.1/x", "only http(s) URLs with a host"),
        ("http:///nohost", "only http(s) URLs with a host"),
        ("http://[::1/x", "bad URL 'http://[::1/x'"),
    ],
)
def test_a_bad_url_is_a_fetch_error(client: HttpClient, url: str, says: str) -> None:
    with pytest.raises(FetchError, match=re.escape(says)):
        get_json(client, url)
