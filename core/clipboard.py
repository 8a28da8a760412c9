"""Copying text to the system clipboard through whatever tool the system has.

The app also copies with OSC 52 (Textual's ``App.copy_to_clipboard``), which
reaches the clipboard of the terminal's machine, even over SSH, when the
terminal allows it. Many do not (or ask first), so a local clipboard tool is
run as well when one is installed: ``wl-copy`` on Wayland, ``xclip`` or
``xsel`` on X11, ``pbcopy`` on macOS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

#: (tool, arguments), tried in this order; the first installed one is used.
TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wl-copy", ()),
    ("xclip", ("-selection", "clipboard")),
    ("xsel", ("--clipboard", "--input")),
    ("pbcopy", ()),
)
TIMEOUT = 3.0


def clipboard_tool() -> list[str] | None:
    """The command that copies its standard input, or None when there is none."""
    for name, args in TOOLS:
        if name == "wl-copy" and not os.environ.get("WAYLAND_DISPLAY"):
            continue
        if name in ("xclip", "xsel") and not os.environ.get("DISPLAY"):
            continue
        if name == "pbcopy" and sys.platform != "darwin":
            continue
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


def copy_to_system_clipboard(text: str) -> str | None:
    """Copy ``text`` with the system's tool; the tool's name, or None if none worked."""
    command = clipboard_tool()
    if command is None:
        return None
    try:
        # wl-copy and xclip stay behind to serve the selection: do not wait on them.
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(text.encode("utf-8"))
        proc.stdin.close()
    except OSError:
        return None
    return os.path.basename(command[0])
