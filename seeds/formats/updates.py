"""``[Updated on YYYY-MM-DD: …]`` notes inside blog excerpts.

Authors write these by hand, so many are malformed: the closing bracket is
missing (the note then ends at its first sentence or at the next note), or the
date is bracketed on its own (``[Updated on 2022-06-10]: …``).
"""

from __future__ import annotations

import datetime as dt
import re

from seeds.model import Update

_START = re.compile(
    r"\[\s*Updated?\s+on\s+(\d{4})-(\d{1,2})-(\d{1,2})\s*(\]\s*:?|:)?\s*", re.IGNORECASE
)
# A sentence ends at . ! ? followed by space and a capital, quote or bracket;
# common abbreviations do not end one.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bal)[.!?](?=\s+[A-Z“\"‘(\[])")


_LEFTOVER = re.compile(r"^[\s.,;:\]]+|\s+$")


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _closing_bracket(text: str, start: int, stop: int) -> int | None:
    depth = 0
    for i in range(start, stop):
        char = text[i]
        if char == "[":
            depth += 1
        elif char == "]":
            if depth == 0:
                return i
            depth -= 1
    return None


def _sentence_end(text: str, start: int, stop: int) -> int:
    match = _SENTENCE_END.search(text, start, stop)
    return match.end() if match else stop


def extract_updates(text: str) -> tuple[str, list[Update]]:
    """The text without its update notes, and the notes in order of appearance."""
    starts = list(_START.finditer(text))
    if not starts:
        return text, []
    updates: list[Update] = []
    kept: list[str] = []
    last = 0
    for n, match in enumerate(starts):
        if match.start() < last:
            continue
        stop = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        body_start = match.end()
        closer = match.group(4) or ""
        if closer.startswith("]"):
            # "[Updated on DATE]: text" - the note runs to the end of its sentence.
            end = _sentence_end(text, body_start, stop)
            note, resume = text[body_start:end], end
        else:
            bracket = _closing_bracket(text, body_start, stop)
            if bracket is not None:
                note, resume = text[body_start:bracket], bracket + 1
            else:
                end = _sentence_end(text, body_start, stop)
                note, resume = text[body_start:end], end
        date = _iso(match.group(1), match.group(2), match.group(3))
        if date is None:
            continue  # not a real date: leave the text as written
        kept.append(text[last : match.start()])
        updates.append(Update(date=date, text=note.strip()))
        last = resume
    kept.append(text[last:])
    # What follows a note often starts with the note's own "." or stray "]".
    parts = [_LEFTOVER.sub("", part) for part in kept]
    return " ".join(part for part in parts if part), updates
