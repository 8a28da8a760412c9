"""Quoted phrases are as forgiving of case and punctuation as free words are."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.session import Session

GPT3 = "Language Models are Few-Shot Learners"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    return Session.open(tmp_path_factory.mktemp("phrases") / "data", "alice")


def titles(session: Session, query: str) -> list[str]:
    items = session.shelf.items(with_text=False)
    return [items[i].title for i in session.find(query)]


@pytest.mark.parametrize(
    "query",
    ['"few-shot learners"', '"Few-Shot Learners"', '"few shot learners"', '"fewshot learners"'],
)
def test_a_hyphenated_phrase_is_found_however_it_is_typed(session: Session, query: str) -> None:
    assert titles(session, query)[:1] == [GPT3]


def test_a_phrase_still_needs_its_words_in_order(session: Session) -> None:
    assert GPT3 not in titles(session, '"learners few-shot"')
    assert titles(session, '"dall-e 2"')[0].startswith(("DALL·E 2", "Reducing Bias"))


def test_the_saved_index_and_a_fresh_one_agree_on_phrases(session: Session, tmp_path: Path) -> None:
    from storage.search import SearchIndex

    index = SearchIndex.build(session.shelf.items().values(), session.annotations())
    for query in ('"few-shot learners"', '"language models"', '"dall-e 2"'):
        assert list(index.search(query).ids()) == session.find(query)
