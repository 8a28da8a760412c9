"""Correcting an item: one field for scripts (``shelf set``), or all of them in an editor.

Corrections are the user's, kept in their annotation file (``corrections``;
the title through renaming), so they travel with the reading group and the
others see them attributed. ``shelf edit`` opens ``$VISUAL``/``$EDITOR`` on
a TOML rendering of the editable fields and keeps what changed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.atomic import StorageError
from storage.corrections import FIELDS, BadCorrection, check_field, parse_value

if TYPE_CHECKING:
    from core.session import Change, Session

#: What ``shelf set`` takes: the corrections, the title, and "url" for one link.
SETTABLE = ("title", *FIELDS, "url")
_EDITABLE = ("title", "authors", "date", "venue", "urls", "abstract")


def set_field(session: Session, item_id: str, name: str, text: str) -> Change:
    """Set one field from text typed on a command line; empty text restores the original."""
    if name == "url":
        name = "urls"
    if name not in SETTABLE:
        raise StorageError(f"{name!r} cannot be set (choose from {', '.join(SETTABLE)})")
    if name == "title":
        return session.rename(item_id, text)
    value = parse_value(name, text) if text.strip() else None
    return session.correct(item_id, {name: value})


def _current(session: Session, item_id: str) -> dict[str, Any]:
    view = session.view(item_id, links=False)
    return {
        "title": view["title"],
        "authors": list(view["authors"]),
        "date": view["date_text"] or view["date"] or "",
        "venue": view.get("venue") or "",
        "urls": list(view["urls"]),
        "abstract": view["summary"] or "",
    }


def _toml_string(text: str, multiline: bool = False) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" and multiline:
            out.append("\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    body = "".join(out)
    return f'"""\n{body}"""' if multiline else f'"{body}"'


def render(session: Session, item_id: str) -> str:
    """The editable fields as TOML, with a header saying how edits are kept."""
    fields = _current(session, item_id)
    lines = [
        f"# shelf: correcting item {item_id}. Your changes are kept in your annotation file",
        "# as corrections (the title as your own title); delete a line's value to restore",
        "# the original. Save and close the editor to apply; leave it unchanged to cancel.",
        "",
        f"title = {_toml_string(fields['title'])}",
        "authors = [" + ", ".join(_toml_string(a) for a in fields["authors"]) + "]",
        f"date = {_toml_string(fields['date'])}  # YYYY, YYYY-MM or YYYY-MM-DD",
        f"venue = {_toml_string(fields['venue'])}",
        "urls = [" + ", ".join(_toml_string(u) for u in fields["urls"]) + "]",
        f"abstract = {_toml_string(fields['abstract'], multiline=True)}",
        "",
    ]
    return "\n".join(lines)


def apply_text(session: Session, item_id: str, text: str) -> Change | None:
    """Keep what the edited TOML changed; None when it changed nothing."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StorageError(f"the edited file is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_EDITABLE))
    if unknown:
        raise StorageError(f"unknown field {unknown[0]!r} (the fields are {', '.join(_EDITABLE)})")
    before = _current(session, item_id)
    changes: dict[str, Any] = {}
    for name in _EDITABLE:
        if name not in data or data[name] == before[name]:
            continue
        value = data[name]
        unchanged_text = isinstance(value, str) and value.strip() == str(before[name]).strip()
        if name == "abstract" and unchanged_text:
            continue
        changes[name] = value
    if not changes:
        return None
    change = None
    if "title" in changes:
        title = changes.pop("title")
        if not isinstance(title, str):
            raise StorageError("title must be text")
        change = session.rename(item_id, title)
    if changes:
        try:
            fixes = {
                k: (check_field(k, v) if v not in ("", []) else None) for k, v in changes.items()
            }
        except BadCorrection as exc:
            raise StorageError(str(exc)) from None
        change = session.correct(item_id, fixes)
    return change


def editor_command() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def run_editor(path: Path) -> int:
    return subprocess.call([*editor_command(), str(path)])


def start_edit(session: Session, item_id: str) -> tuple[Path, str]:
    """The TOML file an editor is to open, and its text as written (see ``finish_edit``)."""
    text = render(session, item_id)
    fd, name = tempfile.mkstemp(prefix=f"shelf-{item_id}-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(name), text


def finish_edit(
    session: Session, item_id: str, path: Path, written: str, code: int
) -> Change | None:
    """Keep what the editor changed; the file is removed unless the edit could not be kept."""
    if code != 0:
        path.unlink(missing_ok=True)
        raise StorageError(f"the editor exited with status {code}; nothing changed")
    edited = path.read_text(encoding="utf-8")
    try:
        change = apply_text(session, item_id, edited) if edited != written else None
    except StorageError as exc:
        raise StorageError(f"{exc} (your edit is kept in {path})") from None
    path.unlink(missing_ok=True)
    return change


def edit_item(
    session: Session, item_id: str, run: Callable[[Path], int] = run_editor
) -> Change | None:
    """Open the editor on the item's fields; keep what changed (None: nothing did).

    When the edit cannot be applied (not TOML, a bad date), the edited file
    is kept and the error names it, so nothing typed is lost.
    """
    path, text = start_edit(session, item_id)
    return finish_edit(session, item_id, path, text, run(path))
