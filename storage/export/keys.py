"""Citation keys that stay put: an item gets its key once and keeps it.

A key is made (:func:`base_key`) from the first author's surname, the year
and the first significant word of the original title (``radford2021learning``);
an item without authors uses its site or source (``openai``, ``blog``) and two
title words instead. The library stores the key with the item when the item
first arrives (:func:`assign_citekeys`), so later imports, other items, the
subset exported and its order never change it: a LaTeX document citing a key
keeps compiling. Clashes get letters (``…a``, ``…b``) in import order.

:func:`citation_keys` is what the exports use: a view's stored key
(``citekey``) when it has one; views without (sample data, tests) get keys
computed the same way, clashes broken by item id, never by the export's order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from storage.export.common import View, date_parts, http_urls
from storage.export.names import split_name

if TYPE_CHECKING:
    from seeds.model import Item

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
        "it",
        "i",
        "you",
        "he",
        "she",
        "they",
        "us",
        "my",
        "this",
        "that",
        "these",
        "those",
        "use",
        "uses",
        "used",
        "not",
        "no",
        "all",
        "some",
        "any",
        "new",
        "here",
        "there",
        "about",
        "more",
        "most",
        "than",
        "then",
        "so",
        "if",
        "but",
        "has",
        "have",
        "had",
        "was",
        "were",
        "been",
        "will",
        "would",
        "should",
        "could",
        "may",
        "might",
        "today",
        "now",
        "also",
        "just",
        "between",
        "through",
        "after",
        "before",
        "part",
        "item",
    ]
)
STOPWORDS = _STOPWORDS
#: Where a key may come from when an item has no authors and no web link.
_KIND_NAMES = {
    "blog_listing": "blog",
    "blog_excerpts": "blog",
    "feed": "blog",
    "research_page": "research",
    "arxiv_abstracts": "arxiv",
    "arxiv_feed": "arxiv",
    "paper_listing": "paper",
}
#: What a user's own key may hold: what BibTeX, Biber and pandoc all accept.
USER_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]{0,79}$")
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


def _title_words(title: str, count: int) -> list[str]:
    """The first ``count`` significant words: no stop word, no bare number."""
    words: list[str] = []
    for w in title.split():
        word = ascii_key(w)
        if word and word not in _STOPWORDS and not word.isdigit():
            words.append(word)
            if len(words) == count:
                break
    return words


def _source_name(view: View) -> str:
    for kind in view.get("kinds") or ():
        if kind in _KIND_NAMES:
            return _KIND_NAMES[kind]
    return ""


def base_key(view: View) -> str:
    """``authorYearWord``; without authors ``siteYearWordWord`` (site or source kind)."""
    authors = view.get("authors") or ()
    who = ascii_key(split_name(authors[0]).family) if authors else ""
    year = date_parts(view)[0]
    title = view.get("original_title") or view.get("title") or ""
    if who:
        words = _title_words(title, 1)
    else:
        who = _site(view) or _source_name(view)
        words = _title_words(title, 2)
    key = f"{who}{year or ''}{''.join(words)}"
    if not key or key[0].isdigit():
        key = "item" + key
    return key


def _letters(n: int) -> str:
    """0 → a, 25 → z, 26 → aa: bijective base 26."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def citation_keys(views: Sequence[View]) -> list[str]:
    """One unique key per view, in the views' order: the stored key when there is one."""
    keys = [str(v.get("citekey") or "") for v in views]
    taken = {k for k in keys if k}
    members: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        if not keys[i]:
            members[base_key(v)].append(i)
    clashes = []
    for base, idx in members.items():
        if len(idx) == 1 and base not in taken:
            keys[idx[0]] = base
            taken.add(base)
        else:
            clashes.append(base)
    for base in sorted(clashes):
        idx = sorted(members[base], key=lambda i: str(views[i].get("id", "")))
        n = 0
        for i in idx:
            while (candidate := base + _letters(n)) in taken:
                n += 1
            keys[i] = candidate
            taken.add(candidate)
            n += 1
    return keys


def _item_facts(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "original_title": item.title,
        "authors": item.authors,
        "date": item.date,
        "date_text": item.date_text,
        "urls": item.urls,
        "kinds": item.kinds,
    }


def assign_citekeys(items: Iterable[Item], taken: set[str]) -> list[Item]:
    """Give each item without a key its key, in the items' order; ``taken`` grows.

    Items that share a base key in this batch all get letters (``a``, ``b``,
    … in order); a lone item whose base key is already taken gets the next
    free letter. Returns the items that were given a key.
    """
    todo = [item for item in items if not item.citekey]
    bases = [base_key(_item_facts(item)) for item in todo]
    counts: dict[str, int] = defaultdict(int)
    for b in bases:
        counts[b] += 1
    # Where the search for a base's next free letter resumes: every letter
    # before it was taken when last looked, and ``taken`` only grows. From
    # ``a`` each time, 5,000 items sharing a base (a large feed's untitled
    # posts, say) cost 12 million lookups, and a 1M-item import stalled.
    resume: dict[str, int] = {}
    for item, base in zip(todo, bases, strict=True):
        if counts[base] == 1 and base not in taken:
            key = base
        else:
            n = resume.get(base, 0)
            while (key := base + _letters(n)) in taken:
                n += 1
            resume[base] = n + 1
        item.citekey = key
        taken.add(key)
    return todo
