"""Undo as the inverse of a change, applied to what is saved now, field by field.

A snapshot restore would overwrite a change another process made to the
same item after ours (a teammate's tag merged in, a second window's status).
So each field moves back only if it still holds what our change left there;
tags and notes are sets: undo takes out exactly what the change put in and
puts back exactly what it took out. Redo is the same move the other way.
"""

from __future__ import annotations

from typing import Any

from storage.annotations import encode_annotation
from storage.model import Annotation, Note

Doc = dict[str, Any]
_NOT_STORED = ("updated", "about")


def as_doc(ann: Annotation) -> Doc | None:
    """What the history keeps of an annotation: its stored fields, without bookkeeping."""
    doc = encode_annotation(ann, None)
    for key in _NOT_STORED:
        doc.pop(key, None)
    return doc or None


def as_annotation(item_id: str, doc: Doc | None) -> Annotation:
    return Annotation.from_dict(item_id, doc or {})


def _note_key(note: Note) -> tuple[str, str]:
    return (note.created, note.text)


def move(current: Annotation, frm: Annotation, to: Annotation) -> list[str]:
    """Move ``current`` from the state ``frm`` back to ``to``; returns the fields kept as they are.

    Changes ``current`` in place. A field is kept (and named in the result)
    when it no longer holds what ``frm`` had: someone changed it since.
    """
    kept: list[str] = []
    if (frm.status, frm.status_at) != (to.status, to.status_at):
        if (current.status, current.status_at) == (frm.status, frm.status_at):
            current.status, current.status_at, current.read_at = to.status, to.status_at, to.read_at
        else:
            kept.append("status")
    added = set(frm.tags) - set(to.tags)
    removed = set(to.tags) - set(frm.tags)
    if added or removed:
        current.tags = sorted((set(current.tags) - added) | removed)
    frm_notes = {_note_key(n) for n in frm.notes}
    to_notes = {_note_key(n) for n in to.notes}
    if frm_notes != to_notes:
        take_out = frm_notes - to_notes
        keep = {_note_key(n) for n in current.notes} - take_out
        final = keep | (to_notes - frm_notes)
        # In the order ``to`` had them; notes someone added since come after.
        notes = [n for n in to.notes if _note_key(n) in final]
        notes += [n for n in current.notes if _note_key(n) in final - to_notes]
        current.notes = notes
    if frm.title != to.title:
        if current.title == frm.title:
            current.title = to.title
        else:
            kept.append("title")
    fixes = dict(current.corrections)
    for name in sorted(set(frm.corrections) | set(to.corrections)):
        was, goal = frm.corrections.get(name), to.corrections.get(name)
        if was == goal:
            continue
        if fixes.get(name) != was:
            kept.append(name)
        elif goal is None:
            fixes.pop(name, None)
        else:
            fixes[name] = goal
    current.corrections = fixes
    return kept
