"""Any number of shelf processes on one data folder and user lose no update.

The companion test runs the same scenario on plain TinyDB JSONStorage and
shows it losing changes, so this test is known to be able to see a loss.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

import orjson
import pytest
from tinydb import Query, TinyDB

from storage.model import Annotation
from storage.shelf import Shelf
from storage.tables import KeyedDB
from tests.robust_helpers import record_figures, temp_files

WORKERS = 4
CHANGES = 500
USER = "alice"

FORK = multiprocessing.get_context("fork")


@pytest.fixture
def data_dir(bundled_data) -> Path:
    return bundled_data


def item_ids(root: Path, n: int = 6) -> list[str]:
    return list(Shelf(root, USER, import_bundled=False).items(with_text=False))[:n]


def expected_marks(workers: int, changes: int) -> set[str]:
    return {f"w{w}-{n}" for w in range(workers) for n in range(changes)}


def marks_of(annotations: dict[str, Annotation]) -> list[str]:
    """Every tag and note text: each change leaves exactly one mark."""
    marks = []
    for ann in annotations.values():
        marks.extend(ann.tags)
        marks.extend(n.text for n in ann.notes)
    return marks


def shelf_worker(root: Path, worker: int, changes: int, ids: list[str], start, results) -> None:
    """One process: its own Shelf, tags and notes on a handful of shared items."""
    errors: list[str] = []
    shelf = Shelf(root, USER, import_bundled=False)
    start.wait()
    for n in range(changes):
        item = ids[(worker + n) % len(ids)]
        mark = f"w{worker}-{n}"
        try:
            if n % 5 == 4:
                shelf.add_note(item, mark)
            else:
                shelf.add_tags([item], [mark])
                if n % 7 == 0:
                    shelf.set_status([item], ("unread", "reading", "read")[n % 3])
            if n % 50 == 49:
                shelf.flush()  # compaction racing the other processes' appends
        except Exception:  # noqa: BLE001 - counted, and shown if any
            errors.append(f"worker {worker} change {n}: {traceback.format_exc(limit=3)}")
    results.put(errors)


def run_processes(target, args_for, workers: int) -> tuple[list[str], float]:
    """Start ``workers`` processes together; each sends one list of errors at the end.

    The lists are collected before joining: a child cannot exit while what it
    put on a queue is still unread.
    """
    start = FORK.Barrier(workers)
    results = FORK.Queue()
    procs = [
        FORK.Process(target=target, args=(*args_for(w), start, results)) for w in range(workers)
    ]
    began = time.monotonic()
    for p in procs:
        p.start()
    found: list[str] = []
    for _ in procs:
        found.extend(results.get(timeout=600))
    seconds = time.monotonic() - began
    for p in procs:
        p.join(60)
    found += [f"exit code {p.exitcode}" for p in procs if p.exitcode != 0]
    return found, seconds


def test_four_processes_five_hundred_changes_each_lose_nothing(data_dir):
    ids = item_ids(data_dir)
    errors, seconds = run_processes(shelf_worker, lambda w: (data_dir, w, CHANGES, ids), WORKERS)
    reloaded = Shelf(data_dir, USER, import_bundled=False)
    marks = marks_of(reloaded.all_annotations())
    reloaded.flush()
    snapshot = orjson.loads(reloaded.annotations.path.read_bytes())["annotations"]
    in_file = [m for doc in snapshot.values() for m in doc.get("tags", [])]
    in_file += [n["text"] for doc in snapshot.values() for n in doc.get("notes", [])]
    record_figures(
        "concurrency/shelf",
        processes=WORKERS,
        changes_each=CHANGES,
        expected=WORKERS * CHANGES,
        present=len(set(marks)),
        duplicates=len(marks) - len(set(marks)),
        errors=len(errors),
        seconds=round(seconds, 1),
    )
    assert errors == [], errors[:3]
    assert sorted(marks) == sorted(expected_marks(WORKERS, CHANGES))
    assert sorted(in_file) == sorted(marks), "the readable file alone holds every change"
    assert temp_files(data_dir) == []


def tinydb_worker(path: Path, worker: int, changes: int, ids: list[int], start, results) -> None:
    """The same scenario on TinyDB's own JSONStorage, as its documentation shows it."""
    errors: list[str] = []
    db = TinyDB(path)
    table = db.table("annotations")
    start.wait()
    for n in range(changes):
        doc_id = ids[(worker + n) % len(ids)]
        mark = f"w{worker}-{n}"

        def add(doc, mark=mark):
            doc["tags"] = [*doc.get("tags", []), mark]

        try:
            table.update(add, doc_ids=[doc_id])
        except Exception as exc:  # noqa: BLE001 - the failures are the point
            errors.append(type(exc).__name__)
    results.put(errors)


