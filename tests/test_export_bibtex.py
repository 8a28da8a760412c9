"""BibTeX export: keys, escaping, names, and acceptance by real readers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.export import export_views
from storage.export.bibtex import bibtex_name, bibtex_title, entry_fields, title_by_words
from storage.export.keys import citation_keys
from storage.export.latex import escape_abstract, escape_plain
from tests.test_export_samples import make_view, sample_views


def export_bib(views=None) -> str:
    return export_views(sample_views() if views is None else views, "bib").decode("utf-8")


def parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library


def entries_by_id() -> dict[str, Entry]:
    views = sample_views()
    library = parse(export_bib(views))
    keys = citation_keys(views)
    return {v["id"]: library.entries_dict[k] for v, k in zip(views, keys, strict=True)}


def value(entry: Entry, name: str) -> str:
    return entry.fields_dict[name].value


def braces_balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


# --- reading it back ---------------------------------------------------------


def test_bibtexparser_reads_every_entry_back() -> None:
    views = sample_views()
    library = parse(export_bib(views))
    assert [e.key for e in library.entries] == citation_keys(views)


def test_layout_is_exactly_what_bibtexparser_writes() -> None:
    views = sample_views()
    blocks = []
    for key, view in zip(citation_keys(views), views, strict=True):
        entry_type, fields = entry_fields(view)
        blocks.append(
            Entry(entry_type, key, [Field(n, "{" + v + "}" if b else v) for n, v, b in fields])
        )
    fmt = BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    expected = bibtexparser.write_string(
        bibtexparser.Library(blocks), unparse_stack=[], bibtex_format=fmt
    )
    assert export_bib(views) == expected


def test_every_field_has_balanced_braces() -> None:
    for entry in entries_by_id().values():
        for field in entry.fields:
            assert braces_balanced(field.value), (entry.key, field.key, field.value)


def test_entry_types_and_core_fields() -> None:
    e = entries_by_id()
    clip = e["clip0000001"]
    assert clip.entry_type == "article"
    assert value(clip, "journal") == "arXiv preprint arXiv:2103.00020"
    assert value(clip, "eprint") == "2103.00020"
    assert value(clip, "archiveprefix") == "arXiv"
    assert value(clip, "primaryclass") == "cs.CV"
    assert value(clip, "year") == "2021" and value(clip, "month") == "feb"
    assert value(clip, "date") == "2021-02-26"
    assert value(clip, "url") == "https://arxiv.org/abs/2103.00020"
    assert value(clip, "keywords") == "vision, must-read"
    assert value(clip, "readstatus") == "read"
    blog = e["blog0000003"]
    assert blog.entry_type == "misc"
    assert value(blog, "howpublished") == (
        "\\url{https://openai.com/blog/dall-e-2-extending-creativity}"
    )
    assert "year" not in blog.fields_dict and "author" not in blog.fields_dict
    assert value(e["rad00000005"], "doi") == "10.48550/arXiv.2009.01325"


def test_month_is_a_bare_macro() -> None:
    assert "  month = feb,\n" in export_bib()


def test_yearless_dates_get_no_year() -> None:
    sae = entries_by_id()["sae00000002"]
    assert value(sae, "month") == "feb"
    assert "year" not in sae.fields_dict and "date" not in sae.fields_dict
    beet = entries_by_id()["beet0000008"]
    assert value(beet, "year") == "2019" and "month" not in beet.fields_dict


def test_notes_go_in_annote_and_renames_are_kept_there() -> None:
    e = entries_by_id()
    annote = value(e["clip0000001"], "annote")
    assert annote.startswith("<script>alert('x')</script> \\& [link](javascript:alert(1))")
    assert "second line with 100\\% \\textbraceleft{}odd\\textbraceright{} brace" in annote
    ren = e["ren00000007"]
    assert value(ren, "title") == "{GPT}-4 Technical Report"  # the work's own title
    assert value(ren, "annote") == "Shelf title: My GPT-4 notes copy"


def test_non_ascii_is_kept_as_utf8() -> None:
    text = export_bib()
    assert "{Dupré la Tour}, Tom" in text and "Über die Symphonie" in text
    assert "Müller and Ødegaard" in text


# --- keys ----------------------------------------------------------------------


def test_keys_look_like_author_year_word() -> None:
    keys = dict(zip((v["id"] for v in sample_views()), citation_keys(sample_views()), strict=True))
    assert keys["sae00000002"] == "gaoscaling"
    assert keys["ren00000007"] == "openai2023gpt4"
    assert keys["blog0000003"] == "openairebold"  # site and two words without authors
    assert keys["blog0000004"] == "attentionattention"
    assert keys["beet0000008"] == "beethoven2019uber"


def test_clashing_keys_get_letters_by_item_id_not_by_order() -> None:
    views = sample_views()
    keys = dict(zip((v["id"] for v in views), citation_keys(views), strict=True))
    assert keys["clip0000001"] == "radford2021learninga"
    assert keys["rad00000005"] == "radford2021learningb"
    reversed_keys = citation_keys(list(reversed(views)))
    assert dict(zip((v["id"] for v in reversed(views)), reversed_keys, strict=True)) == keys


def test_keys_are_stable_across_renames_and_annotations() -> None:
    plain = make_view("x1", "Deep Learning", authors=["Yann LeCun"], date="2015-05-28")
    annotated = make_view(
        "x1",
        "Deep Learning",
        authors=["Yann LeCun"],
        date="2015-05-28",
        ann={"title": "Renamed", "tags": ["classic"], "status": "read"},
    )
    assert citation_keys([plain]) == citation_keys([annotated]) == ["lecun2015deep"]


def test_keys_stay_unique_for_many_clashes() -> None:
    views = [make_view(f"id{i:03d}", "Attention", authors=["A Vaswani"]) for i in range(60)]
    views.append(make_view("zz", "Attention", authors=["A Vaswanib"]))  # base "vaswanibattention"
    keys = citation_keys(views)
    assert len(set(keys)) == len(keys)
    assert keys[0] == "vaswaniattentiona" and keys[25] == "vaswaniattentionz"
    assert keys[26] == "vaswaniattentionaa"
    assert all(k.isascii() and k.isalnum() for k in keys)


def test_keys_fold_accents() -> None:
    view = make_view("d", "Über Alles", authors=["Łukasz Ødegaard-Müller"], date="2020-01-01")
    assert citation_keys([view]) == ["odegaardmuller2020uber"]


# --- escaping --------------------------------------------------------------------


def test_plain_fields_escape_every_special_character() -> None:
    assert escape_plain("50% & $100 #1 {x} ~y ^z \\ back_slash") == (
        "50\\% \\& \\$100 \\#1 \\textbraceleft{}x\\textbraceright{} \\textasciitilde{}y "
        "\\textasciicircum{}z \\textbackslash{} back\\_slash"
    )


def test_abstracts_keep_math_and_existing_escapes() -> None:
    out = escape_abstract("maps $\\leftrightarrow$ and is 50\\% cheaper")
    assert out == "maps $\\leftrightarrow$ and is 50\\% cheaper"


def test_abstracts_escape_what_is_not_latex() -> None:
    out = escape_abstract("costs $5 or $10 & {a} x_1 #2 ~ ^")
    assert out == (
        "costs \\$5 or \\$10 \\& \\textbraceleft{}a\\textbraceright{} x\\_1 \\#2 "
        "\\textasciitilde{} \\textasciicircum{}"
    )


def test_abstract_math_that_would_break_bibtex_is_escaped() -> None:
    for text in ("$a}$ then", "$\\{$ open", "x $50% y$ z"):
        out = escape_abstract(text)
        assert braces_balanced(out), (text, out)
    assert escape_abstract("x $50% y$ z") == "x $50\\% y$ z"  # % would comment out the rest


def test_abstract_keeps_accents_and_text_commands() -> None:
    text = 'M{\\"u}ller and \\"Odegaard \\emph{really_big} \\{set\\} \\ldots'
    assert escape_abstract(text) == (
        'M{\\"u}ller and \\"Odegaard \\emph{really\\_big} '
        "\\textbraceleft{}set\\textbraceright{} \\ldots"
    )


def test_title_protects_acronyms_and_camel_case() -> None:
    assert bibtex_title("GPT-4 Technical Report") == "{GPT}-4 Technical Report"
    assert bibtex_title("Learning to Play Minecraft with Video PreTraining (VPT)") == (
        "Learning to Play Minecraft with Video {PreTraining} ({VPT})"
    )
    assert bibtex_title("Reducing Bias in DALL·E 2") == "Reducing Bias in {DALL·E} 2"
    assert bibtex_title("A Study of Part B") == "A Study of Part {B}"
    assert bibtex_title("Jukebox: A Generative Model") == "Jukebox: A Generative Model"
    assert bibtex_title("R&D at AT&T") == "{R\\&D} at {AT\\&T}"


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.text(alphabet="aAbBzZ019 :-&%_{}~^\\\t()é", min_size=0, max_size=6), max_size=8
    ).map(" ".join)
)
def test_the_plain_title_shortcut_changes_nothing(title: str) -> None:
    assert bibtex_title(title) == title_by_words(title)


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "bib", "last"),
    [
        ("Alec Radford", "Radford, Alec", ["Radford"]),
        ("Adam P. Goucher", "Goucher, Adam P.", ["Goucher"]),
        ("Tom Dupré la Tour", "{Dupré la Tour}, Tom", ["{Dupré la Tour}"]),
        ("Ludwig van Beethoven", "van Beethoven, Ludwig", ["Beethoven"]),
        ("Jean de la Fontaine", "de la Fontaine, Jean", ["Fontaine"]),
        ("José Ortega y Gasset", "{Ortega y Gasset}, José", ["{Ortega y Gasset}"]),
        ("Martin Luther King Jr.", "King, Jr., Martin Luther", ["King"]),
        ("OpenAI", "OpenAI", ["OpenAI"]),
        ("Research and Development", "{Research and Development}", ["{Research and Development}"]),
        ("A_B C%D", "C{\\%}D, A{\\_}B", ["C{\\%}D"]),  # escapes as special characters
    ],
)
def test_names_split_the_way_bibtex_splits_them(name: str, bib: str, last: list[str]) -> None:
    assert bibtex_name(name) == bib
    assert parse_single_name_into_parts(bib).last == last


def test_author_list_with_et_al() -> None:
    clip = entries_by_id()["clip0000001"]
    names = split_multiple_persons_names(value(clip, "author"))
    assert names == ["Radford, Alec", "Kim, Jong Wook", "Hallacy, Chris", "others"]


# --- real BibTeX and Biber, where installed -----------------------------------------


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex not installed")
def test_bibtex_reads_the_export_without_errors(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(export_bib(), encoding="utf-8")
    (tmp_path / "doc.aux").write_text(
        "\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n", encoding="utf-8"
    )
    result = _run(["bibtex", "doc"], tmp_path)
    log = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode in (0, 1), log  # 1 = warnings only
    assert "error message" not in log, log
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    assert bbl.count("\\bibitem") == len(sample_views())


@pytest.mark.skipif(
    shutil.which("biber") is None or shutil.which("pdflatex") is None,
    reason="biber/pdflatex not installed",
)
def test_biber_and_latex_accept_the_export(tmp_path: Path) -> None:
    """Biber parses every entry, and LaTeX typesets titles, abstracts and notes."""
    (tmp_path / "refs.bib").write_text(export_bib(), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{textcomp}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{refs.bib}\n"
        "\\renewbibmacro*{finentry}{\\newunit\\printfield{abstract}\\newunit"
        "\\printfield{annotation}\\finentry}\n"
        "\\begin{document}\\nocite{*}\\printbibliography\\end{document}\n",
        encoding="utf-8",
    )
    first = _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    biber = _run(["biber", "doc"], tmp_path)
    assert biber.returncode == 0, biber.stdout[-3000:]
    assert "ERROR" not in biber.stdout, biber.stdout
    second = _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert second.returncode == 0, second.stdout[-3000:]
