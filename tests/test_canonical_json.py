"""Splicing entries into a file in shelf's own layout gives what a full rewrite would."""

from __future__ import annotations

import random
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from storage.canonical_json import MAX_SPLICED, dumps, locate
from storage.canonical_json import entries as _entries
from storage.canonical_json import with_changes as _with_changes


def with_changes(raw, table, changes):
    located = locate(raw, table)
    changed = None if located is None else _with_changes(located, changes)
    if changed is not None:  # where the table ends up is where a fresh look finds it
        assert locate(changed.raw, table) == changed
        assert locate(changed.raw, table, changed.span) == changed
    return None if changed is None else changed.raw


def entries(raw, table, keys):
    located = locate(raw, table)
    return None if located is None else _entries(located, keys)


KEYS = st.text(alphabet="0123456789abcdefXYZ_.:+-", min_size=1, max_size=12)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    # Text that looks like the layout itself must not confuse the splice.
    st.text(max_size=30) | st.sampled_from(['\n    "ab": {', "\n  }", '",\n    "']),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
DOCS = st.dictionaries(st.text(max_size=10), VALUES, max_size=4)
TABLE = st.dictionaries(KEYS, DOCS, max_size=8)
CHANGES = st.dictionaries(KEYS, st.none() | DOCS, max_size=4)
META = {"format": {"name": "shelf-annotations", "user": "ann", "version": 1}}


def _applied(tables: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    table = dict(tables["annotations"])
    for key, doc in changes.items():
        if doc is None:
            table.pop(key, None)
        else:
            table[key] = doc
    return {**tables, "annotations": table}


@given(TABLE, CHANGES)
def test_splicing_equals_rewriting_the_whole_file(table, changes):
    tables = {"annotations": table, "meta": META}
    spliced = with_changes(dumps(tables), "annotations", changes)
    assert spliced == dumps(_applied(tables, changes))
    assert orjson.loads(spliced)["meta"] == META


@given(TABLE, st.lists(KEYS, max_size=5))
def test_entries_read_by_search_equal_the_parsed_file(table, keys):
    raw = dumps({"annotations": table, "meta": META})
    assert entries(raw, "annotations", keys) == {k: table[k] for k in keys if k in table}


def test_the_last_and_the_only_entry_are_found():
    raw = dumps({"annotations": {"a1": {"x": 1}}, "meta": META})
    assert entries(raw, "annotations", ["a1", "a2"]) == {"a1": {"x": 1}}
    assert with_changes(raw, "annotations", {"a1": None}) == dumps(
        {"annotations": {}, "meta": META}
    )


def test_anything_unexpected_is_left_to_a_full_parse():
    raw = dumps({"annotations": {"a1": {"x": 1}}, "meta": META})
    # Keys a byte search could mistake, and files in another layout.
    assert entries(raw, "annotations", ['a"1']) is None
    assert with_changes(raw, "annotations", {"é": {"x": 2}}) is None
    assert (
        with_changes(orjson.dumps({"annotations": {"a1": {}}}), "annotations", {"a1": None}) is None
    )
    assert with_changes(raw, "missing", {"a1": None}) is None
    located = locate(raw, "annotations")
    assert located is not None
    assert locate(raw, "annotations", (located.start + 1, located.end)) == located  # a stale hint
    assert locate(raw, "annotations", (0, 10**6)) == located
    hand_edited = raw.replace(b'"a1": ', b'"a1":')
    assert with_changes(hand_edited, "annotations", {"a1": {"y": 1}}) is None
    assert entries(hand_edited, "annotations", ["a1"]) is None
    too_many = {f"b{n}": {"n": n} for n in range(MAX_SPLICED + 1)}
    assert with_changes(raw, "annotations", too_many) is None


def _long_table(seed: int) -> dict[str, Any]:
    """Hundreds of entries, over the span bisection starts at; from a seed Hypothesis draws."""
    rng = random.Random(seed)
    keys = {f"{rng.getrandbits(rng.choice((8, 24, 48))):x}" for _ in range(400)}
    return {key: {"about": f"item {key}", "tags": ["a"] * rng.randrange(3)} for key in keys}


@given(st.integers(0, 2**32), st.lists(st.integers(0, 399), max_size=6), CHANGES)
def test_a_table_long_enough_to_bisect(seed, picks, new):
    table = _long_table(seed)
    existing = sorted(table)
    changes = {existing[p % len(existing)]: ({"x": p} if p % 3 else None) for p in picks}
    changes.update(new)
    tables = {"annotations": table, "meta": META}
    raw = dumps(tables)
    assert with_changes(raw, "annotations", changes) == dumps(_applied(tables, changes))
    keys = list(changes)
    assert entries(raw, "annotations", keys) == {k: table[k] for k in keys if k in table}
