"""Any bytes given to ``shelf import`` give a clear error or a report, never a crash."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.session import Session
from storage.atomic import StorageError
from storage.documents import MAX_DOCUMENT_BYTES, read_document
from tests.robust_helpers import blog_document, hash_tree

SHELF = [sys.executable, "-m", "tui.cli"]


@pytest.fixture
def data_dir(bundled_data) -> Path:
    return bundled_data


def bad_inputs(folder: Path) -> dict[str, Path]:
    """Every kind of file a user might point ``shelf import`` at by mistake."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "empty": b"",
        "whitespace": b" \n\t\r\n  ",
        "binary": bytes(range(256)) * 64,
        "png": b"\x89PNG\r\n\x1a\n" + os.urandom(2048),
        "gzip": b"\x1f\x8b\x08\x00" + os.urandom(1024),
        "invalid_utf8": "Title\nSummary caf\u00e9\n".encode("latin-1"),
        "truncated_utf8": "Attention Is All You Need\nA summary with an é".encode()[:-1],
        "lone_surrogate_bytes": b"Title\n\xed\xa0\x80 summary\nRead More\n",
        "utf16_without_bom": "Title\nSummary\n".encode("utf-16-le"),
        "bom_only": codecs.BOM_UTF8,
        "nul_in_middle": b"Title\nSum\x00mary\nRead More\n",
        "control_characters": b"Title\x07\x1b[31m\nSummary\x08\nRead More\n",
        "one_huge_line": b"x" * (10 * 1024 * 1024),
        "huge_title_line": (b"A" * (2 * 1024 * 1024)) + b"\nsummary\nRead More\n",
        "many_short_lines": b"a\n" * 500_000,
        "json": b'{"annotations": {}}',
        "html": b"<html><body><h1>Not a listing</h1></body></html>",
        "bibtex_broken": b"@article{key,\n title = {Unclosed\n",
        "latex_soup": b"\\begin{document}" + b"{" * 5000 + b"\n",
        "crlf_only": b"\r\n" * 1000,
    }
    paths = {}
    for name, raw in files.items():
        p = folder / f"{name}.txt"
        p.write_bytes(raw)
        paths[name] = p
    utf16 = folder / "utf16_with_bom.txt"
    utf16.write_bytes(codecs.BOM_UTF16_LE + blog_document(1, 2).encode("utf-16-le"))
    paths["utf16_with_bom"] = utf16
    sub = folder / "a_directory"
    sub.mkdir(exist_ok=True)
    paths["directory"] = sub
    paths["missing"] = folder / "does-not-exist.txt"
    fifo = folder / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    paths["fifo_without_writer"] = fifo
    return paths


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SHELF, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parent.parent,
    )


# -- reading documents -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty", "is empty"),
        ("whitespace", "is empty"),
        ("bom_only", "is empty"),
        ("binary", "binary"),
        ("png", "binary"),
        ("gzip", "binary"),
        ("invalid_utf8", "not UTF-8 text (invalid byte 0xe9 on line 2"),
        ("lone_surrogate_bytes", "not UTF-8"),
        ("utf16_without_bom", "binary"),
        ("nul_in_middle", "binary"),
        ("directory", "is a directory"),
        ("missing", "does not exist"),
        ("fifo_without_writer", "nothing wrote to"),
    ],
)
def test_unusable_documents_are_refused_in_one_line(tmp_path, monkeypatch, name, message):
    import storage.documents as documents

    monkeypatch.setattr(documents, "FIFO_WAIT_SECONDS", 0.2)
    path = bad_inputs(tmp_path)[name]
    with pytest.raises(StorageError) as caught:
        read_document(path)
    text = str(caught.value)
    assert message in text and "\n" not in text and len(text) < 300


@pytest.mark.timeout(60)  # an endless read would hang: the timeout fails it
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused(device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    with pytest.raises(StorageError, match="binary"):
        read_document(device)


@pytest.mark.parametrize("writer_first", [True, False])
def test_a_named_pipe_is_read_whoever_opens_it_first(tmp_path, writer_first):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    text = blog_document(3, 2)

    def write() -> None:
        if not writer_first:
            time.sleep(0.3)  # the reader is already waiting
        fifo.write_text(text)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    if writer_first:
        time.sleep(0.1)
    name, got = read_document(fifo)
    writer.join(5)
    assert (name, got) == ("pipe", text)


def test_oversized_stream_is_refused_without_reading_it_all(monkeypatch):
    import storage.documents as documents

    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 4 * 1024 * 1024)
    r, w = os.pipe()
    writer = threading.Thread(target=_feed, args=(w, b"text line\n" * 1024, 1000), daemon=True)
    writer.start()
    try:
        with pytest.raises(StorageError, match="larger than a document can be"):
            read_document(f"/dev/fd/{r}")
    finally:
        os.close(r)
        writer.join(5)
    assert MAX_DOCUMENT_BYTES >= 100 * 1024 * 1024


