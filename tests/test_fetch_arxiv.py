"""arXiv API answers (Atom, as documented) become entries; batching, pacing and errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.fetch import arxiv
from storage.fetch.http import FetchError, FetchSettings, HttpClient
from storage.fetch.refs import Found, Ref, parse_ref
from tests.http_fixtures.server import (
    ARXIV_PAPERS as PAPERS,
)
from tests.http_fixtures.server import (
    ATOM,
    ArxivAPI,
    FakeTime,
    FakeWeb,
    Reply,
    fixture,
)

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_proxies")]


CLIP_AUTHORS = [
    "Alec Radford",
    "Jong Wook Kim",
    "Chris Hallacy",
    "Aditya Ramesh",
    "Gabriel Goh",
    "Sandhini Agarwal",
    "Girish Sastry",
    "Amanda Askell",
    "Pamela Mishkin",
    "Jack Clark",
    "Gretchen Krueger",
    "Ilya Sutskever",
]


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with FakeWeb() as server:
        yield server


@pytest.fixture
def api(web: FakeWeb) -> ArxivAPI:
    handler = ArxivAPI(PAPERS, malformed=frozenset({"1234.12345"}))
    web.route("/api/query", handler)
    return handler


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(web: FakeWeb, fake_time: FakeTime) -> Iterator[HttpClient]:
    settings = FetchSettings(arxiv_api=web.url("/api/query"), read_timeout=2.0)
    with HttpClient(settings, clock=fake_time.clock, sleep=fake_time.sleep) as c:
        yield c


def one(result: Found | str) -> Found:
    assert isinstance(result, Found), result
    return result


def test_gpt4_technical_report(api: ArxivAPI, client: HttpClient) -> None:
    ref = parse_ref("arxiv:2303.08774")
    found = one(arxiv.fetch([ref], client)[ref])
    entry = found.entry
    assert entry.title == "GPT-4 Technical Report"
    assert entry.authors == ["OpenAI"]
    assert entry.date == "2023-03-15"  # the first version's date, not the last update
    assert entry.date_text == "Mar 15, 2023"
    assert entry.category == "CL"  # cs.CL, written the way the corpus writes it
    assert entry.summary.startswith("We report the development of GPT-4, a large-scale, multimodal")
    assert entry.summary.endswith("no more than 1/1,000th the compute of GPT-4.")
    assert "\n" not in entry.summary and "  " not in entry.summary
    assert entry.urls == ["https://arxiv.org/abs/2303.08774", "https://arxiv.org/pdf/2303.08774"]
    assert entry.source == "arxiv:2303.08774"
    assert entry.kind == "arxiv_api"
    assert not entry.title_derived and not entry.has_code
    assert found.arxiv_id == "2303.08774"
    assert found.doi is None
    assert found.details == {
        "version": "v3",
        "updated": "2023-03-27T17:46:54Z",
        "categories": "cs.CL cs.AI",
        "comment": "100 pages",
    }
    assert api.asked == [["2303.08774"]]


def test_clip_keeps_all_twelve_authors_and_its_code(api: ArxivAPI, client: HttpClient) -> None:
    ref = parse_ref("https://arxiv.org/abs/2103.00020")
    entry = one(arxiv.fetch([ref], client)[ref]).entry
    assert entry.title == "Learning Transferable Visual Models From Natural Language Supervision"
    assert entry.authors == CLIP_AUTHORS
    assert not entry.authors_truncated
    assert entry.date == "2021-02-26"
    assert entry.category == "CV"
    assert entry.has_code
    assert entry.urls == [
        "https://arxiv.org/abs/2103.00020",
        "https://arxiv.org/pdf/2103.00020",
        "https://github.com/OpenAI/CLIP",
    ]


def test_old_style_id_with_journal_doi_and_affiliation(api: ArxivAPI, client: HttpClient) -> None:
    ref = parse_ref("arxiv:hep-th/9711200")
    found = one(arxiv.fetch([ref], client)[ref])
    entry = found.entry
    assert api.asked == [["hep-th/9711200"]]
    assert entry.title == "The Large N Limit of Superconformal Field Theories and Supergravity"
    assert entry.authors == ["Juan M. Maldacena"]
    assert entry.affiliations == ["Harvard University"]
    assert entry.date == "1997-11-27"
    assert entry.category == "hep-th"  # outside the listing codes: kept whole
    assert "large $N$ limit" in entry.summary  # LaTeX kept, as the corpus keeps it
    assert entry.urls == [
        "https://arxiv.org/abs/hep-th/9711200",
        "https://arxiv.org/pdf/hep-th/9711200",
        "https://doi.org/10.1023/A:1026654312961",  # as registered, like the BibTeX import
    ]
    assert found.arxiv_id == "hep-th/9711200"
    assert found.doi == "10.1023/a:1026654312961"
    assert found.details["journal_ref"] == "Adv.Theor.Math.Phys.2:231-252,1998"
    assert found.details["comment"].endswith(
        "v3: more references and a sign in eqns 2.8 and 2.9 corrected"
    )


def test_a_version_asked_for_is_the_version_fetched(api: ArxivAPI, client: HttpClient) -> None:
    ref = parse_ref("https://arxiv.org/pdf/2303.08774v2")
    entry = one(arxiv.fetch([ref], client)[ref]).entry
    assert api.asked == [["2303.08774v2"]]
    assert entry.source == "arxiv:2303.08774"  # the work, not the version
    assert entry.urls[:2] == [
        "https://arxiv.org/abs/2303.08774",
        "https://arxiv.org/pdf/2303.08774v2",
    ]


def test_ids_are_asked_for_together(api: ArxivAPI, client: HttpClient, web: FakeWeb) -> None:
    refs = [parse_ref(t) for t in ("arxiv:2103.00020", "arxiv:hep-th/9711200", "2303.08774")]
    results = arxiv.fetch(refs, client)
    assert [one(results[r]).entry.title[:20] for r in refs] == [
        "Learning Transferabl",
        "The Large N Limit of",
        "GPT-4 Technical Repo",
    ]
    (request,) = web.seen("/api/query")
    assert request.query["id_list"] == ["2103.00020,hep-th/9711200,2303.08774"]
    assert request.query["max_results"] == ["3"]


def test_at_most_fifty_ids_a_request_three_seconds_apart(
    api: ArxivAPI, client: HttpClient, fake_time: FakeTime
) -> None:
    refs = [Ref("arxiv", f"2401.{n:05d}") for n in range(1, 121)]
    done: list[Ref] = []
    results = arxiv.fetch(refs, client, done=done.append)
    assert [len(ids) for ids in api.asked] == [50, 50, 20]
    assert fake_time.sleeps == [3.0, 3.0]
    assert done == refs
    assert results[refs[0]] == "arXiv has no paper 2401.00001"


def test_an_unknown_id_is_not_found_and_the_rest_arrive(api: ArxivAPI, client: HttpClient) -> None:
    refs = [parse_ref("arxiv:2312.99999"), parse_ref("arxiv:2303.08774")]
    results = arxiv.fetch(refs, client)
    assert results[refs[0]] == "arXiv has no paper 2312.99999"
    assert one(results[refs[1]]).entry.title == "GPT-4 Technical Report"


def test_the_error_entry_is_reported(api: ArxivAPI, client: HttpClient) -> None:
    ref = Ref("arxiv", "1234.12345")  # parse_ref refuses it; the API is asked anyway here
    assert arxiv.fetch([ref], client) == {
        ref: "arXiv API error: incorrect id format for 1234.12345"
    }


def test_an_error_entry_in_a_batch_is_narrowed_down(
    api: ArxivAPI, client: HttpClient, fake_time: FakeTime
) -> None:
    bad = Ref("arxiv", "1234.12345")
    refs = [parse_ref("arxiv:2303.08774"), bad, parse_ref("arxiv:2103.00020")]
    results = arxiv.fetch(refs, client)
    assert one(results[refs[0]]).entry.title == "GPT-4 Technical Report"
    assert results[bad] == "arXiv API error: incorrect id format for 1234.12345"
    assert one(results[refs[2]]).entry.authors == CLIP_AUTHORS
    assert api.asked == [
        ["2303.08774", "1234.12345", "2103.00020"],
        ["2303.08774"],
        ["1234.12345"],
        ["2103.00020"],
    ]
    assert fake_time.sleeps == [3.0, 3.0, 3.0]  # still paced


def test_malformed_xml_fails_every_ref_of_the_request(web: FakeWeb, client: HttpClient) -> None:
    cut = fixture("arxiv_2303.08774.xml")[:1500]
    web.route("/api/query", Reply(body=cut, content_type=ATOM))
    refs = [parse_ref("arxiv:2303.08774"), parse_ref("arxiv:2103.00020")]
    results = arxiv.fetch(refs, client)
    assert results[refs[0]] == results[refs[1]]
    assert isinstance(results[refs[0]], str)
    assert results[refs[0]].startswith("arXiv API sent malformed XML (line ")  # type: ignore[union-attr]


def test_xml_that_is_not_a_feed(web: FakeWeb, client: HttpClient) -> None:
    web.route(
        "/api/query", Reply(body="<html><body>maintenance</body></html>", content_type="text/xml")
    )
    ref = parse_ref("arxiv:2303.08774")
    assert arxiv.fetch([ref], client) == {
        ref: "arXiv API sent XML that is not an Atom feed (<html>)"
    }


def test_entity_expansion_is_refused_before_parsing() -> None:
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>"""
    with pytest.raises(FetchError, match="document type declaration; refused"):
        arxiv.parse_feed(laughs)


