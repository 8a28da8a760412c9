"""Naming files in messages without letting the name speak for itself.

File names in the data folder come from other people's commits: they can
hold newlines (a forged second warning line), terminal escape sequences,
``[link=…]`` markup for the app's notifications, or bytes that are not UTF-8.
A message shows such a name only through :func:`safe_name`.
"""

from __future__ import annotations

import os
import stat


def safe_name(name: str | os.PathLike[str] | bytes) -> str:
    """A file name as one harmless line: quoted, with every odd character escaped.

    ``repr`` escapes control characters, invisible and bidirectional-override
    characters and surrogate-escaped bytes; ``[`` is escaped by hand so that
    no markup renderer sees a tag.
    """
    raw = os.fspath(name)
    text = os.fsdecode(raw) if isinstance(raw, bytes) else raw
    return repr(text).replace("[", "\\x5b")


def describe_kind(mode: int) -> str:
    """What a file that is not a regular file is, in a user's words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"
