"""The order an export lists its items in, as a flat list of steps.

A reading list grouped by tag or status is sections of items. Kept flat
(open a section, item, item, close it) the layout can be cut anywhere: into
batches, so a 100,000-item export streams to the file with one batch of views
in memory, and into parts, so two processes can format halves side by side.
Every piece renders on its own, and the pieces concatenate to the same file.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.export.common import STATUS_HEADINGS, STATUS_ORDER, View, status_label

#: Step kinds. ``(OPEN, heading or None)``, ``(ITEM, position, last_in_section)``,
#: ``(CLOSE, None)``; ``position`` indexes the export's items.
OPEN, ITEM, CLOSE = 0, 1, 2
Step = tuple


def sections(facts: Sequence[View], group_by: str | None) -> list[tuple[str | None, list[int]]]:
    """(heading, item positions) per section; an item with two tags is under both."""
    if group_by == "status":
        by: dict[str, list[int]] = {s: [] for s in STATUS_ORDER}
        for i, v in enumerate(facts):
            by.setdefault(status_label(v), []).append(i)
        return [
            (STATUS_HEADINGS.get(status, status.capitalize()), members)
            for status, members in by.items()
            if members
        ]
    if group_by == "tag":
        tagged: dict[str, list[int]] = {}
        untagged: list[int] = []
        for i, v in enumerate(facts):
            tags = v.get("tags") or ()
            for t in dict.fromkeys(tags):
                tagged.setdefault(t, []).append(i)
            if not tags:
                untagged.append(i)
        out: list[tuple[str | None, list[int]]] = [(tag, tagged[tag]) for tag in sorted(tagged)]
        if untagged:
            out.append(("Untagged", untagged))
        return out
    return [(None, list(range(len(facts))))]


def layout(
    count: int, facts: Sequence[View] | None = None, group_by: str | None = None
) -> list[Step]:
    """The steps of an export of ``count`` items; ``facts`` are needed only to group."""
    if group_by is None or facts is None:
        parts: list[tuple[str | None, Sequence[int]]] = [(None, range(count))]
    else:
        parts = list(sections(facts, group_by))
    steps: list[Step] = []
    for heading, members in parts:
        steps.append((OPEN, heading))
        last = len(members) - 1
        steps.extend((ITEM, p, i == last) for i, p in enumerate(members))
        steps.append((CLOSE, None))
    return steps


def split(steps: Sequence[Step], parts: int) -> list[tuple[int, Sequence[Step]]]:
    """``parts`` runs of steps with about as many items each, with the number of
    items before each run (formats that separate items need to know the first)."""
    items = [i for i, s in enumerate(steps) if s[0] == ITEM]
    parts = max(1, min(parts, len(items)))
    cuts = [0] + [items[len(items) * k // parts] for k in range(1, parts)] + [len(steps)]
    return [
        (len(items) * k // parts if k else 0, steps[cuts[k] : cuts[k + 1]]) for k in range(parts)
    ]
