"""One self-contained HTML page: opens offline, prints well, runs nothing.

Every value goes through ``html.escape``; only http(s) URLs become links; and
a Content-Security-Policy forbids scripts outright, so even a mistake in the
escaping could not run a ``<script>`` that arrived in a title or note.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from storage.export.base import Writer
from storage.export.common import (
    DERIVED_MARK,
    View,
    author_line,
    clean_views,
    date_label,
    http_urls,
    status_label,
    update_lines,
    visible,
)
from storage.export.layout import CLOSE, ITEM, OPEN, Step

_STYLE = """
:root { color-scheme: light dark; --muted: #666; --line: #ddd; --tag: #eef; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --line: #444; --tag: #334; } }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
header p { color: var(--muted); margin-top: 0; }
ol { list-style: none; padding: 0; }
li.item { border-top: 1px solid var(--line); padding: .75rem 0; }
.box { font-size: 1.1em; margin-right: .4em; }
.title { font-weight: 600; }
.meta { color: var(--muted); font-size: .9em; }
.tag { background: var(--tag); border-radius: .3em; padding: 0 .35em; margin-right: .25em; font-size: .85em; }
blockquote { margin: .4rem 0 .4rem 1.6rem; padding-left: .75rem; border-left: 3px solid var(--line); white-space: pre-wrap; }
details { margin-left: 1.6rem; font-size: .92em; }
summary { cursor: pointer; color: var(--muted); }
.status-reading .box { color: #c80; }
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


def _item(view: View) -> str:
    """``view`` has been through ``clean_views``."""
    status = status_label(view)
    box = "☑" if status == "read" else ("◐" if status == "reading" else "☐")
    title = escape(view.get("title") or "(untitled)")
    urls = http_urls(view)
    if urls:
        title = f'<a href="{escape(urls[0], quote=True)}" rel="noreferrer">{title}</a>'
    parts = [
        f'<li class="item status-{escape(status, quote=True)}">',
        f'<span class="box" title="{escape(status, quote=True)}">{box}</span>',
        f'<span class="title">{title}</span>',
    ]
    meta = [DERIVED_MARK if view.get("title_derived") else "", author_line(view), date_label(view)]
    if view.get("category"):
        name = view.get("category_name")
        meta.append(f"{view['category']} ({name})" if name else str(view["category"]))
    meta.append(status)
    meta_html = " · ".join(escape(m) for m in meta if m)
    tags = "".join(f'<span class="tag">{escape(t)}</span>' for t in view.get("tags") or ())
    parts.append(f'<div class="meta">{meta_html}{" · " + tags if tags else ""}</div>')
    for note in view.get("notes") or ():
        text = note.get("text")
        if text:
            created = note.get("created")
            cite = f' title="{escape(str(created), quote=True)}"' if created else ""
            parts.append(f"<blockquote{cite}>{escape(str(text))}</blockquote>")
    updates = update_lines(view)
    if updates:
        items = "".join(f"<li>{escape(u)}</li>" for u in updates)
        parts.append(f'<ul class="updates">{items}</ul>')
    summary = view.get("summary")
    if summary:
        parts.append(f"<details><summary>Abstract</summary><p>{escape(summary)}</p></details>")
    parts.append("</li>")
    return "".join(parts)


class HtmlWriter(Writer):
    """Lines joined by newlines, each written with the newline before it."""

    has_sections = True

    def head(self) -> bytes:
        m = self.meta
        meta = [f"{m.count} item{'s' if m.count != 1 else ''}", f"exported {m.stamp}"]
        if m.user:
            meta.append(f"for {visible(m.user)}")
        if m.query:
            meta.append(f"query: {visible(m.query)}")
        lines = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>Reading list</title>",
            f"<style>\n{_STYLE}\n</style>",
            "</head>",
            "<body>",
            "<header><h1>Reading list</h1>",
            f"<p>{escape(', '.join(meta))}</p></header>",
            "<main>",
        ]
        return "\n".join(lines).encode("utf-8")

    def batch(self, steps: Sequence[Step], views: Sequence[View], index: int) -> bytes:
        out: list[str] = []
        it = iter(clean_views(views))
        for kind, value, *_ in steps:
            if kind == ITEM:
                out.append("\n" + _item(next(it)))
            elif kind == OPEN:
                out.append("\n<section>")
                if value is not None:
                    out.append(f"\n<h2>{escape(visible(value))}</h2>")
                out.append("\n<ol>")
            elif kind == CLOSE:
                out.append("\n</ol></section>")
        return "".join(out).encode("utf-8")

    def tail(self) -> bytes:
        return b"\n</main>\n</body>\n</html>\n"
