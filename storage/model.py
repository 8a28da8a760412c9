"""A user's annotations of one item, as kept in their annotation file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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

    def is_empty(self) -> bool:
        return (
            self.status == "unread"
            and self.status_at is None
            and not self.tags
            and not self.notes
            and self.title is None
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("item_id")
        return data

    @classmethod
    def from_dict(cls, item_id: str, data: dict[str, Any]) -> Annotation:
        notes = [n if isinstance(n, Note) else Note(**n) for n in data.get("notes", [])]
        status = data.get("status", "unread")
        return cls(
            item_id=item_id,
            status=status if status in STATUSES else "unread",
            status_at=data.get("status_at"),
            read_at=data.get("read_at"),
            tags=list(data.get("tags", [])),
            notes=notes,
            title=data.get("title"),
            updated=data.get("updated"),
        )
