"""Crossref work records (REST API JSON, as documented) become entries; and their errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.fetch import crossref
from storage.fetch.crossref import date_fields, markup_text
from storage.fetch.http import FetchError, FetchSettings, HttpClient
from storage.fetch.refs import parse_ref
from tests.http_fixtures.server import JSON, FakeTime, FakeWeb, Reply, fixture

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_proxies")]


NATURE = "/works/10.1038/nature14539"
CVPR = "/works/10.1109/cvpr.2016.90"


@pytest.fixture
def web() -> Iterator[FakeWeb]:
    with FakeWeb() as server:
        server.route(
            NATURE, Reply(body=fixture("crossref_10.1038_nature14539.json"), content_type=JSON)
        )
        server.route(
            CVPR, Reply(body=fixture("crossref_10.1109_cvpr.2016.90.json"), content_type=JSON)
        )
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(web: FakeWeb, fake_time: FakeTime) -> Iterator[HttpClient]:
    settings = FetchSettings(
        crossref_api=web.base, read_timeout=2.0, contact_email="me@example.org"
    )
    with HttpClient(settings, clock=fake_time.clock, sleep=fake_time.sleep) as c:
        yield c


def test_journal_article_with_a_jats_abstract(web: FakeWeb, client: HttpClient) -> None:
    found = crossref.fetch(parse_ref("https://doi.org/10.1038/NATURE14539"), client)
    entry = found.entry
    assert entry.title == "Deep learning"
    assert entry.authors == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert (
        entry.affiliations[0] == "Facebook AI Research, 770 Broadway, New York, New York 10003 USA."
    )
    assert len(entry.affiliations) == 3
    assert entry.date == "2015-05-27"  # "issued", not the print date a day later
    assert entry.date_text == "May 27, 2015"
    assert entry.category is None
    # The JATS heading "Abstract" is not part of the text, and no markup is left.
    assert entry.summary.startswith("Deep learning allows computational models that are composed")
    assert entry.summary.endswith("sequential data such as text and speech.")
    assert "<" not in entry.summary
    assert entry.urls == ["https://doi.org/10.1038/nature14539"]
    assert entry.source == "doi:10.1038/nature14539"
    assert entry.kind == "crossref"
    assert found.doi == "10.1038/nature14539"
    assert found.arxiv_id is None
    assert found.details == {
        "type": "journal-article",
        "container": "Nature",
        "volume": "521",
        "issue": "7553",
        "pages": "436-444",
        "publisher": "Springer Science and Business Media LLC",
    }
    (request,) = web.seen(NATURE)
    assert "mailto:me@example.org" in request.headers["User-Agent"]


def test_proceedings_paper_dated_to_the_month(client: HttpClient) -> None:
    found = crossref.fetch(parse_ref("doi:10.1109/CVPR.2016.90"), client)
    entry = found.entry
    assert entry.title == "Deep Residual Learning for Image Recognition"
    assert entry.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert entry.affiliations == []
    assert entry.date is None  # no day given: nothing invented
    assert entry.date_text == "Jun 2016"
    assert entry.summary == ""
    assert entry.urls == ["https://doi.org/10.1109/cvpr.2016.90"]
    assert found.details["type"] == "proceedings-article"
    assert found.details["container"] == (
        "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    )
    assert found.details["pages"] == "770-778"
    assert "volume" not in found.details


def test_an_unknown_doi(client: HttpClient) -> None:
    with pytest.raises(FetchError) as caught:
        crossref.fetch(parse_ref("doi:10.5555/does-not-exist"), client)
    assert str(caught.value) == "Crossref has no work with this DOI (HTTP 404)"


def test_malformed_json(web: FakeWeb, client: HttpClient) -> None:
    web.route(
        "/works/10.1000/broken",
        Reply(body='{"status": "ok", "message": {"title": [', content_type=JSON),
    )
    with pytest.raises(FetchError, match=r"^Crossref sent malformed JSON \(line 1, column 40\)$"):
        crossref.fetch(parse_ref("doi:10.1000/broken"), client)


def test_a_status_that_is_not_ok(web: FakeWeb, client: HttpClient) -> None:
    web.route(
        "/works/10.1000/odd", Reply(body='{"status": "failed", "message": []}', content_type=JSON)
    )
    with pytest.raises(FetchError, match="^Crossref answered with status 'failed', not 'ok'$"):
        crossref.fetch(parse_ref("doi:10.1000/odd"), client)


def test_a_record_without_a_title(web: FakeWeb, client: HttpClient) -> None:
    web.route(
        "/works/10.1000/untitled",
        Reply(body='{"status": "ok", "message": {"title": []}}', content_type=JSON),
    )
    with pytest.raises(FetchError, match="record for this DOI has no title"):
        crossref.fetch(parse_ref("doi:10.1000/untitled"), client)


def test_odd_characters_in_a_doi_are_escaped_in_the_path(web: FakeWeb, client: HttpClient) -> None:
    body = '{"status": "ok", "message": {"DOI": "10.1002/(SICI)1097-4571", "title": ["Old <i>style</i> &amp; odd"], "author": [{"name": "The Consortium"}], "issued": {"date-parts": [[1999]]}}}'
    web.route("/works/10.1002/%28sici%291097-4571", Reply(body=body, content_type=JSON))
    found = crossref.fetch(parse_ref("doi:10.1002/(SICI)1097-4571"), client)
    assert found.entry.title == "Old style & odd"
    assert found.entry.authors == ["The Consortium"]
    assert (found.entry.date, found.entry.date_text) == (None, "1999")
    assert found.entry.urls == ["https://doi.org/10.1002/(SICI)1097-4571"]


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((2015, 5, 27), ("2015-05-27", "May 27, 2015")),
        ((2016, 6, None), (None, "Jun 2016")),
        ((2016, None, None), (None, "2016")),
        ((2016, 2, 30), (None, "Feb 2016")),  # not a day: dropped, not guessed
        ((2016, 13, 1), (None, "2016")),
        ((None, None, None), (None, None)),
    ],
)
def test_dates_are_only_as_precise_as_given(
    parts: tuple[int | None, int | None, int | None], expected: tuple[str | None, str | None]
) -> None:
    assert date_fields(*parts) == expected


def test_markup_text() -> None:
    jats = "<jats:sec><jats:title>Background</jats:title><jats:p>One &lt; two.</jats:p></jats:sec><jats:p>Three</jats:p>"
    assert markup_text(jats) == "One < two. Three"
    assert markup_text("Plain\n  title") == "Plain title"
