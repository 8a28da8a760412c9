"""A Markdown reading list to paste into notes, READMEs and issues.

Titles are text, not Markdown: ``[``, ``]``, ``*``, ``_`` and friends are
backslash-escaped so a title like "[RE] Attention_is *all*" cannot break
its own link, and ``<`` is escaped so raw HTML never reaches a renderer.
The same goes for everything else that comes from data (notes, tags,
authors, someone else's tag as a section heading): whatever it holds, each
item stays one checklist item, with no heading, link or HTML of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from storage.export.base import Writer
from storage.export.common import (
    DERIVED_MARK,
    View,
    author_line,
    clean_view,
    clean_views,
    date_label,
    http_urls,
    note_texts,
    status_label,
    update_lines,
    visible,
)
from storage.export.layout import ITEM, OPEN, Step

_MD_SPECIAL = re.compile(r"[\\`*_\[\]<~]|&(?=#?\w+;)")
# Only at the start of a line do these open a block (heading, quote, list),
# or, as a run of ``-`` or ``=`` under a line of text, make that a heading;
# ``>`` opens a quote whatever follows it.
_LINE_START = re.compile(r"^(\s*)(\d*)([#+\-=.)](?=\s|$|#|[-=])|>)", re.M)
# A backslash before the closing parenthesis would escape it and leave the link open.
_URL_UNSAFE = re.compile(r"[\s()<>\[\]\\]")
_BACKTICKS = re.compile(r"`+")


def escape_md(text: str) -> str:
    """Inline text that renders as itself in CommonMark and GitHub Markdown."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)


def _md_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)


def code_span(text: str) -> str:
    """Literal text in a code span; whitespace is folded, since a line break
    inside one would still let the next line start a heading or a list."""
    text = " ".join(text.split())
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in _BACKTICKS.findall(text)) + 1)
    if text[0] == "`" or text[-1] == "`":
        text = f" {text} "  # one space each side is stripped when it renders
    return f"{fence}{text}{fence}"


def item_lines(view: View) -> list[str]:
    return _item_lines(clean_view(view))


def _item_lines(view: View) -> list[str]:
    box = "[x]" if status_label(view) == "read" else "[ ]"
    title = escape_md(view.get("title") or "(untitled)")
    urls = http_urls(view)
    head = f"[{title}]({_md_url(urls[0])})" if urls else f"**{title}**"
    details = [escape_md(x) for x in (author_line(view), date_label(view)) if x]
    if view.get("title_derived"):
        details.insert(0, f"*{DERIVED_MARK}*")
    if view.get("category"):
        details.append(escape_md(str(view["category"])))
    status = status_label(view)
    if status == "reading":
        details.append("*reading*")
    tags = [t for t in view.get("tags") or () if t and not t.isspace()]
    if tags:
        details.append(" ".join(code_span(t) for t in tags))
    line = f"- {box} {head}"
    if details:
        line += " — " + " · ".join(details)
    lines = [line]
    for update in update_lines(view):
        lines.append("  - " + escape_md(update))
    for note in note_texts(view):
        lines.append("")
        for para in note.splitlines() or [""]:
            lines.append(("  > " + escape_md(para)).rstrip())
    if len(lines) > 1:
        lines.append("")
    return lines


class MarkdownWriter(Writer):
    """Lines joined by newlines; every line after the head is written with the
    newline before it, so a batch never needs to know what follows."""

    has_sections = True

    def head(self) -> bytes:
        meta = self.meta
        n = meta.count
        parts = [f"{n} item{'s' if n != 1 else ''}", f"exported {meta.stamp}"]
        if meta.user:
            parts.append(f"for {escape_md(visible(meta.user))}")
        if meta.query:
            parts.append(f"query: {escape_md(visible(meta.query))}")
        return ("# Reading list\n\n_" + ", ".join(parts) + "_\n").encode("utf-8")

    def batch(self, steps: Sequence[Step], views: Sequence[View], index: int) -> bytes:
        out: list[str] = []
        it = iter(clean_views(views))
        for kind, value, *last in steps:
            if kind == ITEM:
                lines = _item_lines(next(it))
                if last[0] and lines[-1] != "":
                    lines.append("")  # a blank line ends each section
                out.extend(f"\n{line}" for line in lines)
            elif kind == OPEN and value is not None:
                out.append(f"\n## {escape_md(visible(value))}\n")
        return "".join(out).encode("utf-8")
