"""Merging entries into items: duplicates, field choice, stable ids, idempotent imports."""

from __future__ import annotations

import hashlib
import random

import pytest

from seeds.merge import make_id, merge_entries, primary_key
from seeds.model import Entry, Item, Update
from seeds.normalize import title_key
from seeds.parse import parse_document
from tests.seed_fixtures import (
    ARXIV,
    BLOG,
    EXCERPTS,
    PAPERS,
    RESEARCH,
    SEED_FILES,
    parsed_seed,
    seed_text,
    synthetic_documents,
)


def seed_entries(order=SEED_FILES) -> list[Entry]:
    return [e for name in order for e in parsed_seed(name).entries]


@pytest.fixture(scope="module")
def merged():
    return merge_entries(seed_entries())


def by_title(result) -> dict[str, Item]:
    return {item.title: item for item in result.items}


def entry(title="", summary="", derived=False, source="x.txt", **fields) -> Entry:
    return Entry(source=source, kind="blog_listing", position=0, title=title,
                 title_derived=derived, summary=summary, **fields)  # fmt: skip


LONG = (
    "We introduce a model that does a great many things with a great many parameters, "
    "trained on a great deal of data drawn from many sources, and we evaluate it on many "
    "benchmarks spanning language, vision and audio tasks of many kinds."
)


# -- the seed corpus -----------------------------------------------------------


def test_80_entries_make_73_items(merged):
    assert len(seed_entries()) == 80
    assert len(merged.items) == 73
    assert len(merged.added) == 73
    assert merged.merged == [] and merged.unchanged == []
    assert len({item.id for item in merged.items}) == 73


# (title, sources in first-seen order)
DUPLICATES = [
    ("DALL·E 2 Pre-Training Mitigations", [BLOG, RESEARCH]),
    ("Learning to Play Minecraft with Video PreTraining (VPT)", [BLOG, RESEARCH]),
    ("AI-Written Critiques Help Humans Notice Flaws", [BLOG, RESEARCH]),
    ("Techniques for Training Large Neural Networks", [BLOG, RESEARCH]),
    ("Evaluating Large Language Models Trained on Code", [ARXIV, PAPERS]),
    ("Learning Transferable Visual Models From Natural Language Supervision", [ARXIV, PAPERS]),
]


def test_duplicates_become_one_item_with_every_source(merged):
    multi = {item.title: item.sources for item in merged.items if len(item.sources) > 1}
    assert multi == dict(DUPLICATES)


def test_items_per_source_document(merged):
    counts = {name: sum(name in item.sources for item in merged.items) for name in SEED_FILES}
    # 000 holds the Minecraft post twice; every 003 paper and 004 excerpt is distinct.
    assert counts == {BLOG: 7, RESEARCH: 9, ARXIV: 8, PAPERS: 25, EXCERPTS: 30}


def test_real_titles_beat_derived_ones(merged):
    derived = [item for item in merged.items if item.title_derived]
    # 6 abstracts of 002 without a titled copy, and all 30 excerpts of 004.
    assert len(derived) == 36
    assert {tuple(item.sources) for item in derived} == {(ARXIV,), (EXCERPTS,)}
    codex = by_title(merged)["Evaluating Large Language Models Trained on Code"]
    assert codex.title_derived is False
    assert codex.summary.startswith("We introduce Codex, a GPT language model")
    assert (codex.authors, codex.authors_truncated) == (
        ["Mark Chen", "Jerry Tworek", "Heewoo Jun"],
        True,
    )
    assert (codex.date, codex.date_text, codex.category) == ("2021-07-07", "Jul 7, 2021", "LG")
    assert codex.kinds == ["arxiv_abstracts", "paper_listing"]


def test_capitalisation_variant_merges_through_its_summary(merged):
    minecraft = by_title(merged)["Learning to Play Minecraft with Video PreTraining (VPT)"]
    assert "t:" + title_key("Learning to play Minecraft with Video PreTraining") in minecraft.keys
    assert "t:" + title_key(minecraft.title) in minecraft.keys
    # The longer of two cut-off summaries is kept.
    assert minecraft.summary.endswith("(24,000 actions). Our…")


