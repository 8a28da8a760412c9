"""Splitting ``TitleFirst Author, Second Author et al. · affiliations``.

Paper listings glue the title to the author list. The split point is the
leftmost glued capital (one not preceded by a space) after which everything
parses as a list of names; names are recognised by shape: capitalised words,
initials, lowercase particles (``Tom Dupré la Tour``), hyphens and apostrophes,
or a single organisation word such as ``OpenAI``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

PARTICLES = frozenset(
    [
        "al",
        "bin",
        "da",
        "das",
        "de",
        "degli",
        "del",
        "della",
        "den",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "el",
        "ibn",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "op",
        "san",
        "st",
        "te",
        "ten",
        "ter",
        "van",
        "vom",
        "von",
        "y",
        "zu",
    ]
)
_ET_AL = re.compile(r"[\s,]*\bet\s+al\b\.?\s*$", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z]\.(?:-[A-Z]\.)?)+$|^[A-Z]$")
_MAC = re.compile(r"^(?:Mc|Mac|Fitz|O['’]|D['’])(?=[A-Z])")
_HUMPS = re.compile(r"[a-z\u00df-\u00ff][A-Z]")
_WORD_PARTS = re.compile(r"[-'’]")
_NAME_SEPARATOR = re.compile(r"\s*,\s*|\s+and\s+|\s*&\s*")
_AFFILIATION_SEPARATOR = re.compile(r"[,·]")
_SUFFIXES = frozenset({"Jr.", "Sr.", "II", "III", "IV"})


@dataclass
class Byline:
    title: str
    authors: list[str] = field(default_factory=list)
    truncated: bool = False
    affiliations: list[str] = field(default_factory=list)


def _plain_word(word: str) -> bool:
    """Alec, Dupré, Jean-Baptiste, O'Neil, McCandlish, Łukasz."""
    if word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower()):
        return True
    word = _MAC.sub("", word)
    for part in _WORD_PARTS.split(word):
        if not part or not part[0].isupper() or not part.isalpha():
            return False
        rest = part[1:]
        if rest and not rest.islower():
            return False
    return True


def _org_word(word: str) -> bool:
    """OpenAI, DeepMind, GitHub, NVIDIA: two humps at most, the first a real word part."""
    if not word.isalnum() or not word[0].isupper():
        return False
    if word.isupper():
        return len(word) >= 2
    humps = list(_HUMPS.finditer(word))
    # "MsGoogle" (the tail of "LLMs" glued to "Google") is not an organisation.
    return word[1].islower() and (not humps or (len(humps) == 1 and humps[0].start() >= 2))


@lru_cache(maxsize=1 << 16)
def is_person(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 8:
        return False
    if words[-1] in _SUFFIXES:
        words = words[:-1]
    # Particles are lowercase; a capitalised "Al" or "Van" is a name in its own right.
    if words[-1] in PARTICLES or not _plain_word(words[-1]) or words[0] in PARTICLES:
        return False
    return all(_plain_word(w) or _INITIALS.match(w) or w in PARTICLES for w in words)


@lru_cache(maxsize=1 << 14)
def is_organisation(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 4 and all(
        _org_word(w) or (i > 0 and w in {"&", "and", "of", "for", "the"})
        for i, w in enumerate(words)
    )


def _names(text: str) -> list[str]:
    return [n for n in _NAME_SEPARATOR.split(text.strip()) if n]


def _valid(names: list[str], first: str) -> bool:
    """Every name plausible, the first one of the kind this pass accepts.

    A lone plain word is never an author list on its own: after a glued
    capital, "Training" is as likely the tail of "PreTraining".
    """
    if not names:
        return False
    lead = names[0]
    words = lead.split()
    if first == "person":
        ok = is_person(lead)
    elif first == "org_word":
        ok = len(words) == 1 and _org_word(lead) and not _plain_word(lead)
    elif first == "plain_org":
        ok = len(words) > 1 and is_organisation(lead) and _plain_word(words[0])
    else:
        ok = is_organisation(lead) and not (len(names) == 1 and _plain_word(lead))
    return ok and all(is_person(n) or is_organisation(n) for n in names[1:])


_CAPITAL_AFTER_TEXT = re.compile(r"(?<=[^\s/-])[^\W\d_a-z]")


def _glue_points(text: str) -> list[int]:
    """Capitals glued to the character before them: candidate title/author splits."""
    return [m.start() for m in _CAPITAL_AFTER_TEXT.finditer(text) if m.group().isupper()]


def split_byline(line: str) -> Byline:
    """Title, authors, ``et al.`` flag and affiliations from a listing's second line."""
    head, sep, tail = line.partition(" · ")
    affiliations = (
        [a.strip() for a in _AFFILIATION_SEPARATOR.split(tail) if a.strip()] if sep else []
    )
    truncated = "et al" in head[-12:] and bool(_ET_AL.search(head[-12:]))
    head = head[:-12] + _ET_AL.sub("", head[-12:]) if truncated else head
    head = head.strip()
    points = _glue_points(head)
    names_at: dict[int, list[str]] = {}

    def names(i: int) -> list[str]:
        if i not in names_at:
            names_at[i] = _names(head[i:])
        return names_at[i]

    # People first: a person's name is the most constrained shape, so the
    # leftmost glued capital that starts one is the split ("LLM ActivationsGrace Luo").
    for first in ("person", "org_word", "plain_org", "organisation"):
        for i in points:
            if _valid(names(i), first):
                return Byline(head[:i].strip(), names(i), truncated, affiliations)
    # An unusual name later in the list ("danah boyd") should not hide the split:
    # settle for a plausible first author followed by mostly plausible names.
    for i in points:
        found = names(i)
        if len(found) > 1 and is_person(found[0]) and _mostly_valid(found):
            return Byline(head[:i].strip(), found, truncated, affiliations)
    return _split_at_space(head, truncated, affiliations)


def _mostly_valid(names: list[str]) -> bool:
    good = sum(1 for n in names if is_person(n) or is_organisation(n))
    return good * 2 > len(names)


def _split_at_space(head: str, truncated: bool, affiliations: list[str]) -> Byline:
    """No glue: the first author is the shortest name before the first comma."""
    first, comma, rest = head.partition(",")
    if comma or truncated or affiliations:
        words = first.split()
        for n in range(2, min(4, len(words) - 1) + 1):
            name = " ".join(words[-n:])
            names = [name, *_names(rest)]
            if _valid(names, "person"):
                return Byline(" ".join(words[:-n]), names, truncated, affiliations)
    return Byline(head, [], truncated, affiliations)
