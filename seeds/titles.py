"""Titles for entries that have none (abstracts, blog excerpts).

A derived title must be scannable in a one-line list, so it is built from the
topic sentence: the first sentence when it is short enough, otherwise the
object of a "we present…"/"this post reviews…" sentence (a noun phrase), cut
at a clause boundary. Acknowledgements, citations and asides are dropped
first because they are not the topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from seeds.latex import latex_to_unicode
from seeds.normalize import clean_text, strip_acknowledgement, strip_footnotes

LIMIT = 80
_HEAD = 1200  # the topic sentence is among the first few; ignore the rest
MIN_CUT = 25
MIN_WEAK_CUT = 40

_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "cf",
        "fig",
        "figs",
        "eq",
        "eqs",
        "sec",
        "no",
        "dr",
        "mr",
        "ms",
        "mrs",
        "prof",
        "st",
        "approx",
        "resp",
        "u.s",
    ]
)
_SENTENCE = re.compile(r"[.!?][\"”’)\]]*\s+(?=[A-Z“\"‘(\[])")
_ASIDE = re.compile(
    r"\s*\((?:[^()]*?(?:\bet al\b|\b(?:19|20)\d\d\b|\bi\.e\.|\be\.g\.|\bsee\b|\bcf\.)[^()]*)\)",
    re.IGNORECASE,
)
_VERBS = (
    r"(?:introduce|present|propose|explore|describe|study|investigate|review|examine|analy[sz]e"
    r"|outline|discuss|develop|consider|survey|summari[sz]e|cover|focus on|look at"
    r"|show(?!\s+(?:that|how)\b))"
)
_CONTRIBUTION = re.compile(
    r"(?:^|\bin this (?:paper|work|post|report|article|note|study),?\s+|^here,?\s+)"
    r"(?:we|i)\s+(?:would like to\s+|will\s+|also\s+|first\s+|only\s+)*" + _VERBS + r"\s+"
    r"|^this (?:paper|post|work|report|article|note|study)\s+(?:aims to\s+|will\s+)?"
    + _VERBS
    + r"(?:s|es)?\s+",
    re.IGNORECASE,
)
_STRONG = re.compile(r",\s|;\s|:\s|\s[—–]\s|—|--")
# Relative clauses and means ("… which produces …", "… by fine-tuning …") hang
# off a noun phrase more loosely than prepositions do, so they are cut first.
_RELATIVE = re.compile(r"\s(?:which|that|where|whereby|while|when|by|using|via|through)\s")
_PREPOSITION = re.compile(
    r"\s(?:to|on|in|with|for|from|as|and|without|across|based|at|into|over)\s"
)
# A first sentence opening with a subordinate clause: its first comma ends the
# clause, not the topic ("In my earlier post on meta-learning, the problem …").
_INTRODUCTORY = re.compile(
    r"^(?:in|while|although|though|as|when|if|since|given|with|for|after|before|due|because"
    r"|unlike|despite|here|to|on|at|by|over|during|once|whereas)\b",
    re.IGNORECASE,
)
_NOT_A_NOUN = re.compile(r"^(?:more|further|deeper|into|in|about|on|to|deeply)\b", re.IGNORECASE)
_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "and",
        "or",
        "by",
        "from",
        "as",
        "at",
        "that",
        "which",
        "is",
        "are",
        "its",
        "their",
        "such",
        "this",
        "these",
        "our",
        "we",
    ]
)


def iter_sentences(text: str) -> Iterator[str]:
    """Sentences in order, not split after "et al." or "e.g."; lazily, as titles need few."""
    start = 0
    for match in _SENTENCE.finditer(text):
        before = text[max(start, match.start() - 12) : match.start()].rsplit(None, 1)
        last = before[-1].lower().lstrip("(") if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        yield text[start : match.end()].strip()
        start = match.end()
    rest = text[start:].strip()
    if rest:
        yield rest


def sentences(text: str, limit: int = 6) -> list[str]:
    """The first ``limit`` sentences."""
    return list(islice(iter_sentences(text), limit))


def _tidy(text: str) -> str:
    if "(" in text:
        text = clean_text(_ASIDE.sub("", text)).replace(" ,", ",")
    return text.rstrip(" .,;:")


_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"))


def _unmatched(text: str, opening: str, closing: str) -> tuple[list[int], list[int]]:
    """Positions of openers never closed and of closers never opened."""
    opened: list[int] = []
    stray: list[int] = []
    for i, char in enumerate(text):
        if char == opening:
            opened.append(i)
        elif char == closing:
            if opened:
                opened.pop()
            else:
                stray.append(i)
    return opened, stray


_BRACKETS = "".join(o + c for o, c in _PAIRS) + " "


def _balanced(text: str) -> str:
    """No dangling brackets or quotes.

    Mending one kind can unbalance another (cutting before an odd quote in
    ``["]`` leaves ``[``), so the passes repeat until nothing changes; each
    one only ever shortens the text.
    """
    while True:
        mended = _balanced_once(text)
        if mended == text:
            return text
        text = mended


def _balanced_once(text: str) -> str:
    """Cut before an opener the cut left unclosed, drop stray closers, pair quotes."""
    for opening, closing in _PAIRS:
        if opening not in text and closing not in text:
            continue
        opened, stray = _unmatched(text, opening, closing)
        if opened and text[: opened[0]].strip():
            text = text[: opened[0]].rstrip()
            opened, stray = _unmatched(text, opening, closing)
        drop = set(opened) | set(stray)
        if drop:
            text = "".join(c for i, c in enumerate(text) if i not in drop).strip()
    if text.count('"') % 2:
        cut = text[: text.rindex('"')].rstrip()
        # A cut that leaves only brackets ("[" of '["x]') keeps nothing worth
        # having; the quote marks go instead.
        text = cut if cut.strip(_BRACKETS) else text.replace('"', "").strip()
    return text


def _cut(text: str, pattern: re.Pattern[str], shortest: int = MIN_CUT) -> str | None:
    cuts = [m.start() for m in pattern.finditer(text, shortest, LIMIT + 16) if m.start() <= LIMIT]
    return text[: cuts[-1]].rstrip(" ,;:—–-") if cuts else None


def _first_cut(text: str, pattern: re.Pattern[str]) -> str | None:
    """Before the first relative clause: what it modifies is the noun phrase."""
    match = pattern.search(text, MIN_CUT, LIMIT + 16)
    return text[: match.start()].rstrip(" ,;:—–-") if match and match.start() <= LIMIT else None


def _trim_words(text: str) -> str:
    """Whole words and an ellipsis, together within ``LIMIT``.

    Dropping the last, partial word leaves room for the ellipsis; a text with
    no space to cut at is cut one character short instead.
    """
    head = text[:LIMIT]
    if len(text) <= LIMIT:
        words = text.split()
    elif " " in head.strip():
        words = head.rsplit(" ", 1)[0].split()
    else:
        words = [head[: LIMIT - 1]]
    while len(words) > 3 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:—–-") + "…"


def shorten(text: str, noun_phrase: bool = False) -> str:
    """Fit ``text`` in ``LIMIT`` characters, preferring clause boundaries to "…"."""
    if len(text) <= LIMIT:
        return text
    cut = None
    if noun_phrase or not _INTRODUCTORY.match(text):
        cut = _cut(text, _STRONG)
    if cut is None and noun_phrase:
        cut = _first_cut(text, _RELATIVE) or _cut(text, _PREPOSITION, MIN_WEAK_CUT)
    if cut is not None:
        cut = _balanced(cut)
        if len(cut) >= MIN_CUT:
            return cut
    trimmed = _trim_words(text)
    balanced = _balanced(trimmed[:-1])
    return balanced + "…" if balanced != trimmed[:-1] or trimmed.endswith("…") else trimmed


def _contribution(candidates: list[str]) -> str | None:
    for sentence in candidates:
        match = _CONTRIBUTION.search(sentence)
        if match:
            phrase = _tidy(sentence[match.end() :])
            if len(phrase) >= 20 and not _NOT_A_NOUN.match(phrase):
                return phrase
    return None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def derive_title(text: str) -> str:
    """A title-like line for an untitled text; empty only when the text is."""
    body = clean_text(strip_acknowledgement(strip_footnotes(text[:_HEAD])))
    # Sentences are found in the LaTeX as written; only the few that are
    # candidates for the title are rendered, which is much cheaper.
    found = (latex_to_unicode(sentence) for sentence in iter_sentences(body))
    first = _tidy(next(found, ""))
    if not first:
        return ""
    if len(first) <= LIMIT:
        return _capitalised(_balanced(first))
    phrase = _contribution([first, *islice(found, 3)])
    title = shorten(phrase, noun_phrase=True) if phrase else shorten(first)
    return _capitalised(title)
