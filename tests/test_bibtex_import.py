"""BibTeX import: a hand-written Zotero-style export becomes library entries."""

from __future__ import annotations

import pytest

from seeds.bundled import bundled_documents
from seeds.merge import merge_entries
from seeds.parse import parse_document
from storage.bibtex_import import entries_from_bibtex, looks_like_bibtex
from storage.export import export_views
from tests.test_export_samples import sample_views

ZOTERO = r"""
@comment{This file was created with Zotero}
@string{neurips = {Advances in Neural Information Processing Systems}}

@article{radford_learning_2021,
	title = {Learning {Transferable} {Visual} {Models} {From} {Natural} {Language} {Supervision}},
	url = {http://arxiv.org/abs/2103.00020},
	doi = {10.48550/arXiv.2103.00020},
	abstract = {Vision systems map images $\leftrightarrow$ text and are 50\% cheaper than {M{\"u}ller}'s \emph{baseline}.},
	urldate = {2024-01-10},
	publisher = {arXiv},
	author = {Radford, Alec and Kim, Jong Wook and Hallacy, Chris and others},
	month = feb,
	year = {2021},
	note = {arXiv:2103.00020 [cs]},
	keywords = {Computer Science - Computer Vision and Pattern Recognition},
	file = {arXiv Fulltext PDF:/home/u/Zotero/storage/ABC/Radford.pdf:application/pdf},
}

@inproceedings{gao_scaling_2024,
	title = {Scaling and evaluating sparse autoencoders},
	author = {Gao, Leo and Dupr{\'e} la Tour, Tom and Tillman, Henk},
	booktitle = neurips,
	year = 2024,
	month = {6},
	day = {6},
	eprint = {2406.04093v1},
	archivePrefix = {arXiv},
	primaryClass = {cs.LG},
}

@misc{weng_reward_2024,
	title = "Reward Hacking in {Reinforcement} {Learning}: {R\&D} on {$\alpha$}-tricks --- a {\"U}bersicht",
	author = {Weng, Lilian},
	howpublished = {\url{https://lilianweng.github.io/posts/2024-11-28-reward-hacking/}},
	year = {2024},
	keywords = {rl, safety},
}

@article{openai_gpt4_2023,
	title = {{GPT}-4 {Technical} {Report}},
	author = {{OpenAI}},
	journal = {arXiv preprint arXiv:2303.08774},
	date = {2023-03-15},
}

@book{beethoven,
	title = {{\"U}ber die {Symphonie} {\c{c}}a et l{\`a}},
	author = {van Beethoven, Ludwig and King, Jr., Martin Luther and M{\o}ller, S{\o}ren},
	year = {1808},
	month = {December},
}

@article{no_title_at_all,
	author = {Nobody, A.},
	year = {2020},
}

@article{radford_learning_2021,
	title = {A second entry with the same key},
}
"""


def parse_sample():
    return entries_from_bibtex(ZOTERO, "My Library.bib")


def by_title_start(entries, start):
    return next(e for e in entries if e.title.startswith(start))


def test_entries_come_in_file_order_as_bibtex_kind() -> None:
    entries, _ = parse_sample()
    assert [e.title.split()[0] for e in entries] == [
        "Learning",
        "Scaling",
        "Reward",
        "GPT-4",
        "Über",
    ]
    assert all(e.kind == "bibtex" and e.source == "My Library.bib" for e in entries)
    assert [e.position for e in entries] == list(range(5))


def test_titles_lose_protective_braces_and_latex() -> None:
    entries, _ = parse_sample()
    assert entries[0].title == (
        "Learning Transferable Visual Models From Natural Language Supervision"
    )
    assert (
        entries[2].title
        == "Reward Hacking in Reinforcement Learning: R&D on α-tricks — a Übersicht"
    )
    assert entries[3].title == "GPT-4 Technical Report"
    assert entries[4].title == "Über die Symphonie ça et là"


def test_authors_become_first_last_with_et_al_flag() -> None:
    entries, _ = parse_sample()
    assert entries[0].authors == ["Alec Radford", "Jong Wook Kim", "Chris Hallacy"]
    assert entries[0].authors_truncated is True
    assert entries[1].authors == ["Leo Gao", "Tom Dupré la Tour", "Henk Tillman"]
    assert entries[1].authors_truncated is False
    assert entries[3].authors == ["OpenAI"]
    assert entries[4].authors == ["Ludwig van Beethoven", "Martin Luther King Jr.", "Søren Møller"]


def test_dates_use_only_what_the_entry_says() -> None:
    entries, _ = parse_sample()
    assert (entries[0].date, entries[0].date_text) == (None, "Feb 2021")  # no day: no ISO date
    assert (entries[1].date, entries[1].date_text) == ("2024-06-06", "Jun 6, 2024")
    assert (entries[2].date, entries[2].date_text) == (None, "2024")
    assert (entries[3].date, entries[3].date_text) == ("2023-03-15", "Mar 15, 2023")
    assert (entries[4].date, entries[4].date_text) == (None, "Dec 1808")


