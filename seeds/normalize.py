"""Keys that let different copies of the same work find each other.

Documents disagree on capitalisation, punctuation (``DALL·E`` / ``DALL-E``),
Unicode composition and how much of an abstract they show, so matching works
on normalised keys rather than on the text as written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import NamedTuple

#: Words of an abstract that make up its coarse fingerprint (``abstract_key``):
#: short enough that the cut-off summaries of blog listings (roughly 50 words)
#: still carry all of it.
ABSTRACT_WORDS = 24
#: Prefix lengths, in words, under which ``abstract_keys`` files a text.
LADDER = (24, 48, 96)
#: Below this many words a text is too generic ("Coming soon.") to identify a work.
MIN_ABSTRACT_WORDS = 8
#: Characters of a text read for its keys: ample for ``LADDER[-1]`` words
#: after a leading acknowledgement.
_HEAD_CHARS = 4000

_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_FOOTNOTE = re.compile(r"\s*\[\d{1,3}\]")
_URL_START = ("http://", "https://")
_SENTENCE_ENDS = ".!?"
_CLOSING = ")]\"'”’»"
_ACK_SENTENCE = re.compile(
    r"^\s*(?:(?:special|many|huge|big)\s+)?(?:thanks|thank\s+you|acknowledg)[^.!?]*[.!?]\s*",
    re.IGNORECASE,
)
_ACK_BRACKET = re.compile(
    r"^\s*\[\s*(?:(?:special|many|huge|big)\s+)?(?:thanks|thank\s+you|acknowledg)[^\]]*\]\s*",
    re.IGNORECASE,
)
_ACK_HINT = ("thank", "ackn")
# Punctuation that separates words in abstract keys. Keys are built on UTF-8
# bytes: bytes.translate with a 256-byte table and bytes.split are several
# times faster than a regex or str.translate over every abstract of an import.
_ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_UNICODE_PUNCTUATION = "’‘“”—–…·•«»„‚′″‐‑"
_NOT_ALNUM_BYTES = bytes(b for b in range(128) if not chr(b).isalnum())
_SEPARATOR_BYTES = bytes(32 if chr(b) in _ASCII_PUNCTUATION else b for b in range(256))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """Collapse stray spacing so that copies differing only in whitespace compare equal."""
    # isprintable() is False for tabs, newlines and Unicode spaces other than " ".
    if text.isprintable() and "  " not in text:
        return text.strip()
    return " ".join(text.split())


def strip_footnotes(text: str) -> str:
    """Drop ``[1]``-style markers: they point at page furniture the import does not keep."""
    return _FOOTNOTE.sub("", text) if "[" in text else text


def title_key(title: str) -> str:
    """Casefolded letters and digits only, so punctuation and spacing never split a work."""
    if title.isascii():
        return title.lower().encode().translate(None, _NOT_ALNUM_BYTES).decode()
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", title).casefold())


def strip_acknowledgement(text: str) -> str:
    """Remove a leading thank-you, which says nothing about the topic."""
    head = text[:40].lower()
    if not any(hint in head for hint in _ACK_HINT):
        return text
    for pattern in (_ACK_BRACKET, _ACK_SENTENCE):
        stripped = pattern.sub("", text, count=1)
        if stripped != text:
            return stripped.strip()
    return text


def is_truncated(text: str) -> bool:
    """True when the source cut the text short: an ellipsis, or no sentence end."""
    tail = text[-200:].rstrip()
    if not tail:
        return False
    if tail.endswith(("…", "...")):
        return True
    bare = tail.rstrip(_CLOSING)
    if bare and bare[-1] in _SENTENCE_ENDS:
        return False
    last = tail.rsplit(None, 1)[-1]
    return not last.startswith(_URL_START)


def _abstract_words(text: str) -> tuple[list[bytes], bool]:
    """Normalised opening words (at most ``LADDER[-1] + 1``), and whether the text was cut."""
    cut = is_truncated(text)
    head, partial = text, cut
    if len(text) > _HEAD_CHARS:  # far more than the words keys need
        head, partial = text[:_HEAD_CHARS], True
    head = strip_acknowledgement(strip_footnotes(head))
    if "\\" in head:
        # Command names carry no words of the abstract: "50\\%" keys as "50%"
        # does, "D_{\\mathrm{KL}}" as "D_KL" does.
        head = _LATEX_COMMAND.sub(" ", head)
    head = head.casefold()
    if not head.isascii():
        head = unicodedata.normalize("NFKC", head)
        for mark in _UNICODE_PUNCTUATION:
            if mark in head:
                head = head.replace(mark, " ")
    limit = LADDER[-1] + 1
    words = head.encode("utf-8").translate(_SEPARATOR_BYTES).split(None, limit)
    if len(words) > limit:
        words.pop()  # the unsplit rest: more words than any key uses
    elif words and partial:
        words.pop()  # may be a fragment of a word
    return words, cut


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def abstract_key(text: str) -> str:
    """Coarse fingerprint of an abstract: its first ``ABSTRACT_WORDS`` words.

    Equal for a full abstract and copies cut after at least that many words
    (a copy cut mid-word loses its last word first). A text with fewer words
    is fingerprinted whole, which only matches an identical text. Empty when
    the text is too short to tell works apart. Two different abstracts that
    open with the same sentence share this key; ``abstract_keys`` tells them apart.
    """
    words, _ = _abstract_words(text)
    if len(words) < MIN_ABSTRACT_WORDS:
        return ""
    return _hash(b" ".join(words[:ABSTRACT_WORDS]))


class AbstractKeys(NamedTuple):
    """How a text finds other copies of itself.

    ``filed_under`` files the text under its opening 24, 48 and 96 words;
    ``probe`` is the one key it looks itself up with. A cut-off copy probes
    with the longest prefix it has in full, so it finds any longer copy; a
    complete text probes with 96 words (or all of them), so two complete
    abstracts that merely open alike never match.
    """

    probe: str = ""
    filed_under: tuple[str, ...] = ()


_NO_KEYS = AbstractKeys()


def abstract_keys(text: str) -> AbstractKeys:
    words, cut = _abstract_words(text)
    count = len(words)
    if count < MIN_ABSTRACT_WORDS or (cut and count < LADDER[0]):
        return _NO_KEYS
    rungs = [n for n in LADDER if n <= count]
    if not cut and count < LADDER[-1]:
        rungs.append(count)  # a complete short text also probes with all its words
    # One running hash: its digest after n words is the hash of the n-word prefix.
    running = hashlib.sha256()
    index = []
    done = 0
    for n in rungs:
        running.update((b" " if done else b"") + b" ".join(words[done:n]))
        index.append(f"{n}:{running.hexdigest()[:16]}")
        done = n
    return AbstractKeys(index[-1], tuple(index))
