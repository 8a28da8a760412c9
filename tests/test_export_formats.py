"""Every export format, read back by an independent parser."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest
import rispy

from storage.export import FORMATS, ExportError, export_views
from storage.export.table import COLUMNS, row
from tests.test_export_samples import make_view, sample_views

STAMP = "2025-01-02T03:04:05Z"


def export(fmt: str, views=None, **kw) -> bytes:
    return export_views(sample_views() if views is None else views, fmt, exported_at=STAMP, **kw)


# --- the API -----------------------------------------------------------------


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("md", "json", "csv", "bib", "ris", "csl-json", "html")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_returns_utf8_bytes(fmt: str) -> None:
    data = export(fmt)
    assert isinstance(data, bytes)
    data.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_export_is_valid(fmt: str) -> None:
    data = export(fmt, views=[])
    assert isinstance(data, bytes)


def test_unknown_format_is_a_one_line_error() -> None:
    with pytest.raises(ExportError) as err:
        export_views([], "docx")
    assert "\n" not in str(err.value) and "docx" in str(err.value)
    assert isinstance(err.value, ValueError)


def test_unknown_grouping_is_an_error() -> None:
    with pytest.raises(ExportError):
        export_views([], "md", group_by="colour")


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_are_deterministic(fmt: str) -> None:
    assert export(fmt) == export(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_tags_and_notes_are_in_every_format(fmt: str) -> None:
    text = export(fmt, group_by="tag" if fmt in ("md", "html") else None).decode("utf-8")
    for expected in ("must-read", "vision", "second line with 100"):
        assert expected in text, (fmt, expected)
    assert "reading" in text.lower()


# --- json ----------------------------------------------------------------------


def test_json_is_the_list_json_objects_plus_a_header() -> None:
    views = sample_views()
    doc = json.loads(export("json", views, query="radford", user="ann"))
    assert doc["format"] == "shelf-export" and doc["version"] == 1
    assert doc["query"] == "radford" and doc["user"] == "ann"
    assert doc["exported_at"] == STAMP and doc["count"] == len(views)
    assert doc["items"] == views


def test_json_export_time_defaults_to_now() -> None:
    doc = json.loads(export_views([], "json"))
    assert doc["exported_at"].endswith("Z") and doc["exported_at"][:2] == "20"


# --- csv -----------------------------------------------------------------------


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_item_with_every_column() -> None:
    views = sample_views()
    rows = read_csv(export("csv", views))
    assert len(rows) == len(views)
    assert list(rows[0]) == list(COLUMNS)
    clip = rows[0]
    assert clip["title"].startswith("Learning Transferable")
    assert clip["authors"] == "Alec Radford; Jong Wook Kim; Chris Hallacy"
    assert clip["authors_truncated"] == "yes"
    assert clip["status"] == "read" and clip["tags"] == "vision; must-read"
    assert "second line" in clip["notes"] and "\n" in clip["notes"]
    assert clip["summary"] == views[0]["summary"]
    assert clip["year"] == "2021" and clip["kind"] == "paper"
    assert rows[2]["kind"] == "blog post"


def test_csv_neutralises_formulas() -> None:
    rows = read_csv(export("csv"))
    form = rows[5]
    assert form["title"] == "'=SUM(A1:A9) is not a title"
    assert form["authors"] == "'-Bob Minus; @alice"
    assert form["summary"].startswith("'+cmd")
    assert form["tags"] == "'@at; -minus"
    assert form["notes"] == "'\tTabbed\n\n\nCR"  # a lone CR is a line break (common.visible)
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_csv_matches_the_stdlib_writer_byte_for_byte() -> None:
    views = sample_views()
    views.append(make_view("q", 'He said "hi", then\r\nleft', summary='a "quoted", b'))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(row(v) for v in views)
    assert export("csv", views) == b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


# --- ris -----------------------------------------------------------------------


class _RisNoCounter(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        return ""


def test_ris_reads_back_with_rispy() -> None:
    views = sample_views()
    text = export("ris", views).decode("utf-8")
    refs = rispy.loads(text)
    assert len(refs) == len(views)
    clip = refs[0]
    assert clip["type_of_reference"] == "JOUR"
    assert clip["primary_title"] == views[0]["original_title"]
    assert clip["authors"] == ["Radford, Alec", "Kim, Jong Wook", "Hallacy, Chris"]
    assert clip["year"] == "2021" and clip["date"] == "2021/02/26/"
    assert clip["keywords"] == ["vision", "must-read"]
    assert clip["notes"][0] == "Status: read"
    assert any("second line" in n for n in clip["notes"])
    assert clip["urls"] == views[0]["urls"]
    assert refs[2]["type_of_reference"] == "BLOG"
    assert refs[1]["authors"][1] == "Dupré la Tour, Tom"
    assert refs[7]["authors"][:2] == ["van Beethoven, Ludwig", "King, Martin Luther, Jr."]


def test_ris_is_what_rispy_itself_writes() -> None:
    text = export("ris").decode("utf-8")
    assert rispy.dumps(rispy.loads(text), implementation=_RisNoCounter) == text


def test_ris_values_stay_on_one_line() -> None:
    text = export("ris").decode("utf-8")
    for line in text.split("\n"):
        assert line == "" or line[:2].isalnum() and line[2:6] == "  - ", repr(line)


def test_ris_yearless_date_keeps_the_slashes_and_invents_no_year() -> None:
    refs = rispy.loads(export("ris").decode("utf-8"))
    sae = refs[1]
    assert sae["date"] == "/02/06/" and "year" not in sae
    beet = refs[7]
    assert beet["year"] == "2019" and beet["date"] == "2019///"


# --- csl-json ------------------------------------------------------------------


def test_csl_json_items() -> None:
    views = sample_views()
    items = json.loads(export("csl-json", views))
    assert len(items) == len(views)
    clip = items[0]
    assert clip["type"] == "article" and clip["container-title"] == "arXiv"
    assert clip["issued"] == {"date-parts": [[2021, 2, 26]]}
    assert clip["author"][0] == {"family": "Radford", "given": "Alec"}
    assert clip["author"][-1] == {"literal": "others"}
    assert clip["keyword"] == "vision, must-read"
    assert clip["note"].startswith("Status: read") and "second line" in clip["note"]
    assert clip["URL"] == "https://arxiv.org/abs/2103.00020"
    assert items[2]["type"] == "post-weblog"
    assert items[1]["author"][1] == {"family": "Dupré la Tour", "given": "Tom"}
    assert items[1]["issued"] == {"literal": "Feb 6"}  # no year invented
    assert items[7]["issued"] == {"date-parts": [[2019]]}
    assert items[7]["author"][0]["non-dropping-particle"] == "van"
    assert items[4]["DOI"] == "10.48550/arXiv.2009.01325"
    assert "issued" not in items[2]
    assert items[6]["author"] == [{"literal": "OpenAI"}]
    assert "Shelf title: My GPT-4 notes copy" in items[6]["note"]


def test_csl_ids_are_the_bibtex_keys() -> None:
    items = json.loads(export("csl-json"))
    bib = export("bib").decode("utf-8")
    for item in items:
        assert "{" + item["id"] + ",\n" in bib


# --- html ----------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("meta", "br", "link"):
            self.stack.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse_html(data: bytes) -> _Collect:
    parser = _Collect()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def test_html_is_well_formed_and_self_contained() -> None:
    page = parse_html(export("html", group_by="status"))
    assert page.stack == []
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert all(h.startswith("https://") for h in page.hrefs)  # never the javascript: URL
    assert "https://arxiv.org/abs/2103.00020" in page.hrefs


def test_html_shows_script_in_titles_and_notes_as_text() -> None:
    page = parse_html(export("html"))
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text  # the blog post's title, as text
    assert "<script>alert('x')</script>" in text  # the note, as text
    assert "script" not in page.tags


def test_html_shows_every_field() -> None:
    text = "".join(parse_html(export("html", query="q<1>", user="ann")).text)
    for expected in (
        "Alec Radford, Jong Wook Kim, Chris Hallacy et al.",
        "2021-02-26",
        "Feb 6",
        "CV (Computer Vision and Pattern Recognition)",
        "must-read",
        "query: q<1>",
        "for ann",
    ):
        assert expected in text, expected


def test_html_groups_by_tag() -> None:
    page = parse_html(export("html", group_by="tag"))
    text = "\n".join(page.text)
    assert "must-read" in text and "Untagged" in text


# --- md ------------------------------------------------------------------------


def test_markdown_checkboxes_links_authors_dates_and_notes() -> None:
    md = export("md", query="gpt", user="ann").decode("utf-8")
    assert md.startswith("# Reading list\n")
    lines = md.splitlines()
    clip = next(line for line in lines if "Learning Transferable" in line)
    assert clip.startswith("- [x] [Learning Transferable Visual Models")
    assert "](https://arxiv.org/abs/2103.00020)" in clip
    assert "Alec Radford, Jong Wook Kim, Chris Hallacy et al." in clip
    assert "2021-02-26" in clip and "`vision`" in clip
    assert "  > \\<script>alert('x')\\</script> & \\[link\\](javascript:alert(1))" in lines
    assert "  > second line with 100% {odd} brace" in lines
    sae = next(line for line in lines if "sparse autoencoders" in line)
    assert sae.startswith("- [ ] ") and "Feb 6" in sae and "*reading*" in sae
    assert "query: gpt" in md and "ann" in md


def test_markdown_escapes_titles_so_links_hold() -> None:
    md = export("md").decode("utf-8")
    line = next(x for x in md.splitlines() if "claims" in x)
    assert line.startswith(
        "- [ ] [\\[RE\\] \\*Bold\\* claims\\_about \\<script>alert(1)\\</script> DALL·E 2]"
        "(https://openai.com/blog/dall-e-2-extending-creativity)"
    )
    # a note that looks like Markdown structure stays text inside the quote
    assert "  > \\- looks like a list" in md and "  > \\# and a heading" in md


def test_markdown_does_not_link_javascript_urls() -> None:
    md = export("md").decode("utf-8")
    line = next(x for x in md.splitlines() if "SUM" in x)
    assert "](" not in line and "javascript" not in line


def test_markdown_groups_by_status_and_tag() -> None:
    by_status = export("md", group_by="status").decode("utf-8")
    assert (
        by_status.index("## Reading") < by_status.index("## To read") < by_status.index("## Read\n")
    )
    by_tag = export("md", group_by="tag").decode("utf-8")
    headings = [x for x in by_tag.splitlines() if x.startswith("## ")]
    assert headings == ["## -minus", "## @at", "## interp", "## llm", "## must-read",
                        "## vision", "## Untagged"]  # fmt: skip
    # an item with two tags is listed under both
    assert by_tag.count("Learning Transferable") == 2


def test_markdown_renders_as_intended() -> None:
    """Parsed with a CommonMark parser: one link per linked item, no raw HTML."""
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(export("md").decode("utf-8"))
    assert "<script>" not in html
    assert html.count('<a href="https://') == 3
    assert "[RE] <em>" not in html and "[RE] *Bold* claims_about" in html.replace("&lt;", "<")
