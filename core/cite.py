"""Citations of items, for the command line (``shelf cite``) and the app's copy menu.

Every style uses the item's stored citation key (``citekey`` in its view),
so a key copied today is the key every export writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from storage.export import export_views
from storage.export.keys import citation_keys
from storage.export.reference import formatted_references
from storage.links import Link, item_links, paper_link

if TYPE_CHECKING:
    from core.session import Session

__all__ = [
    "COPY_CHOICES",
    "STYLES",
    "Link",
    "citation_lines",
    "citations",
    "copy_text",
    "item_links",
    "links_of_item",
    "paper_link",
    "views_of",
]

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


#: What the app's copy menu (``y``) offers: choice -> (menu key, label).
COPY_CHOICES = {
    "key": ("k", "citation key"),
    "bibtex": ("b", "BibTeX"),
    "markdown": ("m", "Markdown link"),
    "text": ("r", "formatted reference"),
    "url": ("u", "URL (paper page)"),
    "id": ("i", "shelf id"),
}


def views_of(session: Session, item_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The views of a few items, with their citation keys."""
    source = session.views(item_ids)
    return source.views_at(range(len(source)))


def copy_text(views: Sequence[Mapping[str, Any]], choice: str) -> str:
    """What ``y`` copies for ``choice``: one line (or BibTeX entry) per item."""
    if choice == "id":
        return "\n".join(str(v["id"]) for v in views)
    if choice == "url":
        links = [paper_link(v) for v in views]
        return "\n".join(link.url for link in links if link is not None)
    return citations(views, choice)


def links_of_item(item: Any) -> list[Link]:
    """The links of a library item (an ``Item``), without building its whole view."""
    return item_links(
        {
            "title": item.title,
            "urls": item.urls,
            "authors": item.authors,
            "category": item.category,
        }
    )
