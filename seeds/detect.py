"""Which format a document is in, judged only by its content.

File names are arbitrary (users rename and download files), so the shape of
the lines decides: an ``Abstract:`` on every line, category-and-date headers,
``Read More`` separators, a page header over blank-line separated blocks, or
lines of prose under a one-line description.
"""

from __future__ import annotations

from seeds.formats import FORMATS
from seeds.formats.common import looks_binary, prepare


def detect_lines(lines: list[str]) -> str | None:
    for module in FORMATS:
        if module.detect(lines):
            return module.KIND
    return None


def detect_kind(text: str) -> str | None:
    """One of ``seeds.model.KINDS``, or None when the text matches none of them."""
    if not text.strip() or looks_binary(text):
        return None
    return detect_lines(prepare(text))
