"""Checking annotations that someone else wrote before shelf believes them.

Another user's file (shown beside yours) and an imported file (merged into
yours) come from other people. Their entries feed "the newer status wins",
so a forged timestamp such as ``9999-99-99`` would win every merge forever;
their notes and tags are shown and searched, so a 100 MB note would be held
in memory and drawn on screen. Each entry is therefore checked whole: it is
either taken as it is (with its times in one canonical UTC form) or refused
with a one-line reason, never half-taken.

A user's own file is not checked this way: it is what they saved, and
dropping part of it would lose their work at the next save.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from storage.corrections import BadCorrection, check_corrections
from storage.file_names import safe_name
from storage.model import STATUSES, Annotation, Note

#: Sizes in UTF-8 bytes: far beyond anything written by hand, far below harm.
MAX_NOTE_BYTES = 256 * 1024
MAX_TITLE_BYTES = 4 * 1024
MAX_TAG_BYTES = 4 * 1024
MAX_TAGS = 1000
MAX_NOTES = 10_000
MAX_ID_CHARS = 128
#: How far ahead of this machine's clock another machine's clock may be.
CLOCK_SKEW = dt.timedelta(minutes=10)

_TIME_FIELDS = ("status_at", "read_at", "updated")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


class Refused(ValueError):
    """One entry is not taken; the message says why in a few words."""


#: Already canonical, on a day every month has: taken as written when clearly
#: in the past. Anything else (29-31, other zones, odd forms) is parsed.
_CANONICAL = re.compile(
    r"(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.(?!000000)\d{6})?Z"
)


def _day_before(now: dt.datetime) -> str:
    return (now.astimezone(dt.UTC) - dt.timedelta(days=1)).date().isoformat()


def canonical_time(value: Any, what: str, now: dt.datetime) -> str:
    """An ISO 8601 time with a zone, not in the future, as ``YYYY-MM-DDTHH:MM:SS[.f]Z``.

    Comparing the canonical strings orders the times correctly, which the
    merge relies on; ``+02:00`` and ``Z`` forms would not compare in order.
    """
    if not isinstance(value, str) or len(value) > 64:
        raise Refused(f"{what} is not a time")
    if _CANONICAL.fullmatch(value) and value[:10] < _day_before(now):
        return value  # what shelf writes, and clearly past: 10,000 entries need no parsing
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"{what} {safe_name(value)} is not an ISO 8601 time") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise Refused(f"{what} {safe_name(value)} has no time zone (Z or +HH:MM)")
    if when - now > CLOCK_SKEW:
        raise Refused(f"{what} {safe_name(value)} is in the future")
    when = when.astimezone(dt.UTC)
    spec = "seconds" if when.microsecond == 0 else "microseconds"
    return when.isoformat(timespec=spec).replace("+00:00", "Z")


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Refused(f"{what} is not text")
    if len(value) * 4 > limit and len(value.encode("utf-8", "surrogatepass")) > limit:
        raise Refused(f"{what} is over {limit // 1024} KB")
    return value


def check_item_id(item_id: Any) -> str:
    if not isinstance(item_id, str) or not item_id:
        raise Refused("the item id is empty")
    if len(item_id) > MAX_ID_CHARS or not _ID_RE.fullmatch(item_id):
        raise Refused(f"item id {safe_name(item_id[:MAX_ID_CHARS])} is not a shelf item id")
    return item_id


def check_entry(item_id: str, doc: Any, now: dt.datetime) -> Annotation:
    """The entry as an Annotation, or Refused naming the first thing wrong with it."""
    check_item_id(item_id)
    if not isinstance(doc, Mapping):
        raise Refused("the entry is not an object")
    status = doc.get("status", "unread")
    if status not in STATUSES:
        raise Refused(f"status {safe_name(str(status)[:40])} is not one of {', '.join(STATUSES)}")
    times = {
        name: canonical_time(doc[name], name, now) if doc.get(name) is not None else None
        for name in _TIME_FIELDS
    }
    tags = doc.get("tags", [])
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise Refused(f"tags are not a list of at most {MAX_TAGS} words")
    for tag in tags:
        if not _text(tag, "a tag", MAX_TAG_BYTES).strip():
            raise Refused("a tag is empty")
    notes = doc.get("notes", [])
    if not isinstance(notes, list) or len(notes) > MAX_NOTES:
        raise Refused(f"notes are not a list of at most {MAX_NOTES} notes")
    checked: list[Note] = []
    for note in notes:
        if not isinstance(note, Mapping):
            raise Refused("a note is not an object with text and created")
        text = _text(note.get("text"), "a note", MAX_NOTE_BYTES)
        checked.append(Note(text=text, created=canonical_time(note.get("created"), "a note", now)))
    title = doc.get("title")
    if title is not None:
        title = _text(title, "the title", MAX_TITLE_BYTES)
    try:
        corrections = check_corrections(doc.get("corrections"))
    except BadCorrection as exc:
        raise Refused(f"a correction: {exc}") from None
    return Annotation(
        item_id=item_id,
        status=status,
        status_at=times["status_at"],
        read_at=times["read_at"],
        tags=list(dict.fromkeys(tags)),
        notes=checked,
        title=title if title and title.strip() else None,
        updated=times["updated"],
        corrections=corrections,
    )


def check_about(doc: Any) -> str | None:
    """The item's title written beside an entry for people, if it is usable."""
    about = doc.get("about") if isinstance(doc, Mapping) else None
    if (
        isinstance(about, str)
        and about.strip()
        and len(about.encode("utf-8", "surrogatepass")) <= MAX_TITLE_BYTES
    ):
        return about
    return None


def check_table(
    table: Mapping[str, Any], now: dt.datetime | None = None
) -> tuple[dict[str, Annotation], list[str]]:
    """(entries taken, one line per entry refused) for a table someone else wrote."""
    now = now or dt.datetime.now(dt.UTC)
    taken: dict[str, Annotation] = {}
    refused: list[str] = []
    for item_id, doc in table.items():
        try:
            taken[item_id] = check_entry(item_id, doc, now)
        except Refused as exc:
            refused.append(f"{safe_name(str(item_id)[:MAX_ID_CHARS])}: {exc}")
    return taken, refused


def summarize_refused(source: str, refused: list[str]) -> str:
    """One warning line for every entry refused in one file."""
    count = len(refused)
    more = f" and {count - 1} more" if count > 1 else ""
    return (
        f"{source}: skipped {count} entr{'ies' if count > 1 else 'y'} "
        f"that did not check out ({refused[0]}{more})"
    )
