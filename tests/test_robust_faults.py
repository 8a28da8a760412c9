"""Full disk, read-only folder, permission errors, failing fsync or rename.

Every failure must give one clear line, leave the previous files
byte-identical (hash of the whole data folder), and leave no temp file.
Tests run as root here, where chmod does not stop writes, so the errors are
injected with monkeypatch; where root can mount a small tmpfs, the full disk
and the read-only folder are also real.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from storage.atomic import StorageError, atomic_write
from storage.shelf import Shelf
from tests.robust_helpers import (
    FaultPlan,
    fill_disk,
    hash_tree,
    is_temp,
    path_endswith,
    real_mount,
    remount,
    shelf_command,
    temp_files,
)

USER = "alice"
ERRORS = {
    errno.ENOSPC: "disk is full",
    errno.EDQUOT: "quota",
    errno.EACCES: "permission denied",
    errno.EROFS: "read-only",
    errno.EIO: "input/output error",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "data"
    shelf = Shelf(root, USER)
    ids = list(shelf.items(with_text=False))
    shelf.add_tags(ids[:2], ["first"])  # creates the file
    shelf.add_tags(ids[:1], ["second"])  # a journal entry
    shelf.flush()
    shelf.add_note(ids[1], "journalled")  # and one left in the journal
    return root


@pytest.fixture
def data_dir(template, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(template, target)
    # The copy's library.json is a new file, so the derived item store copied
    # with it is stale; bring it up to date as in a folder in use, so that
    # the tests compare the records and not a rebuild of the cache.
    Shelf(target, USER, import_bundled=False).library.open_item_store()
    return target


def first_id(root: Path) -> str:
    return next(iter(Shelf(root, USER, import_bundled=False).items(with_text=False)))


def fd_endswith(*suffixes: str):
    """A FaultPlan ``when`` for calls taking a file descriptor (write, fsync)."""

    def match(fd, *args, **kwargs) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}").endswith(suffixes)
        except (OSError, TypeError):
            return False

    return match


def opens_for_writing(path, flags, *args, **kwargs) -> bool:
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


def state_of(root: Path) -> dict:
    shelf = Shelf(root, USER, import_bundled=False)
    return {k: a.to_dict() for k, a in shelf.all_annotations().items()}


# -- atomic_write: every call that can fail, every error ------------------------


@pytest.mark.parametrize("call", ["open", "write", "fsync", "replace"])
@pytest.mark.parametrize("err", sorted(ERRORS))
def test_atomic_write_failure_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch, call, err):
    target = tmp_path / "f.json"
    target.write_bytes(b"the previous version")
    when = {
        "open": is_temp,
        "write": lambda *a, **k: True,
        "fsync": lambda *a, **k: True,
        "replace": is_temp,
    }[call]
    FaultPlan(monkeypatch).fail(call, err, when=when)
    with pytest.raises(StorageError) as caught:
        atomic_write(target, b"the new version")
    monkeypatch.undo()
    message = str(caught.value)
    assert ERRORS[err] in message and str(target) in message and "\n" not in message
    assert target.read_bytes() == b"the previous version"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
def test_an_exception_mid_save_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch, call):
    """KeyboardInterrupt (or any exception) at any point of a save."""
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    FaultPlan(monkeypatch).fail(call, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new", keep_previous=tmp_path / "f.json.0")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]


def test_short_writes_are_completed(tmp_path, monkeypatch):
    """The kernel may write less than asked (nearly full disk, signals)."""
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data)[:7]))
    atomic_write(tmp_path / "f", b"0123456789" * 100)
    monkeypatch.undo()
    assert (tmp_path / "f").read_bytes() == b"0123456789" * 100


# -- the library (snapshot files with backups) ------------------------------------


@pytest.mark.parametrize(
    "call, err",
    [
        ("open", errno.ENOSPC),
        ("write", errno.ENOSPC),
        ("fsync", errno.EIO),
        ("replace", errno.EACCES),
        ("replace", errno.EROFS),
        ("mkdir", errno.EACCES),
    ],
)
def test_failed_library_import_leaves_the_folder_byte_identical(
    data_dir, tmp_path, monkeypatch, call, err
):
    from tests.robust_helpers import blog_document

    doc = tmp_path / "doc.txt"
    doc.write_text(blog_document(5, 4))
    shelf = Shelf(data_dir, USER, import_bundled=False)
    before_items = set(shelf.items(with_text=False))
    (data_dir / ".backups").rename(data_dir / ".backups-moved")  # so mkdir has work
    (data_dir / ".backups-moved").rename(data_dir / ".backups")
    shutil.rmtree(data_dir / ".backups")
    before = hash_tree(data_dir)
    when = {
        "open": is_temp,
        "write": fd_endswith(".tmp"),
        "fsync": fd_endswith(".tmp"),
        "replace": is_temp,
        "mkdir": path_endswith(".backups"),
    }[call]
    FaultPlan(monkeypatch).fail(call, err, when=when)
    if call == "mkdir":
        shelf.import_paths([doc])  # no backup folder: the import still goes ahead
        monkeypatch.undo()
        assert len(Shelf(data_dir, USER, import_bundled=False).items()) == len(before_items) + 4
        return
    with pytest.raises(StorageError) as caught:
        shelf.import_paths([doc])
    monkeypatch.undo()
    assert ERRORS[err] in str(caught.value) and "\n" not in str(caught.value)
    assert hash_tree(data_dir) == before
    assert temp_files(data_dir) == []
    assert set(shelf.items(with_text=False)) == before_items, "memory agrees with disk"
    assert set(Shelf(data_dir, USER, import_bundled=False).items(with_text=False)) == before_items


def test_a_backup_that_cannot_be_made_does_not_stop_the_save(data_dir, monkeypatch):
    shelf = Shelf(data_dir, USER, import_bundled=False)
    item = first_id(data_dir)
    FaultPlan(monkeypatch).fail("link", errno.EMLINK)
    shelf.add_tags([item], ["no-backup"])
    shelf.flush()
    monkeypatch.undo()
    assert "no-backup" in Shelf(data_dir, USER, import_bundled=False).annotation(item).tags


# -- annotations: the snapshot (flush) and the journal ------------------------------


@pytest.mark.parametrize(
    "call, err", [("replace", errno.ENOSPC), ("fsync", errno.EIO), ("open", errno.EACCES)]
)
def test_failed_flush_keeps_every_change_and_the_files(data_dir, monkeypatch, call, err):
    shelf = Shelf(data_dir, USER, import_bundled=False)
    expected = state_of(data_dir)
    before = hash_tree(data_dir)
    when = {"replace": is_temp, "fsync": fd_endswith(".tmp"), "open": is_temp}[call]
    FaultPlan(monkeypatch).fail(call, err, when=when)
    with pytest.raises(StorageError, match=ERRORS[err]):
        shelf.flush()
    monkeypatch.undo()
    assert hash_tree(data_dir) == before and temp_files(data_dir) == []
    assert state_of(data_dir) == expected
    assert {k: a.to_dict() for k, a in shelf.all_annotations().items()} == expected


@pytest.mark.parametrize(
    "call, err",
    [
        ("write", errno.ENOSPC),
        ("fsync", errno.EIO),
        ("open", errno.EROFS),
    ],
)
def test_failed_journal_append_is_a_clear_error_and_changes_nothing(
    data_dir, monkeypatch, call, err
):
    shelf = Shelf(data_dir, USER, import_bundled=False)
    item = first_id(data_dir)
    expected = state_of(data_dir)
    before = hash_tree(data_dir)
    log = fd_endswith(".log")
    if call == "write":
        # What a disk that fills up mid-line does: part of it, then ENOSPC.
        real = os.write
        calls = {"n": 0}

        def part_then_full(fd, data):
            if not log(fd):
                return real(fd, data)
            calls["n"] += 1
            if calls["n"] == 1:
                return real(fd, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "write", part_then_full)
    else:
        when = {"fsync": log, "open": path_endswith(".log")}[call]
        FaultPlan(monkeypatch).fail(call, err, when=when)
    with pytest.raises(StorageError, match=ERRORS[err]):
        shelf.add_note(item, "this change failed")
    monkeypatch.undo()
    assert state_of(data_dir) == expected, "a change reported as failed must not appear"
    assert hash_tree(data_dir) == before


def test_a_short_journal_write_is_completed_not_acknowledged_and_dropped(data_dir, monkeypatch):
    shelf = Shelf(data_dir, USER, import_bundled=False)
    item = first_id(data_dir)
    real = os.write
    log = fd_endswith(".log")
    monkeypatch.setattr(
        os, "write", lambda fd, data: real(fd, bytes(data)[:9] if log(fd) else data)
    )
    shelf.add_note(item, "written in several pieces")
    monkeypatch.undo()
    shelf.add_note(item, "the next change")
    notes = {n.text for n in Shelf(data_dir, USER, import_bundled=False).annotation(item).notes}
    assert {"written in several pieces", "the next change"} <= notes


# -- the CLI: one line, non-zero exit, no traceback ---------------------------------


def read_only(plan: FaultPlan, root: Path, err: int = errno.EROFS) -> None:
    """Make every write under ``root`` fail the way a read-only mount does."""
    inside = str(root)

    def under(path) -> bool:
        return isinstance(path, str | os.PathLike) and os.fspath(path).startswith(inside)

    plan.fail("open", err, when=lambda p, flags, *a, **k: under(p) and opens_for_writing(p, flags))
    real_mkdir = os.mkdir

    def mkdir(path, mode=0o777, *a, **k):
        if under(path):
            if os.path.exists(path):
                raise FileExistsError(errno.EEXIST, "File exists", os.fspath(path))
            raise OSError(err, os.strerror(err), os.fspath(path))
        return real_mkdir(path, mode, *a, **k)

    plan.monkeypatch.setattr(os, "mkdir", mkdir)
    for name in ("replace", "rename", "link", "unlink"):
        plan.fail(name, err, when=lambda p, *a, **k: under(p))


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES])
@pytest.mark.parametrize(
    "command",
    [
        ["tag", "{id}", "t"],
        ["note", "{id}", "a", "note"],
        ["read", "{id}"],
        ["rename", "{id}", "X"],
    ],
)
def test_cli_on_a_read_only_folder_says_so_in_one_line(data_dir, monkeypatch, capsys, err, command):
    item = first_id(data_dir)
    before = hash_tree(data_dir)
    read_only(FaultPlan(monkeypatch), data_dir, err)
    args = [a.format(id=item) for a in command]
    code, out, stderr = run_main(capsys, "--data-dir", str(data_dir), "--user", USER, *args)
    monkeypatch.undo()
    assert code != 0
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("shelf: ") and ERRORS[err] in lines[0], lines[0]
    assert "internal error" not in lines[0] and "Traceback" not in stderr
    assert hash_tree(data_dir) == before and temp_files(data_dir) == []


def test_cli_reading_works_on_a_read_only_folder(data_dir, monkeypatch, capsys):
    read_only(FaultPlan(monkeypatch), data_dir)
    code, out, err = run_main(capsys, "--data-dir", str(data_dir), "--user", USER, "list")
    assert code == 0 and err == "" and len(out.splitlines()) > 10


def test_cli_read_only_folder_without_a_journal_folder_yet(data_dir, monkeypatch, capsys):
    """A user whose only change created the file: the journal folder does not exist yet."""
    shutil.rmtree(data_dir / ".journal")
    Shelf(data_dir, USER, import_bundled=False).flush()
    before = hash_tree(data_dir)
    read_only(FaultPlan(monkeypatch), data_dir)
    code, _, stderr = run_main(
        capsys, "--data-dir", str(data_dir), "--user", USER, "tag", first_id(data_dir), "x"
    )
    monkeypatch.undo()
    assert code != 0 and len(stderr.strip().splitlines()) == 1
    assert "read-only" in stderr and "internal error" not in stderr, stderr
    assert hash_tree(data_dir) == before


def test_cli_change_saved_but_not_folded_is_not_reported_as_failed(data_dir, monkeypatch, capsys):
    item = first_id(data_dir)
    FaultPlan(monkeypatch).fail("replace", errno.ENOSPC, when=is_temp)
    code, out, err = run_main(
        capsys, "--data-dir", str(data_dir), "--user", USER, "note", item, "once"
    )
    monkeypatch.undo()
    notes = [n.text for n in Shelf(data_dir, USER, import_bundled=False).annotation(item).notes]
    assert notes.count("once") == 1
    assert code == 0, "the note is saved; exit 1 invites a retry that duplicates it"


def test_cli_note_with_bytes_that_are_not_utf8_is_a_clear_error(data_dir):
    item = first_id(data_dir)
    done = subprocess.run(
        [
            *shelf_command(),
            "--data-dir",
            str(data_dir),
            "--user",
            USER,
            "note",
            item,
            os.fsdecode(b"caf\xe9"),
        ],  # argv bytes that are not UTF-8
        capture_output=True,
        text=True,
    )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1


# -- a real full disk and a real read-only mount --------------------------------------


def test_real_full_disk_gives_a_clear_error_and_keeps_every_file(tmp_path):
    with real_mount("4m") as mnt:
        root = mnt / "data"
        shutil.copytree(Shelf(tmp_path / "seed", USER).dirs.root, root)
        item = first_id(root)
        Shelf(root, USER, import_bundled=False).add_tags([item], ["before"])
        fill_disk(mnt)
        before = hash_tree(root)
        done = subprocess.run(
            [*shelf_command(), "--data-dir", str(root), "--user", USER, "import",
             str(_big_document(tmp_path))],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode != 0
        assert "disk is full" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert "internal error" not in done.stderr
        assert hash_tree(root) == before
        assert temp_files(root) == []
        assert "before" in Shelf(root, USER, import_bundled=False).annotation(item).tags


def _big_document(tmp_path: Path) -> Path:
    from tests.robust_helpers import blog_document

    doc = tmp_path / "big.txt"
    doc.write_text(blog_document(77, 400))
    return doc


def test_real_full_disk_note_is_either_saved_or_refused(tmp_path):
    with real_mount("4m") as mnt:
        root = mnt / "data"
        shutil.copytree(Shelf(tmp_path / "seed", USER).dirs.root, root)
        item = first_id(root)
        shelf = Shelf(root, USER, import_bundled=False)
        shelf.add_tags([item], ["before"])
        shelf.add_tags([item], ["journal-exists"])
        fill_disk(mnt)
        note = "a long note " * 1000  # crosses into a page the disk does not have
        try:
            shelf.add_note(item, note)
            acknowledged = True
        except StorageError as exc:
            assert "disk is full" in str(exc)
            acknowledged = False
        notes = {n.text for n in Shelf(root, USER, import_bundled=False).annotation(item).notes}
        assert (note.strip() in notes) == acknowledged


def test_real_read_only_mount(tmp_path):
    with real_mount("8m") as mnt:
        root = mnt / "data"
        shutil.copytree(Shelf(tmp_path / "seed", USER).dirs.root, root)
        item = first_id(root)
        shelf = Shelf(root, USER, import_bundled=False)
        shelf.add_tags([item], ["before"])
        shelf.add_tags([item], ["journalled"])
        before = hash_tree(root)
        remount(mnt, "ro")
        tag = subprocess.run(
            [*shelf_command(), "--data-dir", str(root), "--user", USER, "tag", item, "x"],
            capture_output=True, text=True,
        )  # fmt: skip
        listing = subprocess.run(
            [*shelf_command(), "--data-dir", str(root), "--user", USER, "list"],
            capture_output=True, text=True,
        )  # fmt: skip
        remount(mnt, "rw")
        assert tag.returncode != 0
        assert tag.stderr.count("\n") == 1 and "read-only" in tag.stderr, tag.stderr
        assert "Traceback" not in tag.stderr and "internal error" not in tag.stderr
        assert listing.returncode == 0 and listing.stderr == "", listing.stderr
        assert hash_tree(root) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_real_permission_denied(data_dir):
    item = first_id(data_dir)
    before = hash_tree(data_dir)
    folders = [data_dir, data_dir / "annotations", data_dir / ".journal", data_dir / ".locks"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        done = subprocess.run(
            [*shelf_command(), "--data-dir", str(data_dir), "--user", USER, "tag", item, "x"],
            capture_output=True, text=True,
        )  # fmt: skip
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert done.returncode != 0 and done.stderr.count("\n") == 1, done.stderr
    assert "permission denied" in done.stderr
    assert hash_tree(data_dir) == before
