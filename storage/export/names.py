"""Personal names split the way citation managers expect them.

Views carry authors as displayed ("Tom Dupré la Tour"), but BibTeX, RIS and
CSL all want the family name apart from the given names. BibTeX is the
awkward one: it decides the split itself from capitalisation, so a compound
surname with a lowercase particle inside ("Dupré la Tour") must be braced or
BibTeX reads "Dupré la" as a von part and "Tour" as the surname.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

#: Trailing generational suffixes, which BibTeX keeps in a "Jr" part.
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

#: Lowercase words that join two surnames rather than start a von part
#: ("José Ortega y Gasset", "Tom Dupré la Tour").
_JOINERS = frozenset({"y", "i", "e", "la", "le"})


class NameParts(NamedTuple):
    given: str
    particle: str  # lowercase von part that belongs before the family name
    family: str
    suffix: str


def _starts_lower(token: str) -> bool:
    for ch in token:
        if ch.isalpha():
            return ch.islower()
    return False


@lru_cache(maxsize=1 << 16)  # the same authors recur across a library
def split_name(name: str) -> NameParts:
    """Split a displayed name; single words (organisations) are all family."""
    name = " ".join(name.split())
    if "," in name:
        head, _, tail = name.partition(",")
        tail = tail.strip()
        if tail.casefold() in SUFFIXES:
            inner = split_name(head)
            return inner._replace(suffix=tail)
        # Already "Family, Given": keep the family part whole.
        return NameParts(tail, "", head.strip(), "")
    tokens = name.split(" ")
    if len(tokens) == 1:
        return NameParts("", "", tokens[0], "")
    suffix = ""
    if len(tokens) > 2 and tokens[-1].casefold() in SUFFIXES:
        suffix = tokens.pop()
    start = next((i for i in range(1, len(tokens) - 1) if _starts_lower(tokens[i])), None)
    if start is None:
        return NameParts(" ".join(tokens[:-1]), "", tokens[-1], suffix)
    end = start
    while end + 1 < len(tokens) - 1 and _starts_lower(tokens[end + 1]):
        end += 1
    if start == end and start >= 2 and tokens[start].casefold() in _JOINERS:
        # "Tom Dupré la Tour": the word before the joiner is part of the surname.
        return NameParts(" ".join(tokens[: start - 1]), "", " ".join(tokens[start - 1 :]), suffix)
    return NameParts(
        " ".join(tokens[:start]),
        " ".join(tokens[start : end + 1]),
        " ".join(tokens[end + 1 :]),
        suffix,
    )


def display_family(parts: NameParts) -> str:
    """The family name with its particle, as RIS and keys use it."""
    return f"{parts.particle} {parts.family}" if parts.particle else parts.family
