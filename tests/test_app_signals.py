"""The app as a process ends when its terminal does, in every phase, keeping what it saved.

Before the core owned the lifecycle, closing the terminal while the app was
busy left it running for hours (every thread waiting on a lock). Each case
starts ``shelf`` on a pseudo-terminal, brings it to a phase, sends SIGTERM or
hangs the terminal up, and checks the process is gone and the change it had
acknowledged is on disk. The bound here only tells a hang from an exit; the
exit latency itself (target: under two seconds) is measured by
``tests/benchmarks/bench_signals.py``.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.lock import FileLock
from storage.shelf import Shelf
from tests.process_terminal import ProcessTerminal
from tests.tui_helpers import open_test_shelf

pytestmark = pytest.mark.timeout(120)

#: Far beyond the deadline of core.lifecycle (1.5 s): only a process that hangs exceeds it.
HANG = 15.0
PHASES = ["starting", "idle", "dialog", "save blocked on a lock", "export blocked on a lock"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    open_test_shelf(folder)
    return folder


@pytest.fixture
def terminal(folder: Path) -> Iterator[ProcessTerminal]:
    term = ProcessTerminal(folder)
    yield term
    term.kill()


def _tagged(folder: Path) -> list[str]:
    shelf = Shelf(folder, "alice", import_bundled=False)
    return sorted(i for i, a in shelf.all_annotations().items() if "kept" in a.tags)


def _tag_first_item(term: ProcessTerminal, folder: Path) -> None:
    """Tag the cursor item and wait until the app says it is saved."""
    term.type("t")
    term.wait_for("separated by spaces")
    term.type("kept\r")
    term.wait_for("#kept")


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("how", ["SIGTERM", "hang-up"])
def test_the_app_ends_with_its_terminal(
    terminal: ProcessTerminal, folder: Path, phase: str, how: str
) -> None:
    held = None
    expect_tag = phase != "starting"
    if phase != "starting":
        terminal.wait_for("8 items")
        _tag_first_item(terminal, folder)
        assert _tagged(folder), "the acknowledged tag is on disk before the signal"
    if phase == "dialog":
        terminal.type("n")
        terminal.wait_for("ctrl+s")
        terminal.type("an unsaved draft")
    elif phase in {"save blocked on a lock", "export blocked on a lock"}:
        lock = FileLock(folder / ".locks" / "user-alice.lock")
        held = lock.held()
        held.__enter__()  # the app's next save waits for this lock
        terminal.type("r" if phase.startswith("save") else "r")
        if phase.startswith("export"):
            terminal.type("x")
    try:
        if how == "SIGTERM":
            terminal.signal(signal.SIGTERM)
        else:
            terminal.hang_up()
        seconds = terminal.wait_exit(HANG)
    finally:
        if held is not None:
            held.__exit__(None, None, None)
    assert seconds is not None, f"still running {HANG} s after {how} while {phase}"
    assert terminal.status is not None
    assert _tagged(folder) == (["a1"] if expect_tag else [])