def test_abstract_keeps_its_latex_but_not_its_braces() -> None:
    entries, _ = parse_sample()
    assert entries[0].summary == (
        "Vision systems map images $\\leftrightarrow$ text and are 50\\% cheaper than "
        "Müller's \\emph{baseline}."
    )


def test_links_from_url_doi_eprint_and_howpublished() -> None:
    entries, _ = parse_sample()
    assert entries[0].urls == [
        "http://arxiv.org/abs/2103.00020",  # note's arXiv:… is the same link
        "https://doi.org/10.48550/arXiv.2103.00020",
    ]
    assert entries[1].urls == ["https://arxiv.org/abs/2406.04093"]
    assert entries[2].urls == ["https://lilianweng.github.io/posts/2024-11-28-reward-hacking/"]
    assert entries[3].urls == ["https://arxiv.org/abs/2303.08774"]


def test_arxiv_primary_class_becomes_the_bare_category() -> None:
    entries, _ = parse_sample()
    assert entries[1].category == "LG"
    assert entries[0].category is None


def test_skipped_things_are_reported_one_per_line() -> None:
    _, skipped = parse_sample()
    assert any("second entry with key 'radford_learning_2021'" in s for s in skipped)
    assert any("'no_title_at_all' has no title" in s for s in skipped)
    assert any("keywords of 2 entries not imported" in s for s in skipped)
    assert all("\n" not in s and s.startswith("My Library.bib") for s in skipped)


def test_keywords_never_become_tags_or_fields() -> None:
    entries, _ = parse_sample()
    assert not any("safety" in " ".join(e.urls) + e.summary for e in entries)


def test_detection() -> None:
    assert looks_like_bibtex(ZOTERO)
    assert looks_like_bibtex("  @Misc ( key ,\n title = {x})")
    assert not looks_like_bibtex("@string{a = {b}}\n@comment{nothing}")
    assert not looks_like_bibtex("Write to me @ home{not, an entry} please")
    for name, text in bundled_documents():
        assert not looks_like_bibtex(text), name


def test_not_bibtex_is_a_one_line_value_error() -> None:
    with pytest.raises(ValueError) as err:
        entries_from_bibtex("Abstract: nothing here", "notes.txt")
    assert "notes.txt" in str(err.value) and "\n" not in str(err.value)


def test_unreadable_bibtex_is_a_one_line_value_error() -> None:
    with pytest.raises(ValueError) as err:
        entries_from_bibtex("@article{broken,\n title = {never closed\n", "broken.bib")
    message = str(err.value)
    assert "\n" not in message and "broken.bib:1" in message


def test_one_bad_entry_does_not_lose_the_others() -> None:
    text = "@article{good, title = {Fine}, year = 2020}\n@article{bad, title = {{unbalanced}\n"
    entries, skipped = entries_from_bibtex(text, "mixed.bib")
    assert [e.title for e in entries] == ["Fine"]
    assert len(skipped) == 1 and "mixed.bib:2" in skipped[0]


def test_imported_papers_merge_with_the_corpus() -> None:
    corpus = [e for name, text in bundled_documents() for e in parse_document(text, name).entries]
    existing = merge_entries(corpus).items
    entries, _ = parse_sample()
    result = merge_entries(entries, existing)
    by_id = {item.id: item for item in result.items}
    merged_titles = {by_id[i].title for i in result.merged}
    assert "Learning Transferable Visual Models From Natural Language Supervision" in merged_titles
    assert "Scaling and evaluating sparse autoencoders" in merged_titles
    assert "GPT-4 Technical Report" in merged_titles
    added_titles = {by_id[i].title for i in result.added}
    assert "Über die Symphonie ça et là" in added_titles


def test_shelf_bibtex_export_imports_back() -> None:
    views = sample_views()
    entries, skipped = entries_from_bibtex(export_views(views, "bib").decode(), "shelf.bib")
    assert len(entries) == len(views)
    assert not [s for s in skipped if "keywords" not in s]
    for view, entry in zip(views, entries, strict=True):
        assert entry.title == view["original_title"]
        assert entry.authors == view["authors"]
        assert entry.authors_truncated == view["authors_truncated"]
        if view["date"]:
            assert entry.date == view["date"]
        assert [u for u in view["urls"] if u.startswith("http")][:1] == entry.urls[:1]
    assert entries[0].summary.startswith(
        "State-of-the-art vision systems map images $\\leftrightarrow$"
    )
    assert entries[1].date is None and entries[1].date_text == "Feb"  # yearless stays yearless
