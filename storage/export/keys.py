"""Citation keys that stay put: the same item gets the same key every export.

A key is built only from facts that do not change when the user annotates or
renames an item (first author's surname, year, first significant word of the
original title), so a LaTeX document citing ``radford2021learning`` keeps
compiling after the next export. Clashes are broken by item id, never by the
order of the export, and every member of a clash gets a letter (2021a, 2021b)
so no key silently changes meaning when a second item arrives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

from storage.export.common import View, date_parts, http_urls
from storage.export.names import split_name

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "or",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "do",
        "does",
        "can",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "via",
        "towards",
        "toward",
        "into",
        "onto",
        "over",
        "under",
        "using",
        "we",
        "our",
        "your",
        "its",
    ]
)
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "ı": "i",
    }
)
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def ascii_key(text: str) -> str:
    """Lowercase ASCII letters and digits only: valid in BibTeX, Biber and pandoc."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = text.encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    return text if text.isalnum() else _NOT_KEY.sub("", text)


def _site(view: View) -> str:
    for url in http_urls(view):
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:  # "https://[x": someone's typo must not stop the export
            continue
        labels = [x for x in host.split(".") if x and x != "www"]
        if labels:
            return ascii_key(labels[0])
    return ""


def base_key(view: View) -> str:
    authors = view.get("authors") or ()
    who = ascii_key(split_name(authors[0]).family) if authors else _site(view)
    year = date_parts(view)[0]
    title = view.get("original_title") or view.get("title") or ""
    word = ""
    for w in title.split():
        word = ascii_key(w)
        if word and word not in _STOPWORDS:
            break
        word = ""
    key = f"{who}{year or ''}{word}"
    return key or "item"


def _letters(n: int) -> str:
    """0 → a, 25 → z, 26 → aa: bijective base 26."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def citation_keys(views: Sequence[View]) -> list[str]:
    """One unique key per view, in the views' order."""
    bases = [base_key(v) for v in views]
    members: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(bases):
        members[b].append(i)
    keys = list(bases)
    taken = {b for b, idx in members.items() if len(idx) == 1}
    for base in sorted(b for b, idx in members.items() if len(idx) > 1):
        idx = sorted(members[base], key=lambda i: str(views[i].get("id", "")))
        n = 0
        for i in idx:
            while (candidate := base + _letters(n)) in taken:
                n += 1
            keys[i] = candidate
            taken.add(candidate)
            n += 1
    return keys
