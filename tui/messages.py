"""What the app tells its screens, as typed Messages handled with ``@on``.

The app owns the session; screens learn what changed only from these. They
do not bubble: the app posts one to each screen on the stack.
"""

from __future__ import annotations

from textual.message import Message

from core.jobs import JobOutcome
from core.related import Related


class _ToScreens(Message, bubble=False):
    pass


class AnnotationsChanged(_ToScreens):
    """This process saved a change to ``ids``; the model already holds it."""

    def __init__(self, ids: frozenset[str]) -> None:
        super().__init__()
        self.ids = ids


class LibraryReloaded(_ToScreens):
    """The library was loaded, or another process changed the files.

    ``ids``: items whose annotations changed; ``items``: the library itself
    changed (an import, or the first load replacing the cached rows);
    ``others``: other users' files changed.
    """

    def __init__(self, ids: frozenset[str], items: bool, others: bool) -> None:
        super().__init__()
        self.ids = ids
        self.items = items
        self.others = others


class NewItemsChanged(_ToScreens):
    """What is new to the user changed (``app.model.new_ids``): items arrived,
    or were opened, marked or caught up on."""


class TextsLoaded(_ToScreens):
    """Abstracts can be shown now."""


class IndexReady(_ToScreens):
    """Searching works now (or again, after the library changed)."""


class IndexFailed(_ToScreens):
    """Searching is off; the list, facets and every key still work."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class UndoChanged(_ToScreens):
    """What ``u`` and ``ctrl+r`` would undo and redo changed (``ShelfApp.undo_label``)."""


class JobFinished(Message):
    """A job of the session's queue finished (posted from its thread to the app)."""

    def __init__(self, outcome: JobOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class RelatedFound(Message):
    """A RelatedLookup's worker found the items like ``item_id`` (or ``error``)."""

    def __init__(self, item_id: str, related: list[Related], error: str | None = None) -> None:
        super().__init__()
        self.item_id = item_id
        self.related = related
        self.error = error
