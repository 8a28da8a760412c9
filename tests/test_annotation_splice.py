"""One-item changes splice the user's own file instead of parsing it, and only their own file.

Each store below is a fresh ``AnnotationStore``, as each ``shelf tag`` run
is a fresh process.
"""

from __future__ import annotations

import os

import orjson
import pytest

import storage.jsonstore as jsonstore
from storage import canonical_json
from storage.annotations import AnnotationStore, journal_file
from storage.model import Annotation


@pytest.fixture
def data_dir(data_dirs):
    return data_dirs


def tag(data_dir, item_id: str, name: str) -> None:
    store = AnnotationStore(data_dir, "alice")
    store.change([item_id], lambda a: (a.tags.append(name), True)[1])
    store.flush()


def untag_all(data_dir, item_id: str) -> None:
    store = AnnotationStore(data_dir, "alice")
    store.change([item_id], lambda a: (a.tags.clear(), True)[1])
    store.flush()


def seeded(data_dir, count: int = 300) -> AnnotationStore:
    store = AnnotationStore(data_dir, "alice")
    anns = {f"{n:012x}": Annotation(item_id=f"{n:012x}", tags=[f"t{n}"]) for n in range(count)}
    store.replace_all(anns, {key: f"Title {key}" for key in anns})
    return store


@pytest.fixture
def no_full_parse(monkeypatch):
    """Fails a test whose store parses the annotation file as a whole."""
    parsed: list[int] = []
    real = jsonstore.decode

    def counting(raw: bytes):
        parsed.append(len(raw))
        return real(raw)

    monkeypatch.setattr(jsonstore, "decode", counting)
    return parsed


def test_a_change_writes_exactly_what_a_full_rewrite_would(data_dir, no_full_parse):
    seeded(data_dir)
    no_full_parse.clear()
    tag(data_dir, "00000000002a", "new")  # an existing entry changes
    tag(data_dir, "ffff00000000", "added")  # a new one, after all the others
    tag(data_dir, "000000000000", "x")  # the first
    untag_all(data_dir, "00000000002b")  # an entry emptied goes from the file
    assert no_full_parse == []
    raw = data_dir.annotation_file("alice").read_bytes()
    assert raw == canonical_json.dumps(orjson.loads(raw))
    back = AnnotationStore(data_dir, "alice").all()
    assert back["00000000002a"].tags == ["t42", "new"]
    assert back["ffff00000000"].tags == ["added"]
    assert back["000000000000"].tags == ["t0", "x"]
    assert "00000000002b" not in back
    assert len(back) == 300
    assert not journal_file(data_dir, "alice").exists()


def test_reading_one_item_parses_only_its_entry(data_dir, no_full_parse):
    seeded(data_dir)
    no_full_parse.clear()
    store = AnnotationStore(data_dir, "alice")
    assert store.some(["000000000007", "999999999999"])["000000000007"].tags == ["t7"]
    assert no_full_parse == []


def test_a_hand_edit_is_parsed_and_kept(data_dir, no_full_parse):
    """A file the user edited is not shelf's last version: it is read whole, and the edit stays."""
    seeded(data_dir, 20)
    path = data_dir.annotation_file("alice")
    data = orjson.loads(path.read_bytes())
    data["annotations"]["000000000003"]["tags"] = ["by-hand"]
    path.write_bytes(orjson.dumps(data))  # written in place, in another layout
    no_full_parse.clear()
    tag(data_dir, "000000000004", "later")
    assert no_full_parse  # parsed, not spliced
    back = AnnotationStore(data_dir, "alice").all()
    assert back["000000000003"].tags == ["by-hand"]
    assert back["000000000004"].tags == ["t4", "later"]


def test_a_file_replaced_by_git_is_parsed(data_dir, no_full_parse):
    seeded(data_dir, 20)
    path = data_dir.annotation_file("alice")
    pulled = path.with_name("pulled")
    data = orjson.loads(path.read_bytes())
    data["annotations"]["000000000005"]["tags"] = ["from-git"]
    pulled.write_bytes(canonical_json.dumps(data))  # the same layout, another version
    os.replace(pulled, path)
    no_full_parse.clear()
    store = AnnotationStore(data_dir, "alice")
    assert store.some(["000000000005"]) is None
    assert store.get("000000000005").tags == ["from-git"]
    tag(data_dir, "000000000006", "after")
    assert AnnotationStore(data_dir, "alice").get("000000000005").tags == ["from-git"]


@pytest.mark.parametrize("stamp", [None, b"", b"not json", b"[1, 2]", b'{"a": 1}'])
def test_a_lost_or_damaged_stamp_only_costs_a_parse(data_dir, stamp):
    seeded(data_dir, 20)
    written = data_dir.cache_dir / "annotations-alice.written"
    if stamp is None:
        written.unlink()
    else:
        written.write_bytes(stamp)
    assert AnnotationStore(data_dir, "alice").some(["000000000001"]) is None
    tag(data_dir, "000000000001", "still")
    assert AnnotationStore(data_dir, "alice").get("000000000001").tags == ["t1", "still"]


def test_changes_journalled_by_another_process_are_seen_and_folded(data_dir, no_full_parse):
    seeded(data_dir, 20)
    app = AnnotationStore(data_dir, "alice")  # holds the file parsed, as the app does
    app.all()
    app.change(["000000000009"], lambda a: (a.tags.append("from-app"), True)[1])
    assert journal_file(data_dir, "alice").exists()
    no_full_parse.clear()
    cli = AnnotationStore(data_dir, "alice")
    assert cli.some(["000000000009"])["000000000009"].tags == ["t9", "from-app"]
    tag(data_dir, "00000000000a", "from-cli")
    assert no_full_parse == []
    back = AnnotationStore(data_dir, "alice").all()
    assert back["000000000009"].tags == ["t9", "from-app"]
    assert back["00000000000a"].tags == ["t10", "from-cli"]
    assert app.get("00000000000a").tags == ["t10", "from-cli"]


def test_backups_still_rotate_on_a_spliced_save(data_dir):
    seeded(data_dir, 20)
    before = data_dir.annotation_file("alice").read_bytes()
    tag(data_dir, "000000000002", "one")
    backups = sorted((data_dir.backup_dir / "annotations").glob("alice.json.*"))
    assert any(b.read_bytes() == before for b in backups)
    now = data_dir.annotation_file("alice").read_bytes()
    assert any(b.read_bytes() == now for b in backups)  # the copy kept of the newest save


def test_a_wrong_table_position_in_the_stamp_is_found_out(data_dir, no_full_parse):
    seeded(data_dir, 20)
    tag(data_dir, "000000000003", "spliced")  # the stamp now says where the table lies
    written = data_dir.cache_dir / "annotations-alice.written"
    stamp = orjson.loads(written.read_bytes())
    assert stamp["tables"]["annotations"]
    for wrong in ([5, 10], [stamp["tables"]["annotations"][0], 40], [0, 0]):
        written.write_bytes(orjson.dumps({**stamp, "tables": {"annotations": wrong}}))
        assert AnnotationStore(data_dir, "alice").some(["000000000003"])["000000000003"].tags == [
            "t3",
            "spliced",
        ]
    tag(data_dir, "000000000004", "after")
    assert no_full_parse == []
    assert AnnotationStore(data_dir, "alice").all()["000000000004"].tags == ["t4", "after"]
