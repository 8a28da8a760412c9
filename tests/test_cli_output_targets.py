"""``-o`` writes only a regular file: devices, pipes and folders are refused, links need --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tui_helpers import open_test_shelf
from tui.cli import main

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    return folder


def shelf(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), "--user", "alice", *args])


@pytest.mark.parametrize("command", [["export", "-f", "md"], ["annotations", "export"]])
def test_a_fifo_a_folder_and_a_device_are_refused(folder, tmp_path, capsys, command) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, what in ((fifo, "named pipe"), (tmp_path, "folder"), (Path("/dev/null"), "device")):
        assert shelf(folder, *command, "-o", str(target)) == 1
        err = capsys.readouterr().err
        assert what in err and len(err.strip().splitlines()) == 1, err
    assert Path("/dev/null").is_char_device() and fifo.is_fifo()


def test_a_link_is_written_through_only_with_force(folder, tmp_path, capsys) -> None:
    real = tmp_path / "real.md"
    real.write_text("kept")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert shelf(folder, "export", "-o", str(link)) == 1
    assert "--force" in capsys.readouterr().err and real.read_text() == "kept"
    assert shelf(folder, "export", "-o", str(link), "--force") == 0
    assert link.is_symlink() and "Proximal Policy Optimization" in real.read_text()


def test_a_killed_exports_temp_file_is_cleaned_on_the_next_export(folder, tmp_path) -> None:
    stale = tmp_path / ".shelf-out.md.999999-1-0badc0de.abcd1234.tmp"  # a writer long gone
    stale.write_bytes(b"x" * 1000)
    assert shelf(folder, "export", "-o", str(tmp_path / "out.md")) == 0
    assert (tmp_path / "out.md").exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert stale.name not in leftovers
