"""A user's annotations of one item, as kept in their annotation file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from storage.corrections import lenient_corrections

STATUSES = ("unread", "reading", "read")


@dataclass(frozen=True)
class Note:
    text: str
    created: str  # ISO 8601 UTC timestamp


@dataclass
class Annotation:
    """What one user said about one item. Absent fields mean "nothing said"."""

    item_id: str
    status: str = "unread"
    status_at: str | None = None  # when the status last changed
    read_at: str | None = None  # when it was last marked read (for statistics)
    tags: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    title: str | None = None  # the user's own title for the item, if renamed
    updated: str | None = None  # last change of any kind
    #: The user's corrections of the item's metadata (storage.corrections.FIELDS).
    corrections: dict[str, Any] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return (
            self.status == "unread"
            and self.status_at is None
            and not self.tags
            and not self.notes
            and self.title is None
            and not self.corrections
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("item_id")
        return data

    @classmethod
    def from_dict(cls, item_id: str, data: dict[str, Any]) -> Annotation:
        """Read a stored block leniently: a person may have edited it by hand.

        What has an obvious meaning is kept (a lone tag string, a note written
        as plain text, a numeric title); what has none is dropped rather than
        allowed to stop the app from starting.
        """
        status = data.get("status", "unread")
        return cls(
            item_id=item_id,
            status=status if status in STATUSES else "unread",
            status_at=_text_or_none(data.get("status_at")),
            read_at=_text_or_none(data.get("read_at")),
            tags=_tags(data.get("tags")),
            notes=_notes(data.get("notes")),
            title=_title(data.get("title")),
            updated=_text_or_none(data.get("updated")),
            corrections=lenient_corrections(data.get("corrections")),
        )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [t for t in value if isinstance(t, str) and t]


def _notes(value: Any) -> list[Note]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        return []
    notes = []
    for note in value:
        if isinstance(note, Note):
            notes.append(note)
        elif isinstance(note, str) and note.strip():
            notes.append(Note(text=note, created=""))
        elif isinstance(note, dict) and isinstance(note.get("text"), str):
            created = note.get("created")
            notes.append(
                Note(text=note["text"], created=created if isinstance(created, str) else "")
            )
    return notes


def _title(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) and value.strip() else None
