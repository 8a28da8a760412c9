"""Documents that are plainly something else: Markdown, source code, CSV, TOML/INI.

The loosest formats (research pages, blog excerpts: titles over prose) would
otherwise claim almost any text: ``shelf import README.md`` added nine items
called ``# shelf``, ``## Two commands on a fresh machine`` … The scraped pages
shelf reads never contain these marks, so a document that is dominated by
them is refused by name before detection, unless a format is forced.
"""

from __future__ import annotations

import re

_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_CODE = re.compile(
    r"^\s*(def |class |import \w|from [\w.]+ import |#include |function |const |let |var |"
    r"public |private |package |fn |use [\w:]+;|return\b|if .*[:{]\s*$|\}\s*$|\{\s*$)"
)
_SECTION = re.compile(r"^\s*\[[\w.\-\" ]+\]\s*$")
_KEY_VALUE = re.compile(r"^\s*[\w.\-\"]+\s*=\s*\S")
_SEPARATED = re.compile(r"[,;\t]")


def foreign_kind(lines: list[str]) -> str | None:
    """A name for what the text is instead ("Markdown", "source code", …), or None."""
    body = [line for line in lines if line.strip()]
    if not body:
        return None
    n = len(body)
    if sum(1 for line in body if _SECTION.match(line)) >= 1 and sum(
        1 for line in body if _KEY_VALUE.match(line)
    ) >= max(2, n // 4):
        return "a TOML or INI file ([sections] and key = value lines)"
    if any(_MD_FENCE.match(line) for line in body) or sum(
        1 for line in body if _MD_HEADING.match(line) or _MD_TABLE.match(line)
    ) >= max(2, n // 20):
        return "Markdown (# headings, ``` fences or | tables)"
    if sum(1 for line in body if _CODE.match(line)) >= max(3, n // 5):
        return "source code"
    counts = [len(_SEPARATED.findall(line)) for line in body[:200]]
    short = sum(len(line) for line in body[:200]) / len(counts) < 160
    same = sum(1 for c in counts if c == counts[0]) >= 0.8 * len(counts)
    if n >= 3 and counts[0] >= 2 and short and same:
        sentences = sum(1 for line in body[:200] if re.search(r"[a-z]{3,}[.!?](\s|$)", line))
        if sentences < len(counts) / 2:
            return "a table (comma or tab separated values)"
    return None
