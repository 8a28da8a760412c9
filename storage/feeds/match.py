"""Finding the item a feed's truncated summary was cut from.

A blog's feed usually carries the opening of a post, and the library often
already holds the post as an untitled excerpt (Lil'Log's listing page has no
titles). The merge keys of ``seeds.merge`` cannot join the two when the feed's
opening is shorter than their 24-word fingerprint, or longer than the excerpt
the library has. So a feed entry is matched on words instead: an item matches
when one text is a word-for-word prefix of the other, compared casefolded
with punctuation ignored, with the shorter side's last word allowed to be cut
(a teaser ends mid-word as often as not).

The index keys every item by its opening words, so matching a feed costs one
dictionary lookup per entry rather than a scan of the library.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence

from seeds.collector import paused_gc
from seeds.formats.updates import extract_updates
from seeds.merge import MergeResult, entry_keys, merge_entries
from seeds.model import Entry, Item
from seeds.normalize import strip_footnotes

#: Shortest opening that identifies a text: "Large transformer models are
#: mainstream nowadays" is a sentence many posts could start with; twelve
#: words agreeing in order is not chance.
MIN_MATCH_WORDS = 12
#: Also required in characters, so twelve one-letter tokens ("a b c …", a
#: list of symbols) do not count as an opening.
MIN_MATCH_CHARS = 60
#: Opening words that key the index; one fewer than the minimum, so that the
#: cut last word of the shortest acceptable summary never takes part.
KEY_WORDS = MIN_MATCH_WORDS - 1
#: Characters of an item's text read to key it: usually enough for KEY_WORDS
#: words; ``_HEAD_CHARS`` when not.
_SHORT_HEAD = 160
_HEAD_CHARS = 600

_SEPARATORS = re.compile(r"[\W_]+")
# ASCII letters and digits stay, every other ASCII byte separates words: what
# the regex does, five times faster on the ASCII text most items are.
_ASCII_WORDS = bytes(b if chr(b).isalnum() else 32 for b in range(128)) + bytes(range(128, 256))
# What feeds put after the part of the text they carry.
_TAIL = re.compile(
    r"(?:\s*(?:…|\.{3}|\[\s*(?:…|\.{3}|&hellip;)\s*\]|(?:continue\s+reading|read\s+more)\b\W*|»|→))+\s*$",
    re.IGNORECASE,
)


def words(text: str) -> list[bytes]:
    """Casefolded words (UTF-8), punctuation and Unicode variants (``DALL·E``, ``’``) ignored.

    Bytes rather than str because the ASCII fast path works on bytes, and
    both paths must give the same type to be compared.
    """
    if text.isascii():
        return text.encode("ascii").lower().translate(_ASCII_WORDS).split()
    text = unicodedata.normalize("NFKC", text)
    return _SEPARATORS.sub(" ", text.casefold()).encode("utf-8").split()


def _item_text(item: Item) -> str:
    return item.summary or " ".join(u.text for u in item.updates)


def _summary_words(summary: str) -> list[bytes] | None:
    """The summary's words without the feed's "… Read more"; None when too short to match."""
    if not isinstance(summary, str):
        return None
    text, _ = extract_updates(strip_footnotes(" ".join(summary.split())))
    bare = _TAIL.sub("", text)
    found = words(bare)
    if len(found) < MIN_MATCH_WORDS or sum(map(len, found)) + len(found) < MIN_MATCH_CHARS:
        return None
    return found


def _prefix_of(short: Sequence[bytes], long: Sequence[bytes]) -> bool:
    """``short`` opens ``long``, its last word possibly cut mid-word."""
    n = len(short)
    if n > len(long) or list(long[: n - 1]) != list(short[: n - 1]):
        return False
    return long[n - 1].startswith(short[n - 1])


class TruncationIndex:
    """Items keyed by their opening words, for ``match``.

    Keys are hashes of the first ``KEY_WORDS`` words: 100,000 items cost one
    int and one list slot each, and a hash collision only adds a candidate
    that the word comparison then rejects.
    """

    def __init__(self, items: Iterable[Item]) -> None:
        self._by_key: dict[int, list[Item]] = {}
        # Building makes a list per key and nothing cyclic; the collector
        # rescanning the growing dict would take as long as the building.
        with paused_gc():
            self._build(items)

    def _build(self, items: Iterable[Item]) -> None:
        for item in items:
            text = _item_text(item)
            if not text:
                continue
            head = words(text[:_SHORT_HEAD])
            if len(head) <= MIN_MATCH_WORDS:  # the last word read may be cut
                head = words(text[:_HEAD_CHARS])
                if len(head) < MIN_MATCH_WORDS:
                    continue
            self._by_key.setdefault(hash(b" ".join(head[:KEY_WORDS])), []).append(item)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def match(self, summary: str) -> str | None:
        """The id of the one item this summary opens (or that opens it), else None.

        None when several items fit equally well: two posts that open with the
        same paragraph cannot be told apart by their opening, and a wrong
        match would give one of them the other's title.
        """
        prepared = _summary_words(summary)
        if prepared is None:
            return None
        found = prepared
        candidates = self._by_key.get(hash(b" ".join(found[:KEY_WORDS])), [])
        best: list[tuple[int, str]] = []
        limit = max(_HEAD_CHARS, 2 * len(summary))
        for item in candidates:
            text = _item_text(item)
            head = words(text[:limit])
            if len(head) < len(found) and len(text) > limit:
                head = words(text)
            if len(head) >= len(found):
                shared = len(found) if _prefix_of(found, head) else 0
            else:
                # The library holds less of the text than the feed: the whole
                # excerpt must open the summary.
                shared = (
                    len(head) if len(head) >= MIN_MATCH_WORDS and _prefix_of(head, found) else 0
                )
            if shared:
                best.append((shared, item.id))
        if not best:
            return None
        best.sort(reverse=True)
        top = [item_id for shared, item_id in best if shared == best[0][0]]
        return top[0] if len(set(top)) == 1 else None


def match_truncated(entry_summary: str, items: Iterable[Item] | TruncationIndex) -> str | None:
    """The id of the item whose text begins with ``entry_summary`` (see module doc).

    Pass a ``TruncationIndex`` when matching more than one summary: building
    it reads every item once.
    """
    index = items if isinstance(items, TruncationIndex) else TruncationIndex(items)
    return index.match(entry_summary)


def merge_matched(entry: Entry, item: Item) -> Item:
    """``item`` with ``entry`` merged in by ``seeds.merge``'s own field rules.

    The merge joins entries to items by keys only, so the item is given the
    entry's probe keys for the duration of one ``merge_entries`` call; keys
    that the entry does not itself contribute are taken out again afterwards.
    The result keeps the item's id, takes the entry's real title when the
    item's was derived (an untitled excerpt gets the post's title), its date
    and link; and it keeps the entry's title key, so the next refresh finds
    the item through ``merge_entries`` alone.
    """
    original = entry
    if item.summary and len(item.summary) > len(entry.summary):
        found = _summary_words(entry.summary)
        if found and _prefix_of(found, words(item.summary)):
            # The feed carries only the opening of the text the library has. If
            # it happens to end at a full stop the merge would take it for the
            # complete text and drop the rest, so the entry brings the whole.
            entry = dataclasses.replace(entry, summary=item.summary, summary_truncated=False)
    probes, _ = entry_keys(entry)
    injected = [key for key in probes if key not in item.keys]
    proxy = copy.copy(item)
    for name in ("authors", "affiliations", "urls", "updates", "sources", "kinds"):
        setattr(proxy, name, list(getattr(item, name)))
    proxy.keys = list(item.keys) + injected
    result = merge_entries([entry], [proxy])
    merged = result.items[0] if result.items else proxy
    own = merge_entries([entry]).items[0].keys
    # The keys the feed's own text files under, so the same entry on the next
    # refresh finds the item by them and changes nothing.
    if original is not entry:
        own = own + merge_entries([original]).items[0].keys
    merged.keys = [k for k in merged.keys if k not in injected or k in own]
    merged.keys += [k for k in dict.fromkeys(own) if k not in merged.keys]
    return merged


def merge_feed_entries(
    entries: Iterable[Entry], existing: Iterable[Item], index: TruncationIndex | None = None
) -> MergeResult:
    """``merge_entries`` for feed entries: truncated summaries first find their item.

    What a library import of feed entries should call instead of
    ``merge_entries``. An entry whose summary opens exactly one item's text
    is merged into that item with ``merge_matched``; the rest go through
    ``merge_entries`` against the library as those merges left it. Pass
    ``index`` when one over ``existing`` is at hand (building one reads every
    item's opening: a second or so at 100,000 items).
    """
    existing = list(existing)
    if index is None:
        index = TruncationIndex(existing)
    position = {item.id: n for n, item in enumerate(existing)}
    current = list(existing)
    pinned: dict[str, Item] = {}
    rest: list[Entry] = []
    for entry in entries:
        item_id = index.match(entry.summary) if entry.summary else None
        if item_id is None:
            rest.append(entry)
            continue
        n = position[item_id]
        current[n] = merge_matched(entry, current[n])
        pinned[item_id] = current[n]
    result = merge_entries(rest, current) if rest else MergeResult()
    before = {item.id: item for item in existing}
    changed = {item_id: item for item_id, item in pinned.items() if item != before[item_id]}
    for item in result.items:
        if item.id in before:
            changed[item.id] = item
    combined = MergeResult(
        items=list(changed.values()) + [i for i in result.items if i.id not in before],
        added=list(result.added),
        merged=list(changed),
        unchanged=[i for i in result.unchanged if i not in changed]
        + [i for i in pinned if i not in changed and i not in result.unchanged],
    )
    return combined
