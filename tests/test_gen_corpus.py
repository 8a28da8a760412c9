"""The benchmark corpus generator writes what the parser reads back, entry for entry.

The scale benchmarks time ``shelf import`` on this corpus; if the parser
misread it (lost entries, split titles wrongly, merged distinct works) the
timings would describe a different import than the one users run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))

import gen_corpus  # noqa: E402

from seeds import parse  # noqa: E402


def test_every_format_is_generated_and_names_are_unique():
    works = list(gen_corpus.works(3000))
    assert {w.kind for w in works} == set(gen_corpus.KINDS)
    names = [gen_corpus._coined(i, 0) for i in range(20000)]
    assert len(set(names)) == len(names)


def test_generation_is_deterministic_and_prefix_stable():
    first = gen_corpus.generate(400, seed=3, per_doc=100)
    again = gen_corpus.generate(400, seed=3, per_doc=100)
    assert [d.text for d in first] == [d.text for d in again]
    other = gen_corpus.generate(400, seed=4, per_doc=100)
    assert [d.text for d in first] != [d.text for d in other]
    small = list(gen_corpus.works(50, seed=3))
    assert small == list(gen_corpus.works(400, seed=3))[:50]


@pytest.mark.parametrize("overlap", [0.0, 0.2])
def test_parser_reads_back_every_entry_with_its_title(overlap):
    documents = gen_corpus.generate(1500, seed=1, per_doc=150, overlap=overlap)
    assert sum(len(d.works) for d in documents) >= 1500
    for doc in documents:
        result = parse.parse_document(doc.text, doc.name)
        assert result.kind == doc.kind, doc.name
        assert len(result.entries) == len(doc.works), doc.name
        overlap_doc = doc.name.endswith("_overlap.txt")
        for entry, work in zip(result.entries, doc.works, strict=True):
            if overlap_doc:  # a listed paper again, as an untitled abstract
                assert entry.title_derived and entry.summary == work.summary
                continue
            assert entry.title == work.title
            assert entry.title_derived == work.title_derived
            assert entry.summary == work.summary
            if doc.kind == "paper_listing":
                assert entry.authors == work.authors
                assert entry.authors_truncated == work.authors_truncated
                assert entry.affiliations == work.affiliations
                assert (entry.category, entry.has_code) == (work.category, work.has_code)
                assert entry.date_text == work.date_text
            if doc.kind == "blog_excerpts":
                assert [(u.date, u.text) for u in entry.updates] == work.updates


def test_importing_the_corpus_adds_one_item_per_work(tmp_path):
    from storage.shelf import Shelf

    paths = gen_corpus.write_corpus(600, tmp_path / "corpus", per_doc=100, overlap=0.25)
    manifest = json.loads((tmp_path / "corpus" / "manifest.json").read_text())
    assert manifest["items"] == 600
    assert manifest["entries"] > 600  # the overlap lists some papers twice
    shelf = Shelf(tmp_path / "data", "bench", import_bundled=False)
    report = shelf.import_paths(paths)
    assert not report.errors
    assert len(report.added) == 600 and not report.merged
    titles = {item.title for item in shelf.items(with_text=False).values()}
    assert {w.title for w in gen_corpus.works(600)} == titles
    again = shelf.import_paths(paths)
    assert not again.added and not again.merged


def test_command_line_writes_documents_and_manifest(tmp_path):
    assert gen_corpus.main(["--items", "120", "--out", str(tmp_path), "--per-doc", "50"]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    names = sorted(p.name for p in tmp_path.glob("*.txt"))
    assert names == sorted(d["name"] for d in manifest["documents"])
    assert sum(d["entries"] for d in manifest["documents"]) == 120
