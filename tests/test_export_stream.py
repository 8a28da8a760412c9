"""Exports streamed a batch at a time and split between processes.

Whatever the batch size and however many processes share the work, the file
must be byte for byte the one a single pass over views in hand writes; a
failed or interrupted helper process must cost time, never content.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from pathlib import Path

import bibtexparser
import pytest
import rispy

import storage.export.parts as parts
import storage.export.stream as stream
from core.session import Session
from storage.atomic import StorageError
from storage.export import FORMATS, ExportError, export_to_file, export_views, write_export
from storage.export.layout import ITEM, layout, split
from storage.shelf import Shelf
from tui import cli

STAMP = "2026-11-22T00:00:00Z"


@pytest.fixture(scope="module")
def shelf(tmp_path_factory) -> Shelf:
    """The bundled corpus with everything an export carries: statuses, tags, notes,
    a rename and another reader's annotations."""
    root = tmp_path_factory.mktemp("stream") / "data"
    alice = Shelf(root, "alice")
    ids = Session(alice).find("")
    alice.set_status(ids[:10], "read")
    alice.set_status(ids[10:14], "reading")
    alice.add_tags(ids[:20], ["llm", "to-cite"])
    alice.add_tags(ids[5:9], ["zeta-ünï"])
    alice.add_note(ids[0], "first line\n\nsecond, with $x_1$ & 50% {brace}")
    alice.add_note(ids[3], '=SUM(A1), "quoted"\r\nCRLF')
    alice.rename(ids[1], "My own *title* [x]")
    alice.flush()
    bob = Shelf(root, "bob")
    bob.add_tags(ids[:3], ["theirs"])
    bob.set_status(ids[2:4], "read")
    bob.flush()
    return Shelf(root, "alice")


def reference(shelf: Shelf, ids: list[str], fmt: str, group_by: str | None) -> bytes:
    views = shelf.views(ids)
    return export_views(views, fmt, query="q", user="alice", group_by=group_by, exported_at=STAMP)


def streamed(shelf: Shelf, ids: list[str], fmt: str, group_by: str | None, workers: int) -> bytes:
    out = io.BytesIO()
    count = write_export(
        shelf.view_source(ids),
        fmt,
        out,
        query="q",
        user="alice",
        group_by=group_by,
        exported_at=STAMP,
        workers=workers,
    )
    assert count == len(ids)
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_batches_and_processes_write_exactly_what_one_pass_writes(shelf, monkeypatch, fmt):
    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)
    ids = Session(shelf).find("")
    tagged = Session(shelf).find("tag:llm")
    for group_by in (None, "tag", "status"):
        for subset in (ids, tagged, ids[:1], []):
            expected = reference(shelf, subset, fmt, group_by)
            for batch, workers in ((1, 1), (3, 2), (7, 3), (2000, 2)):
                monkeypatch.setattr(stream, "BATCH", batch)
                got = streamed(shelf, subset, fmt, group_by, workers)
                assert got == expected, (fmt, group_by, len(subset), batch, workers)


def test_the_parallel_export_really_ran_in_another_process(shelf, monkeypatch, tmp_path):
    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)
    log = tmp_path / "pids"
    real = stream._render

    def spy(writer, source, steps, index, out):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        real(writer, source, steps, index, out)

    monkeypatch.setattr(stream, "_render", spy)
    data = streamed(shelf, Session(shelf).find(""), "ris", None, workers=2)
    pids = log.read_text().split()
    assert len(pids) == 2 and str(os.getpid()) in pids and len(set(pids)) == 2
    assert len(rispy.loads(data.decode())) == 73
    assert data == reference(shelf, Session(shelf).find(""), "ris", None)


def test_only_one_batch_of_views_is_in_hand_at_a_time(shelf, monkeypatch):
    monkeypatch.setattr(stream, "BATCH", 10)
    source = shelf.view_source(Session(shelf).find(""))
    asked: list[int] = []
    real = source.views_at

    def counting(positions):
        asked.append(len(positions))
        return real(positions)

    monkeypatch.setattr(source, "views_at", counting)
    write_export(source, "bib", io.BytesIO(), exported_at=STAMP)
    assert sum(asked) == 73 and max(asked) == 10


def test_a_child_that_dies_costs_time_not_content(shelf, monkeypatch):
    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)
    parent = os.getpid()
    real = stream._render

    def dies_in_the_child(writer, source, steps, index, out):
        if os.getpid() != parent:
            os._exit(9)
        real(writer, source, steps, index, out)

    monkeypatch.setattr(stream, "_render", dies_in_the_child)
    ids = Session(shelf).find("")
    for fmt in ("bib", "json", "md"):
        assert streamed(shelf, ids, fmt, "tag", workers=3) == reference(shelf, ids, fmt, "tag")


