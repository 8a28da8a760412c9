"""A teammate's file can never hurt you: hostile text stays inside each export's syntax.

Notes, tags, titles and authors come from other people's annotation files
and imported documents. Whatever they contain, every export must still read
back, with an independent parser, as exactly one record per item holding
exactly the text that went in (modulo the normalisations documented in
``storage.export.common``), and nothing in it may reach a terminal that
``cat``s the file as a control sequence.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from dataclasses import asdict
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares.names import split_multiple_persons_names
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from storage.bibtex_import import entries_from_bibtex
from storage.export import FORMATS, export_views
from storage.export.bibtex import entry_fields
from storage.export.common import author_line, clean_view, clean_views, date_label, visible
from storage.export.keys import citation_keys
from storage.export.latex import escape_abstract
from tests.export_pins import DIGESTS, EXTENSIONS, PIN_DIR, ordinary_digests, sample_export
from tests.test_export_bibtex import braces_balanced as balanced
from tests.test_export_samples import make_view, sample_views

pytestmark = pytest.mark.timeout(60)


# --- ordinary input keeps its bytes ---------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_exports_are_pinned(fmt: str) -> None:
    assert sample_export(fmt) == (PIN_DIR / f"sample.{EXTENSIONS[fmt]}").read_bytes()


def test_ordinary_exports_are_pinned() -> None:
    pinned = json.loads(DIGESTS.read_text())
    assert ordinary_digests() == pinned


# --- control characters ---------------------------------------------------------

STAMP = "2025-01-02T03:04:05Z"
#: Every character a terminal acts on, in the order C0 (but tab and newline), DEL, C1.
CONTROLS = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (9, 10))
OSC52 = "\x1b]52;c;ZXZpbA==\x07"  # sets the clipboard of a terminal that cats it


def everywhere(text: str, item_id: str = "ctl00000001") -> dict:
    """A view with ``text`` in every field that comes from data."""
    return make_view(
        item_id,
        f"Title {text}",
        authors=[f"Ann {text} Author", text],
        date_text=f"Feb 3 {text}",
        category=f"LG{text}",
        summary=f"Abstract {text} $x$ end",
        urls=[f"https://example.org/{text}", f"javascript:{text}"],
        kinds=["arxiv_abstracts"],
        ann={"notes": [f"note {text}", text], "tags": [f"tag{text}", text], "status": "read"},
    )


def test_visible_shows_what_a_terminal_would_act_on() -> None:
    assert visible("a\r\nb\rc\x1b[31m\x7f\x9b\t\n") == "a\nb\nc\u241b[31m\u2421\ufffd\t\n"
    c0 = "".join("\n" if c == 13 else chr(0x2400 + c) for c in range(0x20) if c not in (9, 10))
    assert visible(CONTROLS) == c0 + "\u2421" + "\ufffd" * 32
    plain = "Ünïcode · text\twith\nlines"
    assert visible(plain) is plain


def test_a_batch_is_cleaned_only_when_it_holds_a_control_character() -> None:
    latex = make_view("tex00001", "T", summary="$\\rho \\beta \\frac{a}{b}$ \\\\relax \\u00")
    views = [latex, make_view("tex00002", "U")]
    assert clean_views(views) is views  # LaTeX's \rho, \beta, \frac are not CR, BS, FF
    tricky = make_view("tex00003", "back\\\r slash then CR \\\\\x0c")
    assert [v["title"] for v in clean_views([latex, tricky])] == [
        "T",
        "back\\\n slash then CR \\\\\u240c",
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_export_carries_a_control_character(fmt: str) -> None:
    views = [everywhere(CONTROLS + OSC52), everywhere("\x9b2J", "ctl00000002")]
    for group_by in (None, "tag", "status"):
        data = export_views(
            views, fmt, group_by=group_by, user=f"u{OSC52}", query=f"q{OSC52}", exported_at=STAMP
        ).decode("utf-8")
        if fmt == "csv":
            assert "\r" not in data.replace("\r\n", "")  # CR only ends rows
            data = data.replace("\r\n", "\n")
        found = {hex(ord(c)) for c in data if ord(c) < 0x20 and c not in "\t\n"}
        found |= {hex(ord(c)) for c in data if 0x7F <= ord(c) < 0xA0}
        assert not found, (fmt, group_by, found)


@pytest.mark.parametrize("fmt", ["md", "csv", "bib", "ris", "html"])
def test_text_exports_show_the_stand_ins(fmt: str) -> None:
    data = export_views([everywhere(OSC52)], fmt, exported_at=STAMP).decode("utf-8")
    assert "\u241b]52;c;ZXZpbA==\u2407" in data


@pytest.mark.parametrize("fmt", ["json", "csl-json"])
def test_json_exports_keep_the_exact_text_escaped(fmt: str) -> None:
    view = everywhere(CONTROLS + OSC52)
    data = export_views([view], fmt, user=CONTROLS, exported_at=STAMP)
    text = data.decode("utf-8")
    assert not [c for c in text if ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) < 0xA0]
    doc = json.loads(text)
    if fmt == "json":
        assert doc["items"] == [view] and doc["user"] == CONTROLS
    else:
        assert doc[0]["title"] == view["original_title"]
        assert doc[0]["note"].endswith(f"note {CONTROLS}{OSC52}\n\n{CONTROLS}{OSC52}")


def test_csv_control_characters_are_shown_and_each_item_is_one_row() -> None:
    views = [everywhere(CONTROLS), everywhere('q "x", y\r\nz\x00w', "ctl00000002")]
    data = export_views(views, "csv", exported_at=STAMP)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2
    assert rows[0]["notes"] == f"note {visible(CONTROLS)}\n\n{visible(CONTROLS)}"
    assert rows[1]["notes"] == 'note q "x", y\nz\u2400w\n\nq "x", y\nz\u2400w'


# --- BibTeX -------------------------------------------------------------------------

HOSTILE_BIB = [
    "ok\n@misc(injected, title = {pwn})",
    "@SUM(1+1)",
    "x\n  @article{evil, title={y}}",
    "tab\n\t@comment(x)",
    "mid @SUM(1+1) line",
    "line sep\u2028@misc(x, y)",
    "ends in \\",
    "\\} and \\{ and }{ and {{{",
    "}}}\n\n}",
    "% comment? \\% not",
    '"quoted", = , and } @',
]


def bib_views(texts: list[str]) -> list[dict]:
    views = []
    for i, text in enumerate(texts):
        views.append(
            make_view(
                f"bib{i:08d}",
                f"Title {i} {text}",
                authors=[f"Ann {text} Author{i}", "Bo Beta"],
                date="2021-02-03",
                summary=f"Abstract {text} $$a\n@misc{{x, title={{y}}}}$$ and $\\\\{{a}}$ {text}",
                urls=[f"https://example.org/@user({i})/{text}"],
                ann={"notes": ["first", text], "tags": [text, f"t{i}"]},
            )
        )
    return views


def read_bib(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.error for b in library.failed_blocks]
    return library


def test_bibtex_hostile_text_stays_in_its_entry() -> None:
    views = bib_views(HOSTILE_BIB)
    text = export_views(views, "bib").decode("utf-8")
    library = read_bib(text)
    assert [e.key for e in library.entries] == citation_keys(views)
    assert len(library.blocks) == len(views)  # no comment, @string or @preamble either
    for entry in library.entries:
        fields = entry.fields_dict
        assert fields["readstatus"].value == "unread"
        assert "annote" in fields and "abstract" in fields and "url" in fields
        for field in entry.fields:
            assert balanced(field.value), (entry.key, field.key, field.value)
    entries, skipped = entries_from_bibtex(text, "shelf.bib")
    assert [e.title for e in entries] == [" ".join(v["title"].split()) for v in views]
    assert [s for s in skipped if "keywords" not in s] == []


def test_bibtex_at_is_escaped_only_where_it_could_open_an_entry() -> None:
    view = make_view("at000001", "T", ann={"notes": ["a@b.org @alice\n@misc(x,\n x @y{z"]})
    _, fields = entry_fields(view)
    annote = dict((n, v) for n, v, _ in fields)["annote"]
    assert annote == "a@b.org @alice\n{@}misc(x,\n x @y\\textbraceleft{}z"  # no raw { left


def test_bibtex_url_with_an_entry_like_at_is_percent_encoded() -> None:
    view = make_view("url00001", "T", urls=["https://example.org/@user(1)/a@b"])
    fields = {n: v for n, v, _ in entry_fields(view)[1]}
    assert fields["url"] == "https://example.org/%40user(1)/a@b"
    assert "howpublished" not in fields  # \url{} cannot carry the % through a field


def test_bibtex_author_called_others_is_not_et_al() -> None:
    view = make_view("oth00001", "T", authors=["Ann Author", "others"])
    text = export_views([view], "bib").decode("utf-8")
    entries, _ = entries_from_bibtex(text, "shelf.bib")
    assert entries[0].authors == ["Ann Author", "others"]
    assert entries[0].authors_truncated is False


def test_kept_math_is_balanced_for_bibtexparser_too() -> None:
    # TeX reads \\{ as a line break and a group; bibtexparser skips a brace after "\".
    assert (
        escape_abstract("$a\\\\{b}$")
        == "\\$a\\textbackslash{}\\textbackslash{}\\textbraceleft{}b\\textbraceright{}\\$"
    )
    assert escape_abstract("$\\{a\\}$") == "$\\{a\\}$"


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex not installed")
def test_bibtex_itself_reads_every_hostile_entry(tmp_path: Path) -> None:
    views = bib_views(HOSTILE_BIB)
    (tmp_path / "refs.bib").write_bytes(export_views(views, "bib"))
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n")
    result = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, timeout=60)
    log = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode in (0, 1), log  # 1: warnings only
    assert "error message" not in log, log
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(views)


def test_bibtex_names_of_escapes_keep_their_place_around_and() -> None:
    authors = ["x", "#", "% y", "~ z", ","]
    view = make_view("esc00001", "T", authors=authors, authors_truncated=True)
    entries, _ = entries_from_bibtex(export_views([view], "bib").decode("utf-8"), "shelf.bib")
    assert entries[0].authors == ["x", "#", "% y", "~ z", ","]
    assert entries[0].authors_truncated is True


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_url_that_cannot_be_split_does_not_stop_the_export(fmt: str) -> None:
    view = make_view("ipv6x001", "T", urls=["https://[x/broken"])
    assert export_views([view], fmt)


def test_ris_url_with_a_semicolon_stays_one_link() -> None:
    view = make_view("semi0001", "T", urls=["https://e.org/a;b=1"])
    assert rispy.loads(export_views([view], "ris").decode("utf-8"))[0]["urls"] == [
        "https://e.org/a%3Bb=1"
    ]


def _library_with(notes: list[str], tags: list[str]) -> list[dict]:
    """The sample library, every item carrying ``notes`` and ``tags``."""
    views = []
    for view in sample_views():
        item = {k: view[k] for k in ("authors", "authors_truncated", "date", "date_text",
                                     "category", "summary", "urls", "kinds")}  # fmt: skip
        views.append(
            make_view(
                view["id"], view["original_title"], ann={"notes": notes, "tags": tags}, **item
            )
        )
    return views


def test_hostile_notes_and_tags_do_not_change_what_the_import_reads() -> None:
    """Importing shelf's .bib gives back the items exported, whatever the notes said."""
    plain = entries_from_bibtex(export_views(_library_with([], []), "bib").decode(), "s.bib")
    hostile = entries_from_bibtex(
        export_views(_library_with(HOSTILE_BIB + [OSC52], HOSTILE_BIB), "bib").decode(), "s.bib"
    )
    assert len(hostile[0]) == len(sample_views())
    assert [asdict(e) for e in hostile[0]] == [asdict(e) for e in plain[0]]
    assert [s for s in hostile[1] if "keywords" not in s] == []


