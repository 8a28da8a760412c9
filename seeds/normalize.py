"""Keys that let different copies of the same work find each other.

Documents disagree on capitalisation, punctuation (``DALL·E`` / ``DALL-E``),
Unicode composition and how much of an abstract they show, so matching works
on normalised keys rather than on the text as written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from seeds.latex import latex_to_unicode

#: Words of an abstract that make up its fingerprint. Long enough that two
#: different works practically never share it, short enough that the cut-off
#: summaries of blog listings (roughly 50 words) still carry all of it.
ABSTRACT_WORDS = 24
#: Below this many words a text is too generic ("Coming soon.") to identify a work.
MIN_ABSTRACT_WORDS = 8

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


def abstract_key(text: str) -> str:
    """Fingerprint of an abstract's opening words, shared by full and cut-off copies.

    A copy cut mid-word loses its last word; what is left is compared on its
    first ``ABSTRACT_WORDS`` words (or all of them when shorter, which then only
    matches an identical short text). Empty when the text is too short to tell
    works apart.
    """
    body = strip_acknowledgement(latex_to_unicode(_FOOTNOTE.sub("", nfc(text))))
    words = _WORD.findall(unicodedata.normalize("NFKC", body).casefold())
    if is_truncated(body) and words:
        words.pop()
    if len(words) < MIN_ABSTRACT_WORDS:
        return ""
    joined = " ".join(words[:ABSTRACT_WORDS])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]
