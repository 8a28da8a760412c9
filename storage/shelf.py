"""One user's view of one data folder: the object the CLI and the TUI are given.

There is no global instance: whoever needs a shelf opens one on a data dir and
a user, which is what lets tests run the app on a temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Container, Iterable, Sequence
from pathlib import Path

from seeds.bundled import bundled_documents
from seeds.collector import paused_gc
from seeds.model import Item
from storage.annotations import TABLE, AnnotationStore, now_iso, read_other_users
from storage.atomic import StorageError, clean_temp_files
from storage.documents import read_document
from storage.library import DocumentReport, ImportReport, Library, Progress, UnknownItem
from storage.model import STATUSES, Annotation, Note
from storage.paths import DataDir, resolve_data_dir, resolve_user
from storage.views import ItemViews, item_view

__all__ = ["Shelf", "UnknownItem", "normalize_tag"]

_TAG_SPACE = re.compile(r"\s+")


def normalize_tag(tag: str) -> str:
    """Tags are case-insensitive single words, so ``#RLHF`` and ``rlhf`` are one tag."""
    cleaned = _TAG_SPACE.sub("-", tag.strip().lstrip("#").strip()).casefold()
    if not cleaned:
        raise StorageError(f"{tag!r} is not a usable tag")
    return cleaned