def _feed(fd: int, chunk: bytes, times: int) -> None:
    try:
        for _ in range(times):
            os.write(fd, chunk)
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_name_with_a_nul_byte_is_refused():
    with pytest.raises(StorageError, match="not a usable file name"):
        read_document("bad\0name.txt")


def test_special_files_are_refused(tmp_path):
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(StorageError):
            read_document(path)
    finally:
        server.close()


# -- the whole import path -----------------------------------------------------


def test_every_bad_input_through_the_cli_is_reported_not_crashed(data_dir, tmp_path):
    """One ``shelf import`` of everything: each bad file is a line, the good one imports."""
    paths = bad_inputs(tmp_path / "inputs")
    del paths["fifo_without_writer"]  # waits for a writer; covered above with a short wait
    good = tmp_path / "inputs" / "good.txt"
    good.write_text(blog_document(7, 3))
    before = hash_tree(data_dir / "annotations")
    done = run_cli(
        "--data-dir", str(data_dir), "--user", "alice", "import", "--json",
        *map(str, paths.values()), str(good),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    import json

    report = json.loads(done.stdout)
    by_name = {d["name"]: d for d in report["documents"]}
    assert by_name["good.txt"]["error"] is None and by_name["good.txt"]["entries"] == 3
    assert len(report["added"]) == sum(d["entries"] for d in report["documents"])
    for name, path in paths.items():
        doc = by_name[path.name]
        if name == "utf16_with_bom":
            assert doc["error"] is None and doc["entries"] == 2, doc
            continue
        assert doc["error"] or doc["entries"] or doc["skipped"], (name, doc)
        if doc["error"]:
            assert "\n" not in doc["error"] and len(doc["error"]) < 400, (name, doc["error"])
    assert done.returncode == 1  # some documents failed: a script must be able to tell
    assert hash_tree(data_dir / "annotations") == before


def test_bad_inputs_in_plain_output_are_one_line_each(data_dir, tmp_path):
    paths = bad_inputs(tmp_path / "inputs")
    chosen = [paths[n] for n in ("binary", "invalid_utf8", "directory", "empty", "missing")]
    done = run_cli("--data-dir", str(data_dir), "--user", "alice", "import", *map(str, chosen))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == len(chosen), done.stderr
    for path, line in zip(chosen, lines, strict=True):
        assert line.startswith(f"{path.name}: "), line


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.one_of(
        st.binary(max_size=4096),
        st.text(max_size=2048).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.lists(
            st.sampled_from(
                ["Read More", "Abstract:", "@article{k,", "}", "Title", "\u2026", "", "2024",
                 "Jan 5, 2024", "arXiv:2401.00001", "[Updated on 2024-01-01]", "Authors: A, B"]
            ),
            max_size=60,
        ).map(lambda lines: "\n".join(lines).encode()),
    )
)  # fmt: skip
def test_any_bytes_import_without_crashing(data_dir, tmp_path, raw):
    from storage.shelf import Shelf

    doc = tmp_path / "doc.txt"
    doc.write_bytes(raw)
    shelf = Shelf(data_dir, "alice", import_bundled=False)
    report = shelf.import_paths([doc])
    assert len(report.documents) == 1
    result = report.documents[0]
    assert result.error or result.entries or result.skipped
    if result.error:
        assert "\n" not in result.error


def test_a_document_with_enormous_fields_imports_and_searches_quickly(data_dir, tmp_path):
    """A 2 MB title or a 5 MB abstract must not stall parsing, saving or searching."""
    from storage.search import SearchIndex
    from storage.shelf import Shelf

    doc = tmp_path / "huge.txt"
    title = "Scaling " + "transformers " * 150_000
    summary = "attention " * 500_000 + "\u2026"
    doc.write_text(f"{title}\n{summary}\nRead More\n{blog_document(9, 2)}")
    shelf = Shelf(data_dir, "alice", import_bundled=False)
    report = shelf.import_paths([doc])
    assert not report.errors
    items = list(shelf.items().values())
    index = SearchIndex.build(items, shelf.all_annotations())
    for query in ("transfromers", "atention", "scaling transformers attention"):
        assert index.search(query, limit=100).ids(), query
    assert not index.search("zzzz", limit=100).ids()
    assert Session(shelf).find("attention")
