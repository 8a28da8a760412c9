"""The ``shelf`` command through its real entry point, as scripts use it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def shelf_exe() -> list[str]:
    exe = shutil.which("shelf", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "tui.cli"]


def run(
    data_dir: Path, *args: str, user: str = "alice", env: dict | None = None, check: bool = True
):
    full_env = {**os.environ, "SHELF_DATA_DIR": str(data_dir), "SHELF_USER": user, **(env or {})}
    proc = subprocess.run(
        [*shelf_exe(), *args],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"shelf {' '.join(args)} failed: {proc.stderr}")
    return proc


def listing(data_dir: Path, *query: str, user: str = "alice") -> list[dict]:
    return orjson.loads(run(data_dir, "list", "--json", *query, user=user).stdout)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def by_title(items: list[dict], fragment: str) -> dict:
    found = [i for i in items if fragment.casefold() in i["title"].casefold()]
    assert len(found) == 1, [i["title"] for i in found]
    return found[0]


def test_first_use_imports_bundled_corpus_with_contract_fields(data_dir):
    items = listing(data_dir)
    assert len(items) == 73
    required = {
        "id", "title", "title_derived", "authors", "authors_truncated", "affiliations", "date",
        "date_text", "category", "has_code", "summary", "urls", "updates", "sources", "read",
        "status", "tags", "notes", "others",
    }  # fmt: skip
    for item in items:
        assert required <= set(item)
        assert item["read"] is False and item["status"] == "unread"
    gpt4o = by_title(items, "GPT-4o System Card")
    assert gpt4o["authors"][:3] == ["Aaron Hurst", "Adam Lerer", "Adam P. Goucher"]
    assert gpt4o["authors_truncated"] is True
    assert gpt4o["affiliations"] == ["openai"]
    assert gpt4o["date"] == "2024-10-25" and gpt4o["date_text"] == "Oct 25, 2024"
    assert gpt4o["category"] == "CL"
    assert gpt4o["sources"] == ["003_841ddd0b77768394.txt"]


def test_changes_persist_across_processes(data_dir):
    item = by_title(listing(data_dir), "GPT-4 Technical Report")
    prefix = item["id"][:6]
    run(data_dir, "read", prefix)
    run(data_dir, "tag", prefix, "LLM", "#Evals")
    run(data_dir, "note", prefix, "Check the scaling section")
    run(data_dir, "untag", prefix, "evals")
    again = by_title(listing(data_dir), "GPT-4 Technical Report")
    assert again["read"] is True and again["status"] == "read" and again["read_at"]
    assert again["tags"] == ["llm"]
    assert [n["text"] for n in again["notes"]] == ["Check the scaling section"]
    run(data_dir, "unread", item["id"])
    assert by_title(listing(data_dir), "GPT-4 Technical Report")["status"] == "unread"


def test_users_have_separate_annotations_and_see_each_other(data_dir):
    item = by_title(listing(data_dir), "GPT-4 Technical Report")
    run(data_dir, "tag", item["id"], "mine", user="bob")
    as_alice = by_title(listing(data_dir, user="alice"), "GPT-4 Technical Report")
    assert as_alice["tags"] == []
    assert as_alice["others"]["bob"]["tags"] == ["mine"]


def test_list_query_filters(data_dir):
    titles = [i["title"] for i in listing(data_dir, "minecraft")]
    assert titles and all("minecraft" in t.casefold() for t in titles[:1])


def test_show_json_and_text(data_dir):
    item = by_title(listing(data_dir), "GPT-4o System Card")
    shown = orjson.loads(run(data_dir, "show", item["id"], "--json").stdout)
    assert shown["id"] == item["id"] and shown["category_name"] == "Computation and Language"
    text = run(data_dir, "show", item["id"][:5]).stdout
    assert "GPT-4o System Card" in text and "50%" in text and "50\\%" not in text


def test_reimport_changes_nothing_and_keeps_state(data_dir):
    item = by_title(listing(data_dir), "GPT-4o System Card")
    run(data_dir, "tag", item["id"], "keep")
    out = run(data_dir, "import", *map(str, sorted(SEEDS.glob("*.txt")))).stdout
    assert "0 added" in out and "0 merged" in out
    after = listing(data_dir)
    assert len(after) == 73
    assert by_title(after, "GPT-4o System Card")["tags"] == ["keep"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"caf\xe9 au lait\n", "not UTF-8"),
    ],
)
def test_import_bad_files_gives_one_line_error(data_dir, tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    proc = run(data_dir, "import", str(bad), check=False)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(listing(data_dir)) == 73


def test_import_directory_is_an_error(data_dir, tmp_path):
    proc = run(data_dir, "import", str(tmp_path), check=False)
    assert proc.returncode != 0 and "is a directory" in proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["show", "zzzzzz"], "no item with id"),
        (["read", "zzzzzz"], "no item with id"),
        (["list", "--user", "../evil"], "not allowed"),
        (["status", "done", "abc"], "invalid choice"),
    ],
)
def test_errors_are_one_line_without_traceback(data_dir, args, message):
    proc = run(data_dir, *args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_ambiguous_prefix_is_refused(data_dir):
    ids = [i["id"] for i in listing(data_dir)]
    first = {i[0] for i in ids}
    shared = next(c for c in sorted(first) if sum(i.startswith(c) for i in ids) > 1)
    proc = run(data_dir, "read", shared, check=False)
    assert proc.returncode != 0 and "ambiguous" in proc.stderr


def test_app_without_terminal_exits_at_once(data_dir):
    proc = run(data_dir, check=False)
    assert proc.returncode != 0
    assert "terminal" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_annotations_move_between_machines_and_merge(data_dir, tmp_path):
    other = tmp_path / "other-machine"
    items = listing(data_dir)
    a, b = items[0]["id"], items[1]["id"]
    run(data_dir, "tag", a, "rl")
    run(data_dir, "note", a, "from machine one")
    run(data_dir, "read", b)
    exported = tmp_path / "alice.json"
    run(data_dir, "annotations", "export", "-o", str(exported))
    run(other, "tag", a, "local")
    out = run(other, "annotations", "import", str(exported)).stdout
    assert "2 changed" in out
    moved = {i["id"]: i for i in listing(other)}
    assert moved[a]["tags"] == ["local", "rl"]
    assert [n["text"] for n in moved[a]["notes"]] == ["from machine one"]
    assert moved[b]["status"] == "read"
    again = run(other, "annotations", "import", str(exported)).stdout
    assert "0 changed" in again


def test_annotation_import_keeps_unknown_ids(data_dir, tmp_path):
    export = tmp_path / "x.json"
    export.write_bytes(
        orjson.dumps(
            {
                "meta": {"format": {"name": "shelf-annotations", "version": 1, "user": "alice"}},
                "annotations": {"ffffffffffff": {"about": "Not here yet", "tags": ["later"]}},
            }
        )
    )
    out = run(data_dir, "annotations", "import", str(export)).stdout
    assert "not in this library" in out
    raw = orjson.loads((data_dir / "annotations" / "alice.json").read_bytes())
    assert raw["annotations"]["ffffffffffff"]["tags"] == ["later"]
    assert raw["annotations"]["ffffffffffff"]["about"] == "Not here yet"


def test_bibtex_import_merges_with_the_corpus(data_dir, tmp_path):
    bib = tmp_path / "zotero.bib"
    bib.write_text(
        "@article{radford2021learning,\n"
        "  title = {Learning Transferable Visual Models From Natural Language Supervision},\n"
        "  author = {Radford, Alec and Kim, Jong Wook and others},\n"
        "  year = {2021},\n}\n"
        '@misc{mueller2024,\n  title = {A {New} Look at {\\"U}bersetzung},\n'
        '  author = {M{\\"u}ller, Hans},\n  year = {2024},\n}\n',
        encoding="utf-8",
    )
    out = run(data_dir, "import", str(bib)).stdout
    assert "1 added, 1 merged" in out
    items = listing(data_dir)
    assert len(items) == 74
    clip = by_title(items, "Learning Transferable Visual Models")
    assert "zotero.bib" in clip["sources"] and "paper_listing" in clip["kinds"]
    new = by_title(items, "Übersetzung")
    assert new["authors"] == ["Hans Müller"] and new["date"] is None
