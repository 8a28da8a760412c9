"""Exact phrases: checking word order in an item's text, and when one phrase
query can only match a subset of another's (for narrowing)."""

from __future__ import annotations

import re
from collections.abc import Callable

from storage.model import Annotation
from storage.search.normalize import MAX_FIELD_CHARS, fold
from storage.search.query import Filter, Phrase

__all__ = ["checkable", "filter_narrows", "folded", "phrase_finder", "phrase_narrows", "user_texts"]


def phrase_finder(p: Phrase) -> Callable[[str], bool]:
    """A test over folded text: the words in order, anything but letters and
    digits between them; "gpt4" also matches "gpt-4", "fewshot" "few-shot".

    The regex starts with the first word's letters, not a look-behind, so the
    regex engine can skip ahead to candidates; the word boundary before the
    match is checked by hand.
    """
    parts = []
    for w in p.words:
        if w.isdigit():
            parts.append(re.escape(w))
        else:
            # A word typed without its punctuation matches it written with:
            # "few-shot" is folded to "fewshot", and finds "Few-Shot" in a title.
            parts.append(r"[^\s\w]?".join(map(re.escape, w)))
    tail = r"[^\W_]*" if p.open else r"(?![^\W_])"
    search = re.compile(r"[\W_]+".join(parts) + tail).search

    def found(text: str) -> bool:
        pos = 0
        while True:
            m = search(text, pos)
            if m is None:
                return False
            start = m.start()
            if start == 0 or not text[start - 1].isalnum():
                return True
            pos = start + 1

    return found


def user_texts(ann: Annotation) -> list[str]:
    return [ann.title or "", "\n".join(n.text for n in ann.notes), " ".join(ann.tags)]


def folded(text: str) -> str:
    """Text as phrases are matched against: folded like index terms.

    Only the non-ASCII runs go through Unicode normalisation: a summary with
    one "DALL·E" in it must not cost forty times an ASCII one.
    """
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS]
    low = text.lower()
    return low if low.isascii() else _NON_ASCII_RUN.sub(_fold_run, low)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _fold_run(m: re.Match[str]) -> str:
    return fold(m.group())


def checkable(p: Phrase) -> bool:
    """Worth verifying word order: two words or more, and an open last word of
    three letters or more (before that it matches too much to check cheaply;
    its words must still all be there)."""
    return len(p.words) > 1 and not (p.open and len(p.words[-1]) < 3)


def phrase_narrows(old: Phrase, new: Phrase) -> bool:
    if checkable(old) and not checkable(new):
        return False  # the new one does not check word order: it matches more
    if old.words == new.words and (old.open or not new.open):
        return True
    if not old.open or len(new.words) < len(old.words):
        return False
    k = len(old.words) - 1
    return new.words[:k] == old.words[:k] and new.words[k].startswith(old.words[k])


def filter_narrows(old: Filter, new: Filter) -> bool:
    if old.name != new.name:
        return False
    if old == new:
        return True
    if old.name == "year":
        assert old.years is not None and new.years is not None
        return old.years[0] <= new.years[0] and new.years[1] <= old.years[1]
    if old.name == "src":
        return old.value in new.value
    if old.name in ("tag", "cat", "is", "has") and old.prefix:
        return new.value.startswith(old.value)
    return False