def test_import_reads_private_use_characters_back() -> None:
    # The import parks LaTeX's literal characters in BMP private-use code points.
    title = "Icons \ue000 \ue001 \ue004 \U000f0000 beside {braces} ~ \\ and $x$"
    view = make_view("pua00001", title, authors=["\ue002 Ann"])
    entries, _ = entries_from_bibtex(export_views([view], "bib").decode(), "s.bib")
    assert entries[0].title == title
    assert entries[0].authors == ["\ue002 Ann"]


# --- Markdown -------------------------------------------------------------------------


def fold(text: str) -> str:
    return " ".join(text.split())


def md_tokens(text: str) -> list:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def inline_text(token) -> str:
    """An inline token's children as one string, with structure marked."""
    out = []
    for c in token.children or ():
        if c.type in ("text", "text_special"):
            out.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif c.type == "code_inline":
            out.append(f"<code>{c.content}</code>")
        elif c.type == "link_open":
            out.append(f"<a {c.attrs.get('href')}>")
        elif c.type == "link_close":
            out.append("</a>")
        else:
            out.append(f"<{c.type}>")
    return "".join(out)


def md_items(text: str, headings: list[str]) -> list[tuple[str, list[str]]]:
    """(item line, note paragraphs) per checklist item, after checking that the
    document is headings, the header line and flat lists of such items only."""
    tokens = md_tokens(text)
    found_headings = []
    items: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        assert "html" not in t.type and t.type not in ("hr", "code_block", "fence", "table_open")
        assert not any("html" in c.type or c.type == "image" for c in t.children or ())
        if t.type == "heading_open":
            assert t.level == 0, t
            found_headings.append(inline_text(tokens[i + 1]))
        elif t.type == "list_item_open":
            assert t.level == 1 and tokens[i - 1].type in ("bullet_list_open", "list_item_close")
            line = inline_text(tokens[i + 2])
            paragraphs = []
            depth, j = 1, i + 3
            while depth:
                u = tokens[j]
                depth += u.nesting if u.type.startswith("list_item") else 0
                assert u.type in (
                    "paragraph_open", "paragraph_close", "inline", "blockquote_open",
                    "blockquote_close", "list_item_close",
                ), u  # fmt: skip
                if u.type == "inline" and u.level == 4:
                    paragraphs.append(inline_text(u))
                j += 1
            items.append((line, paragraphs))
            i = j
            continue
        elif t.type in ("bullet_list_open", "ordered_list_open"):
            assert t.type == "bullet_list_open" and t.level == 0
        i += 1
    assert found_headings[0] == "Reading list" and found_headings[1:] == headings
    return items


