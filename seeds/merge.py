"""Entries from many documents become one item per work.

Entries are grouped by shared keys (normalised real title, abstract
fingerprint), transitively, so a blog post, its research-page card and an
arXiv abstract end up together. Field choices use total orders ("real title
beats derived, then longer", "complete summary beats cut-off, then longer"), so
the result does not depend on the order documents are imported in. Items that
already exist keep their id and their real title: annotations are keyed on the
id and users will have come to know the title.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from seeds.model import Entry, Item
from seeds.normalize import abstract_key, abstract_keys, is_truncated, title_key

ID_LENGTH = 12


@dataclass
class MergeResult:
    items: list[Item] = field(default_factory=list)  # new or changed items
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def entry_keys(entry: Entry) -> tuple[list[str], list[str]]:
    """(probe keys, index keys): an entry matches another whose index holds one of its probes.

    A real title is both. Derived titles are never keys: two abstracts that
    open alike would derive the same title without being the same work. For
    abstracts see ``abstract_keys``. An entry with neither a real title nor a
    usable abstract is matched on its whole text, so re-importing it still
    finds it.
    """
    probes: list[str] = []
    index: list[str] = []
    if not entry.title_derived and (key := title_key(entry.title)):
        probes.append("t:" + key)
        index.append("t:" + key)
    abstract = abstract_keys(_text(entry))
    if abstract.probe:
        probes.append("a:" + abstract.probe)
        index.extend("a:" + k for k in abstract.index)
    if not probes:
        whole = title_key(_text(entry)) or title_key(entry.title)
        key = "x:" + (whole or f"{entry.source}#{entry.position}")
        probes.append(key)
        index.append(key)
    return probes, index


def _text(entry: Entry | Item) -> str:
    return entry.summary or " ".join(u.text for u in entry.updates)


def _stored(probes: list[str], index: list[str]) -> list[str]:
    """Item.keys: the index keys, plus abstract probes marked ``q:``."""
    return index + ["q:" + p[2:] for p in probes if p.startswith("a:")]


def primary_key(item: Item) -> str:
    """What an item's id is a hash of: its normalised real title, else its abstract key."""
    if not item.title_derived and (key := title_key(item.title)):
        return key
    if key := abstract_key(_text(item)):
        return key
    return min(item.keys, default=title_key(item.title) or item.title)


def make_id(key: str, taken: set[str]) -> str:
    """12 hex chars of sha256(key), longer only when that id is already used."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    for length in range(ID_LENGTH, len(digest) + 1):
        if digest[:length] not in taken:
            return digest[:length]
    n = 2
    while f"{digest}-{n}" in taken:
        n += 1
    return f"{digest}-{n}"


def _union(items: list[str], new: Iterable[str]) -> None:
    seen = set(items)
    for value in new:
        if value not in seen:
            items.append(value)
            seen.add(value)


def _title_rank(title: str, derived: bool) -> tuple[bool, int, int, str]:
    return (not derived, len(title), sum(c.isupper() for c in title), title)


def _summary_rank(summary: str) -> tuple[bool, int, str]:
    return (bool(summary) and not is_truncated(summary), len(summary), summary)


def _authors_rank(authors: list[str], truncated: bool) -> tuple[int, bool, list[str]]:
    return (len(authors), not truncated, authors)


def _date_rank(date: str | None, text: str | None) -> tuple[bool, bool, str, str]:
    return (date is not None, text is not None, date or "", text or "")


def _fold(item: Item, entry: Entry, keys: tuple[list[str], list[str]], title_locked: bool) -> None:
    """Take from ``entry`` whatever is strictly better than what ``item`` has."""
    if not (title_locked and not item.title_derived) and _title_rank(
        entry.title, entry.title_derived
    ) > _title_rank(item.title, item.title_derived):
        item.title, item.title_derived = entry.title, entry.title_derived
    if _summary_rank(entry.summary) > _summary_rank(item.summary):
        item.summary = entry.summary
    if _authors_rank(entry.authors, entry.authors_truncated) > _authors_rank(
        item.authors, item.authors_truncated
    ):
        item.authors, item.authors_truncated = list(entry.authors), entry.authors_truncated
    if _date_rank(entry.date, entry.date_text) > _date_rank(item.date, item.date_text):
        item.date, item.date_text = entry.date, entry.date_text
    if entry.category and (item.category is None or entry.category > item.category):
        item.category = entry.category
    item.has_code = item.has_code or entry.has_code
    _union(item.affiliations, entry.affiliations)
    _union(item.urls, entry.urls)
    if any(u not in item.updates for u in entry.updates):
        merged = item.updates + [u for u in entry.updates if u not in item.updates]
        item.updates = sorted(dict.fromkeys(merged), key=lambda u: u.date)
    _union(item.sources, [entry.source])
    _union(item.kinds, [entry.kind])
    _union(item.keys, _stored(*keys))


def _new_item(entry: Entry) -> Item:
    return Item(id="", title=entry.title, title_derived=entry.title_derived)


class _Groups:
    """Union-find over entry positions, joined through shared keys."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def merge_entries(entries: Iterable[Entry], existing: Iterable[Item] = ()) -> MergeResult:
    """Group entries into items, merging into ``existing`` items where they match."""
    entries = list(entries)
    existing = list(existing)
    keys = [entry_keys(e) for e in entries]
    groups = _Groups(len(entries))
    first_with: dict[str, int] = {}
    for i, (_, index) in enumerate(keys):
        for key in index:
            first_with.setdefault(key, i)
    for i, (probes, _) in enumerate(keys):
        for key in probes:
            groups.join(i, first_with[key])
    indexed: dict[str, int] = {}  # index key -> existing item position
    probed: dict[str, int] = {}  # probe key -> existing item position
    for n, item in enumerate(existing):
        for key in item.keys:
            if key.startswith("q:"):
                probed.setdefault("a:" + key[2:], n)
            else:
                indexed.setdefault(key, n)
                if not key.startswith("a:"):
                    probed.setdefault(key, n)

    members: dict[int, list[int]] = {}
    for i in range(len(entries)):
        members.setdefault(groups.find(i), []).append(i)
    # Every group goes to the first existing item any of its keys belongs to.
    targets: dict[int | tuple[str, int], list[int]] = {}
    for root, indices in members.items():
        hits = [indexed[k] for i in indices for k in keys[i][0] if k in indexed]
        hits += [probed[k] for i in indices for k in keys[i][1] if k in probed]
        targets.setdefault(min(hits) if hits else ("new", root), []).extend(indices)

    result = MergeResult()
    taken = {item.id for item in existing}
    fresh: list[Item] = []
    ordered = sorted(targets.items(), key=lambda kv: min(kv[1]))
    for target, indices in ordered:
        indices.sort()
        if isinstance(target, int):
            before = existing[target]
            item = copy.deepcopy(before)
            for i in indices:
                _fold(item, entries[i], keys[i], title_locked=True)
            if item == before:
                result.unchanged.append(item.id)
                continue
            result.merged.append(item.id)
        else:
            item = _new_item(entries[indices[0]])
            for i in indices:
                _fold(item, entries[i], keys[i], title_locked=False)
            fresh.append(item)
        result.items.append(item)
    # Ids in key order, so which of two colliding keys gets the short id does
    # not depend on the order of the documents.
    for item in sorted(fresh, key=lambda it: (primary_key(it), it.sources, it.keys)):
        item.id = make_id(primary_key(item), taken)
        taken.add(item.id)
    result.added = [item.id for item in fresh]
    return result
