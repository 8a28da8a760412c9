"""CSL-JSON, the format pandoc's ``--bibliography`` and Zotero read natively.

Item ids are the same citation keys as in the .bib export, so ``[@radford2021learning]``
works with either file. ``issued`` carries ``date-parts`` only when the year
is known (CSL has no yearless date-parts); a yearless date goes in ``literal``
so it still prints as written. The et-al flag becomes a final
``{"literal": "others"}`` author, which is what pandoc's BibTeX reader emits
for ``and others`` and what its citeproc renders as "et al.".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from storage.export.base import Writer, items_of
from storage.export.common import (
    DERIVED_MARK,
    View,
    arxiv_id,
    date_parts,
    doi,
    escape_c1,
    http_urls,
    is_paper,
    note_texts,
    status_label,
    update_lines,
)
from storage.export.layout import Step
from storage.export.names import split_name


def csl_name(name: str) -> dict[str, str]:
    parts = split_name(name)
    if not parts.given and not parts.particle:
        return {"literal": parts.family}
    out = {"family": parts.family, "given": parts.given}
    if parts.particle:
        out["non-dropping-particle"] = parts.particle
    if parts.suffix:
        out["suffix"] = parts.suffix
    return out


def csl_item(view: View, key: str) -> dict[str, Any]:
    paper = is_paper(view)
    item: dict[str, Any] = {"id": key, "type": "article" if paper else "post-weblog"}
    title = view.get("original_title") or view.get("title") or ""
    item["title"] = title
    authors = [csl_name(a) for a in view.get("authors") or () if a and a.strip()]
    if view.get("authors_truncated") and authors:
        authors.append({"literal": "others"})
    if authors:
        item["author"] = authors
    year, month, day = date_parts(view)
    if year:
        parts = [year] + ([month] + ([day] if day else []) if month else [])
        item["issued"] = {"date-parts": [parts]}
    elif view.get("date_text"):
        item["issued"] = {"literal": str(view["date_text"])}
    urls = http_urls(view)
    eprint = arxiv_id(urls)
    if paper and (view.get("category") or eprint):
        item["container-title"] = "arXiv"
        if eprint:
            item["number"] = f"arXiv:{eprint}"
    if urls:
        item["URL"] = urls[0]
    d = doi(urls)
    if d:
        item["DOI"] = d
    summary = view.get("summary")
    if summary:
        item["abstract"] = summary
    tags = view.get("tags")
    if tags:
        item["keyword"] = ", ".join(tags)
    notes = [f"Status: {status_label(view)}"]
    if view.get("renamed") and view.get("title") and view.get("title") != title:
        notes.append(f"Shelf title: {view['title']}")
    if view.get("title_derived"):
        notes.append(f"Title: {DERIVED_MARK}")
    notes.extend(update_lines(view))
    notes.extend(note_texts(view))
    item["note"] = "\n\n".join(notes)
    item["custom"] = {
        "shelf-id": view.get("id"),
        "status": status_label(view),
        "tags": list(tags or ()),
    }
    return item


class CslWriter(Writer):
    """A JSON array written in pieces: each batch is ``orjson``'s indented list
    without its brackets, so the file is byte for byte the one-call dump."""

    needs_keys = True

    def head(self) -> bytes:
        return b"["

    def batch(self, steps: Sequence[Step], views: Sequence[View], index: int) -> bytes:
        keys = self.keys
        items = [csl_item(view, keys[position]) for position, view in items_of(steps, views)]
        if not items:
            return b""
        body = escape_c1(orjson.dumps(items, option=orjson.OPT_INDENT_2)[2:-2])  # no "[\n", "\n]"
        return (b",\n" if index else b"\n") + body

    def tail(self) -> bytes:
        return b"\n]\n" if self.meta.count else b"]\n"