def md_note_paragraphs(notes: list[str]) -> list[str]:
    """What each note shows as: its lines, folded, in paragraphs split at empty lines."""
    out = []
    for note in notes:
        lines = [fold(x) for x in visible(note).splitlines()]
        para: list[str] = []
        for line in [*lines, ""]:
            if line:
                para.append(line)
            elif para:
                out.append("\n".join(para))
                para = []
    return out


MD_HOSTILE = [
    "x\n# Heading",
    "para\n===",
    "para\n---",
    "- - -",
    "1. one\n2) two",
    "> quote",
    ">no space",
    "](javascript:alert(1)) [a](javascript:x) <script>alert(1)</script>",
    "<https://evil.example> &amp; &#x41; ![img](https://e/i.png)",
    "```\nfence\n```",
    "    indented code",
    "a | b\n--- | ---\nc | d",
    "*em* _em_ **strong** ~~del~~ `code` \\",
    "[ref]: https://evil.example",
]


def test_markdown_hostile_text_cannot_leave_its_item() -> None:
    views = []
    for i, text in enumerate(MD_HOSTILE):
        views.append(
            make_view(
                f"md{i:08d}",
                f"T{i} {text}",
                authors=[f"A {text}"],
                urls=[f"https://example.org/{i}\\"],
                ann={"notes": [text, f"second {text}"], "tags": [text, f"t{i}`x`"]},
            )
        )
    items = md_items(export_views(views, "md").decode("utf-8"), [])
    assert len(items) == len(views)
    for (line, paragraphs), view, text in zip(items, views, MD_HOSTILE, strict=True):
        i = MD_HOSTILE.index(text)
        assert line.startswith(f"[ ] <a https://example.org/{i}%5C>{fold(view['title'])}</a> — ")
        assert f"<code>{fold(text)}</code> <code>t{i}`x`</code>" in line
        assert paragraphs == md_note_paragraphs([text, f"second {text}"])


