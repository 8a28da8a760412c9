"""Keys that let different copies of the same work find each other.

Documents disagree on capitalisation, punctuation (``DALL·E`` / ``DALL-E``),
Unicode composition and how much of an abstract they show, so matching works
on normalised keys rather than on the text as written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from seeds.latex import latex_to_unicode

#: Words of an abstract that make up its coarse fingerprint (``abstract_key``):
#: short enough that the cut-off summaries of blog listings (roughly 50 words)
#: still carry all of it.
ABSTRACT_WORDS = 24
#: Prefix lengths, in words, under which ``abstract_keys`` files a text.
LADDER = (12, 24, 48, 96)
#: Below this many words a text is too generic ("Coming soon.") to identify a work.
MIN_ABSTRACT_WORDS = 8
#: Enough characters for ``LADDER[-1]`` words; keys never need more of a text.
_PREFIX_CHARS = 2000

_NOT_ALNUM = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_FOOTNOTE = re.compile(r"\[\d{1,3}\]")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\s*$")
_SENTENCE_END = re.compile(r"[.!?][)\]\"'”’»]*$")
_URL_END = re.compile(r"https?://\S+$")
_ACK_SENTENCE = re.compile(
    r"^\s*(?:(?:special|many|huge|big)\s+)?(?:thanks|thank\s+you|acknowledg)[^.!?]*[.!?]\s*",
    re.IGNORECASE,
)
_ACK_BRACKET = re.compile(
    r"^\s*\[\s*(?:(?:special|many|huge|big)\s+)?(?:thanks|thank\s+you|acknowledg)[^\]]*\]\s*",
    re.IGNORECASE,
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """Collapse stray spacing so that copies differing only in whitespace compare equal."""
    return _SPACES.sub(" ", text).strip()


def strip_footnotes(text: str) -> str:
    """Drop ``[1]``-style markers: they point at page furniture the import does not keep."""
    return clean_text(_FOOTNOTE.sub("", text)).replace(" .", ".").replace(" ,", ",")


def title_key(title: str) -> str:
    """Casefolded letters and digits only, so punctuation and spacing never split a work."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", title).casefold())


def strip_acknowledgement(text: str) -> str:
    """Remove a leading thank-you, which says nothing about the topic."""
    for pattern in (_ACK_BRACKET, _ACK_SENTENCE):
        stripped = pattern.sub("", text, count=1)
        if stripped != text:
            return stripped.strip()
    return text


def is_truncated(text: str) -> bool:
    """True when the source cut the text short: an ellipsis, or no sentence end."""
    text = text.strip()
    if not text:
        return False
    if _ELLIPSIS_END.search(text):
        return True
    return not (_SENTENCE_END.search(text) or _URL_END.search(text))


def _abstract_words(text: str) -> tuple[list[str], bool]:
    """Normalised opening words, and whether the text was cut short."""
    text = nfc(text).strip()
    cut = is_truncated(text)
    head = text[:_PREFIX_CHARS]
    body = strip_acknowledgement(latex_to_unicode(_FOOTNOTE.sub("", head)))
    words = _WORD.findall(unicodedata.normalize("NFKC", body).casefold())
    if words and (cut or len(text) > _PREFIX_CHARS):
        words.pop()  # may be a fragment of a word
    return words, cut


def _digest(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:16]


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
    return _digest(words[:ABSTRACT_WORDS])


@dataclass(frozen=True)
class AbstractKeys:
    """How a text finds other copies of itself.

    ``index`` files the text under its opening 12, 24, 48 and 96 words;
    ``probe`` is the one key it looks itself up with. A cut-off copy probes
    with the longest prefix it has in full, so it finds any longer copy; a
    complete text probes with 96 words (or all of them), so two complete
    abstracts that merely open alike never match.
    """

    probe: str = ""
    index: tuple[str, ...] = ()


def abstract_keys(text: str) -> AbstractKeys:
    words, cut = _abstract_words(text)
    count = len(words)
    if count < MIN_ABSTRACT_WORDS or (cut and count < LADDER[0]):
        return AbstractKeys()
    index = [f"{n}:{_digest(words[:n])}" for n in LADDER if n <= count]
    if cut:
        return AbstractKeys(index[-1], tuple(index))
    length = min(count, LADDER[-1])
    probe = f"{length}:{_digest(words[:length])}"
    if probe not in index:
        index.append(probe)
    return AbstractKeys(probe, tuple(index))
