"""fetch_entries end to end: mixed references, one line per failure, nothing half-added."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seeds.bundled import bundled_documents
from seeds.merge import merge_entries
from seeds.parse import parse_document
from storage.fetch import FetchReport, Ref, fetch_entries, parse_ref
from storage.fetch.http import FetchSettings, HttpClient
from tests.http_fixtures.server import (
    ARXIV_PAPERS as PAPERS,
)
from tests.http_fixtures.server import (
    ATOM,
    HTML,
    JSON,
    ArxivAPI,
    FakeTime,
    FakeWeb,
    Reply,
    closed_port,
    fixture,
)

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_proxies")]


CLIP = "Learning Transferable Visual Models From Natural Language Supervision"


@pytest.fixture
def api() -> ArxivAPI:
    return ArxivAPI(PAPERS, malformed=frozenset({"1234.12345"}))


@pytest.fixture
def web(api: ArxivAPI) -> Iterator[FakeWeb]:
    with FakeWeb() as server:
        server.route("/api/query", api)
        server.route(
            "/cr/works/10.1038/nature14539",
            Reply(body=fixture("crossref_10.1038_nature14539.json"), content_type=JSON),
        )
        server.route(
            "/cr/works/10.1109/cvpr.2016.90",
            Reply(body=fixture("crossref_10.1109_cvpr.2016.90.json"), content_type=JSON),
        )
        server.route(
            "/v139/radford21a.html", Reply(body=fixture("page_pmlr_clip.html"), content_type=HTML)
        )
        server.route(
            "/index/clip/", Reply(body=fixture("page_openai_clip_og.html"), content_type=HTML)
        )
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def settings_for(web: FakeWeb, **overrides: object) -> FetchSettings:
    base = {
        "arxiv_api": web.url("/api/query"),
        "crossref_api": web.url("/cr"),
        "doi_resolver": web.url("/doi"),
        "connect_timeout": 2.0,
        "read_timeout": 0.5,
        "max_bytes": 1024 * 1024,
    }
    base.update(overrides)
    return FetchSettings(**base)  # type: ignore[arg-type]


@pytest.fixture
def client(web: FakeWeb, fake_time: FakeTime) -> Iterator[HttpClient]:
    with HttpClient(settings_for(web), clock=fake_time.clock, sleep=fake_time.sleep) as c:
        yield c


def test_a_mixed_list(web: FakeWeb, api: ArxivAPI, client: HttpClient) -> None:
    texts = [
        "arxiv:2303.08774",
        "doi:10.1038/nature14539",
        "https://arxiv.org/abs/2103.00020",
        "garbage",
        web.url("/index/clip/"),
        "https://doi.org/10.1109/CVPR.2016.90",
        "arXiv:hep-th/9711200",
        "doi:10.5555/missing",
    ]
    progress: list[tuple[int, int]] = []
    report = fetch_entries(texts, client=client, progress=lambda d, t: progress.append((d, t)))
    assert [r.text for r in report.results] == texts
    assert [r.found.entry.title if r.found else None for r in report.results] == [
        "GPT-4 Technical Report",
        "Deep learning",
        CLIP,
        None,
        "CLIP: Connecting text and images",
        "Deep Residual Learning for Image Recognition",
        "The Large N Limit of Superconformal Field Theories and Supergravity",
        None,
    ]
    assert report.errors == [
        "'garbage' is not a reference: give arxiv:ID (e.g. arxiv:2303.08774), doi:10.…, or an http(s) URL",
        "doi:10.5555/missing: Crossref has no work with this DOI,"
        " and its landing page gave none (127.0.0.1: HTTP 404 Not Found)",
    ]
    assert not report.ok
    assert len(report.entries) == 6
    assert [e.source for e in report.entries] == [
        "arxiv:2303.08774",
        "doi:10.1038/nature14539",
        "arxiv:2103.00020",
        web.url("/index/clip/"),
        "doi:10.1109/cvpr.2016.90",
        "arxiv:hep-th/9711200",
    ]
    assert api.asked == [
        ["2303.08774", "2103.00020", "hep-th/9711200"]
    ]  # one request for all three
    assert report.results[0].line == "arxiv:2303.08774: GPT-4 Technical Report"
    # The start, "garbage" at once, the three arXiv ids as their batch ends, then the rest.
    assert progress == [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (6, 8), (7, 8), (8, 8)]


def test_the_same_paper_twice_is_fetched_once(api: ArxivAPI, client: HttpClient) -> None:
    report = fetch_entries(
        ["arxiv:2303.08774", "https://arxiv.org/pdf/2303.08774", parse_ref("2303.08774")],
        client=client,
    )
    assert api.asked == [["2303.08774"]]
    assert report.ok
    assert [r.found.arxiv_id for r in report.results if r.found] == ["2303.08774"] * 3
    assert len(report.entries) == 1


def test_fetched_entries_merge_with_the_corpus(web: FakeWeb, client: HttpClient) -> None:
    corpus = [e for name, text in bundled_documents() for e in parse_document(text, name).entries]
    existing = merge_entries(corpus).items
    report = fetch_entries(
        ["arxiv:2103.00020", web.url("/v139/radford21a.html"), "arxiv:hep-th/9711200"],
        client=client,
    )
    result = merge_entries(report.entries, existing)
    (clip,) = [item for item in result.items if item.title == CLIP]
    assert clip.id in result.merged  # the corpus's CLIP, not a second one
    assert "https://arxiv.org/abs/2103.00020" in clip.urls
    assert "https://github.com/OpenAI/CLIP" in clip.urls
    assert "arxiv:2103.00020" in clip.sources
    assert web.url("/v139/radford21a.html") in clip.sources
    assert len(clip.authors) == 12
    (maldacena,) = [item for item in result.items if item.id in result.added]
    assert maldacena.category == "hep-th"


def test_settings_come_from_the_environment(web: FakeWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELF_ARXIV_API", web.url("/api/query"))
    monkeypatch.setenv("SHELF_CROSSREF_API", web.url("/cr"))
    monkeypatch.setenv("SHELF_DOI_RESOLVER", web.url("/doi"))
    monkeypatch.setenv("SHELF_CONTACT_EMAIL", "reader@example.org")
    report = fetch_entries(["arxiv:2303.08774", "doi:10.1038/nature14539"])
    assert report.ok, report.errors
    assert [e.title for e in report.entries] == ["GPT-4 Technical Report", "Deep learning"]
    for request in web.requests:
        assert "mailto:reader@example.org" in request.headers["User-Agent"]


def test_a_bad_setting_is_refused_before_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELF_ARXIV_API", "export.arxiv.org/api/query")
    with pytest.raises(
        ValueError, match="SHELF_ARXIV_API='export.arxiv.org/api/query' is not an http"
    ):
        fetch_entries(["arxiv:2303.08774"])


def test_only_unparseable_references_need_no_network() -> None:
    report = fetch_entries(["nonsense", "arxiv:99"])
    assert report.entries == []
    assert report.errors == [
        "'nonsense' is not a reference: give arxiv:ID (e.g. arxiv:2303.08774), doi:10.…, or an http(s) URL",
        "'arxiv:99': not an arXiv id (expected YYMM.NNNNN or archive/YYMMNNN, e.g. 2303.08774 or hep-th/9901001)",
    ]


# -- every failure is one line and no entry ------------------------------------------------


def outcome(report: FetchReport, ref: str) -> tuple[int, str | None]:
    (result,) = [r for r in report.results if r.text == ref]
    return len(result.entries), result.error


def test_retry_after_500_and_429(web: FakeWeb, client: HttpClient, fake_time: FakeTime) -> None:
    web.route(
        "/cr/works/10.1038/nature14539",
        Reply(500, "Internal Server Error"),
        Reply(429, "", headers={"Retry-After": "5"}),
        Reply(body=fixture("crossref_10.1038_nature14539.json"), content_type=JSON),
    )
    report = fetch_entries(["doi:10.1038/nature14539"], client=client)
    assert report.ok
    assert report.entries[0].authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert fake_time.sleeps == [2.0, 5.0]


@pytest.mark.parametrize(
    ("path", "reply", "ref", "error"),
    [
        (
            "/cr/works/10.1000/gone",
            Reply(404, "Resource not found."),
            "doi:10.1000/gone",
            "Crossref has no work with this DOI, and its landing page gave none"
            " (127.0.0.1: HTTP 404 Not Found)",
        ),
        (
            "/cr/works/10.1000/down",
            Reply(503, "Service Unavailable"),
            "doi:10.1000/down",
            "Crossref: HTTP 503 Service Unavailable",
        ),
        (
            "/cr/works/10.1000/busy",
            Reply(429, "", headers={"Retry-After": "7200"}),
            "doi:10.1000/busy",
            "Crossref is busy (HTTP 429) and asked to wait 7200 s; try again later",
        ),
        (
            "/cr/works/10.1000/bad-json",
            Reply(body=b'{"status": "ok", "message": {"title": ["Deep', content_type=JSON),
            "doi:10.1000/bad-json",
            "Crossref sent malformed JSON (line 1, column 40)",
        ),
        (
            "/api/query",
            Reply(
                body=b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>GPT",
                content_type=ATOM,
            ),
            "arxiv:2303.08774",
            "arXiv API sent malformed XML (line 1, column 60)",
        ),
        (
            "/api/query",
            Reply(content_type=ATOM, stream_bytes=8 * 1024 * 1024),
            "arxiv:2303.08774",
            "127.0.0.1 sent more than 1 MB; stopped reading",
        ),
        (
            "/cr/works/10.1000/slow",
            Reply(body="{}", content_type=JSON, delay=3.0),
            "doi:10.1000/slow",
            "Crossref (127.0.0.1) did not answer within 0.5 s",
        ),
        (
            "/page",
            Reply(body="<html><body>no metadata</body></html>", content_type=HTML),
            "PAGE",
            "127.0.0.1: the page has no title (no citation_, DC or og: tags)",
        ),
    ],
    ids=["404", "503-gives-up", "429-too-long", "bad-json", "bad-xml", "huge", "slow", "no-title"],
)
def test_a_failure_is_one_line(
    web: FakeWeb, client: HttpClient, path: str, reply: Reply, ref: str, error: str
) -> None:
    web.route(path, reply)
    ref = web.url(path) if ref == "PAGE" else ref
    report = fetch_entries([ref, "doi:10.1038/nature14539"], client=client)
    assert outcome(report, ref) == (0, error)
    assert outcome(report, "doi:10.1038/nature14539") == (1, None)  # the others still arrive
    assert report.errors == [f"{report.results[0].name}: {error}"]


def test_the_arxiv_error_entry(client: HttpClient) -> None:
    report = fetch_entries([Ref("arxiv", "1234.12345")], client=client)  # parse_ref would refuse it
    assert report.errors == [
        "arxiv:1234.12345: arXiv API error: incorrect id format for 1234.12345"
    ]
    assert report.entries == []


def test_offline(web: FakeWeb, fake_time: FakeTime) -> None:
    port = closed_port()
    settings = settings_for(
        web, arxiv_api=f"http://127.0.0.1:{port}/api/query", crossref_api=f"http://127.0.0.1:{port}"
    )
    with HttpClient(settings, clock=fake_time.clock, sleep=fake_time.sleep) as client:
        report = fetch_entries(["arxiv:2303.08774", "doi:10.1038/nature14539"], client=client)
    assert report.entries == []
    assert len(report.errors) == 2
    for line, name in zip(
        report.errors, ["arxiv:2303.08774", "doi:10.1038/nature14539"], strict=True
    ):
        assert line.startswith(f"{name}: cannot connect to 127.0.0.1: ")
        assert "refused" in line.lower()
    assert fake_time.sleeps == []  # refused is an answer: no retries, no waiting


def test_fetched_papers_export_as_papers(client: HttpClient) -> None:
    from storage.export.common import is_paper

    report = fetch_entries(["arxiv:2303.08774", "doi:10.1038/nature14539"], client=client)
    for entry in report.entries:
        view = {"kinds": [entry.kind], "category": entry.category, "urls": entry.urls}
        assert is_paper(view), entry.kind  # type: ignore[arg-type]


def test_a_doi_crossref_does_not_know_is_read_from_its_landing_page(
    web: FakeWeb, client: HttpClient
) -> None:
    # A DataCite DOI (Zenodo here): Crossref answers 404, doi.org redirects to the record.
    page = """<html><head>
    <meta name="citation_title" content="An example dataset of reading lists">
    <meta name="citation_author" content="Doe, Jane">
    <meta name="citation_publication_date" content="2024-05-02">
    <meta name="citation_doi" content="10.5281/zenodo.1234567">
    <link rel="canonical" href="https://zenodo.org/records/1234567">
    </head><body></body></html>"""
    web.route(
        "/doi/10.5281/zenodo.1234567", Reply(302, "", headers={"Location": "/records/1234567"})
    )
    web.route("/records/1234567", Reply(body=page, content_type=HTML))
    report = fetch_entries(["doi:10.5281/zenodo.1234567"], client=client)
    assert report.ok, report.errors
    (result,) = report.results
    assert result.found is not None
    entry = result.found.entry
    assert entry.title == "An example dataset of reading lists"
    assert entry.authors == ["Jane Doe"]
    assert entry.date == "2024-05-02"
    assert entry.source == "doi:10.5281/zenodo.1234567"
    assert entry.urls == [
        "https://zenodo.org/records/1234567",
        "https://doi.org/10.5281/zenodo.1234567",
    ]
    assert result.found.doi == "10.5281/zenodo.1234567"
    assert [r.path for r in web.requests] == [
        "/cr/works/10.5281/zenodo.1234567",
        "/doi/10.5281/zenodo.1234567",
        "/records/1234567",
    ]
