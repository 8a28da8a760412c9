"""A teammate's file can never hurt you: links, pipes, devices, huge and damaged files
in the data folder, driven through the storage API and the real CLI entry point.

Each test has a hard timeout (see tests/fixtures/hostile/build.py): a file that
makes shelf hang must fail the test, not block the suite.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import safe_files
from storage.annotations import AnnotationStore, read_other_users
from storage.atomic import StorageError, atomic_write, clean_temp_files, temp_path_for
from storage.file_names import safe_name
from storage.jsonstore import SafeJSONStorage
from storage.output_files import check_output_path, clean_output_folder
from storage.paths import DataDir
from storage.shelf import Shelf
from tests.fixtures.hostile.build import (
    LINK_AND_ODD_KINDS,
    USER,
    annotation_file,
    fresh_data_dir,
    hard_timeout,  # noqa: F401 - autouse: every test here fails on a hang
    item_ids,
    make_template,
    plant,
    run_cli,
    snapshot,
    sparse_file,
    write_annotations,
)
from tests.robust_helpers import backup_generations, corrupt_files, temp_files

pytestmark = pytest.mark.timeout(30)

HOSTILE_NAMES = [
    "new\nline",
    "esc\x1b[31mred\x1b[0m",
    "[link=x]click[b]bold",
    "rtl\u202eevil",
    b"latin1-\xe9\xff".decode("utf-8", "surrogateescape"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("hostile-template"))


@pytest.fixture
def root(template, tmp_path) -> Path:
    return fresh_data_dir(template, tmp_path)


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def one_line_warnings(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line]
    for line in lines:
        assert line.startswith("shelf: "), f"a warning spilled onto a second line: {stderr!r}"
    return lines


def assert_printable(text: str) -> None:
    """No raw control characters, escape sequences or markup from a file name."""
    assert "\x1b" not in text and "[link" not in text and "\u202e" not in text, text
    assert all(ch == "\n" or ch.isprintable() for ch in text), repr(text)


# -- 1. links and odd files: the user's own file ------------------------------------


@pytest.mark.parametrize("kind", LINK_AND_ODD_KINDS)
def test_own_annotation_file_that_is_not_a_regular_file_is_refused(root, outside, kind):
    own = annotation_file(root, USER)
    target = plant(kind, own, outside)
    target_before = snapshot(target) if target is not None else None
    item = item_ids(root, 1)[0]

    code, _, err = run_cli(root, "list")
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "regular file" in err or "symbolic link" in err, err
    code, _, err = run_cli(root, "tag", item, "mine")
    assert code == 1 and len(err.strip().splitlines()) == 1, err

    assert os.path.lexists(own) and not own.is_file() or own.is_symlink(), "never replaced"
    if target is not None:
        assert snapshot(target) == target_before, "the link's target is never written or deleted"
    assert corrupt_files(root) == [] and temp_files(root) == []


def test_link_to_another_users_file_never_carries_changes_into_it(root, outside):
    item = item_ids(root, 1)[0]
    bob = annotation_file(root, "bob")
    write_annotations(bob, {item: {"tags": ["bobs"], "updated": "2026-01-01T00:00:00Z"}})
    before = bob.read_bytes()
    annotation_file(root, USER).symlink_to(bob)
    code, _, err = run_cli(root, "tag", item, "alices")
    assert code == 1 and "symbolic link" in err
    assert bob.read_bytes() == before
    with pytest.raises(StorageError, match="symbolic link"):
        Shelf(root, USER, import_bundled=False).add_tags([item], ["again"])
    assert bob.read_bytes() == before


def test_damaged_target_behind_own_link_is_not_recovered_by_renaming_it(root, outside):
    target = outside / "alice.json"
    target.write_bytes(b"{broken")
    own = annotation_file(root, USER)
    own.symlink_to(target)
    with pytest.raises(StorageError, match="symbolic link"):
        Shelf(root, USER, import_bundled=False).all_annotations()
    assert own.is_symlink() and target.read_bytes() == b"{broken"
    assert list(outside.iterdir()) == [target] and corrupt_files(root) == []


@pytest.mark.parametrize("folder", ["annotations", ".journal", ".backups"])
def test_a_data_folder_that_is_a_link_is_not_followed(root, outside, folder):
    item = item_ids(root, 1)[0]
    Shelf(root, USER, import_bundled=False).add_tags([item], ["first"])
    real = root / folder
    if real.exists():
        os.rename(real, outside / f"moved{folder}")
    elsewhere = outside / f"elsewhere{folder}"
    elsewhere.mkdir()
    real.symlink_to(elsewhere)
    shelf = Shelf(root, USER, import_bundled=False, on_warning=lambda m: None)
    if folder == ".backups":
        # Backups are a convenience: the change is saved, with a warning.
        warnings: list[str] = []
        shelf = Shelf(root, USER, import_bundled=False, on_warning=warnings.append)
        shelf.add_tags([item], ["second"])
        shelf.flush()
        assert "backups could not be kept" in " ".join(warnings)
        assert Shelf(root, USER, import_bundled=False).annotation(item).tags == ["first", "second"]
    else:
        with pytest.raises(StorageError, match="symbolic link"):
            shelf.add_tags([item], ["second"])
            shelf.flush()
    assert list(elsewhere.iterdir()) == [], "nothing is written through the link"


def test_own_journal_that_is_a_link_is_refused(root, outside):
    item = item_ids(root, 1)[0]
    Shelf(root, USER, import_bundled=False).add_tags([item], ["first"])
    bob = annotation_file(root, "bob")
    before = write_annotations(bob, {})
    journal = root / ".journal" / f"{USER}.log"
    journal.parent.mkdir(exist_ok=True)
    journal.symlink_to(bob)
    code, _, err = run_cli(root, "tag", item, "second")
    assert code == 1 and "symbolic link" in err and len(err.strip().splitlines()) == 1
    assert bob.read_bytes() == before and journal.is_symlink()


def test_lock_file_that_is_a_link_is_refused(root, outside):
    target = outside / "precious"
    target.write_bytes(b"keep")
    lock = root / ".locks" / f"user-{USER}.lock"
    lock.parent.mkdir(exist_ok=True)
    lock.symlink_to(target)
    item = item_ids(root, 1)[0]
    code, _, err = run_cli(root, "tag", item, "x")
    assert code == 1 and "symbolic link" in err
    assert target.read_bytes() == b"keep"


# -- 1. links and odd files: other users' files --------------------------------------


def test_other_users_odd_files_are_skipped_with_one_line_each(root, outside):
    item = item_ids(root, 1)[0]
    folder = root / "annotations"
    kinds = {f"user{n}": kind for n, kind in enumerate(LINK_AND_ODD_KINDS)}
    kinds["user1"] = "link-outside"  # a link to bob's file would make bob a real user
    for user, kind in kinds.items():
        plant(kind, folder / f"{user}.json", outside)
    write_annotations(folder / "zoe.json", {item: {"tags": ["shared"]}}, user="zoe")

    code, out, err = run_cli(root, "list", "--json")
    assert code == 0, err
    others = {i["id"]: i["others"] for i in orjson.loads(out)}
    assert set(others[item]) == {"zoe"} and others[item]["zoe"]["tags"] == ["shared"]
    warned = one_line_warnings(err)
    for user in kinds:
        assert any(f"'{user}.json'" in line for line in warned), (user, warned)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_are_shown_escaped_never_raw(root, outside, name):
    folder = root / "annotations"
    path = os.path.join(os.fsencode(folder), os.fsencode(name + ".json"))
    os.symlink("/dev/zero", path)
    # (--json: the plain list shows only your own marks and reads no teammate's file)
    code, _, err = run_cli(root, "list", "--json")
    assert code == 0, err
    warned = one_line_warnings(err)
    assert len(warned) == 1, warned
    assert_printable(warned[0])
    assert safe_name(name + ".json") in warned[0]


def test_regular_file_with_a_hostile_name_is_skipped_escaped(root):
    folder = root / "annotations"
    name = "x\n\x1b]8;;evil\x07[link=x]y.json"
    write_annotations(folder / name, {})
    warnings: list[str] = []
    others = read_other_users(DataDir(root), USER, warnings.append)
    assert others == {} and len(warnings) == 1
    assert "\n" not in warnings[0]
    assert_printable(warnings[0])


def test_fifo_as_another_users_file_does_not_hang(root):
    os.mkfifo(root / "annotations" / "bob.json")
    warnings: list[str] = []
    assert read_other_users(DataDir(root), USER, warnings.append) == {}
    assert len(warnings) == 1 and "named pipe" in warnings[0]


# -- 2. reads are capped ---------------------------------------------------------------


def count_reads(monkeypatch) -> dict[str, int]:
    """How many bytes the storage layer reads, whatever call it reads with."""
    seen = {"bytes": 0}
    real_read, real_pread = os.read, os.pread

    def read(fd, n):
        data = real_read(fd, n)
        seen["bytes"] += len(data)
        return data

    def pread(fd, n, offset):
        data = real_pread(fd, n, offset)
        seen["bytes"] += len(data)
        return data

    monkeypatch.setattr(os, "read", read)
    monkeypatch.setattr(os, "pread", pread)
    return seen


def test_own_annotation_file_over_the_cap_is_refused_before_reading(root, monkeypatch):
    own = annotation_file(root, USER)
    sparse_file(own, safe_files.MAX_ANNOTATION_BYTES + 1)
    shelf = Shelf(root, USER, import_bundled=False)
    seen = count_reads(monkeypatch)
    with pytest.raises(StorageError, match="over 64 MB") as caught:
        shelf.all_annotations()
    assert "\n" not in str(caught.value)
    assert seen["bytes"] < 1024 * 1024, "refused before the file was read"
    assert os.path.getsize(own) == safe_files.MAX_ANNOTATION_BYTES + 1
    assert corrupt_files(root) == []


def test_other_users_file_over_the_cap_is_skipped_before_reading(root, monkeypatch):
    sparse_file(annotation_file(root, "bob"), safe_files.MAX_ANNOTATION_BYTES + 1)
    seen = count_reads(monkeypatch)
    warnings: list[str] = []
    assert read_other_users(DataDir(root), USER, warnings.append) == {}
    assert seen["bytes"] < 1024 * 1024
    assert len(warnings) == 1 and "over 64 MB" in warnings[0]


def test_a_file_that_grows_while_read_stops_at_the_cap(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    monkeypatch.setattr(safe_files, "MAX_ANNOTATION_BYTES", 100)
    real_pread = os.pread

    def growing(fd, n, offset):  # the file gets longer with every read
        with open(path, "ab") as handle:
            handle.write(b"y" * 64)
        return real_pread(fd, n, offset)

    monkeypatch.setattr(os, "pread", growing)
    with pytest.raises(safe_files.TooLarge):
        safe_files.read_regular(path, limit=100)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("notes", [{"text": "n" * (256 * 1024 + 1), "created": "2026-01-01T00:00:00Z"}]),
        ("title", "t" * 4097),
        ("tags", ["g" * 4097]),
        ("tags", "not-a-list"),
        ("status", {"no": "status"}),
        ("status_at", "9999-99-99"),
        ("notes", [{"text": 5, "created": "2026-01-01T00:00:00Z"}]),
    ],
)
def test_oversized_or_bogus_entry_in_another_users_file_is_skipped(root, field, value):
    first, second = item_ids(root, 2)
    write_annotations(
        annotation_file(root, "bob"),
        {first: {field: value}, second: {"tags": ["fine"]}},
    )
    code, out, err = run_cli(root, "list", "--json")
    assert code == 0, err
    others = {i["id"]: i["others"] for i in orjson.loads(out)}
    assert others[first] == {} and others[second]["bob"]["tags"] == ["fine"]
    warned = one_line_warnings(err)
    assert len(warned) == 1 and "'bob.json': skipped 1 entry" in warned[0], warned
    assert len(warned[0]) < 400


# -- 3. a broken file never loses the newest change ----------------------------------


@pytest.mark.parametrize("damage", [b"", b"{", b"\0" * 100, b'{"annotations": ['])
def test_damaged_own_file_recovers_the_newest_change(root, damage):
    item = item_ids(root, 1)[0]
    for tag in ("first", "second", "third"):
        code, _, err = run_cli(root, "tag", item, tag)
        assert code == 0, err
    own = annotation_file(root, USER)
    with open(own, "r+b") as handle:  # damaged where it lies, as a crash or editor would
        handle.write(damage)
        handle.truncate()
    code, out, err = run_cli(root, "list", "--json")
    assert code == 0, err
    tags = {i["id"]: i["tags"] for i in orjson.loads(out)}
    assert tags[item] == ["first", "second", "third"]
    warned = one_line_warnings(err)
    assert len(warned) == 1 and "restored the backup" in warned[0]
    kept = corrupt_files(root)
    assert len(kept) == 1 and kept[0].read_bytes() == damage
    assert 0 < backup_generations(root) <= 3


def test_many_saves_keep_at_most_three_generations_and_the_newest(root):
    item = item_ids(root, 1)[0]
    shelf = Shelf(root, USER, import_bundled=False)
    for n in range(8):
        shelf.add_tags([item], [f"t{n}"])
        shelf.flush()
    assert backup_generations(root) == 3
    newest = root / ".backups" / "annotations" / f"{USER}.json.1"
    assert newest.read_bytes() == annotation_file(root, USER).read_bytes()
    assert os.stat(newest).st_ino != os.stat(annotation_file(root, USER)).st_ino
    annotation_file(root, USER).write_bytes(b"")
    assert Shelf(root, USER, import_bundled=False).annotation(item).tags == [
        f"t{n}" for n in range(8)
    ]


def test_hand_edit_of_the_live_file_is_still_kept_as_a_backup(root):
    """A live version the newest backup does not copy (a git pull, say) is linked as before."""
    item = item_ids(root, 1)[0]
    shelf = Shelf(root, USER, import_bundled=False)
    shelf.add_tags([item], ["a"])
    shelf.flush()
    own = annotation_file(root, USER)
    pulled = orjson.loads(own.read_bytes())
    pulled["annotations"][item]["tags"] = ["a", "pulled"]
    tmp = own.with_name("pulled.tmp")
    tmp.write_bytes(orjson.dumps(pulled))
    os.replace(tmp, own)
    shelf = Shelf(root, USER, import_bundled=False)
    shelf.add_tags([item], ["b"])
    shelf.flush()
    backups = root / ".backups" / "annotations"
    kept = [orjson.loads((backups / f"{USER}.json.{g}").read_bytes()) for g in (1, 2)]
    assert [k["annotations"][item]["tags"] for k in kept] == [["a", "b", "pulled"], ["a", "pulled"]]


def test_git_conflict_in_own_file_is_named_as_such(root):
    item = item_ids(root, 1)[0]
    run_cli(root, "tag", item, "mine")
    own = annotation_file(root, USER)
    good = own.read_bytes()
    own.write_bytes(b"<<<<<<< HEAD\n" + good + b"=======\n" + good + b">>>>>>> theirs\n")
    code, out, err = run_cli(root, "list", "--json")
    assert code == 0 and "has git conflict markers; resolve the merge" in err
    assert {i["id"]: i["tags"] for i in orjson.loads(out)}[item] == ["mine"]


def test_git_conflict_in_another_users_file_is_named_as_such(root):
    raw = write_annotations(annotation_file(root, "bob"), {})
    annotation_file(root, "bob").write_bytes(b"<<<<<<< ours\n" + raw + b"=======\n>>>>>>> b\n")
    warnings: list[str] = []
    assert read_other_users(DataDir(root), USER, warnings.append) == {}
    assert len(warnings) == 1 and "has git conflict markers; resolve the merge" in warnings[0]


# -- 4. backups that cannot be kept never fail a saved change ----------------------------


def test_a_file_where_the_backup_folder_should_be(root):
    item = item_ids(root, 1)[0]
    run_cli(root, "tag", item, "first")
    backups = root / ".backups"
    os.rename(backups, root / "old-backups")
    backups.write_bytes(b"not a folder")
    code, _, err = run_cli(root, "tag", item, "second")
    assert code == 0, err
    assert "backups could not be kept" in err
    assert Shelf(root, USER, import_bundled=False).annotation(item).tags == ["first", "second"]
    assert backups.read_bytes() == b"not a folder"


@pytest.mark.parametrize("call", ["link", "replace", "open", "mkdir", "stat", "lstat"])
def test_an_unwritable_backup_folder_is_a_warning_not_an_error(root, monkeypatch, call):
    """What chmod 000 on .backups does for a normal user (root ignores the mode, so simulate)."""
    item = item_ids(root, 1)[0]
    run_cli(root, "tag", item, "first")
    inside = str(root / ".backups") + os.sep  # what a mode-000 .backups makes unreachable
    real = getattr(os, call)

    def denied(*args, **kwargs):
        if any(isinstance(a, (str, os.PathLike)) and inside in os.fspath(a) for a in args):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, call, denied)
    code, _, err = run_cli(root, "tag", item, "second")
    assert code == 0, err
    code, _, err = run_cli(root, "tag", item, "third")
    assert code == 0, err
    monkeypatch.undo()
    assert Shelf(root, USER, import_bundled=False).annotation(item).tags == [
        "first",
        "second",
        "third",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes a mode-000 folder anyway")
def test_a_mode_000_backup_folder_is_a_warning_not_an_error(root):
    item = item_ids(root, 1)[0]
    run_cli(root, "tag", item, "first")
    backups = root / ".backups" / "annotations"
    backups.chmod(0)
    try:
        code, _, err = run_cli(root, "tag", item, "second")
        assert code == 0 and "backups could not be kept" in err
    finally:
        backups.chmod(0o700)
    assert Shelf(root, USER, import_bundled=False).annotation(item).tags == ["first", "second"]


# -- 5. temp files ------------------------------------------------------------------------


def test_temp_names_record_the_writers_start_time(tmp_path):
    name = temp_path_for(tmp_path / "export.md").name
    assert name.startswith(".shelf-export.md.") and name.endswith(".tmp")
    token = name.split(".")[-3]
    pid, start, boot = token.split("-")
    assert int(pid) == os.getpid() and start.isdigit() and len(boot) == 8


def test_cleanup_removes_a_dead_writers_temp_even_when_its_pid_is_reused(tmp_path):
    mine = temp_path_for(tmp_path / "x.json")
    mine.write_bytes(b"in progress")
    pid, start, boot = mine.name.split(".")[-3].split("-")
    # The same pid, but a process that started at another time: the old writer is gone.
    reused = tmp_path / f".shelf-x.json.{pid}-{int(start) + 1}-{boot}.0123abcd.tmp"
    reused.write_bytes(b"partial")
    users_own = tmp_path / ".shelf-notes.tmp"
    users_own.write_bytes(b"not ours")
    removed = clean_temp_files(tmp_path)
    assert removed == [reused]
    assert mine.exists() and users_own.exists()


def test_a_killed_exports_temp_file_is_cleaned_from_the_output_folder(tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    code = (
        "import os, sys; from pathlib import Path; from storage.atomic import temp_path_for;"
        "p = temp_path_for(Path(sys.argv[1])); p.write_bytes(b'x' * 4096);"
        "os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", code, str(out / "list.md")], check=False, timeout=20)
    left = temp_files(out)
    assert len(left) == 1
    assert clean_output_folder(out / "list.md") == left
    assert temp_files(out) == []


def test_temp_file_that_is_a_link_is_never_followed_by_cleanup(tmp_path, outside):
    precious = outside / "precious"
    precious.write_bytes(b"keep")
    link = tmp_path / ".shelf-x.json.999999.0123abcd.tmp"
    link.symlink_to(precious)
    clean_temp_files(tmp_path)
    assert precious.read_bytes() == b"keep"


# -- 6. -o writes only a regular file -----------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "directory", "socket", "link-dev-zero"])
def test_check_output_path_refuses_what_is_not_a_regular_file(tmp_path, outside, kind):
    target = tmp_path / "out.md"
    plant(kind, target, outside)
    for force in (False, True):
        with pytest.raises(StorageError) as caught:
            check_output_path(target, force=force)
        assert "\n" not in str(caught.value)
    with pytest.raises(StorageError):
        atomic_write(target, b"export")
    assert stat.S_IFMT(os.lstat(target).st_mode) != stat.S_IFREG


def test_check_output_path_refuses_dev_null_and_a_device_node():
    with pytest.raises(StorageError, match="device"):
        check_output_path("/dev/null")
    with pytest.raises(StorageError, match="device"):
        check_output_path("/dev/null", force=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_atomic_write_never_replaces_a_device_node(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    with pytest.raises(StorageError, match="device"):
        atomic_write(node, b"export")
    assert stat.S_ISCHR(os.lstat(node).st_mode) and temp_files(tmp_path) == []


def test_check_output_path_follows_a_link_only_with_force(tmp_path, outside):
    real = outside / "list.md"
    real.write_bytes(b"old")
    link = tmp_path / "list.md"
    link.symlink_to(real)
    with pytest.raises(StorageError, match="--force"):
        check_output_path(link)
    chosen = check_output_path(link, force=True)
    assert chosen == real.resolve()
    atomic_write(chosen, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_check_output_path_accepts_a_new_or_regular_file(tmp_path):
    assert check_output_path(tmp_path / "new.md") == tmp_path / "new.md"
    (tmp_path / "old.md").write_bytes(b"x")
    assert check_output_path(tmp_path / "old.md") == tmp_path / "old.md"
    with pytest.raises(StorageError, match="folder does not exist"):
        check_output_path(tmp_path / "missing" / "x.md")


# -- the storage layer directly ------------------------------------------------------------


@pytest.mark.parametrize("kind", LINK_AND_ODD_KINDS)
def test_safe_json_storage_refuses_odd_files_and_leaves_them(tmp_path, outside, kind):
    path = tmp_path / "db.json"
    target = plant(kind, path, outside)
    target_before = snapshot(target) if target is not None else None
    storage = SafeJSONStorage(path, backup_dir=tmp_path / "bak")
    with pytest.raises(StorageError):
        storage.read()
    with pytest.raises(StorageError):
        storage.write({"t": {"1": {"v": 1}}})
    assert os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode)
    if target is not None:
        assert snapshot(target) == target_before


def test_backups_that_are_links_are_never_restored_from(root, outside):
    item = item_ids(root, 1)[0]
    store = AnnotationStore(DataDir(root), USER)
    store.change([item], lambda a: (a.tags.append("x"), True)[1])
    store.flush()
    secret = outside / "secret.json"
    write_annotations(secret, {item: {"tags": ["planted"]}}, user=USER)
    backups = root / ".backups" / "annotations"
    for generation in (1, 2, 3):
        candidate = backups / f"{USER}.json.{generation}"
        if os.path.lexists(candidate):
            candidate.unlink()
        candidate.symlink_to(secret)
    annotation_file(root, USER).write_bytes(b"{")
    warnings: list[str] = []
    anns = Shelf(root, USER, import_bundled=False, on_warning=warnings.append).all_annotations()
    assert anns == {} and "no good backup" in warnings[0]


@settings(max_examples=200, deadline=None)
@given(st.text() | st.binary().map(lambda b: b.decode("utf-8", "surrogateescape")))
def test_safe_name_is_always_one_harmless_line(name):
    shown = safe_name(name)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown and "[" not in shown
    assert all(ch.isprintable() for ch in shown)