def test_markdown_section_headings_from_hostile_tags_are_one_line_each() -> None:
    tags = ["x\n# Injected", "<script>", "a ](javascript:x)"]
    view = make_view("mdtag0001", "T", ann={"tags": tags})
    text = export_views([view], "md", group_by="tag").decode("utf-8")
    items = md_items(text, sorted(fold(t) for t in tags))
    assert len(items) == len(tags)


# --- RIS, CSV, HTML -----------------------------------------------------------------

RIS_HOSTILE = [
    "a\nER  - \nTY  - JOUR\nT1  - Injected",
    "b\r\nER  - \r\nTY  - BOOK",
    "c\x1eTY  - JOUR\x1cT1  - x\x1dER  - ",
    "d\u2028TY  - JOUR\u2029ER  - \x85TY  - JOUR\x0bER  - \x0cx",
    "  ER  - ",
]
_RIS_LINE = re.compile(r"[A-Z][A-Z0-9]  - ")


def ris_value(text: str) -> str:
    """A value on its one line: each line break, with the spaces around it, is one space."""
    return re.sub(r"\s*[\n\u2028\u2029]+\s*", " ", visible(text)).strip()


def test_ris_hostile_text_cannot_start_a_record() -> None:
    views = [
        make_view(
            f"ris{i:08d}",
            f"T {text}",
            authors=[f"Ann {text}"],
            summary=f"S {text}",
            urls=[f"https://e.org/{text}"],
            ann={"notes": [text], "tags": [text]},
        )
        for i, text in enumerate(RIS_HOSTILE)
    ]
    data = export_views(views, "ris").decode("utf-8")
    lines = data.split("\n")
    assert all(line == "" or _RIS_LINE.match(line) for line in lines), data
    assert sum(line.startswith("TY  - ") for line in lines) == len(views)
    assert sum(line.startswith("ER  - ") for line in lines) == len(views)
    refs = rispy.loads(data)
    assert len(refs) == len(views)
    for ref, view, text in zip(refs, views, RIS_HOSTILE, strict=True):
        assert ref["id"] and ref["primary_title"] == ris_value(view["title"])
        assert ref["notes"] == ["Status: unread", ris_value(text)]
        assert ref["keywords"] == [ris_value(text)]
        assert ref["abstract"] == ris_value(f"S {text}")


