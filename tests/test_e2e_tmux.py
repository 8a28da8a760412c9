"""The installed ``shelf`` in a real terminal: tmux types, the saved file is checked.

Search for an item, mark it read, add a tag, quit; then ``shelf list --json``
must show both. Skipped (with the reason) only when tmux is not installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")


def shelf_command() -> str:
    beside = Path(sys.executable).with_name("shelf")
    found = str(beside) if beside.exists() else shutil.which("shelf")
    if found is None:
        pytest.skip("the shelf command is not installed in this environment")
    return found


class Terminal:
    def __init__(self, command: str, width: int = 120, height: int = 40) -> None:
        self.socket = f"shelf-e2e-{uuid.uuid4().hex[:8]}"
        self.session = "e2e"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
        env["TERM"] = "xterm-256color"
        subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", self.session,
             "-x", str(width), "-y", str(height), command],
            check=True, env=env,
        )  # fmt: skip

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} did not appear; the screen was:\n{text}")

    def close(self) -> None:
        self.tmux("kill-server")


def list_json(shelf: str, data: Path) -> list[dict]:
    out = subprocess.run(
        [shelf, "--data-dir", str(data), "--user", "e2e", "list", "--json"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_search_mark_read_tag_quit_then_list(tmp_path: Path) -> None:
    shelf = shelf_command()
    data = tmp_path / "data"
    items = list_json(shelf, data)  # first use imports the bundled corpus
    # A title of plain words, so typing it cannot look like a query filter.
    target = next(
        v for v in items
        if not v["title_derived"] and re.fullmatch(r"[A-Za-z0-9 ]{12,60}", v["title"])
    )  # fmt: skip
    exit_file = tmp_path / "exit-code"
    command = f"{shelf} --data-dir {data} --user e2e; echo $? > {exit_file}; sleep 30"
    term = Terminal(command)
    try:
        term.wait_for(r"\d+ items")
        term.keys("/")
        term.keys(target["title"], literal=True)
        term.wait_for(r"\d+ of \d+ items")
        term.keys("Enter")
        time.sleep(0.3)
        term.keys("r")
        term.wait_for(r"›\s*\S?✓ " + re.escape(target["title"][:20]))
        term.keys("t")
        term.wait_for("Add tags to")
        term.keys("e2e-tag", literal=True)
        term.keys("Enter")
        term.wait_for(r"#e2e-tag")
        term.keys("q")
        deadline = time.monotonic() + 20
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert exit_file.exists(), "shelf did not exit after q:\n" + term.screen()
        assert exit_file.read_text().strip() == "0"
    finally:
        term.close()

    saved = {v["id"]: v for v in list_json(shelf, data)}[target["id"]]
    assert saved["status"] == "read" and saved["read"] is True
    assert saved["tags"] == ["e2e-tag"]


def test_without_a_terminal_shelf_exits_at_once_with_one_line(tmp_path: Path) -> None:
    shelf = shelf_command()
    done = subprocess.run(
        [shelf, "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "terminal" in done.stderr
