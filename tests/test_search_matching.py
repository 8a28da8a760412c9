"""A word's scores looked up for the candidates only (``TermMatch.restricted``)
must be its whole scores (``full``) cut to those candidates, however the
candidates change from one keystroke to the next: the lookups it keeps from
earlier keystrokes must never leak docs that are not candidates now."""

from __future__ import annotations

from array import array

from hypothesis import given
from hypothesis import strategies as st

from storage.search.matching import TermMatch

DOCS = 60

postings = st.dictionaries(st.integers(0, DOCS - 1), st.integers(0, 3), max_size=DOCS)
bonuses = st.dictionaries(st.integers(0, DOCS - 1), st.floats(0.1, 2.0), max_size=8)
candidates = st.lists(st.sets(st.integers(0, DOCS + 5), max_size=DOCS), min_size=1, max_size=6)


def _match(groups: list[dict[int, int]], acronym: dict[int, float], user: dict[int, float]):
    """A word with one postings array per match quality; level L scores L + 1 (and more
    in the better group)."""
    made = []
    for quality, found in enumerate(groups):
        table = [float(level + 1 + quality) for level in range(256)]
        made.append((table, [array("I", sorted(doc << 8 | lv for doc, lv in found.items()))]))
    return TermMatch(made, acronym, user, frozenset(), frozenset(), (), ())


@given(st.lists(postings, min_size=1, max_size=3), bonuses, bonuses, candidates)
def test_restricted_is_full_cut_to_the_candidates(groups, acronym, user, steps) -> None:
    whole = _match(groups, acronym, user).full()
    word = _match(groups, acronym, user)
    for cand in steps:  # one keystroke after another, narrowing or not
        assert word.restricted(cand) == {d: whole[d] for d in cand if d in whole}


def test_a_later_keystroke_sees_only_its_own_candidates() -> None:
    word = _match([{1: 0, 2: 1, 3: 2, 4: 0}], {}, {})
    assert word.restricted({1, 2, 3}) == {1: 1.0, 2: 2.0, 3: 3.0}
    assert word.restricted({2}) == {2: 2.0}  # narrowed: from what was looked up
    assert word.restricted({2, 4, 9}) == {2: 2.0, 4: 1.0}  # 4 and 9 looked up now
    assert word.restricted({1, 4}) == {1: 1.0, 4: 1.0}
