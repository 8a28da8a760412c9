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

from seeds.collector import paused_gc
from seeds.model import Entry, Item
from seeds.normalize import ABSTRACT_WORDS, abstract_keys, is_truncated, title_key
from seeds.notes import notes_title

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
        index.extend("a:" + k for k in abstract.filed_under)
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
    """What an item's id is a hash of: its normalised real title, else its abstract key.

    Both are read from ``item.keys`` where possible (the 24-word prefix key is
    what ``abstract_key`` computes) rather than recomputed from the text.
    """
    if not item.title_derived:
        titles = [k for k in item.keys if k.startswith("t:")]
        key = titles[0][2:] if len(titles) == 1 else title_key(item.title)
        if key:
            return key
    for prefix in (f"a:{ABSTRACT_WORDS}:", "q:"):
        found = [k for k in item.keys if k.startswith(prefix)]
        if found:
            return min(found).rpartition(":")[2]
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
    """Append what is missing, keeping first-seen order (lists here are short)."""
    for value in new:
        if value not in items:
            items.append(value)


def _better_title(new: str, new_derived: bool, old: str, old_derived: bool) -> bool:
    """Real beats derived, then longer, then more capitals (title case), then larger."""
    if new_derived != old_derived:
        return old_derived
    if len(new) != len(old):
        return len(new) > len(old)
    if new == old:
        return False
    upper_new = sum(c.isupper() for c in new)
    upper_old = sum(c.isupper() for c in old)
    return upper_new > upper_old if upper_new != upper_old else new > old


def _summary_rank(summary: str) -> tuple[bool, int, str]:
    return (bool(summary) and not is_truncated(summary), len(summary), summary)


def _authors_rank(authors: list[str], truncated: bool) -> tuple[int, bool, list[str]]:
    return (len(authors), not truncated, authors)


def _date_rank(date: str | None, text: str | None) -> tuple[bool, bool, str, str]:
    return (date is not None, text is not None, date or "", text or "")


def _fold(item: Item, entry: Entry, keys: tuple[list[str], list[str]], title_locked: bool) -> None:
    """Take from ``entry`` whatever is strictly better than what ``item`` has."""
    if not (title_locked and not item.title_derived) and _better_title(
        entry.title, entry.title_derived, item.title, item.title_derived
    ):
        item.title, item.title_derived = entry.title, entry.title_derived
    if entry.summary != item.summary and _summary_rank(entry.summary) > _summary_rank(item.summary):
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
    if entry.updates and any(u not in item.updates for u in entry.updates):
        merged = item.updates + [u for u in entry.updates if u not in item.updates]
        item.updates = sorted(dict.fromkeys(merged), key=lambda u: u.date)
    if entry.source not in item.sources:
        item.sources.append(entry.source)
    if entry.kind not in item.kinds:
        item.kinds.append(entry.kind)
    _union(item.keys, _stored(*keys))
    if entry.entry_type and not item.entry_type:
        item.entry_type = entry.entry_type
    for name, value in entry.bib_fields.items():
        item.bib_fields.setdefault(name, value)


def _title_from_notes(item: Item) -> None:
    """A post known only by its update notes is titled from all of them.

    The title is then a function of the merged notes, so it does not depend
    on which entry came first, and an item a library already holds, titled
    by an older rule from its first note, is retitled when its document is
    imported again. Only the title changes: the id is a hash of the notes'
    text (``primary_key``), never of a derived title.
    """
    if item.title_derived and not item.summary and item.updates:
        item.title = notes_title([u.text for u in item.updates]) or item.title


def _new_item(entry: Entry, keys: tuple[list[str], list[str]]) -> Item:
    return Item(
        id="",
        title=entry.title,
        title_derived=entry.title_derived,
        authors=list(entry.authors),
        authors_truncated=entry.authors_truncated,
        affiliations=list(entry.affiliations),
        date=entry.date,
        date_text=entry.date_text,
        category=entry.category,
        has_code=entry.has_code,
        summary=entry.summary,
        urls=list(entry.urls),
        updates=sorted(dict.fromkeys(entry.updates), key=lambda u: u.date) if entry.updates else [],
        sources=[entry.source],
        kinds=[entry.kind],
        keys=list(dict.fromkeys(_stored(*keys))),
        entry_type=entry.entry_type,
        bib_fields=dict(entry.bib_fields),
    )


