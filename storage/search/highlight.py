"""Where a query matched, as character spans in the strings the TUI displays.

Spans are computed per hit, only when a hit's ``matches`` are read, from the
displayed text itself (renamed title, authors joined with ", ", …), so they
line up with what is on screen whatever normalisation matching used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from storage.search.normalize import MAX_FIELD_CHARS, compound_spans, fold, plain_spans, word_spans
from storage.search.query import tag_key

__all__ = ["Highlighter", "LazySpans"]

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"\S+")
Span = tuple[int, int]
# One query unit: exact terms, typed prefixes, acronym expansions.
Unit = tuple[frozenset[str], tuple[str, ...], tuple[tuple[str, ...], ...]]


class Highlighter:
    def __init__(
        self,
        exact: set[str] | frozenset[str],
        prefixes: tuple[str, ...],
        phrases: list[tuple[tuple[str, ...], bool]],
        acronyms: list[tuple[str, ...]],
        authors: list[str],
        tags: list[str],
        units: list[Unit],
    ) -> None:
        self.exact = exact
        self.prefixes = tuple(sorted(set(prefixes), key=len, reverse=True))
        self._ascii = _ascii_pattern(exact, self.prefixes)
        self.runs = [(words, open_) for words, open_ in phrases] + [(a, False) for a in acronyms]
        self.authors = authors
        self.tags = tags
        self.units = units

    def spans(self, fields: Mapping[str, str]) -> dict[str, list[Span]]:
        out = {}
        for name, text in fields.items():
            found = self.field_spans(name, text)
            if found:
                out[name] = found
        return out

    def field_spans(self, name: str, text: str) -> list[Span]:
        if not text:
            return []
        found = self._text_spans(text)
        if name == "authors" and self.authors:
            found += _word_hits(text, set(self.authors), tuple(self.authors))
        if name == "tags" and self.tags:
            for m in _TAG.finditer(text):
                key = tag_key(m.group())
                if any(key == t or key.startswith(t) for t in self.tags):
                    found.append((m.start(), m.end()))
        return _merge(found) if found else []

    def _text_spans(self, text: str) -> list[Span]:
        found: list[Span] = []
        if self.exact or self.prefixes:
            if self._ascii is not None and text.isascii():
                found += _ascii_hits(text, self._ascii, self.exact, self.prefixes)
            else:
                found += _word_hits(text, self.exact, self.prefixes)
        if self.runs:
            words = [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]
            for run, open_ in self.runs:
                found += _run_hits(words, run, open_)
        return found

    def title_coverage(self, title: str) -> float:
        """Share of the query's words found in ``title`` (for re-ranking)."""
        if not self.units:
            return 0.0
        terms = {t for t, _, _ in word_spans(title)}
        words = [(t, 0, 0) for t in (fold(m.group()) for m in _WORD.finditer(title))]
        hit = 0
        for exact, prefixes, acronyms in self.units:
            if (
                terms & exact
                or (prefixes and any(t.startswith(prefixes) for t in terms))
                or any(_run_hits(words, a, False) for a in acronyms)
            ):
                hit += 1
        return hit / len(self.units)

    def adjacency(self, texts: Iterable[str]) -> float:
        """Share of consecutive query-word pairs found side by side in a text."""
        pairs = len(self.units) - 1
        if pairs < 1:
            return 0.0
        best = 0
        for text in texts:
            if not text:
                continue
            words = [t for t, _, _ in plain_spans(text)]
            where = [
                {i for i, w in enumerate(words) if _unit_matches(unit, w)} for unit in self.units
            ]
            found = sum(
                1 for a, b in zip(where, where[1:], strict=False) if any(p + 1 in b for p in a)
            )
            best = max(best, found)
            if best == pairs:
                break
        return best / pairs


def _unit_matches(unit: Unit, term: str) -> bool:
    exact, prefixes, _ = unit
    return term in exact or bool(prefixes and term.startswith(prefixes))


