"""Adding papers by reference (``shelf add``, ``a`` in the app): fetch, then merge.

Fetching holds no lock (it waits on the network, paced to arXiv's rate
limit); the entries that came back are merged into the library in one locked
step, as an import's are, so a paper the library has already (the CLIP
paper of the bundled listing) gains the arXiv id, links, authors and date
instead of being added twice, and adding it again changes nothing. A
reference that failed adds nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.session import Session
    from storage.fetch import HttpClient


@dataclass
class Added:
    """Per reference a line (its title, or why it failed); the items added and merged."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def add_references(
    session: Session,
    refs: Sequence[str],
    *,
    client: HttpClient | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Added:
    from storage.fetch import fetch_entries

    report = fetch_entries(refs, client=client, progress=progress)
    done = Added()
    for result in report.results:
        (done.errors if result.error else done.lines).append(result.line)
    entries = report.entries
    if entries:
        session.ensure_watermark()
        imported = session.shelf.library.import_entries(entries, "shelf add", kind="reference")
        done.added, done.merged = imported.added, imported.merged
        done.unchanged = imported.unchanged
        if imported.added or imported.merged:
            items = session.shelf.items()
            changed = [items[i] for i in (*imported.added, *imported.merged) if i in items]
            session.search.note_items(changed)
    return done
