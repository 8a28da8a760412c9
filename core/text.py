"""Text as a front end shows it: LaTeX read as Unicode, category codes named.

The parser's helpers live in ``seeds``; front ends get them through here so
that no UI module reaches into the parser.
"""

from __future__ import annotations

import re
from typing import Any

from seeds.categories import category_name
from seeds.latex import latex_to_unicode
from storage.source_names import source_name


def readable(text: str) -> str:
    """Abstracts and update notes keep their LaTeX; people read it as Unicode."""
    return latex_to_unicode(text)


__all__ = ["category_name", "readable", "source_name", "visible", "visible_lines", "visible_view"]


# -- text from data, made safe to show ---------------------------------------------
#
# Titles, authors, notes, tags, user and file names come from documents and
# from teammates' files. Printed raw, an OSC 52 sequence in a note fills the
# clipboard, OSC 2 retitles the terminal, CSI 2J blanks the screen. Every
# front end shows such text through ``visible``: control characters become
# visible symbols, so nothing from data ever reaches the terminal as a command.

_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"  # ␡
_KEEP_LINES = {ord("\n"), ord("\t")}
#: Bidirectional overrides reorder what is shown ("Trojan source"); shown by name.
_BIDI = {code: f"<U+{code:04X}>" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ONE_LINE = {**_PICTURES, **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}, **_BIDI}
_MULTI_LINE = {code: text for code, text in _ONE_LINE.items() if code not in _KEEP_LINES}
_NEEDS_ONE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_ONE_LINE)) + "]")
_NEEDS_MULTI = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_MULTI_LINE)) + "]")


def visible(text: str, *, lines: bool = True) -> str:
    """``text`` with every control character shown as a symbol, never sent as one.

    ``lines``: keep newlines and tabs (a note, an abstract); otherwise they
    become symbols too (a title, a tag, a file name on one line).
    """
    table = _MULTI_LINE if lines else _ONE_LINE
    # Most text has nothing to show differently; finding that out is ~20x
    # cheaper than translating (a 20,000-line listing spent 120 ms here).
    if (_NEEDS_MULTI if lines else _NEEDS_ONE).search(text) is None:
        return text
    return text.translate(table)


def visible_lines(lines: list[str]) -> str:
    """``lines`` made ``visible`` one by one (``lines=False``), each ended by a newline.

    Checked as one text first: only the newlines joining them may be there,
    which is true of nearly every listing, and is found out in one search
    instead of 20,000.
    """
    text = "\n".join(lines)
    if (
        _NEEDS_MULTI.search(text) is None
        and "\t" not in text
        and text.count("\n") == len(lines) - 1
    ):
        return text + "\n" if lines else ""
    return "".join(visible(line, lines=False) + "\n" for line in lines)


def visible_view(view: Any) -> Any:
    """A copy of an item view (or any JSON-like value) with every string made ``visible``."""
    if isinstance(view, str):
        return visible(view)
    if isinstance(view, dict):
        return {key: visible_view(value) for key, value in view.items()}
    if isinstance(view, list):
        return [visible_view(value) for value in view]
    return view
