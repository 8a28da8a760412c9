"""parse_ref: every spelling of one paper becomes one canonical reference."""

from __future__ import annotations

import pytest

from storage.fetch.refs import Ref, parse_ref

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arxiv:2303.08774", Ref("arxiv", "2303.08774")),
        ("arXiv:2303.08774v2", Ref("arxiv", "2303.08774", "v2")),
        ("  arxiv:2103.00020 ", Ref("arxiv", "2103.00020")),
        ("arxiv:0704.0001", Ref("arxiv", "0704.0001")),
        ("arxiv:hep-th/9901001", Ref("arxiv", "hep-th/9901001")),
        ("arxiv:hep-th/9711200v3", Ref("arxiv", "hep-th/9711200", "v3")),
        # The subject class is not part of an old-style identifier.
        ("arxiv:math.GT/0309136", Ref("arxiv", "math/0309136")),
        ("https://arxiv.org/abs/2303.08774v2", Ref("arxiv", "2303.08774", "v2")),
        ("https://arxiv.org/pdf/2303.08774", Ref("arxiv", "2303.08774")),
        ("http://arxiv.org/pdf/2303.08774v1.pdf", Ref("arxiv", "2303.08774", "v1")),
        ("https://www.arxiv.org/abs/hep-th/9711200", Ref("arxiv", "hep-th/9711200")),
        ("https://export.arxiv.org/abs/2103.00020/", Ref("arxiv", "2103.00020")),
        ("2103.00020", Ref("arxiv", "2103.00020")),
        ("hep-th/9901001v2", Ref("arxiv", "hep-th/9901001", "v2")),
        # arXiv's DataCite DOI is answered by the arXiv API, not Crossref.
        ("doi:10.48550/arXiv.2303.08774", Ref("arxiv", "2303.08774")),
        ("doi:10.1038/NATURE14539", Ref("doi", "10.1038/nature14539")),
        ("DOI:10.1109/CVPR.2016.90", Ref("doi", "10.1109/cvpr.2016.90")),
        ("https://doi.org/10.1038/nature14539", Ref("doi", "10.1038/nature14539")),
        ("http://dx.doi.org/10.1145/3292500.3330701", Ref("doi", "10.1145/3292500.3330701")),
        ("10.1038/nature14539", Ref("doi", "10.1038/nature14539")),
        ("https://openai.com/research/clip", Ref("url", "https://openai.com/research/clip")),
        # An arXiv page that is not one paper is just a web page.
        ("https://arxiv.org/list/cs.CL/recent", Ref("url", "https://arxiv.org/list/cs.CL/recent")),
    ],
)
def test_spellings_normalise(text: str, expected: Ref) -> None:
    assert parse_ref(text) == expected


def test_str_names_the_reference_canonically() -> None:
    assert str(parse_ref("https://arxiv.org/abs/2303.08774v2")) == "arxiv:2303.08774v2"
    assert str(parse_ref("https://doi.org/10.1038/Nature14539")) == "doi:10.1038/nature14539"
    assert str(parse_ref("https://example.org/a?b=1")) == "https://example.org/a?b=1"
    assert parse_ref("arxiv:2303.08774v2").arxiv_query_id == "2303.08774v2"
    assert parse_ref("arxiv:2303.08774").arxiv_query_id == "2303.08774"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty reference"),
        ("garbage", "is not a reference"),
        ("arxiv:1234", "not an arXiv id"),
        ("arxiv:2313.00001", "not an arXiv id"),  # month 13
        ("arxiv:hep-th/99010", "not an arXiv id"),
        ("doi:11.1/x", "not a DOI"),
        ("doi:10.1038", "not a DOI"),
        ("ftp://example.org/paper.pdf", "only http and https"),
        ("isbn:9780262035613", "unknown kind of reference 'isbn:'"),
        ("example.com/paper", "did you mean 'https://example.com/paper'"),
        ("http://", "has no host"),
        ("https://example.org/a b", "contains spaces"),
        ("https://example.org:99999999/", "not a valid URL"),
    ],
)
def test_garbage_is_one_clear_line(text: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_ref(text)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message
