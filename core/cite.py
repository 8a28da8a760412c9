"""Citations of items, for the command line (``shelf cite``) and the app's copy menu.

Every style uses the item's stored citation key (``citekey`` in its view),
so a key copied today is the key every export writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from storage.export import export_views
from storage.export.keys import citation_keys
from storage.export.reference import formatted_references
from storage.links import Link, item_links, paper_link

__all__ = ["STYLES", "Link", "citation_lines", "citations", "item_links", "paper_link"]

#: ``shelf cite --style``: what each prints.
STYLES = {
    "key": "the citation keys",
    "bibtex": "BibTeX entries",
    "markdown": "Markdown links: [Title](paper page)",
    "text": "formatted references (Cite Them Right, Harvard; a CSL style)",
}


def _markdown(view: Mapping[str, Any]) -> str:
    title = str(view.get("title") or "")
    for ch in "\\[]":
        title = title.replace(ch, "\\" + ch)
    link = paper_link(view)
    if link is None:
        return title
    url = link.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{title}]({url})"


def citation_lines(views: Sequence[Mapping[str, Any]], style: str) -> list[str]:
    """One citation per view (a BibTeX entry may span lines), in the views' order."""
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r} (choose from {', '.join(STYLES)})")
    keys = citation_keys(views)
    if style == "key":
        return list(keys)
    if style == "markdown":
        return [_markdown(v) for v in views]
    if style == "text":
        return formatted_references(views, keys)
    return [export_views([v], "bib").decode("utf-8").rstrip("\n") for v in views]


def citations(views: Sequence[Mapping[str, Any]], style: str) -> str:
    """The citations as one text: BibTeX entries separated by a blank line, others by newlines."""
    lines = citation_lines(views, style)
    return ("\n\n" if style == "bibtex" else "\n").join(lines)
