"""The query language: free words, ``"phrases"``, ``-exclusions`` and filters.

One parser serves the TUI (a query re-parsed on every keystroke) and the CLI,
so it never fails on a query that is merely unfinished: a trailing ``tag:``
with no value yet, an unclosed quote or a half-typed ``is:rea`` are read as
what they will probably become. Only a query that is wrong whatever comes
next (an unknown filter, ``year:abc``) raises :class:`QueryError`, whose
message is one line meant to be shown to the user as it is.

    word            in title, authors, summary, tags, notes or renamed title;
                    typos, case, accents and punctuation forgiven; the last
                    word (no space after it yet) also matches completions
    "two words"     next to each other, in this order
    -word  -"a b"   items containing it are left out
    tag:x  #x       tagged x (case-insensitive; a tag still being typed: prefix)
    author:x  a:x   an author's name holds x (a:"alec radford" for both)
    is:unread|reading|read    has:code|note|tag|rename
    is:new          arrived (import, shelf add, feed) since the user last
                    caught up, and not opened or marked since
    cat:CL          arXiv category (cs.CL too)
    src:003         source document whose name contains 003
    year:2020  year:2019..2021  year:2019..  year:..2021
    readby:user  taggedby:user   other users' annotations (when loaded)
    -filter:x       any filter negated
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.search.normalize import fold, query_words

__all__ = [
    "FILTERS",
    "Filter",
    "Phrase",
    "Query",
    "QueryError",
    "Term",
    "parse_query",
    "tag_key",
]

#: Filter names as the user types them; ``a`` is short for ``author``.
FILTERS = ("tag", "author", "a", "is", "has", "cat", "src", "year", "readby", "taggedby")
STATUS_VALUES = ("unread", "reading", "read")
#: ``is:`` takes a status, or ``new``: arrived since the user last caught up.
IS_VALUES = (*STATUS_VALUES, "new")
HAS_VALUES = ("code", "note", "notes", "tag", "tags", "rename")
_MIN_YEAR, _MAX_YEAR = 1000, 2999
_YEAR = re.compile(r"\d{1,4}")


class QueryError(ValueError):
    """A query that cannot mean anything; ``str(err)`` is a one-line message."""


@dataclass(frozen=True)
class Term:
    """A free-text word: must match title, authors, summary, tags, notes or a rename."""

    text: str  # normalised, punctuation glued away
    raw: str  # as typed
    prefix: bool = False  # still being typed: completions match too


@dataclass(frozen=True)
class Phrase:
    """Words that must appear next to each other, in this order."""

    words: tuple[str, ...]
    raw: str
    open: bool = False  # quote not closed yet and at the end: last word is a prefix


@dataclass(frozen=True)
class Filter:
    """``name:value`` with ``name`` canonical (``a`` → ``author``, ``#x`` → ``tag``)."""

    name: str
    value: str  # normalised for the filter's kind
    raw: str
    prefix: bool = False  # value still being typed
    years: tuple[int, int] | None = None  # inclusive range, for ``year:``


@dataclass
class Query:
    text: str
    terms: list[Term] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    # Exclusions: any match removes the item.
    not_terms: list[Term] = field(default_factory=list)
    not_phrases: list[Phrase] = field(default_factory=list)
    not_filters: list[Filter] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.terms
            or self.phrases
            or self.filters
            or self.not_terms
            or self.not_phrases
            or self.not_filters
        )

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.phrases)


def tag_key(tag: str) -> str:
    """How tags compare: case, accents and spacing do not make two tags differ."""
    return "-".join(fold(tag).split())


# A token: optional '-', then either "quoted", name:"quoted", or a bare run.
_TOKEN = re.compile(
    r"""(?P<neg>-?)(?:
        "(?P<phrase>[^"]*)(?P<pclose>"?)
      | (?P<name>[A-Za-z]+):"(?P<qvalue>[^"]*)(?P<qclose>"?)
      | (?P<bare>[^\s"]+)
    )""",
    re.VERBOSE,
)


def parse_query(text: str) -> Query:
    """Parse ``text``; raise :class:`QueryError` for what cannot be meant."""
    query = Query(text=text)
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None:  # a lone quote char can't fail the regex, but be safe
            pos += 1
            continue
        pos = m.end()
        trailing = pos >= n  # nothing after it: the user may still be typing it
        negated = m.group("neg") == "-"
        if m.group("phrase") is not None:
            _add_phrase(query, m.group("phrase"), negated, trailing and not m.group("pclose"))
        elif m.group("name") is not None:
            value = m.group("qvalue")
            _add_filter(query, m.group("name"), value, negated, trailing and not m.group("qclose"))
        else:
            _add_bare(query, m.group("bare"), negated, trailing)
    return query