def _copy(item: Item) -> Item:
    """A copy whose lists can change without touching the caller's item."""
    copied = copy.copy(item)
    for name in ("authors", "affiliations", "urls", "updates", "sources", "kinds", "keys"):
        setattr(copied, name, list(getattr(item, name)))
    copied.bib_fields = dict(item.bib_fields)
    return copied


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


def _group(keys: list[tuple[list[str], list[str]]]) -> dict[int, list[int]]:
    """Entry positions by group: joined when one's probe is in another's index."""
    groups = _Groups(len(keys))
    first_with: dict[str, int] = {}
    for i, (_, index) in enumerate(keys):
        for key in index:
            first_with.setdefault(key, i)
    for i, (probes, _) in enumerate(keys):
        for key in probes:
            if first_with[key] != i:
                groups.join(i, first_with[key])
    members: dict[int, list[int]] = {}
    for i in range(len(keys)):
        members.setdefault(groups.find(i), []).append(i)
    return members


def _lookup(existing: list[Item]) -> tuple[dict[str, int], dict[str, int]]:
    """Existing item positions by index key and by probe key (first item wins)."""
    indexed: dict[str, int] = {}
    probed: dict[str, int] = {}
    for n, item in enumerate(existing):
        for key in item.keys:
            if key.startswith("q:"):
                probed.setdefault("a:" + key[2:], n)
            else:
                indexed.setdefault(key, n)
                if not key.startswith("a:"):
                    probed.setdefault(key, n)
    return indexed, probed


def _assign_ids(fresh: list[Item], taken: set[str]) -> None:
    """Ids in key order, so which of two colliding keys gets the short id does
    not depend on the order of the documents."""
    ranked = sorted((primary_key(item), n) for n, item in enumerate(fresh))
    i = 0
    while i < len(ranked):
        j = i + 1
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        tied = [n for _, n in ranked[i:j]]
        if len(tied) > 1:
            tied.sort(key=lambda n: sorted(fresh[n].keys))
        for n in tied:
            fresh[n].id = make_id(ranked[i][0], taken)
            taken.add(fresh[n].id)
        i = j


def merge_entries(entries: Iterable[Entry], existing: Iterable[Item] = ()) -> MergeResult:
    """Group entries into items, merging into ``existing`` items where they match."""
    with paused_gc():
        return _merge(list(entries), list(existing))


def _merge(entries: list[Entry], existing: list[Item]) -> MergeResult:
    keys = [entry_keys(e) for e in entries]
    groups = _group(keys)  # in order of their first entry
    targets: dict[int | tuple[str, int], list[int]]
    if existing:
        # Every group goes to the first existing item any of its keys belongs to.
        indexed, probed = _lookup(existing)
        targets = {}
        for root, indices in groups.items():
            hits = [indexed[k] for i in indices for k in keys[i][0] if k in indexed]
            hits += [probed[k] for i in indices for k in keys[i][1] if k in probed]
            targets.setdefault(min(hits) if hits else ("new", root), []).extend(indices)
        ordered = sorted(targets.items(), key=lambda kv: min(kv[1]))
    else:
        ordered = [(("new", root), indices) for root, indices in groups.items()]

    result = MergeResult()
    fresh: list[Item] = []
    for target, indices in ordered:
        indices.sort()
        if isinstance(target, int):
            before = existing[target]
            item = _copy(before)
            for i in indices:
                _fold(item, entries[i], keys[i], title_locked=True)
            _title_from_notes(item)
            if item == before:
                result.unchanged.append(item.id)
                continue
            result.merged.append(item.id)
        else:
            item = _new_item(entries[indices[0]], keys[indices[0]])
            for i in indices[1:]:
                _fold(item, entries[i], keys[i], title_locked=False)
            _title_from_notes(item)
            fresh.append(item)
        result.items.append(item)
    _assign_ids(fresh, {item.id for item in existing})
    result.added = [item.id for item in fresh]
    return result