def test_complete_summary_beats_cut_off_one_and_longer_beats_shorter(merged):
    items = by_title(merged)
    critiques = items["AI-Written Critiques Help Humans Notice Flaws"]
    assert critiques.summary.startswith("We trained “critique-writing” models")
    techniques = items["Techniques for Training Large Neural Networks"]
    assert techniques.summary.endswith("techniques to parallelize…")


def test_metadata_and_urls_survive_the_merge(merged):
    clip = by_title(merged)["Learning Transferable Visual Models From Natural Language Supervision"]
    assert clip.has_code is True
    assert clip.urls == ["https://github.com/OpenAI/CLIP"]
    assert clip.date == "2021-02-26"


def test_updates_are_kept(merged):
    assert sum(len(item.updates) for item in merged.items) == 21


def test_ids_are_short_content_hashes(merged):
    for item in merged.items:
        assert len(item.id) == 12
        assert int(item.id, 16) >= 0 and item.id == item.id.lower()
        assert item.id == hashlib.sha256(primary_key(item).encode()).hexdigest()[:12]
    gpt4o = by_title(merged)["GPT-4o System Card"]
    assert gpt4o.id == hashlib.sha256(b"gpt4osystemcard").hexdigest()[:12]


def test_every_key_is_stored(merged):
    for item in merged.items:
        assert item.keys
        assert len(item.keys) == len(set(item.keys))


# -- idempotence and stable ids ------------------------------------------------


def test_reimport_changes_nothing(merged):
    again = merge_entries(seed_entries(), merged.items)
    assert again.items == [] and again.added == [] and again.merged == []
    assert sorted(again.unchanged) == sorted(item.id for item in merged.items)


def test_reimport_of_one_document_reports_its_items_unchanged(merged):
    again = merge_entries(parsed_seed(RESEARCH).entries, merged.items)
    assert again.items == [] and again.added == [] and again.merged == []
    assert len(again.unchanged) == 9


def test_ids_are_the_same_in_any_document_order(merged):
    expected = {item.id: item.title for item in merged.items}
    rng = random.Random(3)
    for _ in range(5):
        order = list(SEED_FILES)
        rng.shuffle(order)
        entries = seed_entries(order)
        rng.shuffle(entries)
        result = merge_entries(entries)
        assert {item.id: item.title for item in result.items} == expected


def test_ids_are_the_same_across_runs_and_renamed_files(merged):
    entries = [e for n in SEED_FILES for e in parse_document(seed_text(n), f"renamed-{n}").entries]
    assert {i.id for i in merge_entries(entries).items} == {i.id for i in merged.items}


def test_existing_item_keeps_its_id_when_a_later_document_gives_it_a_title():
    first = merge_entries(parsed_seed(ARXIV).entries)
    codex = next(i for i in first.items if i.summary.startswith("We introduce Codex"))
    assert codex.title_derived is True
    later = merge_entries(parsed_seed(PAPERS).entries, first.items)
    updated = {item.id: item for item in later.items}
    assert codex.id in later.merged
    assert updated[codex.id].title == "Evaluating Large Language Models Trained on Code"
    assert updated[codex.id].title_derived is False
    assert updated[codex.id].sources == [ARXIV, PAPERS]
    assert len(later.merged) == 2  # Codex and CLIP
    assert len(later.added) == 23
    # And the combined library is again idempotent.
    library = {i.id: i for i in first.items} | updated
    again = merge_entries(seed_entries([ARXIV, PAPERS]), library.values())
    assert again.items == [] and len(again.unchanged) == 31


def test_document_by_document_import_reaches_73_items_and_stays_there():
    library: dict[str, Item] = {}
    for name in reversed(SEED_FILES):
        result = merge_entries(parsed_seed(name).entries, library.values())
        library.update({item.id: item for item in result.items})
    assert len(library) == 73
    again = merge_entries(seed_entries(), library.values())
    assert again.items == [] and len(again.unchanged) == 73


def test_existing_real_title_is_kept_and_summary_upgraded():
    old = merge_entries([entry("Short Title", LONG[:120] + "…")]).items[0]
    newer = merge_entries([entry("short title", LONG, source="y.txt")], [old])
    assert newer.merged == [old.id]
    item = newer.items[0]
    assert (item.id, item.title, item.summary) == (old.id, "Short Title", LONG)
    assert item.sources == ["x.txt", "y.txt"]


