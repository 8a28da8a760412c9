"""The public shape of an item: what ``--json`` prints and exports carry.

This is a contract with scripts outside the repository: fields are added,
never renamed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from seeds.categories import category_name
from seeds.model import Item
from storage.corrections import padded_date
from storage.model import Annotation
from storage.source_names import source_name

_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)


def arxiv_id(urls: Sequence[str]) -> str | None:
    """The arXiv id an item's abs or PDF link names (without a version), or None."""
    for url in urls:
        match = _ARXIV_URL.match(url)
        if match:
            return match["id"].lower() if "/" in match["id"] else match["id"]
    return None


def doi_of(urls: Sequence[str]) -> str | None:
    """The DOI an item's doi.org link names (as registered, lower-cased), or None."""
    for url in urls:
        match = _DOI_URL.match(url)
        if match:
            return unquote(match["doi"]).lower()
    return None


def display_title(item: Item, ann: Annotation | None) -> str:
    return ann.title if ann is not None and ann.title else item.title


def annotation_view(ann: Annotation) -> dict[str, Any]:
    return {
        "read": ann.status == "read",
        "status": ann.status,
        "status_at": ann.status_at,
        "read_at": ann.read_at,
        "tags": list(ann.tags),
        "notes": [{"text": n.text, "created": n.created} for n in ann.notes],
        "corrections": dict(ann.corrections),
    }


def corrected(item: Item, corrections: Mapping[str, Any]) -> Item:
    """``item`` with the user's corrections applied (a copy; the library's item is shared)."""
    if not corrections:
        return item
    changes: dict[str, Any] = {}
    if "authors" in corrections:
        changes["authors"] = list(corrections["authors"])
        changes["authors_truncated"] = False
    if "date" in corrections:
        date = corrections["date"]
        changes["date_text"] = date or None
        changes["date"] = padded_date(date) or None
    if "urls" in corrections:
        changes["urls"] = list(corrections["urls"])
    if "abstract" in corrections:
        changes["summary"] = corrections["abstract"]
    return dataclasses.replace(item, **changes) if changes else item


def item_view(
    item: Item,
    ann: Annotation | None = None,
    others: Mapping[str, Annotation] | None = None,
    summary: str | None = None,
    new: bool | None = None,
) -> dict[str, Any]:
    """``summary``: the abstract, when ``item`` was loaded without it.

    ``new``: whether the item is new to the user (``is:new``, worked out by
    the caller); given, the view has ``new`` and ``arrived`` (when the item
    entered the library, or None). Exports leave it out.
    """
    ann = ann or Annotation(item_id=item.id)
    if ann.corrections:
        item = corrected(item, ann.corrections)
        if "abstract" in ann.corrections:
            summary = ann.corrections["abstract"]
    renamed = bool(ann.title)
    view: dict[str, Any] = {
        "id": item.id,
        "title": display_title(item, ann),
        "title_derived": item.title_derived and not renamed,
        "original_title": item.title,
        "renamed": renamed,
        "authors": list(item.authors),
        "authors_truncated": item.authors_truncated,
        "affiliations": list(item.affiliations),
        "date": item.date,
        "date_text": item.date_text,
        "category": item.category,
        "category_name": category_name(item.category) if item.category else None,
        "has_code": item.has_code,
        "summary": item.summary if summary is None else summary,
        "urls": list(item.urls),
        "updates": [{"date": u.date, "text": u.text} for u in item.updates],
        "sources": list(item.sources),
        "source_names": [source_name(s) for s in item.sources],
        "kinds": list(item.kinds),
        "arxiv_id": arxiv_id(item.urls),
        "doi": doi_of(item.urls),
        "venue": ann.corrections.get("venue"),
        "citekey": ann.corrections.get("key") or item.citekey or None,
        "entry_type": item.entry_type or None,
        "bib_fields": dict(item.bib_fields),
    }
    view.update(annotation_view(ann))
    view["others"] = {
        user: {k: v for k, v in annotation_view(other).items() if k != "read"}
        for user, other in sorted((others or {}).items())
    }
    if new is not None:
        view["new"] = new
        view["arrived"] = item.arrived or None
    return view


class ItemViews:
    """Views of a list of items, built when asked for, a batch at a time.

    An export of 100,000 items streams through this: only the batch being
    written has views (and abstracts) in memory, instead of all of them.
    ``texts`` reads the abstracts of a batch of ids in bulk.
    """

    def __init__(
        self,
        item_ids: Sequence[str],
        items: Mapping[str, Item],
        annotations: Mapping[str, Annotation],
        others: Mapping[str, Mapping[str, Annotation]],
        texts: Callable[[Sequence[str]], list[str]],
        new_ids: Container[str] | None = None,
    ) -> None:
        """``new_ids``: the items new to the user; given, views say which (``new``)."""
        self.ids = item_ids
        self._items = items
        self._annotations = annotations
        self._others = others
        self._texts = texts
        self._new_ids = new_ids

    def __len__(self) -> int:
        return len(self.ids)

    def views_at(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        ids = [self.ids[p] for p in positions]
        items, anns, others = self._items, self._annotations, self._others
        new_ids = self._new_ids
        out = []
        for item_id, text in zip(ids, self._texts(ids), strict=True):
            theirs = {user: a[item_id] for user, a in others.items() if item_id in a}
            new = None if new_ids is None else item_id in new_ids
            out.append(item_view(items[item_id], anns.get(item_id), theirs, text, new))
        return out

    def facts(self) -> list[dict[str, Any]]:
        """The fields citation keys and sections are made from, cheap to build for all items."""
        items, anns = self._items, self._annotations
        out = []
        for item_id in self.ids:
            item, ann = items[item_id], anns.get(item_id)
            out.append(
                {
                    "id": item_id,
                    "title": display_title(item, ann),
                    "original_title": item.title,
                    "authors": item.authors,
                    "date": item.date,
                    "date_text": item.date_text,
                    "urls": item.urls,
                    "kinds": item.kinds,
                    "citekey": (ann.corrections.get("key") if ann is not None else None)
                    or item.citekey
                    or None,
                    "status": ann.status if ann is not None else "unread",
                    "tags": ann.tags if ann is not None else (),
                }
            )
        return out
