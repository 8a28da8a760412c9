"""Posts known only by their update notes: titled from what the notes name, ids unchanged.

Six Lil'Log excerpts of the bundled corpus are nothing but ``[Updated on …]``
notes. Their titles come from ``seeds.notes``; their ids are hashes of the
notes' text (``seeds.merge.primary_key``), so users' annotations and
libraries imported before keep working.
"""

from __future__ import annotations

import html

import pytest

from seeds.bundled import bundled_documents
from seeds.merge import merge_entries, primary_key
from seeds.model import Entry, Item, Update
from seeds.notes import named_titles, notes_title
from seeds.parse import parse_document
from seeds.titles import derive_title
from storage.feeds.match import merge_feed_entries
from storage.feeds.parse import parse_feed
from tests.feed_fixtures.lillog import rss
from tests.seed_fixtures import SEED_FILES, SEEDS_DIR

#: id -> (title before, title now). The ids are the contract: annotations are keyed on them.
NOTES_ONLY = {
    "6c3989de3acc": (
        "Add expert choice routing",
        "Training Large Neural Networks: expert choice routing",
    ),
    "f7fd2519d96c": (
        "Highly recommend this blog post on score-based generative modeling by Yang Song…",
        "Classifier-free guidance, GLIDE, unCLIP and Imagen; latent diffusion model",
    ),
    "c95ef244ea94": (
        "Updated to version 2.0 with several work added and many typos fixed",
        "Prompt design: P-tuning and Prompt Tuning; unlikelihood training",
    ),
    "ba4dbfa86a6f": (
        "After almost three years, I did a big refactoring update of this post…",
        "The Transformer Family",
    ),
    "032eceaf20e4": (
        "Mentioning PCG in the “Task-Specific Curriculum” section",
        "Task-Specific Curriculum: PCG; curriculum through distillation",
    ),
    "f8be263f85e9": (
        "Add a new section on Contrastive Predictive Coding",
        "Momentum Contrast: MoCo, SimCLR and CURL; Contrastive Predictive Coding",
    ),
}
SHARED_SEEDS = SEEDS_DIR.parent.parent / "shared" / "seeds"


def _entries(folder=None) -> list[Entry]:
    if folder is None:
        documents = bundled_documents()
    else:
        documents = [(name, (folder / name).read_text(encoding="utf-8")) for name in SEED_FILES]
    entries: list[Entry] = []
    for name, text in documents:
        entries.extend(parse_document(text, name).entries)
    return entries


def _notes_only(items: list[Item]) -> dict[str, Item]:
    return {i.id: i for i in items if i.updates and not i.summary}


@pytest.fixture(scope="module")
def corpus() -> list[Item]:
    return merge_entries(_entries()).items


def test_the_six_ids_are_unchanged_and_titled_from_their_notes(corpus):
    found = _notes_only(corpus)
    assert sorted(found) == sorted(NOTES_ONLY)
    for item_id, (_, title) in NOTES_ONLY.items():
        item = found[item_id]
        assert item.title == title
        assert item.title_derived and len(item.title) <= 80


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="no shared seed folder here")
def test_the_shared_seed_copy_gives_the_same_ids_and_titles():
    found = _notes_only(merge_entries(_entries(SHARED_SEEDS)).items)
    assert {i: item.title for i, item in found.items()} == {
        i: new for i, (_, new) in NOTES_ONLY.items()
    }


def test_the_titles_name_the_subject_not_the_edit(corpus):
    titles = {i: item.title for i, item in _notes_only(corpus).items()}
    expert = titles["6c3989de3acc"].lower()
    assert "expert choice routing" in expert and "training large neural networks" in expert
    assert "contrastive" in titles["f8be263f85e9"].lower()
    for title in titles.values():
        assert not title.lower().startswith(("add ", "added ", "mentioning ", "updated "))
        assert "typos" not in title and "Greg" not in title and "I did" not in title


def test_a_title_naming_another_item_is_not_that_items_title(corpus):
    titles = {item.title for item in corpus if not item.title_derived}
    assert "Techniques for Training Large Neural Networks" in titles
    for item in _notes_only(corpus).values():
        assert item.title not in titles


def test_the_id_is_a_hash_of_the_notes_never_of_the_title(corpus):
    for item in _notes_only(corpus).values():
        retitled = Item.from_dict({**item.to_dict(), "title": "Something else entirely"})
        assert primary_key(retitled) == primary_key(item)


def _as_before(item: Item) -> Item:
    """The item as an import by the old rule stored it: titled from its first note."""
    old = derive_title(item.updates[0].text)
    return Item.from_dict({**item.to_dict(), "title": old})