def test_csv_one_row_per_item_whatever_the_cells_hold() -> None:
    texts = ['q "x", y\r\nz', "=1+1", "\r=cmd", 'a\n\n"",\r\n', "\x00\t\x1b"]
    views = [
        make_view(
            f"csv{i:08d}",
            text,
            authors=[text, "B"],
            summary=text,
            ann={"notes": [text], "tags": [text, "t"]},
        )
        for i, text in enumerate(texts)
    ]
    rows = list(
        csv.DictReader(io.StringIO(export_views(views, "csv").decode("utf-8-sig"), newline=""))
    )
    assert [r["id"] for r in rows] == [v["id"] for v in views]
    for r, text in zip(rows, texts, strict=True):
        shown = visible(text)
        guarded = "'" + shown if shown.startswith(("=", "+", "-", "@", "\t")) else shown
        assert r["title"] == r["summary"] == r["notes"] == guarded
        assert r["authors"] == f"{guarded}; B" and r["tags"] == f"{guarded}; t"


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def test_html_hostile_text_stays_text() -> None:
    evil = '</blockquote></li><script>alert(1)</script><a href="javascript:x">'
    urls = ['https://e.org/"onmouseover="alert(1)', "javascript:alert(1)"]
    views = [
        make_view(
            "html00001", evil, authors=[evil], urls=urls, ann={"notes": [evil], "tags": [evil]}
        ),
        make_view("html00002", "J", urls=["javascript:alert(1)", "data:text/html,x"]),
    ]
    page = _Html()
    page.feed(export_views(views, "html", user=evil, query=evil, group_by="tag").decode("utf-8"))
    page.close()
    assert "script" not in page.tags
    assert page.tags.count("li") == 2  # one under the tag, one under Untagged
    hrefs = [v for k, v in page.attrs if k == "href"]
    assert hrefs == [urls[0]]  # the second item has no web link
    assert not [k for k, _ in page.attrs if k.startswith("on")]
    text = "".join(page.text)
    assert text.count(evil) >= 6  # title twice, author twice, note twice, heading, header