def test_an_html_error_page_is_not_parsed(web: FakeWeb, client: HttpClient) -> None:
    web.route("/api/query", Reply(body="<h1>Bad gateway</h1>", content_type="text/html"))
    ref = parse_ref("arxiv:2303.08774")
    assert arxiv.fetch([ref], client) == {
        ref: "arXiv API answered with text/html, not application/atom+xml or application/xml or text/xml"
    }


def test_an_empty_feed_is_not_found(web: FakeWeb, client: HttpClient) -> None:
    web.route("/api/query", Reply(body=fixture("arxiv_empty.xml"), content_type=ATOM))
    ref = parse_ref("arxiv:2312.99999v2")
    assert arxiv.fetch([ref], client) == {ref: "arXiv has no paper 2312.99999v2"}


def test_no_pdf_link_in_the_feed_no_pdf_url(web: FakeWeb, client: HttpClient) -> None:
    feed = fixture("arxiv_2303.08774.xml").replace(
        b'<link title="pdf" href="http://arxiv.org/pdf/2303.08774v3" rel="related" type="application/pdf"/>',
        b"",
    )
    web.route("/api/query", Reply(body=feed, content_type=ATOM))
    ref = parse_ref("arxiv:2303.08774")
    assert one(arxiv.fetch([ref], client)[ref]).entry.urls == ["https://arxiv.org/abs/2303.08774"]
