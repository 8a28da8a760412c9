"""Related items: what a reader would call alike, in the core and through ``shelf related``."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from core.related import find_related
from core.session import Session
from storage.shelf import UnknownItem
from tests.test_cli import run

GAN_PAPERS = (
    "Improved Techniques for Training GANs",
    "Improving GANs Using Optimal Transport",
    "Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks",
)
SCALING_LAWS = (
    "Scaling Laws for Neural Language Models",
    "Scaling Laws for Autoregressive Generative Modeling",
)


@pytest.fixture
def session(bundled_data: Path) -> Session:
    return Session.open(bundled_data, "alice")


def id_of(session: Session, title: str) -> str:
    return session.resolve_loosely(title)


def related_titles(session: Session, item_id: str, limit: int = 5) -> list[str]:
    return [session.title(r.id) or "" for r in find_related(session, item_id, limit)]


@pytest.mark.parametrize("source", GAN_PAPERS)
def test_from_a_gan_paper_the_other_gan_papers_come_first(session: Session, source: str) -> None:
    """Including the DCGAN paper, which spells the subject out ("Generative
    Adversarial Networks") where the others say "GANs"."""
    titles = related_titles(session, id_of(session, source))
    others = [t for t in GAN_PAPERS if t != source]
    assert set(titles[:2]) == set(others), titles


@pytest.mark.parametrize("source", SCALING_LAWS)
def test_from_a_scaling_law_paper_the_other_comes_first(session: Session, source: str) -> None:
    (other,) = [t for t in SCALING_LAWS if t != source]
    assert related_titles(session, id_of(session, source))[0] == other


def test_results_exclude_the_item_are_scored_and_say_what_they_share(session: Session) -> None:
    item_id = id_of(session, SCALING_LAWS[0])
    found = find_related(session, item_id, 5)
    assert len(found) == 5 and item_id not in [r.id for r in found]
    scores = [r.score for r in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1.5 for s in scores)
    assert {"scaling", "laws"} <= set(found[0].shared)
    assert len(find_related(session, item_id, 2)) == 2


def test_the_open_index_and_the_saved_one_agree(bundled_data: Path) -> None:
    saved = Session.open(bundled_data, "alice")
    ids = [id_of(saved, t) for t in (*GAN_PAPERS, *SCALING_LAWS)]
    from_file = {i: find_related(saved, i, 5) for i in ids}
    opened = Session.open(bundled_data, "alice")
    items = opened.shelf.items(with_text=False)
    opened.search.open(items.values(), opened.annotations(), {}, opened.shelf.library.text)
    assert opened.search.ready
    assert {i: find_related(opened, i, 5) for i in ids} == from_file


def test_tags_count_and_a_removed_item_is_never_related(session: Session) -> None:
    source = id_of(session, "Improving GANs Using Optimal Transport")
    unrelated = id_of(session, "GPT-4o System Card")
    assert unrelated not in [r.id for r in find_related(session, source, 5)]
    session.add_tags([source, unrelated], ["wasserstein-gans", "curious-pairing"])
    assert unrelated in [r.id for r in find_related(session, source, 5)]
    first = find_related(session, source, 1)[0].id
    session.remove([first])
    assert first not in [r.id for r in find_related(session, source, 5)]


def test_tags_on_many_items_do_not_outweigh_the_subject(session: Session) -> None:
    """Tags a reader puts on every fifteenth item (and on this one) do not reorder
    what is related: a tag weighs as one word of an abstract, so an item sharing
    only the tags never climbs over one sharing the subject."""
    source = id_of(session, "Scaling Laws for Neural Language Models")
    before = [r.id for r in find_related(session, source, 3)]
    tagged = [i for i in session.find("")[::15] if i not in before]
    session.add_tags([source, *tagged], ["survey", "theory"])
    assert [r.id for r in find_related(session, source, 3)] == before


def test_an_unknown_item_is_an_error(session: Session) -> None:
    with pytest.raises(UnknownItem):
        find_related(session, "no-such-item", 5)


# -- the command line ------------------------------------------------------------------


def test_cli_related_text_and_json(bundled_data: Path) -> None:
    text = run(bundled_data, "related", "Scaling Laws for Neural Language").stdout
    lines = text.splitlines()
    assert len(lines) == 5
    assert "Scaling Laws for Autoregressive Generative Modeling" in lines[0]
    assert "scaling" in lines[0]

    out = orjson.loads(run(bundled_data, "related", "Improving GANs", "--json", "-n", "3").stdout)
    assert len(out) == 3
    assert {"id", "title", "score", "shared", "authors", "status", "tags"} <= set(out[0])
    assert {o["title"] for o in out[:2]} == set(GAN_PAPERS) - {GAN_PAPERS[1]}
    assert out[0]["score"] >= out[1]["score"] >= out[2]["score"]
    # an id prefix resolves as for show
    by_prefix = orjson.loads(run(bundled_data, "related", out[0]["id"][:6], "--json").stdout)
    assert by_prefix and by_prefix[0]["id"] != out[0]["id"]


def test_cli_related_bad_id_is_one_line_and_exit_1(bundled_data: Path) -> None:
    proc = run(bundled_data, "related", "no such paper at all", check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("shelf: no item")
    proc = run(bundled_data, "related", "Improving GANs", "-n", "0", check=False)
    assert proc.returncode == 1 and "-n" in proc.stderr