def test_plain_tinydb_json_storage_loses_changes_in_the_same_scenario(tmp_path):
    path = tmp_path / "plain.json"
    seed = TinyDB(path)
    ids = [seed.table("annotations").insert({"tags": []}) for _ in range(6)]
    seed.close()
    errors, seconds = run_processes(tinydb_worker, lambda w: (path, w, CHANGES, ids), WORKERS)
    try:
        docs = TinyDB(path).table("annotations").all()
        present = {t for d in docs for t in d.get("tags", [])}
        readable = True
    except Exception:  # noqa: BLE001 - a torn final file counts as losing everything
        present, readable = set(), False
    lost = len(expected_marks(WORKERS, CHANGES) - present)
    record_figures(
        "concurrency/plain-tinydb",
        processes=WORKERS,
        changes_each=CHANGES,
        expected=WORKERS * CHANGES,
        present=len(present),
        lost=lost,
        errors=len(errors),
        error_kinds=dict(Counter(errors)),
        final_file_readable=readable,
        seconds=round(seconds, 1),
    )
    assert lost > 0 or errors, "plain TinyDB kept everything: the scenario shows nothing"


def test_two_shelf_instances_in_one_process_interleave_without_loss(data_dir):
    ids = item_ids(data_dir, 3)
    one = Shelf(data_dir, USER, import_bundled=False)
    two = Shelf(data_dir, USER, import_bundled=False)
    one.all_annotations(), two.all_annotations()  # both start with warm caches
    for n in range(200):
        for name, shelf in (("a", one), ("b", two)):
            shelf.add_tags([ids[n % 3]], [f"{name}{n}"])
            if n % 40 == 39:
                shelf.flush()
    expected = {f"{s}{n}" for s in "ab" for n in range(200)}
    fresh = Shelf(data_dir, USER, import_bundled=False)
    for shelf in (one, two, fresh):
        assert set(marks_of(shelf.all_annotations())) == expected


def test_two_threads_each_with_its_own_shelf_lose_nothing(data_dir):
    ids = item_ids(data_dir, 2)
    errors: list[str] = []

    def work(name: str) -> None:
        shelf = Shelf(data_dir, USER, import_bundled=False)
        for n in range(250):
            try:
                shelf.add_tags([ids[n % 2]], [f"{name}{n}"])
                if n % 60 == 59:
                    shelf.flush()
            except Exception:  # noqa: BLE001
                errors.append(traceback.format_exc(limit=3))

    threads = [threading.Thread(target=work, args=(name,)) for name in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    got = set(marks_of(Shelf(data_dir, USER, import_bundled=False).all_annotations()))
    assert got == {f"{s}{n}" for s in "ab" for n in range(250)}


def other_process(root: Path, action: str, item: str) -> None:
    shelf = Shelf(root, USER, import_bundled=False)
    if action == "tag":
        shelf.add_tags([item], ["from-elsewhere"])
    elif action == "flush":
        shelf.add_tags([item], ["flushed-elsewhere"])
        shelf.flush()


def run_other(root: Path, action: str, item: str) -> None:
    proc = FORK.Process(target=other_process, args=(root, action, item))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0


def test_a_running_app_sees_changes_made_by_another_process(data_dir):
    item = item_ids(data_dir, 1)[0]
    app = Shelf(data_dir, USER, import_bundled=False)
    app.add_tags([item], ["mine"])
    app.all_annotations()
    assert not app.annotations.changed_on_disk()

    run_other(data_dir, "tag", item)  # a journal append elsewhere
    assert app.annotations.changed_on_disk()
    assert app.annotation(item).tags == ["from-elsewhere", "mine"]
    assert not app.annotations.changed_on_disk()

    run_other(data_dir, "flush", item)  # a compaction elsewhere: new file, no journal
    assert app.annotations.changed_on_disk()
    assert "flushed-elsewhere" in app.annotation(item).tags
    assert not app.annotations.changed_on_disk()


def test_a_running_app_sees_a_hand_edit_of_its_file(data_dir):
    item = item_ids(data_dir, 1)[0]
    app = Shelf(data_dir, USER, import_bundled=False)
    app.add_tags([item], ["aaaa"])
    app.flush()
    app.all_annotations()
    path = app.annotations.path
    st = os.stat(path)
    edited = path.read_bytes().replace(b'"aaaa"', b'"bbbb"')
    with open(path, "r+b") as handle:  # an editor writing in place, same size
        handle.write(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert app.annotations.changed_on_disk()
    assert app.annotation(item).tags == ["bbbb"]
    app.add_tags([item], ["cccc"])
    assert Shelf(data_dir, USER, import_bundled=False).annotation(item).tags == ["bbbb", "cccc"]


def test_keyed_tables_never_serve_stale_query_results(tmp_path):
    """TinyDB caches query results per Table instance; keyed tables must not."""
    path = tmp_path / "db.json"
    one, two = KeyedDB(path), KeyedDB(path)
    q = Query().kind == "x"
    assert one.keyed("t").search(q) == []
    two.keyed("t").apply(lambda t: t.update({"k1": {"kind": "x"}}))
    assert one.keyed("t").search(q) == [{"kind": "x"}]
    # The hazard this guards against: a plain TinyDB table keeps the old answer.
    plain_one, plain_two = TinyDB(tmp_path / "plain.json"), TinyDB(tmp_path / "plain.json")
    assert plain_one.table("t").search(q) == []
    plain_two.table("t").insert({"kind": "x"})
    assert plain_one.table("t").search(q) == [], "TinyDB's own cache is stale, as documented"