def _ascii_pattern(exact: Iterable[str], prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex finding every exact term and typed prefix in lowercased ASCII."""
    words = sorted((t for t in exact if t.isascii()), key=len, reverse=True)
    heads = [p for p in prefixes if p.isascii()]
    if len(words) > 200 or not (words or heads):
        return None
    alts = []
    if words:
        alts.append("(?:" + "|".join(map(re.escape, words)) + ")(?![a-z0-9])")
    if heads:
        alts.append("(?:" + "|".join(map(re.escape, heads)) + ")")
    return re.compile("(?<![a-z0-9])(?:" + "|".join(alts) + ")")


_GLUE_OUT = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum()))


def _ascii_hits(
    text: str, pattern: re.Pattern[str], exact: Iterable[str], prefixes: tuple[str, ...]
) -> list[Span]:
    """The fast path: a regex over the lowercased text (same offsets in ASCII)."""
    low = text[:MAX_FIELD_CHARS].lower()
    out = []
    seen = set()
    for m in pattern.finditer(low):
        out.append(m.span())
        seen.add(m.group())
    unseen = [t for t in exact if t not in seen]
    heads = [p for p in prefixes if not any(t.startswith(p) for t in seen)]
    if unseen or heads:  # maybe a joined form ("gpt4" in "GPT-4") or a camel part
        glued = low.translate(_GLUE_OUT)
        if any(t in glued for t in unseen) or any(p in glued for p in heads):
            wanted = set(unseen)
            for term, start, end in compound_spans(text):
                if term in wanted:
                    out.append((start, end))
                    continue
                head = next((p for p in heads if term.startswith(p)), None)
                if head is not None:
                    out.append((start, _alnum_end(text, start, len(head))))
    return out


def _alnum_end(text: str, start: int, count: int) -> int:
    """Offset just past the ``count``-th letter or digit from ``start``."""
    i = start
    while i < len(text) and count > 0:
        if text[i].isalnum():
            count -= 1
        i += 1
    return i


def _word_hits(text: str, exact: Iterable[str], prefixes: tuple[str, ...]) -> list[Span]:
    exact = exact if isinstance(exact, set | frozenset) else set(exact)
    out = []
    seen = set()
    for term, start, end in plain_spans(text):
        if term in exact:
            out.append((start, end))
            seen.add(term)
        elif prefixes and term.startswith(prefixes):
            longest = max(len(p) for p in prefixes if term.startswith(p))
            out.append((start, min(end, start + longest)))
            seen.add(term)
    heads = [p for p in prefixes if not any(t.startswith(p) for t in seen)]
    if len(seen) < len(exact) or heads:  # some term may be a joined form or camel part
        for term, start, end in compound_spans(text):
            if term in exact:
                out.append((start, end))
                continue
            head = next((p for p in heads if term.startswith(p)), None)
            if head is not None:
                out.append((start, _alnum_end(text, start, len(head))))
    return out


def _run_hits(words: list[tuple[str, int, int]], run: tuple[str, ...], open_: bool) -> list[Span]:
    n = len(run)
    out = []
    for i in range(len(words) - n + 1):
        if all(words[i + k][0] == run[k] for k in range(n - 1)):
            last = words[i + n - 1][0]
            if last == run[-1] or (open_ and last.startswith(run[-1])):
                out.append((words[i][1], words[i + n - 1][2]))
    return out


def _merge(spans: list[Span]) -> list[Span]:
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            if end > last_end:
                merged[-1] = (last_start, end)
        else:
            merged.append((start, end))
    return merged


class LazySpans(Mapping[str, list[Span]]):
    """Field -> spans, each field worked out when first read.

    A list row reads ``matches.get("title")``; only the detail pane needs the
    summary's spans, which cost the most. A field's text may be given as a
    function, called only then: the abstract may have to be fetched.
    """

    def __init__(
        self, fields: Mapping[str, str | Callable[[], str]], highlighter: Highlighter
    ) -> None:
        self._fields = fields
        self._hl = highlighter
        self._done: dict[str, list[Span]] = {}

    def _get(self, name: str) -> list[Span]:
        got = self._done.get(name)
        if got is None:
            text = self._fields.get(name, "")
            if not isinstance(text, str):
                text = text()
            got = self._done[name] = self._hl.field_spans(name, text)
        return got

    def __getitem__(self, name: str) -> list[Span]:
        got = self._get(name)
        if not got:
            raise KeyError(name)
        return got

    def __iter__(self) -> Iterator[str]:
        return iter([name for name in self._fields if self._get(name)])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))