def test_a_library_imported_before_is_retitled_by_a_reimport_and_keeps_its_ids(corpus):
    before = [_as_before(i) if i.id in NOTES_ONLY else i for i in corpus]
    assert {i.id: i.title for i in before if i.id in NOTES_ONLY} == {
        i: old for i, (old, _) in NOTES_ONLY.items()
    }
    excerpts = [e for e in _entries() if e.kind == "blog_excerpts"]
    result = merge_entries(excerpts, before)
    assert not result.added
    assert sorted(result.merged) == sorted(NOTES_ONLY)
    retitled = {i.id: i.title for i in result.items}
    assert retitled == {i: new for i, (_, new) in NOTES_ONLY.items()}
    # And once retitled, importing again changes nothing.
    after = {i.id: i for i in before} | {i.id: i for i in result.items}
    again = merge_entries(excerpts, list(after.values()))
    assert not again.items and not again.added


def test_the_title_does_not_depend_on_document_order():
    entries = _entries()
    forward = _notes_only(merge_entries(entries).items)
    backward = _notes_only(merge_entries(entries[::-1]).items)
    assert {i: t.title for i, t in forward.items()} == {i: t.title for i, t in backward.items()}


def test_a_feed_naming_the_post_still_gives_it_its_real_title(corpus):
    """A feed entry carrying the post's notes merges into the item and titles it."""
    item = _notes_only(corpus)["6c3989de3acc"]
    notes = " ".join(f"[Updated on {u.date}: {u.text}]" for u in item.updates)
    post = (
        "<item><title>How to Train Really Large Models on Many GPUs?</title>"
        "<link>https://lilianweng.github.io/posts/2021-09-25-train-large/</link>"
        "<pubDate>25 Sep 2021 00:00:00 +0000</pubDate>"
        "<guid>https://lilianweng.github.io/posts/2021-09-25-train-large/</guid>"
        f"<description>{html.escape(notes)}</description></item>"
    )
    feed = parse_feed(rss([], post), "feed:lillog")
    result = merge_feed_entries([e.entry for e in feed.entries], corpus)
    assert result.merged == [item.id] and not result.added
    (merged,) = result.items
    assert merged.title == "How to Train Really Large Models on Many GPUs?"
    assert not merged.title_derived and merged.date == "2021-09-25"


# -- the rule itself ---------------------------------------------------------------


def test_named_titles_are_quoted_or_follow_published_on():
    assert named_titles(
        "Greg and I wrote a shorted and upgraded version of this post, published on "
        "OpenAI Blog: “Techniques for Training Large Neural Networks”"
    ) == ["Techniques for Training Large Neural Networks"]
    assert named_titles(
        "The enhanced version of this post is here: The Transformer Family Version 2.0. "
        "Please refer to that post on this topic."
    ) == ["The Transformer Family Version 2.0"]
    assert named_titles('add a "Momentum Contrast" section') == ["Momentum Contrast"]
    assert named_titles("a pointer to a full post on “Contrastive Representati") == []
    assert named_titles("add expert choice routing.") == []


@pytest.mark.parametrize(
    "notes,title",
    [
        (["add expert choice routing."], "Expert choice routing"),
        (
            ["mentioning PCG in the “Task-Specific Curriculum” section."],
            "Task-Specific Curriculum: PCG",
        ),
        (["Add “unlikelihood training”."], "Unlikelihood training"),
        (["add a new section on Contrastive Predictive Coding"], "Contrastive Predictive Coding"),
        # Nothing but notes about the edit: the first note's own sentence, as before.
        (["Fixed many typos."], "Fixed many typos"),
        ([], ""),
        (["  "], ""),
    ],
)
def test_notes_title_cases(notes, title):
    assert notes_title(notes) == title


def test_the_most_naming_note_leads_and_the_rest_follow_while_they_fit():
    notes = [
        "add a small section on distillation.",
        "Added classifier-free guidance, GLIDE, unCLIP and Imagen.",
        "Added " + "very long phrase " * 6 + ".",
    ]
    title = notes_title(notes)
    assert title.startswith("Classifier-free guidance, GLIDE, unCLIP and Imagen; distillation")
    assert "very long" not in title and len(title) <= 80


def test_a_long_single_note_is_shortened_to_the_limit():
    title = notes_title(["Added " + ", ".join(f"Method{n} Variant" for n in range(30)) + "."])
    assert 0 < len(title) <= 80


def test_updates_are_data_not_titles():
    update = Update("2020-01-01", "add a “Bisimulation” section on DeepMDP and DBC.")
    assert notes_title([update.text]) == "Bisimulation: DeepMDP and DBC"


def test_hostile_notes_give_short_titles_and_no_prose_as_names():
    long_note = "published on X: " + "word " * 5000 + "."
    assert named_titles(long_note) == []
    for note in ("a in the “x” section " * 2000, "add " + "Foo-Bar " * 3000, "“" * 5000):
        assert len(notes_title([note, note])) <= 80