class Shelf:
    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        user: str | None = None,
        *,
        import_bundled: bool = True,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.dirs = DataDir(resolve_data_dir(data_dir))
        self.user = resolve_user(user)
        self.warnings: list[str] = []
        self.on_warning = on_warning
        self.dirs.create()
        for folder in (self.dirs.root, self.dirs.annotations_dir, self.dirs.cache_dir):
            clean_temp_files(folder)
        self.library = Library(self.dirs, warn=self._warn)
        self.annotations = AnnotationStore(self.dirs, self.user, warn=self._warn)
        if import_bundled and self._unused():
            # The corpus as shipped is where everyone starts: nothing in it is new.
            self.library.import_documents(bundled_documents(), arrive=False)

    def _unused(self) -> bool:
        """Whether this data folder has never had anything imported.

        Checked from the file's size first, then from the item store: parsing
        a 100k-item library just to see that it is not empty would cost half
        a second of every start.
        """
        try:
            size = self.dirs.library_file.stat().st_size
        except FileNotFoundError:
            return True
        except OSError:
            size = 0
        if size > 65536:
            return False
        return not self.library.ids() and not self.library.documents()

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    # -- reading ------------------------------------------------------------

    def items(self, with_text: bool = True) -> dict[str, Item]:
        return self.library.items(with_text=with_text)

    def item(self, item_id: str) -> Item:
        """The item with its abstract, read alone (a copy: changing it changes nothing)."""
        found = self.library.item(item_id, with_text=True)
        if found is None:
            raise UnknownItem(f"no item with id {item_id!r}")
        return found

    def resolve(self, ref: str) -> str:
        """An exact id or any unique prefix of one (see :meth:`Library.resolve`)."""
        return self.library.resolve(ref)

    def resolve_all(self, refs: Iterable[str]) -> list[str]:
        return [self.resolve(ref) for ref in refs]

    def annotation(self, item_id: str) -> Annotation:
        """The user's annotation of one item, current with the file.

        Only that one is decoded unless all of them are held decoded already
        (the app), which are then brought up to date as ``get`` does: a
        one-item command must not pay for the user's other 10,000.
        """
        found = self.annotations_of([item_id]).get(item_id)
        return found if found is not None else Annotation(item_id=item_id)

    def all_annotations(self) -> dict[str, Annotation]:
        return self.annotations.all()

    def annotations_of(self, item_ids: Iterable[str]) -> dict[str, Annotation]:
        """The saved annotations of ``item_ids`` (those that have one), current with the file.

        As ``annotation``: a command changing three items decodes three, not
        the user's 10,000, unless all of them are held decoded already.
        """
        store = self.annotations
        item_ids = list(item_ids)
        found = store.some(item_ids)
        if found is not None:
            return found
        # Reads the file if it changed, and checks its format.
        if not store.changed_on_disk() or store._cache_key is not None:
            held = store.all()
            return {i: held[i] for i in item_ids if i in held}
        table = (store.storage.read() or {}).get(TABLE) or {}
        if not isinstance(table, dict):
            return {}
        return {i: Annotation.from_dict(i, table[i]) for i in item_ids if table.get(i)}

    def others(self) -> dict[str, dict[str, Annotation]]:
        return read_other_users(self.dirs, self.user, self._warn)

    def title(self, item_id: str) -> str | None:
        """The title shown for the item: the user's own if they renamed it."""
        title = self.library.title(item_id)
        if title is None:
            return None
        return self.annotation(item_id).title or title

    def view(
        self,
        item_id: str,
        others: dict[str, dict[str, Annotation]] | None = None,
        *,
        is_new: Callable[[str, str], bool] | None = None,
    ) -> dict:
        """``is_new(id, arrived)``: whether the item is new to the user; given,
        the view says so (``new``, ``arrived``)."""
        if others is None:
            others = self.others()
        theirs = {user: anns[item_id] for user, anns in others.items() if item_id in anns}
        item = self.library.item(item_id, with_text=True)
        if item is None:
            raise UnknownItem(f"no item with id {item_id!r}")
        new = None if is_new is None else is_new(item.id, item.arrived)
        return item_view(item, self.annotation(item_id), theirs, new=new)

    def views(self, item_ids: Sequence[str]) -> list[dict]:
        """Views of many items, looking the library and annotations up once, not per item."""
        source = self.view_source(item_ids)
        with paused_gc():  # 100k acyclic dicts: the collector would rescan them for nothing
            return source.views_at(range(len(source)))

    def view_source(
        self,
        item_ids: Sequence[str],
        *,
        for_rows: bool = False,
        new_ids: Container[str] | None = None,
    ) -> ItemViews:
        """Views of ``item_ids`` built a batch at a time, for exports.

        Abstracts are read in bulk from the text store (see
        :meth:`Library.texts_of`), so exporting from the app does not load
        all of them into its items. ``new_ids``: the items new to the user;
        given, each view says whether it is (``new``, ``arrived``).
        """
        items = self.library.items_of(item_ids)
        for item_id in item_ids:
            if item_id not in items:
                raise UnknownItem(f"no item with id {item_id!r}")
        if for_rows or not item_ids:
            return ItemViews(item_ids, items, self.annotations_of(item_ids), {}, _no_texts, new_ids)
        return ItemViews(
            item_ids, items, self.annotations.all(), self.others(), self.library.texts_of, new_ids
        )

    # -- changing -------------------------------------------------------------

    def _change(
        self, item_ids: Iterable[str], edit: Callable[[Annotation], bool]
    ) -> list[Annotation]:
        ids = list(item_ids)
        # The annotation file names each item's title beside its id (``about``).
        titles = self.library.titles(ids)
        for item_id in ids:
            if titles.get(item_id) is None:
                raise UnknownItem(f"no item with id {item_id!r}")
        return self.annotations.change(ids, edit, titles=titles)

    def set_status(self, item_ids: Iterable[str], status: str) -> list[Annotation]:
        if status not in STATUSES:
            raise StorageError(f"unknown status {status!r} (use {', '.join(STATUSES)})")
        stamp = now_iso()

        def edit(ann: Annotation) -> bool:
            if ann.status == status:
                return False
            ann.status, ann.status_at = status, stamp
            if status == "read":
                ann.read_at = stamp
            return True

        return self._change(item_ids, edit)

    def toggle_read(self, item_ids: Sequence[str]) -> str:
        """Mark all read, or all unread when every one of them is read already."""
        anns = self.annotations.all()
        all_read = all(anns.get(i, Annotation(i)).status == "read" for i in item_ids)
        status = "unread" if all_read else "read"
        self.set_status(item_ids, status)
        return status

    def cycle_status(self, item_id: str) -> str:
        current = self.annotation(item_id).status
        status = STATUSES[(STATUSES.index(current) + 1) % len(STATUSES)]
        self.set_status([item_id], status)
        return status

    def add_tags(self, item_ids: Iterable[str], tags: Iterable[str]) -> list[Annotation]:
        wanted = list(dict.fromkeys(normalize_tag(t) for t in tags))

        def edit(ann: Annotation) -> bool:
            new = [t for t in wanted if t not in ann.tags]
            ann.tags = sorted([*ann.tags, *new])
            return bool(new)

        return self._change(item_ids, edit)

    def remove_tags(self, item_ids: Iterable[str], tags: Iterable[str]) -> list[Annotation]:
        unwanted = {normalize_tag(t) for t in tags}

        def edit(ann: Annotation) -> bool:
            kept = [t for t in ann.tags if t not in unwanted]
            changed = len(kept) != len(ann.tags)
            ann.tags = kept
            return changed

        return self._change(item_ids, edit)

    def add_note(self, item_id: str, text: str) -> Annotation:
        text = text.strip()
        if not text:
            raise StorageError("a note needs some text")
        note = Note(text=text, created=now_iso())

        def edit(ann: Annotation) -> bool:
            ann.notes = [*ann.notes, note]
            return True

        return self._change([item_id], edit)[0]

    def rename(self, item_id: str, title: str | None) -> Annotation:
        """Give the item the user's own title; an empty title restores the original."""
        new = (title or "").strip() or None
        if new is not None:
            new = " ".join(new.split())

        def edit(ann: Annotation) -> bool:
            if ann.title == new:
                return False
            ann.title = new
            return True

        changed = self._change([item_id], edit)
        return changed[0] if changed else self.annotation(item_id)

    def change_annotations(
        self, item_ids: Iterable[str], edit: Callable[[Annotation], bool]
    ) -> list[Annotation]:
        """Apply ``edit`` to each item's annotation in one durable step (under the user's lock).

        For changes the core composes itself (undo, note edits); ``edit``
        returns whether it changed anything and may raise to change nothing.
        """
        return self._change(item_ids, edit)

    def flush(self) -> None:
        """Fold journalled changes into the user's readable file (they are durable already)."""
        self.annotations.flush()

    # -- importing ------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        progress: Progress | None = None,
        *,
        kind: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        documents: list[tuple[str, str]] = []
        failed: list[DocumentReport] = []
        for path in paths:
            try:
                documents.append(read_document(path))
            except StorageError as exc:
                failed.append(DocumentReport(name=Path(path).name, error=str(exc)))
        report = self.library.import_documents(
            documents, progress=progress, kind=kind, dry_run=dry_run
        )
        report.documents = failed + report.documents
        return report

    def import_bundled(
        self, progress: Progress | None = None, *, dry_run: bool = False
    ) -> ImportReport:
        """The shipped corpus again: what a newer parser reads better is merged in."""
        return self.library.import_documents(
            bundled_documents(), progress=progress, dry_run=dry_run, arrive=False
        )


def _no_texts(item_ids: Sequence[str]) -> list[str]:
    return [""] * len(item_ids)
