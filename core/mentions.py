"""Links from an item's update notes to the items of the library they name.

A note like "published on OpenAI Blog: “Techniques for Training Large Neural
Networks”" names a work the library may hold. The link is made when the item
is shown, not when it is imported: the named item can arrive later (a feed,
another document), and a link stored at import would miss it.

Only an exact title counts (case, punctuation and spacing aside, as merge keys
compare titles): a quoted section name ("the “Momentum Contrast” section")
that happens to resemble a title is not a link, and a wrong link is worse
than none. Looking the names up is the caller's: the app has every title in
memory, a command asks the search index (see ``Session.view``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from seeds.normalize import title_key
from seeds.notes import named_titles

#: ``lookup(name)``: (id, title) of items that may be titled ``name``; checked here.
Lookup = Callable[[str], Iterable[tuple[str, str]]]


def mentioned_names(updates: Sequence[Mapping[str, Any]]) -> list[str]:
    """The names an item's update notes give (a view's ``updates``), each once."""
    names = (name for update in updates for name in named_titles(update["text"]))
    return list(dict.fromkeys(names))


def links_to(
    item_id: str, updates: Sequence[Mapping[str, Any]], lookup: Lookup
) -> list[dict[str, str]]:
    """``[{"id", "title"}]``: the other items whose title a note names, in the notes' order."""
    links: dict[str, dict[str, str]] = {}
    for name in mentioned_names(updates):
        key = title_key(name)
        if not key:
            continue
        for other, title in lookup(name):
            if other != item_id and other not in links and title_key(title) == key:
                links[other] = {"id": other, "title": title}
    return list(links.values())


class TitleIndex:
    """Item ids by title key over a list's columns (ids, titles), built when first asked.

    The app's model holds every title already; building the index reads them
    once (the first time an item with a named title is shown) and again only
    when the columns are replaced.
    """

    def __init__(self) -> None:
        self._source: object = None
        self._by_key: dict[str, list[tuple[str, str]]] = {}

    def lookup(self, ids: Sequence[str], titles: Sequence[str]) -> Lookup:
        def find(name: str) -> list[tuple[str, str]]:
            if self._source is not titles:
                by_key: dict[str, list[tuple[str, str]]] = {}
                for item_id, title in zip(ids, titles, strict=True):
                    by_key.setdefault(title_key(title), []).append((item_id, title))
                self._by_key, self._source = by_key, titles
            return self._by_key.get(title_key(name), [])

        return find