# --- every field of every format, with arbitrary text ---------------------------------

#: Pieces that mean something to one format or another, mixed into arbitrary text.
TOKENS = [
    *"\n\t\x00\x1b\x07\x7f\x85\x9b\u2028\u2029\x0b\x0c\x1e\r",
    *"{}@\\%\"'`#$&_~^[]()<>*=-+|!:;,. ",
    "\r\n", "@misc(", "@article{x,", "\nTY  - JOUR\n", "ER  - ", "\\}", "\\{", "$$", "--",
    "``", "''", "<script>", "](javascript:x)", "\n# ", "\n===\n", "&amp;", "others", " and ",
    "Jr.", ", ", "von ", OSC52, "\ue000", "\ue004", "\U000f0000",
]  # fmt: skip
hostile_text = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=8).map(
    "".join
)
#: The import skips entries without a title, and no item is without one.
hostile_title = hostile_text.filter(lambda t: t.strip())


@st.composite
def hostile_views(draw: st.DrawFn) -> list[dict]:
    views = []
    for i in range(draw(st.integers(1, 3))):
        ann = {
            "status": draw(st.sampled_from(["unread", "reading", "read"])),
            "tags": draw(st.lists(hostile_text, max_size=3)),
            "notes": draw(st.lists(hostile_text, max_size=3)),
            "title": draw(st.none() | hostile_title),
        }
        urls = draw(st.lists(st.sampled_from(["https://", "http://", ""]).flatmap(
            lambda scheme: hostile_text.map(lambda t, s=scheme: s + t)), max_size=2))  # fmt: skip
        views.append(
            make_view(
                f"fuzz{i:07d}",
                draw(hostile_title),
                authors=draw(st.lists(hostile_text, max_size=3)),
                authors_truncated=draw(st.booleans()),
                date=draw(st.sampled_from([None, "2021-02-03"])),
                date_text=draw(st.none() | hostile_text),
                summary=draw(hostile_text),
                urls=urls,
                kinds=draw(st.sampled_from([[], ["arxiv_abstracts"], ["blog_listing"]])),
                ann=ann,
            )
        )
    return views


def web_urls(view: dict) -> list[str]:
    return [u for u in view["urls"] if u.lower().startswith(("http://", "https://"))]


def bib_title_of(view: dict) -> str:
    return view["original_title"] or view["title"]


def annote_of(view: dict) -> list[str]:
    texts = [n["text"] for n in view["notes"] if n["text"]]
    if view["renamed"] and view["title"] and view["title"] != bib_title_of(view):
        texts.insert(0, f"Shelf title: {view['title']}")
    return texts