def test_a_derived_title_never_merges_two_works():
    a = entry("Same derived title", LONG, derived=True)
    b = entry("Same derived title", "Something else entirely, about other matters.", derived=True)
    assert len(merge_entries([a, b]).items) == 2


def test_abstracts_that_only_open_alike_stay_apart():
    opening = " ".join(f"common{i}" for i in range(40)) + ". "
    a = entry("", opening + "Then one thing happens, and it is about apples and pears.", True)
    b = entry("", opening + "Then another thing happens, about trains and boats here.", True)
    cut = entry("", opening[:300] + "…", True)  # over 24 words: finds a longer copy
    result = merge_entries([a, b, cut])
    assert len(result.items) == 2
    assert len({i.id for i in result.items}) == 2
    assert sorted(len(i.id) for i in result.items) == [12, 13]  # same abstract key, extended


def test_union_of_urls_updates_affiliations_and_code_flag():
    a = entry("A Paper", LONG, urls=["https://a.io"], updates=[Update("2020-01-02", "x")])
    b = entry("A paper", LONG, source="y.txt", urls=["https://b.io", "https://a.io"],
              updates=[Update("2019-01-01", "y"), Update("2020-01-02", "x")],
              affiliations=["openai"], has_code=True)  # fmt: skip
    item = merge_entries([a, b]).items[0]
    assert item.urls == ["https://a.io", "https://b.io"]
    assert [u.date for u in item.updates] == ["2019-01-01", "2020-01-02"]
    assert (item.affiliations, item.has_code) == (["openai"], True)


def test_richest_metadata_wins_regardless_of_order():
    plain = entry("A Paper", LONG, authors=["Ann Lee"], date_text="Feb 6")
    rich = entry("A Paper", LONG, source="y.txt", authors=["Ann Lee", "Bo Chen"],
                 date="2024-02-06", date_text="Feb 6, 2024", category="LG")  # fmt: skip
    for pair in ([plain, rich], [rich, plain]):
        item = merge_entries(pair).items[0]
        assert (item.authors, item.date, item.date_text, item.category) == (
            ["Ann Lee", "Bo Chen"],
            "2024-02-06",
            "Feb 6, 2024",
            "LG",
        )


def test_entries_without_keys_still_reimport_idempotently():
    short = entry("Update only", "", derived=True, updates=[Update("2020-01-01", "Fixed.")])
    first = merge_entries([short])
    assert merge_entries([short], first.items).unchanged == [first.items[0].id]


def test_existing_items_are_not_modified_in_place(merged):
    snapshot = [Item.from_dict(item.to_dict()) for item in merged.items]
    merge_entries([entry("GPT-4o System Card", LONG, source="z.txt")], merged.items)
    assert merged.items == snapshot


# -- ids on collision ----------------------------------------------------------


def test_make_id_extends_on_collision():
    key = "somekey"
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert make_id(key, set()) == digest[:12]
    assert make_id(key, {digest[:12]}) == digest[:13]
    assert make_id(key, {digest[:12], digest[:13]}) == digest[:14]


def test_new_item_colliding_with_an_existing_id_gets_a_longer_one():
    digest = hashlib.sha256(b"anewpaper").hexdigest()
    squatter = Item(id=digest[:12], title="Something Else", keys=["t:somethingelse"])
    result = merge_entries([entry("A New Paper", LONG)], [squatter])
    assert result.added == [digest[:13]]


# -- scale ---------------------------------------------------------------------


def _parse_and_merge(documents):
    entries = [e for name, text in documents for e in parse_document(text, name).entries]
    result = merge_entries(entries)
    return len(entries), len(result.items)


@pytest.mark.timeout(300)  # how it scales is measured by tests/benchmarks/bench_merge.py
def test_parse_and_merge_keep_every_distinct_work():
    small = synthetic_documents(4_000, seed=1)
    large = synthetic_documents(16_000, seed=2)
    assert _parse_and_merge(small) == (4_000, 4_000)
    assert _parse_and_merge(large) == (16_000, 16_000)  # nothing merged by accident