def _add_phrase(query: Query, body: str, negated: bool, open_: bool) -> None:
    words = tuple(query_words(body))
    if not words:
        return
    phrase = Phrase(words, body, open=open_)
    (query.not_phrases if negated else query.phrases).append(phrase)


def _add_bare(query: Query, bare: str, negated: bool, trailing: bool) -> None:
    if bare.startswith("#") and len(bare) > 1:
        _add_filter(query, "tag", bare[1:], negated, trailing)
        return
    name, sep, value = bare.partition(":")
    # "Sora:" with nothing after it, as in a pasted title, is a word.
    is_filter = bool(value) or name.casefold() in FILTERS
    if sep and name.isalpha() and not value.startswith("//") and is_filter:
        _add_filter(query, name, value, negated, trailing)
        return
    words = query_words(bare.replace(":", " "))
    for i, word in enumerate(words):
        if negated:
            query.not_terms.append(Term(word, bare))
        else:
            query.terms.append(Term(word, bare, prefix=trailing and i == len(words) - 1))


def _add_filter(query: Query, name: str, value: str, negated: bool, typing: bool) -> None:
    key = name.casefold()
    if key not in FILTERS:
        raise QueryError(f"unknown filter '{name}:' (known: {', '.join(FILTERS)})")
    key = "author" if key == "a" else key
    value = value.strip()
    if not value:
        if typing:
            return  # "tag:" with the value still to come
        raise QueryError(f"'{name}:' needs a value")
    made = _make_filter(key, value, typing)
    if negated and made.prefix:  # an exclusion removes exactly what it names
        made = Filter(made.name, made.value, made.raw, years=made.years)
    (query.not_filters if negated else query.filters).append(made)


def _make_filter(key: str, value: str, typing: bool) -> Filter:
    raw = f"{key}:{value}"
    if key == "tag":
        return Filter(key, tag_key(value), raw, prefix=typing)
    if key == "author":
        words = query_words(value)
        if not words:
            raise QueryError(f"'author:' needs a name, got '{value}'")
        return Filter(key, " ".join(words), raw, prefix=typing)
    if key in ("is", "has"):
        known = IS_VALUES if key == "is" else HAS_VALUES
        v = fold(value)
        if v in known or (typing and any(k.startswith(v) for k in known)):
            return Filter(key, v, raw, prefix=typing and v not in known)
        raise QueryError(f"unknown value for '{key}:': '{value}' (known: {', '.join(known)})")
    if key == "cat":
        v = fold(value)
        v = v[3:] if v.startswith("cs.") else v
        return Filter(key, v, raw, prefix=typing)
    if key == "src":
        return Filter(key, fold(value), raw)
    if key == "year":
        return _year_filter(value, typing)
    return Filter(key, value, raw)  # readby / taggedby: user names as written


def _year_filter(value: str, typing: bool) -> Filter:
    raw = f"year:{value}"
    lo_s, sep, hi_s = value.partition("..")
    if not sep:
        if value.isdigit() and len(value) == 4:
            y = int(value)
            return Filter("year", value, raw, years=(y, y))
        if typing and value.isdigit() and len(value) < 4:
            # "year:20" on its way to "year:2019": every year it can become.
            lo = int(value.ljust(4, "0"))
            hi = int(value.ljust(4, "9"))
            return Filter("year", value, raw, prefix=True, years=(lo, hi))
        raise QueryError(f"'year:' expects YYYY or YYYY..YYYY, got '{value}'")
    bounds = []
    for part, default in ((lo_s, _MIN_YEAR), (hi_s, _MAX_YEAR)):
        if not part:
            bounds.append(default)
        elif _YEAR.fullmatch(part) and len(part) == 4:
            bounds.append(int(part))
        elif typing and part is hi_s and _YEAR.fullmatch(part):
            bounds.append(int(part.ljust(4, "9")))
        else:
            raise QueryError(f"'year:' expects YYYY or YYYY..YYYY, got '{value}'")
    lo, hi = bounds
    if lo > hi:
        raise QueryError(f"'year:{value}' is an empty range")
    return Filter("year", value, raw, years=(lo, hi))