def no_controls(data: str, fmt: str) -> None:
    if fmt == "csv":
        data = data.replace("\r\n", "\n")
    bad = [c for c in data if (ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0]
    assert not bad, (fmt, bad)


_TEX_LITERAL = re.compile(
    r"\{@\}|\\text(backslash|braceleft|braceright|asciitilde|asciicircum)\{\}|\\([%&$#_])|[{}]"
)
_TEX_CHARS = {"backslash": "\\", "braceleft": "{", "braceright": "}", "asciitilde": "~",
              "asciicircum": "^"}  # fmt: skip


def decode_plain(value: str) -> str:
    """The literal text of a plain BibTeX field as shelf writes it: its escapes
    read back, protective braces dropped."""

    def sub(m: re.Match[str]) -> str:
        if m.group() == "{@}":
            return "@"
        if m.group(1):
            return _TEX_CHARS[m.group(1)]
        return m.group(2) or ""

    return _TEX_LITERAL.sub(sub, value)


def ligatures(text: str) -> str:
    """What TeX prints (and the import reads) for ---, --, `` and ''."""
    return (
        text.replace("---", "\u2014")
        .replace("--", "\u2013")
        .replace("``", "\u201c")
        .replace("''", "\u201d")
    )


def name_words(name: str) -> list[str]:
    return sorted(name.replace(",", " ").split())


def check_bib(views: list[dict], data: str) -> None:
    library = read_bib(data)
    assert [e.key for e in library.entries] == citation_keys(views)
    assert len(library.blocks) == len(views)
    for entry, raw in zip(library.entries, views, strict=True):
        view = clean_view(raw)
        fields = {f.key: f.value for f in entry.fields}
        assert all(balanced(v) for v in fields.values()), fields
        assert decode_plain(fields["title"]) == bib_title_of(view)
        assert decode_plain(fields.get("annote", "")) == "\n\n".join(annote_of(view))
        assert decode_plain(fields.get("keywords", "")) == ", ".join(view["tags"])
        assert decode_plain(fields["readstatus"]) == view["status"]
        authors = [a for a in view["authors"] if a.strip()]
        names = split_multiple_persons_names(fields["author"]) if "author" in fields else []
        assert len(names) == len(authors) + (1 if authors and view["authors_truncated"] else 0)
        if view["summary"]:
            assert "abstract" in fields
        if web_urls(view):
            url = re.sub(r"[\s{}\\]", lambda m: f"%{ord(m.group()):02X}", web_urls(view)[0])
            assert fields["url"] == re.sub(r"@(?=\w*\s*[{(])", "%40", url)
    entries, skipped = entries_from_bibtex(data, "shelf.bib")
    assert [s for s in skipped if "keywords" not in s] == []
    assert len(entries) == len(views)
    for entry, raw in zip(entries, views, strict=True):
        view = clean_view(raw)
        assert entry.title == fold(ligatures(bib_title_of(view)))
        authors = [a for a in view["authors"] if a.strip()]
        assert len(entry.authors) == len(authors)
        for got, want in zip(entry.authors, authors, strict=True):
            assert name_words(got) == name_words(ligatures(want)), (got, want)
        assert entry.authors_truncated == bool(authors and view["authors_truncated"])
        if view["date"]:
            assert entry.date == view["date"]


def check_ris(views: list[dict], data: str) -> None:
    lines = data.split("\n")
    assert all(line == "" or _RIS_LINE.match(line) for line in lines)
    assert sum(line.startswith("TY  - ") for line in lines) == len(views)
    assert sum(line.startswith("ER  - ") for line in lines) == len(views)
    refs = rispy.loads(data)
    assert len(refs) == len(views)
    for ref, raw in zip(refs, views, strict=True):
        view = clean_view(raw)
        assert ref["primary_title"] == ris_value(bib_title_of(view))
        notes = [f"Status: {view['status']}"] + [ris_value(n) for n in annote_of(view)]
        if view["renamed"] and view["title"] and view["title"] != bib_title_of(view):
            notes[1] = f"Shelf title: {ris_value(view['title'])}"  # the label, then the title
        assert ref["notes"] == notes
        assert ref.get("keywords", []) == [ris_value(t) for t in view["tags"]]
        assert ref.get("urls", []) == [ris_value(u).replace(";", "%3B") for u in web_urls(view)]
        authors = [a for a in view["authors"] if a.strip()]
        assert [name_words(a) for a in ref.get("authors", [])] == [name_words(a) for a in authors]
        if view["summary"]:
            assert ref["abstract"] == ris_value(view["summary"])


def check_csv(views: list[dict], data: str) -> None:
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"), newline="")))
    assert len(rows) == len(views)

    def guard(text: str) -> str:
        return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text

    for r, raw in zip(rows, views, strict=True):
        view = clean_view(raw)
        assert r["id"] == view["id"]
        assert r["title"] == guard(view["title"])
        assert r["original_title"] == guard(view["original_title"])
        assert r["authors"] == guard("; ".join(view["authors"]))
        assert r["summary"] == guard(view["summary"])
        assert r["tags"] == guard("; ".join(view["tags"]))
        assert r["notes"] == guard("\n\n".join(n["text"] for n in view["notes"] if n["text"]))
        assert r["urls"] == guard(" ".join(view["urls"]))
        assert r["date_text"] == guard(view["date_text"] or date_label(view))


def check_json(views: list[dict], data: str, fmt: str) -> None:
    doc = json.loads(data)
    if fmt == "json":
        assert doc["items"] == views
        return
    assert len(doc) == len(views)
    for item, view in zip(doc, views, strict=True):
        assert item["title"] == bib_title_of(view)
        assert item["note"] == "\n\n".join([f"Status: {view['status']}", *annote_of(view)])
        assert item.get("abstract", "") == view["summary"]
        assert item.get("URL") == (web_urls(view)[:1] or [None])[0]
        assert item["custom"]["tags"] == view["tags"]


def check_html(views: list[dict], data: str) -> None:
    page = _Html()
    page.feed(data)
    page.close()
    assert "script" not in page.tags and page.tags.count("li") == len(views)
    assert not [k for k, _ in page.attrs if k.startswith("on")]
    hrefs = [v for k, v in page.attrs if k == "href"]
    assert hrefs == [web_urls(clean_view(v))[0] for v in views if web_urls(v)]
    text = "".join(page.text)
    for raw in views:
        view = clean_view(raw)
        for part in [view["title"], *view["tags"], *(n["text"] for n in view["notes"])]:
            assert part in text


def check_md(views: list[dict], data: str) -> None:
    items = md_items(data, [])
    assert len(items) == len(views)
    for (line, paragraphs), raw in zip(items, views, strict=True):
        view = clean_view(raw)
        box = "[x] " if view["status"] == "read" else "[ ] "
        title = fold(view["title"])
        links = web_urls(view)
        head = f"<a {links[0]}>{title}</a>" if links else f"<strong_open>{title}<strong_close>"
        details = [fold(x) for x in (author_line(view), date_label(view)) if x]
        if view["status"] == "reading":
            details.append("<em_open>reading<em_close>")
        tags = [fold(t) for t in view["tags"] if fold(t)]
        if tags:
            details.append(" ".join(f"<code>{t}</code>" for t in tags))
        expected = box + head + (" — " + " · ".join(details) if details else "")
        if links:  # markdown-it normalises the link target; it must still be the item's
            target = f"<a {links[0]}>"
            line = re.sub(r"<a https?://[^>]*>", lambda _, t=target: t, line, count=1)
            assert line.count("<a ") == 1
        else:
            assert "<a " not in line
        assert fold(line) == fold(expected)
        assert paragraphs == md_note_paragraphs([n["text"] for n in view["notes"] if n["text"]])


def check_every_format(views: list[dict]) -> None:
    for fmt in FORMATS:
        data = export_views(views, fmt, exported_at=STAMP).decode("utf-8")
        no_controls(data, fmt)
        if fmt == "bib":
            check_bib(views, data)
        elif fmt == "ris":
            check_ris(views, data)
        elif fmt == "csv":
            check_csv(views, data)
        elif fmt in ("json", "csl-json"):
            check_json(views, data, fmt)
        elif fmt == "html":
            check_html(views, data)
        else:
            check_md(views, data)


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
@given(hostile_views())
def test_arbitrary_text_in_every_field_reads_back_from_every_format(views: list[dict]) -> None:
    check_every_format(views)
