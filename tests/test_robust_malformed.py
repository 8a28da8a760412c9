"""Damaged and hand-edited files: the app starts, says what it found in one line,
keeps the original, continues from the newest good backup, and never writes
over the damaged file.

The files and their expected outcomes are in tests/fixtures/malformed/.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import pytest

from storage.atomic import StorageError
from storage.shelf import Shelf
from tests.robust_helpers import corrupt_files, hash_tree, temp_files

FIXTURES = Path(__file__).parent / "fixtures" / "malformed"
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text())
USER = "alice"
DAMAGED = sorted(n for n, c in EXPECTED.items() if c["outcome"] == "recovered")
#: Item ids written in the fixtures; the tests put the library's own ids in
#: their place (same length, so offsets named in messages stay true).
PLACEHOLDERS = ("0e84c95c3fb3", "d0465a234912")


def case_param(name: str, key: str = "xfail"):
    reason = EXPECTED[name].get(key, EXPECTED[name].get("xfail"))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(name, marks=marks)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, str]:
    """alice's file: the live file holds tags g1 and g2, and so does its copy in backup 1;
    backup 2 holds g1 only."""
    root = tmp_path_factory.mktemp("template") / "data"
    shelf = Shelf(root, USER)
    item = next(iter(shelf.items(with_text=False)))
    shelf.add_tags([item], ["g1"])  # creates the file
    shelf.add_tags([item], ["g2"])  # journal
    shelf.flush()  # live file: g1 g2, copied as backup 1; its predecessor (g1) is backup 2
    return root, item


@pytest.fixture
def data(template, tmp_path) -> tuple[Path, str]:
    root, item = template
    target = tmp_path / "data"
    shutil.copytree(root, target)
    return target, item


def library_ids(root: Path) -> list[str]:
    return list(Shelf(root, USER, import_bundled=False).items(with_text=False))[1:3]


def materialize(raw: bytes, ids: list[str]) -> bytes:
    """The fixture with the placeholder ids replaced by items the library has."""
    for placeholder, real in zip(PLACEHOLDERS, ids, strict=True):
        raw = raw.replace(placeholder.encode(), real.encode())
        raw = raw.replace(placeholder.encode("utf-16-le"), real.encode("utf-16-le"))
    return raw


def expected_by_id(mapping: dict, ids: list[str]) -> dict:
    real = dict(zip(PLACEHOLDERS, ids, strict=True))
    return {real[k]: v for k, v in mapping.items()}


def put_fixture(target: Path, raw: bytes) -> None:
    tmp = target.with_name(target.name + ".new")
    tmp.write_bytes(raw)
    os.replace(tmp, target)  # a new inode, as a copy or a checkout would be


def open_shelf(root: Path, warnings: list[str]) -> Shelf:
    return Shelf(root, USER, import_bundled=False, on_warning=warnings.append)


def test_the_fixture_folder_covers_at_least_twenty_cases():
    assert len(EXPECTED) >= 20
    on_disk = {p.name for p in FIXTURES.glob("*.json")}
    assert on_disk == set(EXPECTED), "every file has an expected outcome and vice versa"


@pytest.mark.parametrize("name", [case_param(n) for n in sorted(EXPECTED)])
def test_malformed_annotation_file(data, name):
    root, item = data
    case = EXPECTED[name]
    ids = library_ids(root)
    raw = materialize((FIXTURES / name).read_bytes(), ids)
    path = root / "annotations" / f"{USER}.json"
    put_fixture(path, raw)
    warnings: list[str] = []

    if case["outcome"] == "refused":
        before = hash_tree(root)
        with pytest.raises(StorageError) as caught:
            open_shelf(root, warnings).all_annotations()
        message = str(caught.value)
        assert case["reason"] in message and "\n" not in message, message
        assert hash_tree(root) == before and corrupt_files(root) == []
        return

    shelf = open_shelf(root, warnings)
    anns = shelf.all_annotations()

    if case["outcome"] == "read":
        assert warnings == [] and corrupt_files(root) == []
        for ann in anns.values():  # what the views, search and exports rely on
            assert ann.title is None or isinstance(ann.title, str)
            assert all(isinstance(t, str) for t in ann.tags)
            assert all(isinstance(n.text, str) for n in ann.notes)
        tags = {k: a.tags for k, a in anns.items() if a.tags}
        assert tags == expected_by_id(case["tags"], ids)
        for item_id, texts in expected_by_id(case.get("notes", {}), ids).items():
            assert [n.text for n in anns[item_id].notes] == texts
        assert path.read_bytes() == raw, "reading never rewrites the file"
        return

    # recovered
    assert len(warnings) == 1, warnings
    line = warnings[0]
    assert "\n" not in line and case["reason"] in line, line
    kept = corrupt_files(root)
    assert len(kept) == 1 and kept[0].name.startswith(f"{USER}.json.corrupt-")
    assert kept[0].name in line and "restored the backup" in line
    assert kept[0].read_bytes() == raw, "the original is kept byte for byte"
    assert {k: a.tags for k, a in anns.items()} == {item: ["g1", "g2"]}, "the newest save"

    # Carry on: changes save, the damaged copy is never written over, and
    # the next start has nothing to say.
    shelf.add_tags([item], ["after"])
    shelf.flush()
    assert kept[0].read_bytes() == raw
    again: list[str] = []
    assert open_shelf(root, again).annotation(item).tags == ["after", "g1", "g2"]
    assert again == [] and corrupt_files(root) == kept and temp_files(root) == []


@pytest.mark.parametrize("name", DAMAGED)
def test_damaged_library_file(data, name):
    root, _ = data
    items_before = set(open_shelf(root, []).items(with_text=False))
    raw = (FIXTURES / name).read_bytes()
    put_fixture(root / "library.json", raw)
    warnings: list[str] = []
    shelf = Shelf(root, USER, on_warning=warnings.append)  # as the app starts
    assert len(warnings) == 1 and "library" in warnings[0] and "\n" not in warnings[0]
    assert set(shelf.items(with_text=False)) == items_before
    kept = corrupt_files(root)
    assert [p.read_bytes() for p in kept] == [raw]


@pytest.mark.parametrize("name", [case_param(n, "xfail_cli") for n in sorted(EXPECTED)])
def test_malformed_file_through_the_cli(data, capsys, name):
    """`shelf list`: damaged → one warning line and exit 0; refused → one error line."""
    from tui.cli import main

    root, _ = data
    case = EXPECTED[name]
    raw = materialize((FIXTURES / name).read_bytes(), library_ids(root))
    put_fixture(root / "annotations" / f"{USER}.json", raw)
    code = main(["--data-dir", str(root), "--user", USER, "list"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.strip().splitlines()
    if case["outcome"] == "refused":
        assert code == 1 and len(lines) == 1 and case["reason"] in lines[0]
    elif case["outcome"] == "recovered":
        assert code == 0 and len(lines) == 1 and lines[0].startswith("shelf: "), err
    else:
        assert code == 0 and lines == [], err


def test_a_ten_megabyte_line_that_is_valid_is_read_quickly(data):
    root, item = data
    note = "x" * (10 * 1024 * 1024)
    raw = (
        b'{"annotations": {"%s": {"notes": [{"created": "2026-11-01T00:00:00Z", "text": "%s"}]}}}'
        % (item.encode(), note.encode())
    )
    put_fixture(root / "annotations" / f"{USER}.json", raw)
    warnings: list[str] = []
    ann = open_shelf(root, warnings).annotation(item)
    assert warnings == [] and len(ann.notes[0].text) == len(note)


def test_a_ten_megabyte_line_that_is_broken_is_recovered(data):
    root, item = data
    raw = b'{"annotations": {"x": {"notes": ["' + b"y" * (10 * 1024 * 1024)
    put_fixture(root / "annotations" / f"{USER}.json", raw)
    warnings: list[str] = []
    assert open_shelf(root, warnings).annotation(item).tags == ["g1", "g2"]
    assert len(warnings) == 1 and len(warnings[0]) < 400
    assert [p.read_bytes() == raw for p in corrupt_files(root)] == [True]


def test_every_backup_damaged_too_starts_empty_and_keeps_the_file(data):
    root, item = data
    put_fixture(root / "annotations" / f"{USER}.json", b"{broken")
    for backup in (root / ".backups" / "annotations").glob(f"{USER}.json.[0-9]"):
        put_fixture(backup, b"also broken")
    warnings: list[str] = []
    assert open_shelf(root, warnings).all_annotations() == {}
    assert len(warnings) == 1 and "no good backup" in warnings[0]
    assert [p.read_bytes() for p in corrupt_files(root)] == [b"{broken"]
