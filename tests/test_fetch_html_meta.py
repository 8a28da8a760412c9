"""Web pages read from their citation_*, Dublin Core and OpenGraph tags."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.fetch import html_meta
from storage.fetch.http import FetchError, FetchSettings, HttpClient
from storage.fetch.refs import parse_ref
from tests.http_fixtures.server import HTML, FakeTime, FakeWeb, Reply, fixture

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_proxies")]


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with FakeWeb() as server:
        server.route(
            "/v139/radford21a.html", Reply(body=fixture("page_pmlr_clip.html"), content_type=HTML)
        )
        server.route(
            "/index/clip/", Reply(body=fixture("page_openai_clip_og.html"), content_type=HTML)
        )
        server.route(
            "/handle/1807/4417",
            Reply(body=fixture("page_dspace_dc.html"), content_type="text/html"),
        )
        yield server


@pytest.fixture
def client() -> Iterator[HttpClient]:
    fake = FakeTime()
    with HttpClient(FetchSettings(read_timeout=2.0), clock=fake.clock, sleep=fake.sleep) as c:
        yield c


def test_highwire_citation_tags(web: FakeWeb, client: HttpClient) -> None:
    ref = parse_ref(web.url("/v139/radford21a.html"))
    found = html_meta.fetch(ref, client)
    entry = found.entry
    assert entry.title == "Learning Transferable Visual Models From Natural Language Supervision"
    # "Radford, Alec" as the tags write it, "Alec Radford" as the library does; all twelve.
    assert entry.authors[:3] == ["Alec Radford", "Jong Wook Kim", "Chris Hallacy"]
    assert entry.authors[-1] == "Ilya Sutskever"
    assert len(entry.authors) == 12
    assert entry.date == "2021-07-01"
    assert entry.date_text == "Jul 1, 2021"
    # The full citation_abstract wins over the shortened og:description.
    assert entry.summary.startswith("State-of-the-art computer vision systems")
    assert entry.summary.endswith("1.28 million training examples it was trained on.")
    assert entry.urls == [
        "https://proceedings.mlr.press/v139/radford21a.html",
        "http://proceedings.mlr.press/v139/radford21a/radford21a.pdf",
    ]
    assert entry.source == ref.id
    assert entry.kind == "web_page"
    assert entry.category is None
    assert found.details == {
        "container": "Proceedings of the 38th International Conference on Machine Learning",
        "site": "PMLR",
        "publisher": "PMLR",
    }


def test_opengraph_only(web: FakeWeb, client: HttpClient) -> None:
    found = html_meta.fetch(parse_ref(web.url("/index/clip/")), client)
    entry = found.entry
    assert entry.title == "CLIP: Connecting text and images"  # og:title, not "… | OpenAI"
    assert entry.authors == []  # article:author is a URL here, not a name
    assert entry.date == "2021-01-05"
    assert entry.summary == (
        "We\u2019re introducing a neural network called CLIP which efficiently learns visual"
        " concepts from natural language supervision."
    )
    assert entry.urls == ["https://openai.com/index/clip/"]
    assert found.details == {"site": "OpenAI"}
    assert found.doi is None and found.arxiv_id is None


def test_dublin_core_with_a_doi_and_a_charset_from_meta(web: FakeWeb, client: HttpClient) -> None:
    url = web.url("/handle/1807/4417")
    found = html_meta.fetch(parse_ref(url), client)
    entry = found.entry
    assert entry.title == "Reducing the Dimensionality of Data with Neural Networks"
    assert entry.authors == ["Geoffrey E. Hinton", "Ruslan R. Salakhutdinov"]
    assert entry.date == "2006-07-28"
    assert "\u201cautoencoder\u201d networks" in entry.summary
    assert entry.urls == [url, "https://doi.org/10.1126/science.1127647"]
    assert found.doi == "10.1126/science.1127647"
    assert found.details == {"publisher": "American Association for the Advancement of Science"}


def test_arxiv_id_and_doi_declared_by_a_page() -> None:
    page = """<html><head>
    <meta name="citation_title" content="Attention Is All You Need">
    <meta name="citation_author" content="Vaswani, Ashish">
    <meta name="citation_date" content="2017/06/12">
    <meta name="citation_arxiv_id" content="1706.03762">
    <meta name="citation_doi" content="10.48550/arXiv.1706.03762">
    </head></html>"""
    ref = parse_ref("https://example.org/paper")
    found = html_meta.page_to_found(page, "https://example.org/paper", ref)
    assert found.arxiv_id == "1706.03762"
    assert found.doi == "10.48550/arxiv.1706.03762"
    assert found.entry.urls == [
        "https://example.org/paper",
        "https://doi.org/10.48550/arXiv.1706.03762",
        "https://arxiv.org/abs/1706.03762",
    ]


def test_a_page_with_only_a_title_element() -> None:
    ref = parse_ref("https://example.org/notes")
    found = html_meta.page_to_found(
        "<html><head><title>\n  Notes on   scaling\n</title></head></html>", ref.id, ref
    )
    assert found.entry.title == "Notes on scaling"
    assert (found.entry.date, found.entry.date_text) == (None, None)
    assert found.entry.urls == ["https://example.org/notes"]


def test_a_page_without_any_title_is_an_error(web: FakeWeb, client: HttpClient) -> None:
    web.route("/blank", Reply(body="<html><body><p>hello</p></body></html>", content_type=HTML))
    with pytest.raises(FetchError, match=r"^127\.0\.0\.1: the page has no title"):
        html_meta.fetch(parse_ref(web.url("/blank")), client)


def test_a_legacy_charset_declared_in_the_page(web: FakeWeb, client: HttpClient) -> None:
    page = '<html><head><meta charset="windows-1252"><title>Caf\u00e9 \u2018notes\u2019</title></head></html>'
    web.route("/cafe", Reply(body=page.encode("cp1252"), content_type="text/html"))
    found = html_meta.fetch(parse_ref(web.url("/cafe")), client)
    assert found.entry.title == "Caf\u00e9 \u2018notes\u2019"


def test_a_pdf_is_not_a_page(web: FakeWeb, client: HttpClient) -> None:
    web.route("/paper.pdf", Reply(body=b"%PDF-1.5", content_type="application/pdf"))
    with pytest.raises(FetchError, match="^127.0.0.1 answered with application/pdf, not text/html"):
        html_meta.fetch(parse_ref(web.url("/paper.pdf")), client)


def test_a_missing_page(web: FakeWeb, client: HttpClient) -> None:
    with pytest.raises(FetchError, match=r"^127\.0\.0\.1: HTTP 404 Not Found$"):
        html_meta.fetch(parse_ref(web.url("/gone")), client)
