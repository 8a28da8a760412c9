"""Citation keys are given once, stored with the item, and never change afterwards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import orjson
import pytest

from core.errors import StorageError
from core.session import Session
from storage.export.keys import STOPWORDS
from tui.cli import main

USER = "alice"
BIB_KEY = re.compile(r"^@\w+\{([^,]+),$", re.M)


def bib_keys(data: str) -> list[str]:
    return BIB_KEY.findall(data)


def shelf(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> str:
    capsys.readouterr()
    code = main(["--data-dir", str(data), "--user", USER, *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def listing(capsys: pytest.CaptureFixture[str], data: Path) -> list[dict]:
    return orjson.loads(shelf(capsys, data, "list", "--json"))


def keys_by_id(capsys: pytest.CaptureFixture[str], data: Path) -> dict[str, str]:
    return {v["id"]: v["citekey"] for v in listing(capsys, data)}


def test_every_item_has_a_stored_unique_key_that_is_no_stop_word(bundled_data, capsys):
    keys = keys_by_id(capsys, bundled_data)
    assert len(keys) == 73 and all(keys.values())
    assert len(set(keys.values())) == len(keys)
    assert not set(keys.values()) & STOPWORDS
    assert not {"use", "this", "dalle", "dalleb"} & set(keys.values())
    # Stored in the library file, not computed per export.
    stored = json.loads((bundled_data / "library.json").read_text())["items"]
    assert {i: d["citekey"] for i, d in stored.items()} == keys


def test_readable_author_year_word_keys(bundled_data, capsys):
    keys = set(keys_by_id(capsys, bundled_data).values())
    assert {"radford2021learning", "brown2020language", "blogdallepretraining"} <= keys


def test_two_fresh_data_folders_give_the_same_keys(tmp_path, capsys):
    first = keys_by_id(capsys, tmp_path / "one")
    second = keys_by_id(capsys, tmp_path / "two")
    assert first == second


def test_full_and_partial_exports_use_the_same_keys(bundled_data, capsys):
    keys = keys_by_id(capsys, bundled_data)
    full = bib_keys(shelf(capsys, bundled_data, "export", "-f", "bib"))
    assert sorted(full) == sorted(keys.values())
    for query in ("DALL", "Radford", "scaling laws"):
        part = bib_keys(shelf(capsys, bundled_data, "export", "-f", "bib", query))
        assert part and set(part) < set(full)
    dalle = bib_keys(shelf(capsys, bundled_data, "export", "-f", "bib", "Pre-Training Mitigations"))
    assert dalle[0] == "blogdallepretraining"


def test_keys_survive_importing_more_documents(bundled_data, tmp_path, capsys):
    before = keys_by_id(capsys, bundled_data)
    more = tmp_path / "more.bib"
    more.write_text(
        "@article{x,\n  title = {Learning Transferable Things},\n"
        "  author = {Radford, Alec},\n  year = {2021}\n}\n\n"
        "@misc{y,\n  title = {DALL·E 2 Pre-Training Mitigations Revisited},\n}\n"
    )
    shelf(capsys, bundled_data, "import", str(more))
    after = keys_by_id(capsys, bundled_data)
    assert len(after) == 75
    assert {i: after[i] for i in before} == before
    new = {after[i] for i in after if i not in before}
    assert "radford2021learninga" in new  # the clash gets the next letter
    assert len(set(after.values())) == 75


def test_a_library_from_before_keys_gets_them_once_in_library_order(bundled_data, capsys):
    expected = keys_by_id(capsys, bundled_data)
    path = bundled_data / "library.json"
    data = json.loads(path.read_text())
    for doc in data["items"].values():
        del doc["citekey"]
    path.write_text(json.dumps(data))
    (bundled_data / "library.rows").unlink(missing_ok=True)
    assert keys_by_id(capsys, bundled_data) == expected
    stored = json.loads(path.read_text())["items"]
    assert all(d["citekey"] for d in stored.values())


def test_users_own_key_is_checked_unique_and_used_by_exports(bundled_data, capsys):
    session = Session.open(bundled_data, USER)
    keys = session.citekeys()
    radford = next(i for i, k in keys.items() if k == "radford2021learning")
    brown = next(i for i, k in keys.items() if k == "brown2020language")
    out = shelf(capsys, bundled_data, "set", radford, "key", "clip")
    assert out.strip() == f"{radford} key: clip"
    assert keys_by_id(capsys, bundled_data)[radford] == "clip"
    assert bib_keys(shelf(capsys, bundled_data, "export", "-f", "bib", "Transferable")) == ["clip"]
    session = Session.open(bundled_data, USER)
    with pytest.raises(StorageError, match="already"):
        session.correct(brown, {"key": "CLIP"})
    with pytest.raises(StorageError, match="already"):
        session.correct(brown, {"key": "radford2022robust"})
    with pytest.raises(ValueError, match="letter"):
        session.correct(brown, {"key": "a b{c}"})
    with pytest.raises(ValueError, match="letter"):
        session.correct(brown, {"key": "9lives"})
    # Another user keeps the library's key.
    other = Session.open(bundled_data, "bob")
    assert other.citekeys()[radford] == "radford2021learning"
    # An empty value gives the library's key back.
    shelf(capsys, bundled_data, "set", radford, "key")
    assert keys_by_id(capsys, bundled_data)[radford] == "radford2021learning"


def test_a_later_import_never_hands_out_a_key_someone_chose(bundled_data, tmp_path, capsys):
    keys = keys_by_id(capsys, bundled_data)
    gpt4 = next(i for i, k in keys.items() if k == "achiam2023gpt4")
    shelf(capsys, bundled_data, "set", gpt4, "key", "smith2024widgets")
    more = tmp_path / "more.bib"
    more.write_text(
        "@misc{z,\n  title = {Widgets},\n  author = {Smith, Ann},\n  year = {2024}\n}\n"
    )
    shelf(capsys, bundled_data, "import", str(more))
    after = keys_by_id(capsys, bundled_data)
    new = [k for i, k in after.items() if i not in keys]
    assert new == ["smith2024widgetsa"]
    assert after[gpt4] == "smith2024widgets"


def test_items_sharing_a_base_key_get_letters_in_order_around_taken_ones():
    """3,000 untitled posts of one feed: each gets the next free letter, none twice."""
    from seeds.model import Item
    from storage.export.keys import assign_citekeys

    def posts() -> list[Item]:
        return [
            Item(id=f"{n:012x}", title="Untitled", sources=["feed"], kinds=["blog"])
            for n in range(3000)
        ]

    [alone] = assign_citekeys(posts()[:1], set())
    base = alone.citekey
    taken = {base + "b", base + "d", base + "aa"}
    items = posts()
    assign_citekeys(items, taken)
    keys = [item.citekey for item in items]
    assert keys[:4] == [base + "a", base + "c", base + "e", base + "f"]
    assert base + "ab" in keys and base + "aa" not in keys
    assert len(set(keys)) == 3000 and taken >= set(keys)
