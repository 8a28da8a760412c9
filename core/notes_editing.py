"""Editing one note in ``$VISUAL``/``$EDITOR`` (``ctrl+e`` in the app's notes view).

The note goes into a temporary text file as it is; what the editor leaves
there replaces it (same place, same time). An empty file changes nothing:
deleting is its own, confirmed, action.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from storage.atomic import StorageError

if TYPE_CHECKING:
    from core.session import Change, Session


def start_note_edit(session: Session, item_id: str, number: int) -> tuple[Path, str]:
    notes = session.notes(item_id)
    if not 1 <= number <= len(notes):
        raise StorageError(f"no note {number} on {item_id}")
    text = notes[number - 1].text
    fd, name = tempfile.mkstemp(prefix=f"shelf-note-{item_id}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(name), text


def finish_note_edit(
    session: Session, item_id: str, number: int, path: Path, written: str, code: int
) -> Change | None:
    try:
        if code != 0:
            raise StorageError(f"the editor exited with status {code}; nothing changed")
        text = path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
    if text.strip() == written.strip() or not text.strip():
        return None
    return session.edit_note(item_id, number, text)
