"""Turning text into the terms the index stores and the query looks up.

Both sides go through the same functions, so whatever spelling a title uses
("DALL·E", "GPT-4", "PreTraining", "Dupré") and whatever the user types
("dalle", "gpt4", "pretraining", "dupre") meet on one normalised form:
casefolded, diacritics stripped, split on everything that is not a letter or a
digit. Two extra kinds of term cover what splitting loses:

* joined forms: a whitespace-delimited chunk with its punctuation removed
  ("gpt-4o" → "gpt4o", "dall·e" → "dalle", "e.g." → "eg"), so a query that
  drops the punctuation still hits;
* camel-case parts: "WebGPT" is also indexed as "web" and "gpt".

Indexing 100k abstracts has to be fast, so ASCII text (after mapping common
typographic punctuation to ASCII, nearly all text) is tokenised with
``bytes.translate`` + ``split``, several times faster than a regex.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "MAX_FIELD_CHARS",
    "fold",
    "glued_words",
    "index_terms",
    "query_words",
    "compound_spans",
    "plain_spans",
    "word_spans",
]

#: Text past this many characters of one field is neither indexed nor
#: scanned; a pasted 10 MB abstract must not stall indexing or search.
MAX_FIELD_CHARS = 20_000
#: Joined forms longer than this are URLs or identifiers, not words.
MAX_JOINED = 24

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Typographic punctuation mapped to ASCII so that most text stays on the fast
# path; joining marks become "-" (glue), separating ones become spaces.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u00b7": "-", "\u2027": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": "-", "\u2212": "-", "\u2014": " ", "\u2015": " ", "\u2026": " ",
        "\u2022": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
        "\u00d7": " ", "\u2192": " ", "\u00b0": " ", "\u00a7": " ",
    }
)  # fmt: skip
_ALNUM = bytes(range(48, 58)) + bytes(range(65, 91)) + bytes(range(97, 123))
_WS = b" \t\n\r\x0b\x0c"
# Letters and digits lowercased, everything else a space: words.
_SPLIT = bytes((c | 0x20 if 65 <= c <= 90 else c) if c in _ALNUM else 32 for c in range(256))
# Punctuation deleted, whitespace kept: joined chunks.
_PUNCT = bytes(c for c in range(256) if c not in _ALNUM and c not in _WS)
_GLUE = bytes((c | 0x20 if 65 <= c <= 90 else c) if c in _ALNUM else 32 for c in range(256))

# Letter case only: lower → "a", upper → "A", anything else a space.
_CASE = bytes(97 if 97 <= c <= 122 else 65 if 65 <= c <= 90 else 32 for c in range(256))

_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
# Whitespace-delimited chunks with a punctuation mark between two word characters.
_COMPOUND_CHUNK = re.compile(r"(?<!\w)\w++(?:[^\s\w]++\w++)+")
_NON_ALNUM = re.compile(r"[\W_]+")
_HAS_CAMEL = re.compile(r"[a-z][A-Z]")
# Anchored at word starts (lookbehind), so no quadratic rescans inside words.
_CAMEL_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]*?[a-z][A-Z][^\W\d_]*")
_CAMEL_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")


def fold(text: str) -> str:
    """Casefold and strip diacritics; offsets do not survive, lengths may change."""
    if text.isascii():
        return text.lower()
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", text).casefold()


def index_terms(text: str) -> tuple[list[str], list[str]]:
    """``(words, extra)``: words with repeats (for term frequency), and the
    joined forms and camel-case parts that are not already words."""
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS]
    if text.isascii():
        ascii_text = text
    else:
        ascii_text = fold(text).translate(_TYPOGRAPHIC)
        if not ascii_text.isascii():
            return _unicode_terms(ascii_text, text)
    raw = ascii_text.encode()
    words = raw.translate(_SPLIT).decode().split()
    glued = raw.translate(_GLUE, _PUNCT).decode().split()
    extra = set(glued).difference(words)
    shape = (raw if ascii_text is text else text.encode("ascii", "replace")).translate(_CASE)
    if b"aA" in shape:
        extra.update(_camel_parts(text, shape))
        extra.difference_update(words)
    if not extra:
        return words, []
    return words, [t for t in extra if t and len(t) <= MAX_JOINED]


def _camel_parts(text: str, shape: bytes) -> Iterator[str]:
    """Parts of camel-case words, found on the letter-case ``shape`` of ``text``."""
    pos = shape.find(b"aA")
    while pos >= 0:
        start = shape.rfind(b" ", 0, pos) + 1
        end = shape.find(b" ", pos)
        if end < 0:
            end = len(shape)
        for part in _CAMEL_SPLIT.split(text[start:end]):
            yield fold(part)
        pos = shape.find(b"aA", end)


def _unicode_terms(folded: str, original: str) -> tuple[list[str], list[str]]:
    """The slow path for text with non-Latin letters or unusual punctuation."""
    words = _WORD.findall(folded)
    extra = {_NON_ALNUM.sub("", chunk) for chunk in folded.split()}
    for word in _CAMEL_WORD.findall(original):
        extra.update(fold(part) for part in _CAMEL_SPLIT.split(word))
    extra.difference_update(words)
    return words, [t for t in extra if t and len(t) <= MAX_JOINED]


def glued_words(text: str) -> list[str]:
    """Whitespace chunks with punctuation removed: "GPT-4 report" → gpt4, report."""
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS]
    if not text.isascii():
        text = fold(text).translate(_TYPOGRAPHIC)
        if not text.isascii():
            return [w for w in (_NON_ALNUM.sub("", c) for c in text.split()) if w]
    return text.encode().translate(_GLUE, _PUNCT).decode().split()


def query_words(text: str) -> list[str]:
    """One term per whitespace-separated query word, punctuation glued away.

    A user who types ``dall-e`` or ``gpt-4`` means one thing; the joined form
    is exactly what :func:`index_terms` indexed for "DALL·E" and "GPT-4".
    """
    out = []
    for word in fold(text).translate(_TYPOGRAPHIC).split():
        joined = _NON_ALNUM.sub("", word)
        if joined:
            out.append(joined)
    return out


def word_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """``(term, start, end)`` for each word, joined chunk and camel part of ``text``.

    Offsets index the string as displayed, which is what the TUI highlights.
    """
    yield from plain_spans(text)
    yield from compound_spans(text)


def plain_spans(text: str) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` for each word of ``text``."""
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS]
    if text.isascii():  # lowercasing ASCII keeps offsets: fold once
        low = text.lower()
        return [(m.group(), m.start(), m.end()) for m in _ASCII_WORD.finditer(low)]
    return [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def compound_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Joined chunks ("GPT-4" as gpt4) and camel-case parts ("WebGPT" as web, gpt)."""
    if len(text) > MAX_FIELD_CHARS:
        text = text[:MAX_FIELD_CHARS]
    for m in _COMPOUND_CHUNK.finditer(text):
        chunk = m.group()
        inner = list(_WORD.finditer(chunk))
        if len(inner) > 1:
            joined = "".join(fold(w.group()) for w in inner)
            if len(joined) <= MAX_JOINED:
                yield joined, m.start() + inner[0].start(), m.start() + inner[-1].end()
    if _HAS_CAMEL.search(text):
        for m in _CAMEL_WORD.finditer(text):
            start = m.start()
            for part in _CAMEL_SPLIT.split(m.group()):
                yield fold(part), start, start + len(part)
                start += len(part)
