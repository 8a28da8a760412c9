"""Relevance over the seed corpus: what a person expects first, comes first.

``tests/relevance/queries.toml`` holds natural queries (authors, topics,
acronyms, typos, partial words) with the item a person would expect at the
top. The test asserts top-1 accuracy >= 0.9 and prints top-1 and MRR (run
with ``-s`` to see them, or ``python tests/test_search_relevance.py``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from seeds.bundled import bundled_documents
from seeds.merge import merge_entries
from seeds.parse import parse_document
from storage.search import SearchIndex

QUERIES = Path(__file__).parent / "relevance" / "queries.toml"


def load_queries() -> list[dict[str, str]]:
    with QUERIES.open("rb") as f:
        return tomllib.load(f)["query"]


def seed_index() -> tuple[SearchIndex, dict[str, str]]:
    entries = []
    for name, text in bundled_documents():
        entries += parse_document(text, name).entries
    items = merge_entries(entries).items
    return SearchIndex.build(items, {}), {item.id: item.title for item in items}


def evaluate() -> tuple[float, float, list[tuple[str, str, int | None, str]]]:
    index, titles = seed_index()
    rows = []
    for case in load_queries():
        ranked = [titles[h.id] for h in index.search(case["q"], limit=20).hits]
        rank = ranked.index(case["expect"]) + 1 if case["expect"] in ranked else None
        rows.append((case["q"], case["expect"], rank, ranked[0] if ranked else "—"))
    top1 = sum(r[2] == 1 for r in rows) / len(rows)
    mrr = sum(1 / r[2] for r in rows if r[2]) / len(rows)
    return top1, mrr, rows


def report(top1: float, mrr: float, rows: list[tuple[str, str, int | None, str]]) -> str:
    lines = [f"relevance: {len(rows)} queries, top-1 {top1:.3f}, MRR {mrr:.3f}"]
    for q, expect, rank, first in rows:
        if rank != 1:
            lines.append(f"  {q!r}: expected {expect!r} at {rank}, first was {first!r}")
    return "\n".join(lines)


def test_query_set_is_large_and_well_formed() -> None:
    cases = load_queries()
    assert len(cases) >= 30
    _, titles = seed_index()
    for case in cases:
        assert case["expect"] in titles.values(), case


def test_top1_accuracy_and_mrr(capsys: pytest.CaptureFixture[str]) -> None:
    top1, mrr, rows = evaluate()
    with capsys.disabled():
        print("\n" + report(top1, mrr, rows))
    assert top1 >= 0.9, report(top1, mrr, rows)


if __name__ == "__main__":
    print(report(*evaluate()))
