"""A Markdown reading list to paste into notes, READMEs and issues.

Titles are text, not Markdown: ``[``, ``]``, ``*``, ``_`` and friends are
backslash-escaped so a title like "[RE] Attention_is *all*" cannot break
its own link, and ``<`` is escaped so raw HTML never reaches a renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from storage.export.common import (
    View,
    author_line,
    date_label,
    groups,
    http_urls,
    note_texts,
    status_label,
)

_MD_SPECIAL = re.compile(r"[\\`*_\[\]<~]|&(?=#?\w+;)")
# Only at the start of a line do these open a block (heading, quote, list).
_LINE_START = re.compile(r"^(\s*)(\d*)([#>+\-=.)])(?=\s|$|#)", re.M)
_URL_UNSAFE = re.compile(r"[\s()<>\[\]]")


def escape_md(text: str) -> str:
    """Inline text that renders as itself in CommonMark and GitHub Markdown."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)


def _md_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)


def item_lines(view: View) -> list[str]:
    box = "[x]" if status_label(view) == "read" else "[ ]"
    title = escape_md(view.get("title") or "(untitled)")
    urls = http_urls(view)
    head = f"[{title}]({_md_url(urls[0])})" if urls else f"**{title}**"
    details = [escape_md(x) for x in (author_line(view), date_label(view)) if x]
    if view.get("category"):
        details.append(escape_md(str(view["category"])))
    status = status_label(view)
    if status == "reading":
        details.append("*reading*")
    tags = view.get("tags") or ()
    if tags:
        details.append(" ".join(f"`{t.replace('`', '')}`" for t in tags))
    line = f"- {box} {head}"
    if details:
        line += " — " + " · ".join(details)
    lines = [line]
    for note in note_texts(view):
        lines.append("")
        for para in note.splitlines() or [""]:
            lines.append(("  > " + escape_md(para)).rstrip())
    if len(lines) > 1:
        lines.append("")
    return lines


def export_markdown(
    views: Sequence[View], *, query: str, user: str, exported_at: str, group_by: str | None
) -> str:
    out = ["# Reading list", ""]
    meta = [f"{len(views)} item{'s' if len(views) != 1 else ''}", f"exported {exported_at}"]
    if user:
        meta.append(f"for {escape_md(user)}")
    if query:
        meta.append(f"query: {escape_md(query)}")
    out += ["_" + ", ".join(meta) + "_", ""]
    for heading, members in groups(views, group_by):
        if heading is not None:
            out += [f"## {escape_md(heading)}", ""]
        for view in members:
            out += item_lines(view)
        if out[-1] != "":
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
