"""``annotations import`` of a file someone else wrote: every entry is checked,
bad ones are refused and reported, and the merge goes to the user running it."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.annotation_checks import CLOCK_SKEW, Refused, check_entry, check_table
from storage.annotation_sync import import_annotations, load_annotation_export
from storage.atomic import StorageError
from storage.shelf import Shelf
from tests.fixtures.hostile.build import (
    USER,
    annotation_file,
    fresh_data_dir,
    hard_timeout,  # noqa: F401 - autouse: every test here fails on a hang
    item_ids,
    make_template,
    plant,
    run_cli,
    sparse_file,
    write_annotations,
)

pytestmark = pytest.mark.timeout(30)

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("merge-template"))


@pytest.fixture
def root(template, tmp_path) -> Path:
    return fresh_data_dir(template, tmp_path)


def export_file(tmp_path: Path, entries: dict, user: str = "mallory") -> Path:
    path = tmp_path / "incoming.json"
    write_annotations(path, entries, user=user)
    return path


@pytest.mark.parametrize(
    ("stamp", "why"),
    [
        ("9999-99-99", "not an ISO 8601 time"),
        ("9999-12-31T23:59:59Z", "in the future"),
        ("2026-11-01T10:00:00", "no time zone"),
        ("yesterday", "not an ISO 8601 time"),
        (20261101, "not a time"),
    ],
)
def test_a_forged_status_time_never_wins(root, tmp_path, stamp, why):
    item = item_ids(root, 1)[0]
    assert run_cli(root, "status", "reading", item)[0] == 0
    incoming = export_file(tmp_path, {item: {"status": "unread", "status_at": stamp}})
    code, out, err = run_cli(root, "annotations", "import", str(incoming), "--json")
    assert code == 0, err
    report = orjson.loads(out)
    assert report["changed"] == [] and report["user"] == USER
    assert Shelf(root, USER, import_bundled=False).annotation(item).status == "reading"
    report = import_annotations(Shelf(root, USER, import_bundled=False), incoming)
    assert len(report.refused) == 1 and why in report.refused[0] and item in report.refused[0]


def test_report_keeps_its_fields_and_adds_refused(root, tmp_path):
    good, bad = item_ids(root, 2)
    incoming = export_file(
        tmp_path,
        {
            good: {"tags": ["ok"], "updated": "2026-11-01T10:00:00Z"},
            bad: {"tags": "x" * 10, "status": "done"},
        },
    )
    report = import_annotations(Shelf(root, USER, import_bundled=False), incoming)
    assert report.user == USER and report.changed == [good] and report.unchanged == 0
    assert report.unknown == [] and len(report.changes) == 1
    assert len(report.refused) == 1 and "\n" not in report.refused[0]
    assert Shelf(root, USER, import_bundled=False).annotation(bad).is_empty()


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "finished"},
        {"status": ["read"]},
        {"tags": [1, 2]},
        {"tags": [""]},
        {"tags": "solo"},
        {"notes": "just text"},
        {"notes": [{"text": "no time"}]},
        {"notes": [{"text": "t", "created": "2026-13-01T00:00:00Z"}]},
        {"notes": [{"text": "n" * (256 * 1024 + 1), "created": "2026-01-01T00:00:00Z"}]},
        {"title": "t" * 4097},
        {"title": 42},
        {"tags": ["g" * 4097]},
        {"tags": ["t"] * 1001},
        {"read_at": "9999-01-01T00:00:00Z"},
        {"updated": "2026-01-01T00:00:00+25:00"},
    ],
)
def test_bad_entries_are_refused_with_a_reason(entry):
    with pytest.raises(Refused) as caught:
        check_entry("0123456789ab", entry, NOW)
    assert str(caught.value) and "\n" not in str(caught.value)


def test_clock_skew_is_allowed_and_times_become_utc():
    soon = (NOW + CLOCK_SKEW / 2).isoformat()
    ann = check_entry(
        "0123456789ab",
        {"status": "read", "status_at": soon, "updated": "2026-11-01T12:00:00+02:00"},
        NOW,
    )
    assert ann.status_at is not None and ann.status_at.endswith("Z")
    assert ann.updated == "2026-11-01T10:00:00Z"


def test_newer_status_wins_across_time_zones(root, tmp_path):
    """+02:00 at 11:00 is 09:00 UTC: older than a 10:00Z change, so it must not win."""
    item = item_ids(root, 1)[0]
    mine = annotation_file(root, USER)
    write_annotations(
        mine, {item: {"status": "reading", "status_at": "2026-11-01T10:00:00Z"}}, user=USER
    )
    incoming = export_file(
        tmp_path, {item: {"status": "read", "status_at": "2026-11-01T11:00:00+02:00"}}
    )
    report = import_annotations(Shelf(root, USER, import_bundled=False), incoming)
    assert report.changed == [] and report.refused == []
    assert Shelf(root, USER, import_bundled=False).annotation(item).status == "reading"


def test_import_goes_to_the_current_user_not_the_one_named_in_the_file(root, tmp_path):
    item = item_ids(root, 1)[0]
    incoming = export_file(tmp_path, {item: {"tags": ["from-file"]}}, user="bob")
    code, out, err = run_cli(root, "annotations", "import", str(incoming), "--json")
    assert code == 0, err
    assert orjson.loads(out)["user"] == USER
    assert not os.path.lexists(annotation_file(root, "bob"))
    assert Shelf(root, USER, import_bundled=False).annotation(item).tags == ["from-file"]


def test_as_user_still_chooses_the_target(root, tmp_path):
    item = item_ids(root, 1)[0]
    incoming = export_file(tmp_path, {item: {"tags": ["for-carol"]}}, user="bob")
    report = import_annotations(Shelf(root, USER, import_bundled=False), incoming, "carol")
    assert report.user == "carol"
    assert Shelf(root, "carol", import_bundled=False).annotation(item).tags == ["for-carol"]
    assert Shelf(root, USER, import_bundled=False).annotation(item).is_empty()


@pytest.mark.parametrize("kind", ["fifo", "directory", "link-dev-zero", "socket"])
def test_import_of_something_that_is_not_a_file_is_one_line(root, tmp_path, kind):
    target = tmp_path / "incoming.json"
    plant(kind, target, tmp_path)
    code, _, err = run_cli(root, "annotations", "import", str(target))
    assert code == 1 and len(err.strip().splitlines()) == 1, err


def test_import_of_a_huge_file_is_refused_before_reading(root, tmp_path):
    big = tmp_path / "big.json"
    sparse_file(big, 64 * 1024 * 1024 + 1)
    with pytest.raises(StorageError, match="over 64 MB"):
        load_annotation_export(big)


def test_import_with_hostile_item_ids_reports_them_escaped(root, tmp_path):
    incoming = export_file(tmp_path, {"x\n\x1b[31m": {"tags": ["a"]}, "[link=x]y": {}})
    report = import_annotations(Shelf(root, USER, import_bundled=False), incoming)
    assert len(report.refused) == 2
    for line in report.refused:
        assert "\n" not in line and "\x1b" not in line and "[link" not in line


def test_git_conflict_in_an_import_is_named_as_such(root, tmp_path):
    incoming = export_file(tmp_path, {})
    incoming.write_bytes(b"<<<<<<< HEAD\n" + incoming.read_bytes() + b"=======\n>>>>>>> x\n")
    with pytest.raises(StorageError, match="has git conflict markers; resolve the merge"):
        load_annotation_export(incoming)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
_entry = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["unread", "reading", "read", "x"]) | _json,
        "status_at": st.sampled_from(["2026-11-01T10:00:00Z", "9999-99-99"]) | _json,
        "tags": st.lists(st.text(max_size=8), max_size=4) | _json,
        "notes": st.lists(
            st.fixed_dictionaries(
                {"text": st.text(max_size=20) | _json, "created": st.text(max_size=25) | _json}
            ),
            max_size=3,
        )
        | _json,
        "title": st.text(max_size=10) | _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=16), _entry | _json, max_size=5))
def test_checking_never_crashes_and_what_it_takes_is_well_formed(table):
    taken, refused = check_table(table, NOW)
    assert len(taken) + len(refused) == len(table)
    for ann in taken.values():
        assert ann.status in ("unread", "reading", "read")
        assert all(isinstance(t, str) and t for t in ann.tags)
        for stamp in (ann.status_at, ann.read_at, ann.updated, *(n.created for n in ann.notes)):
            assert stamp is None or (stamp.endswith("Z") and stamp <= "2026-12-01T12:10:00Z")
    for line in refused:
        assert "\n" not in line


_PARTS = st.tuples(
    st.sampled_from(["0000", "1999", "2024", "2026", "9999"]),
    st.sampled_from(["00", "01", "02", "12", "13"]),
    st.sampled_from(["00", "01", "28", "29", "30", "31"]),
    st.sampled_from(["00", "23", "24"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["", ".000000", ".123456", ".5"]),
    st.sampled_from(["Z", "+00:00", "+02:00", ""]),
)


@given(_PARTS, st.sampled_from([0, 1, 2, 400]))
def test_times_taken_as_written_are_what_parsing_them_gives(parts, days_ago) -> None:
    """The fast path for canonical times agrees with parsing them, refusals included."""
    import storage.annotation_checks as checks

    year, month, day, hour, minute, fraction, zone = parts
    value = f"{year}-{month}-{day}T{hour}:{minute}:{minute}{fraction}{zone}"
    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC) + dt.timedelta(days=days_ago)

    def outcome() -> str:
        try:
            return checks.canonical_time(value, "a time", now)
        except Refused as exc:
            return f"refused: {exc}"

    fast = outcome()
    saved = checks._CANONICAL
    checks._CANONICAL = re.compile(r"(?!)")  # matches nothing: always parsed
    try:
        assert outcome() == fast
    finally:
        checks._CANONICAL = saved
