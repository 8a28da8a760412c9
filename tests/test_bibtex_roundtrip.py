"""Faithful BibTeX: import → export → import gives the same entries back."""

from __future__ import annotations

from pathlib import Path

from seeds.merge import merge_entries
from storage.bibtex_import import entries_from_bibtex
from storage.export import export_views
from storage.views import item_view

REAL_WORLD = (Path(__file__).parent / "fixtures" / "roundtrip.bib").read_text()


def through_export(text: str) -> tuple[list, str]:
    entries, _ = entries_from_bibtex(text, "in.bib")
    items = merge_entries(entries).items
    for n, item in enumerate(items):
        item.id = f"id{n:04d}"
    views = [item_view(item) for item in items]
    return entries, export_views(views, "bib").decode("utf-8")


def facts(entry) -> tuple:
    return (
        entry.title,
        entry.authors,
        entry.date,
        entry.date_text,
        entry.category,
        entry.urls,
        entry.entry_type,
        entry.bib_fields,
    )


def test_import_export_import_is_a_fixed_point():
    first, exported = through_export(REAL_WORLD)
    second, again = through_export(exported)
    assert [facts(e) for e in second] == [facts(e) for e in first]
    assert again == exported


def test_types_and_fields_are_kept_and_written_back():
    first, exported = through_export(REAL_WORLD)
    bert, muller, clip = first
    assert bert.entry_type == "inproceedings" and muller.entry_type == "article"
    assert bert.bib_fields["booktitle"].startswith("Proceedings of the 2019 Conference")
    assert bert.bib_fields["pages"] == "4171--4186"
    assert bert.date_text == "Jun 2019"
    assert muller.bib_fields == {
        "journal": 'Zeitschrift f{\\"u}r Physik',
        "volume": "42",
        "number": "3",
        "pages": "1--10",
    }
    assert muller.title == "Über die Quantenmechanik der Moleküle"
    assert muller.authors == ["Jörg Müller", "José Cañete"]
    assert bert.title.startswith("BERT: Pre-training")
    assert "@inproceedings{devlin2019bert," in exported
    assert "  booktitle = {Proceedings of the 2019 Conference of the North {A}merican" in exported
    assert "  month = jun,\n" in exported
    assert '  journal = {Zeitschrift f{\\"u}r Physik},\n' in exported
    assert "  eprint = {2103.00020},\n  archiveprefix = {arXiv},\n" in exported
    assert "  primaryclass = {cs.CV},\n" in exported
    assert "  note = {ICML 2021},\n" in exported


def test_update_notes_and_derived_titles_are_in_the_note():
    view = item_view(
        merge_entries(entries_from_bibtex("@misc{a,\n title = {A post}\n}\n", "x.bib")[0]).items[0]
    )
    view.update(
        title_derived=True,
        updates=[{"date": "2023-01-02", "text": "Added a section on RLHF."}],
        id="p1",
    )
    out = export_views([view], "bib").decode()
    assert "  note = {Title taken from the text (the source gives none)\n\n" in out
    assert "Updated 2023-01-02: Added a section on RLHF.}" in out


def test_a_few_hundred_entries_in_the_shapes_exporters_write_are_a_fixed_point():
    """Zotero, Google Scholar, DBLP and arXiv shapes: what comes back is what went in."""
    import bibtexparser

    from tests.bib_shapes import entries

    text = entries(320)
    first, exported = through_export(text)
    assert len(first) == 320
    second, again = through_export(exported)
    assert [facts(e) for e in second] == [facts(e) for e in first]
    assert again == exported
    parsed = bibtexparser.parse_string(exported)
    assert len(parsed.entries) == 320 and not parsed.failed_blocks
    types = {e.entry_type for e in parsed.entries}
    assert {"inproceedings", "article"} <= types