def test_with_threads_running_every_part_runs_here(shelf, monkeypatch):
    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)
    forks: list[int] = []
    monkeypatch.setattr(parts.os, "fork", lambda: forks.append(1) or 0)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        ids = Session(shelf).find("")
        assert streamed(shelf, ids, "csv", None, workers=2) == reference(shelf, ids, "csv", None)
    finally:
        stop.set()
        other.join()
    assert forks == []


def test_an_interrupted_export_leaves_no_child_behind(monkeypatch):
    started: list[int] = []
    real_start = parts._start

    def start(render):
        pid, tmp = real_start(render)
        started.append(pid)
        return pid, tmp

    monkeypatch.setattr(parts, "_start", start)

    def slow(out):
        import time

        time.sleep(30)

    def interrupted(out):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parts.render_parts([interrupted, slow], io.BytesIO())
    assert len(started) == 1
    with pytest.raises(ChildProcessError):  # killed and reaped: nothing left to wait for
        os.waitpid(started[0], os.WNOHANG)


def test_layout_split_gives_each_part_its_share_and_its_first_item_number():
    facts = [
        {"id": str(i), "tags": ["a", "b"] if i % 3 == 0 else [], "status": "unread"}
        for i in range(10)
    ]
    steps = layout(10, facts, "tag")
    runs = split(steps, 3)
    assert [s for _, run in runs for s in run] == steps
    items = [[s[1] for s in run if s[0] == ITEM] for _, run in runs]
    assert [len(x) for x in items] == [4, 5, 5]  # 14 item steps: "a" 4, "b" 4, untagged 6
    assert [index for index, _ in runs] == [0, 4, 9]
    assert split(layout(0), 4) == [(0, layout(0))]


def test_a_failed_export_to_a_file_leaves_the_old_file_and_no_temp(shelf, tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    target.write_bytes(b"@misc{mine, title = {kept}}\n")
    source = shelf.view_source(Session(shelf).find(""))
    monkeypatch.setattr(stream, "BATCH", 10)
    calls = 0
    real = source.views_at

    def fails_late(positions):
        nonlocal calls
        calls += 1
        if calls == 4:
            raise OSError(28, "No space left on device")
        return real(positions)

    monkeypatch.setattr(source, "views_at", fails_late)
    with pytest.raises(StorageError, match="refs.bib: the disk is full"):
        export_to_file(target, source, "bib", exported_at=STAMP)
    assert target.read_bytes() == b"@misc{mine, title = {kept}}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_a_bad_request_fails_before_the_file_is_touched(shelf, tmp_path):
    target = tmp_path / "list.md"
    with pytest.raises(ExportError, match="unknown export format 'docx'"):
        export_to_file(target, shelf.view_source([]), "docx")
    with pytest.raises(ExportError, match="cannot group by"):
        export_to_file(target, shelf.view_source([]), "md", group_by="year")
    assert not target.exists() and list(tmp_path.iterdir()) == []


# -- the command ---------------------------------------------------------------


def test_the_command_exports_in_parallel_to_a_file(shelf, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)
    target = tmp_path / "refs.bib"
    args = ["--data-dir", str(shelf.dirs.root), "--user", "alice"]
    assert cli.main([*args, "export", "-f", "bib", "-o", str(target)]) == 0
    assert capsys.readouterr().err.strip() == f"exported 73 items to {target}"
    library = bibtexparser.parse_string(target.read_text("utf-8"))
    assert len(library.entries) == 73 and not library.failed_blocks
    assert cli.main([*args, "export", "-f", "bib", "tag:llm"]) == 0
    streamed_out = capsys.readouterr().out
    assert len(bibtexparser.parse_string(streamed_out).entries) == 20


def test_the_command_rejects_a_bad_format_in_one_line(shelf, tmp_path, capsys):
    target = tmp_path / "out.docx"
    args = ["--data-dir", str(shelf.dirs.root), "--user", "alice"]
    assert cli.main([*args, "export", "-f", "docx", "-o", str(target)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("shelf: unknown export format 'docx'") and err.count("\n") == 1
    assert not target.exists()


def test_the_script_exits_with_the_commands_code_and_flushed_output(shelf, tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from tui.cli import entry; "
        f"sys.argv = ['shelf', '--data-dir', {str(shelf.dirs.root)!r}, '--user', 'alice', "
        "'export', '-f', 'csv', 'tag:to-cite']; entry()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=Path(__file__).parent.parent
    )
    assert done.returncode == 0
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["id", "title"] and len(rows) == 21
    bad = subprocess.run(
        [sys.executable, "-c", code.replace("'csv'", "'docx'")],
        capture_output=True,
        cwd=Path(__file__).parent.parent,
    )
    assert bad.returncode == 1 and bad.stderr.startswith(b"shelf: unknown export format")
