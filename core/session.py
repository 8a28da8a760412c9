"""A Session: one user's shelf as every front end uses it.

The command line and the app both work through a Session, so a command
behaves the same whichever front end gave it, by construction: the same
changes (with the same checks), the same search index, the same detection of
what another process wrote. Results are dataclasses, never Textual objects;
the session never touches a terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.newness import Newness
from core.search import SearchService
from core.undo import as_annotation, as_doc, move
from storage.annotations import now_iso
from storage.atomic import StorageError
from storage.corrections import check_field
from storage.history import History, Record, Step
from storage.model import STATUSES, Annotation, Note
from storage.row_cache import (
    CachedRows,
    item_base,
    library_signature,
    read_row_cache,
    write_row_cache,
)
from storage.shelf import Shelf, UnknownItem

if TYPE_CHECKING:
    from core.listing import Columns
    from seeds.model import Item
    from storage.annotation_sync import SyncReport
    from storage.library import ImportReport, Progress, RowFields
    from storage.search.saved_rows import SavedRows
    from storage.views import ItemViews

#: Items of a name's phrase query looked at for its exact title: title hits rank first.
_NAMED_CANDIDATES = 20

Others = Mapping[str, Mapping[str, Annotation]]
Items = Mapping[str, "Item"]


class StaleView(StorageError):
    """The item changed underneath since it was shown; nothing was changed."""


@dataclass(frozen=True)
class Change:
    """What a command did: the state of every item it names, as now saved.

    ``value`` is what the command reports (the status set, the note count);
    ``kept`` names fields an undo or redo left alone because they changed since.
    """

    ids: list[str]
    annotations: dict[str, Annotation]
    value: str | int | None = None
    label: str = ""
    kept: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UndoState:
    """What ``undo`` and ``redo`` would do next (their labels), for a footer or a list."""

    undo: list[Step]
    redo: list[Step]


@dataclass(frozen=True)
class Loaded:
    """The whole library as the list needs it, read off the UI thread."""

    items: Items
    others: Others
    texts: Callable[[str], str]
    columns: Columns
    #: The columns are the cached rows the first frame was drawn from: the
    #: library is the one those rows describe, and what the list worked out
    #: from them (order, facet counts) still holds.
    from_cached_rows: bool = False


@dataclass(frozen=True)
class External:
    """What another process (the CLI, a second window, git) changed since we looked.

    Each field is None when that part did not change.
    """

    items: Items | None = None
    annotations: dict[str, Annotation] | None = None
    others: Others | None = None
    texts: Callable[[str], str] | None = None
    columns: Columns | None = None
    #: The user's new items as they are now (always given; the app compares).
    new: frozenset[str] | None = None

    @property
    def empty(self) -> bool:
        return self.items is None and self.annotations is None and self.others is None


@dataclass
class Session:
    shelf: Shelf
    #: The list rows cached by the last run, shown before the library is loaded.
    cached_rows: tuple[list[str], CachedRows] | None = None
    search: SearchService = field(init=False)
    _row_cache_stale: bool = field(init=False, default=False)
    _cached_signature: list[int] | None = field(init=False, default=None)
    #: The list lines' fields of the last query answered from the saved index.
    _saved_rows: SavedRows | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.search = SearchService(self.shelf)
        self.history = History(self.shelf.dirs, self.shelf.user, warn=self.shelf.warnings.append)
        self._row_cache_stale = self.cached_rows is None
        # The cached rows describe library.json as it was when they were read.
        self._cached_signature = library_signature(self.shelf) if self.cached_rows else None
        self.shelf.library.reserved_keys = self._own_keys
        # The user's state is made on first use (see ensure_watermark).
        self.newness = Newness(self.shelf)
        self.search.new_source = self.new_ids

    def _own_keys(self) -> set[str]:
        """Every citation key a user of this folder gave an item (theirs and the group's)."""
        keys = {a.corrections["key"] for a in self.annotations().values() if "key" in a.corrections}
        for anns in self.others().values():
            keys.update(a.corrections["key"] for a in anns.values() if "key" in a.corrections)
        return keys

    @classmethod
    def open(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        user: str | None = None,
        *,
        import_bundled: bool = True,
        on_warning: Callable[[str], None] | None = None,
        with_cached_rows: bool = False,
    ) -> Session:
        """Open a data folder for one user; an unused folder gets the bundled corpus.

        ``with_cached_rows``: read the list's row cache first (the app does).
        Rows cached from the last run show the list without parsing the
        library, and prove it is not empty, which the shelf would otherwise
        parse the whole library to find out.
        """
        cached = None
        if with_cached_rows:
            from storage.paths import DataDir, resolve_data_dir

            cached = read_row_cache(DataDir(resolve_data_dir(data_dir)))
        bundled = import_bundled and (not cached or not cached[0])
        shelf = Shelf(data_dir, user, import_bundled=bundled, on_warning=on_warning)
        return cls(shelf, cached)

    # -- who and where ---------------------------------------------------------

    @property
    def user(self) -> str:
        return self.shelf.user

    @property
    def data_dir(self) -> Path:
        return self.shelf.dirs.root

    @property
    def warnings(self) -> list[str]:
        """Warnings so far (a damaged file set aside); the app shows new ones."""
        return self.shelf.warnings

    # -- reading ----------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        return self.shelf.resolve(ref)

    def resolve_all(self, refs: Iterable[str]) -> list[str]:
        return self.shelf.resolve_all(refs)

    def annotation(self, item_id: str) -> Annotation:
        return self.shelf.annotation(item_id)

    def annotations(self) -> dict[str, Annotation]:
        return self.shelf.all_annotations()

    def others(self) -> Others:
        return self.shelf.others()

    def title(self, item_id: str) -> str | None:
        return self.shelf.title(item_id)

    def view(self, item_id: str, *, links: bool = True) -> dict[str, Any]:
        """The item's public view, with ``links_to``: the items its update notes name.

        ``links=False`` leaves them out (an empty list) for callers that only
        read the item's own fields: finding them can be a search.
        """
        from core.mentions import links_to

        view = self.shelf.view(item_id, is_new=self.newness.is_new)
        view["links_to"] = links_to(item_id, view["updates"], self._titled) if links else []
        return view

    def _titled(self, name: str) -> list[tuple[str, str]]:
        """(id, title) of items that may be titled ``name``: a phrase query, not a scan.

        The search index (the saved one, for a command) finds the items whose
        title or text has the name's words in order, reading only those words'
        postings; their titles come from the item store. ``core.mentions`` keeps
        the exact titles.
        """
        words = re.findall(r"\w+", name.casefold())
        if not words:
            return []
        try:
            ids = self.find('"' + " ".join(words) + '"')[:_NAMED_CANDIDATES]
        except ValueError:  # a name the query language reads otherwise: no link
            return []
        return list(self.shelf.library.titles(ids).items())

    def find(self, query: str) -> list[str]:
        """Item ids matching ``query``, best first; every id in library order when empty."""
        query = self.expand_query(query)
        if self.search.ready:
            return self.search.ids(query)
        from storage.search.saved import query_hits
        from storage.search.saved_annotations import annotations_corrected

        shelf = self.shelf
        # Whether any annotation has corrections, from the saved part of them
        # when it is current: decoding 10,000 annotations to find out would
        # cost more than the query.
        corrected = annotations_corrected(shelf.dirs, shelf.user)
        if corrected is None:
            annotations = self.annotations()
            corrected = any(a.corrections for a in annotations.values())
            source: Callable[[], Mapping[str, Annotation]] = lambda: annotations  # noqa: E731
        else:
            source = self.annotations
        if not corrected:
            # One query from the saved index: only its terms' postings are read,
            # no item is decoded (see storage.search.saved).
            store = shelf.library.open_text_store()
            hits = query_hits(
                shelf.dirs,
                shelf.user,
                query,
                annotations=source,
                others=shelf.others,
                items_loader=lambda: shelf.items(with_text=False).values(),
                texts=store if store is not None else shelf.library.text,
                new_ids=self.new_ids,
            )
            self._saved_rows = hits.rows
            return hits.ids
        if not query.strip():
            return list(shelf.items(with_text=False))
        # Corrections change what an item is found by: the whole index, corrected.
        items = shelf.items(with_text=False)
        self.search.open(items.values(), self.annotations(), self.others(), shelf.library.text)
        return self.search.ids(query)

    def views(
        self, item_ids: Sequence[str], *, for_rows: bool = False, new: bool = False
    ) -> ItemViews:
        """The views of ``item_ids``, built a batch at a time as they are read.

        ``for_rows``: only what a list line shows (the user's status and tags,
        title, authors, date): no abstracts and no teammates' files, which
        cost a listing of 20,000 hits a second it would not print.
        ``new``: each view says whether the item is new to the user (``new``,
        ``arrived``), from one look at what is new, not one per item.
        """
        if not for_rows:
            self.shelf.library.ensure_citekeys(item_ids)
        new_ids = self.new_ids() if new else None
        return self.shelf.view_source(item_ids, for_rows=for_rows, new_ids=new_ids)

    def lines(self, item_ids: Sequence[str]) -> Iterator[list[str]]:
        """The ``shelf list`` lines of ``item_ids`` (not yet made visible), a
        batch at a time (see ``core.list_rows``)."""
        from core.list_rows import list_lines

        return list_lines(self, item_ids)

    def _current_rows(self) -> SavedRows | None:
        """The columns of the saved index the last query ran on, while the
        library is as it was saved."""
        saved = self._saved_rows
        if saved is None:
            return None
        from storage.search.saved_files import library_state

        return saved if saved.signature == library_state(self.shelf.dirs) else None

    def row_fields(self, item_ids: Sequence[str]) -> list[RowFields]:
        """What a list line shows of each item of the library (see
        ``Library.row_fields``): from the columns of the saved index the last
        query ran on while the library is as it was saved, by the hits' doc
        numbers; else from the item store, by id.

        Raises UnknownItem for an id that is no item."""
        saved = self._current_rows()
        fields = saved.fields(item_ids) if saved is not None else None
        return fields if fields is not None else self.shelf.library.row_fields(item_ids)

    def row_tails(self, item_ids: Sequence[str]) -> list[str] | None:
        """Each item's part of its list line (``storage.list_line``), from the
        saved index as :meth:`row_fields`; None when it cannot give them."""
        saved = self._current_rows()
        return saved.tails(item_ids) if saved is not None else None

    def row_rests(self, item_ids: Sequence[str]) -> list[str]:
        """Each item's part of its list line after the title, for the line of
        an item the user renamed: from the saved index as :meth:`row_tails`,
        else made from :meth:`row_fields`."""
        saved = self._current_rows()
        rests = saved.rests(item_ids) if saved is not None else None
        if rests is not None:
            return rests
        from storage.list_line import rest_part

        fields = self.row_fields(item_ids)
        return [rest_part(authors, short, date) for _, _, authors, short, date in fields]

    # -- changing -----------------------------------------------------------------

    def _done(self, ids: Sequence[str], value: str | int | None = None) -> Change:
        current = self.shelf.annotations_of(ids)
        anns = {i: current.get(i) or Annotation(item_id=i) for i in ids}
        self.search.note_annotations(anns.values())
        return Change(list(ids), anns, value)

    def _recorded(self, label: str, ids: Sequence[str], do: Callable[[], Any]) -> Any:
        """Run ``do`` and keep what it changed as one undo step."""
        ids = list(dict.fromkeys(ids))
        current = self.shelf.annotations_of(ids)
        before = {i: as_doc(current[i]) if i in current else None for i in ids}
        result = do()
        now = self.shelf.annotations_of(ids)
        records = []
        for i in ids:
            after = as_doc(now[i]) if i in now else None
            if after != before[i]:
                records.append(Record(i, before[i], after))
        self.history.record(label, now_iso(), records)
        return result

    def set_status(
        self, item_ids: Sequence[str], status: str, seen: Mapping[str, str] | None = None
    ) -> Change:
        """``seen``: the statuses the user was shown; a different saved one refuses the change."""
        if seen is not None:
            self._check_seen(item_ids, seen)
        label = f"mark {status}" if status != "reading" else "mark reading"
        self._recorded(label, item_ids, lambda: self.shelf.set_status(item_ids, status))
        self.newness.clear(item_ids)  # marking an item is looking at it
        return self._done(item_ids, status)

    def toggle_read(self, item_ids: Sequence[str], seen: Mapping[str, str] | None = None) -> Change:
        """Mark all read, or all unread when every one of them is read already.

        Decided from ``seen`` when given (what is on screen), so a change
        another process made a moment ago is never silently undone.
        """
        statuses = seen if seen is not None else self._statuses(item_ids)
        all_read = all(statuses.get(i, "unread") == "read" for i in item_ids)
        return self.set_status(item_ids, "unread" if all_read else "read", seen)

    def cycle_status(self, item_id: str, seen: str | None = None) -> Change:
        current = seen if seen is not None else self.annotation(item_id).status
        status = STATUSES[(STATUSES.index(current) + 1) % len(STATUSES)]
        return self.set_status([item_id], status, None if seen is None else {item_id: seen})

    def add_tags(self, item_ids: Sequence[str], tags: Iterable[str]) -> Change:
        tags = list(tags)
        self._recorded(
            f"tag #{' #'.join(tags)}", item_ids, lambda: self.shelf.add_tags(item_ids, tags)
        )
        return self._done(item_ids)

    def remove_tags(self, item_ids: Sequence[str], tags: Iterable[str]) -> Change:
        tags = list(tags)
        label = f"untag #{' #'.join(tags)}"
        self._recorded(label, item_ids, lambda: self.shelf.remove_tags(item_ids, tags))
        return self._done(item_ids)

    def add_note(self, item_id: str, text: str) -> Change:
        ann = self._recorded("add a note", [item_id], lambda: self.shelf.add_note(item_id, text))
        return self._done([item_id], len(ann.notes))

    def rename(self, item_id: str, title: str | None) -> Change:
        self._recorded("rename", [item_id], lambda: self.shelf.rename(item_id, title))
        return self._done([item_id])

    def correct(self, item_id: str, fields: Mapping[str, Any]) -> Change:
        """Keep the user's corrections of ``fields`` (None restores the library's value).

        A correction equal to what the library has is no correction and is dropped.
        """
        from storage.views import corrected

        item = self.shelf.item(item_id)
        checked = {k: (None if v is None else check_field(k, v)) for k, v in fields.items()}
        new_key = checked.get("key")
        if new_key:
            self._check_key_free(item_id, str(new_key))
        original = self.shelf.view(item_id)

        def library_value(name: str) -> Any:
            if name == "date":
                return original["date_text"] or ""
            if name == "abstract":
                return original["summary"] or ""
            if name == "key":
                return item.citekey
            return {"authors": item.authors, "urls": item.urls, "venue": None}.get(name)

        def edit(ann: Annotation) -> bool:
            fixes = dict(ann.corrections)
            for name, value in checked.items():
                if value is None or value == library_value(name):
                    fixes.pop(name, None)
                else:
                    fixes[name] = value
            if fixes == ann.corrections:
                return False
            ann.corrections = fixes
            return True

        label = "correct " + ", ".join(sorted(fields))
        self._recorded(label, [item_id], lambda: self.shelf.change_annotations([item_id], edit))
        ann = self.annotation(item_id)
        self.search.note_items([corrected(item, ann.corrections)])
        return self._done([item_id])

    def citekeys(self) -> dict[str, str]:
        """Every item's citation key as this user sees it (their own key first), by id.

        Items from before keys get theirs now, in library order, and keep them.
        """
        self.shelf.library.ensure_citekeys()
        annotations = self.annotations()
        out = {}
        for item_id, item in self.shelf.items(with_text=False).items():
            ann = annotations.get(item_id)
            own = ann.corrections.get("key") if ann is not None else None
            out[item_id] = own or item.citekey
        return out

    def _check_key_free(self, item_id: str, key: str) -> None:
        folded = key.casefold()
        for other, existing in self.citekeys().items():
            if other != item_id and existing.casefold() == folded:
                raise StorageError(f"key {key!r} is already item {other}'s")

    def notes(self, item_id: str) -> list[Note]:
        """The item's notes, oldest first: ``shelf notes`` numbers them from 1."""
        return list(self.shelf.annotation(item_id).notes)

    def edit_note(self, item_id: str, number: int, text: str) -> Change:
        """Replace note ``number`` (from 1) with ``text``; it keeps its place and time."""
        text = text.strip()
        if not text:
            raise StorageError("a note needs some text (use --delete to remove it)")

        def edit(ann: Annotation) -> bool:
            index = _note_index(ann, number)
            if ann.notes[index].text == text:
                return False
            notes = list(ann.notes)
            notes[index] = Note(text=text, created=notes[index].created)
            ann.notes = notes
            return True

        self._recorded(
            "edit a note", [item_id], lambda: self.shelf.change_annotations([item_id], edit)
        )
        return self._done([item_id], len(self.annotation(item_id).notes))

    def delete_note(self, item_id: str, number: int) -> Change:
        def edit(ann: Annotation) -> bool:
            index = _note_index(ann, number)
            ann.notes = [n for i, n in enumerate(ann.notes) if i != index]
            return True

        self._recorded(
            "delete a note", [item_id], lambda: self.shelf.change_annotations([item_id], edit)
        )
        return self._done([item_id], len(self.annotation(item_id).notes))

    # -- what is new ----------------------------------------------------------------

    def new_ids(self) -> frozenset[str]:
        """Items that arrived since the user caught up and that they have not opened
        or marked (``is:new``); the same object while nothing changed."""
        return self.newness.new_ids()

    def ensure_watermark(self) -> None:
        """The user's watermark, made now if they have none: what arrives after it
        is new to them. Front ends call it on a user's use of the folder, and
        every way items arrive calls it first, so what that adds is new."""
        self.newness.state()

    def opened(self, item_ids: Sequence[str]) -> list[str]:
        """The user opened these (the detail view, ``shelf show``): not new any more.

        Returns those that were new. Writes the user's small seen file only.
        """
        return self.newness.clear(item_ids)

    def mark_seen(self, item_ids: Sequence[str] | None = None) -> list[str]:
        """Catch up: nothing is new any more (or, given ids, those items); which were."""
        return self.newness.catch_up(item_ids)

    # -- undo and redo ---------------------------------------------------------------

    def undo_state(self) -> UndoState:
        stacks = self.history.stacks()
        return UndoState(list(reversed(stacks.done)), list(reversed(stacks.undone)))

    def undo(self, count: int = 1) -> list[Change]:
        """Undo the last ``count`` steps, newest first, each as the inverse of what it did."""
        return [self._move("undo", step) for step in self.undo_state().undo[:count]]

    def redo(self, count: int = 1) -> list[Change]:
        return [self._move("redo", step) for step in self.undo_state().redo[:count]]

    def remove(self, item_ids: Sequence[str]) -> Change:
        """Take items out of the library; their annotations stay, so a re-import restores them.

        One undo step: undo puts the items back as they were.
        """
        removed = self.shelf.library.remove(item_ids)
        if removed:
            docs = [item.to_dict() for item in removed]
            count = len(removed)
            label = f"remove {count} item{'s' if count != 1 else ''}"
            self.history.record(label, now_iso(), [], removed=docs)
            for item in removed:
                self.search.note_removed(item.id)
        ids = [item.id for item in removed]
        kept = [i for i in ids if not self.annotation(i).is_empty()]
        return Change(ids, {}, len(ids), "remove", kept)

    def _move(self, op: str, step: Step) -> Change:
        if step.removed:
            return self._move_removal(op, step)
        by_item = {r.item: r for r in step.records}
        kept: list[str] = []

        def edit(ann: Annotation) -> bool:
            record = by_item[ann.item_id]
            before = as_annotation(ann.item_id, record.before)
            after = as_annotation(ann.item_id, record.after)
            frm, to = (after, before) if op == "undo" else (before, after)
            old = as_doc(ann)
            for name in move(ann, frm, to):
                kept.append(f"{ann.item_id} {name}")
            return as_doc(ann) != old

        self.shelf.annotations.change(list(by_item), edit, titles=self.shelf.title)
        self.history.mark(op, step)
        change = self._done(list(by_item))
        return Change(change.ids, change.annotations, op, step.label, kept)

    def _statuses(self, item_ids: Iterable[str]) -> dict[str, str]:
        item_ids = list(item_ids)
        current = self.shelf.annotations_of(item_ids)
        return {i: (current.get(i) or Annotation(item_id=i)).status for i in item_ids}

    def _check_seen(self, item_ids: Iterable[str], seen: Mapping[str, str]) -> None:
        now = self._statuses(item_ids)
        moved = [i for i in now if i in seen and now[i] != seen[i]]
        if moved:
            what = "an item" if len(moved) == 1 else f"{len(moved)} items"
            raise StaleView(
                f"{what} changed elsewhere since shown (now {now[moved[0]]}); "
                "nothing changed, the list shows the new state"
            )

    def flush(self) -> None:
        """Fold journalled changes into the readable file (they are durable already)."""
        self.shelf.flush()

    def _move_removal(self, op: str, step: Step) -> Change:
        from seeds.model import Item

        items = [Item.from_dict(doc) for doc in step.removed]
        if op == "undo":
            self.shelf.library.add_items(items)
            self.search.note_items(items)
        else:
            self.shelf.library.remove([item.id for item in items])
            for item in items:
                self.search.note_removed(item.id)
        self.history.mark(op, step)
        ids = [item.id for item in items]
        return Change(ids, {}, op, step.label, [])

    # -- reading groups -------------------------------------------------------------

    def export_annotations(self, who: str | None = None) -> bytes:
        """A user's annotation file as it would be shared (default: this user)."""
        from core.output import safe_json
        from storage.annotation_sync import export_annotations

        return safe_json(export_annotations(self.shelf, who))

    def import_annotations(self, path: str | os.PathLike[str], as_user: str | None) -> SyncReport:
        """Merge an annotation file in; tags and notes united, the newer status wins."""
        from storage.annotation_sync import import_annotations

        if as_user is not None and as_user != self.user:
            return import_annotations(self.shelf, path, as_user)
        before = self.shelf.all_annotations()
        report = import_annotations(self.shelf, path, as_user)
        if report.user == self.user and report.changed:
            now = self.shelf.all_annotations()
            records = [
                Record(i, as_doc(before[i]) if i in before else None, as_doc(now[i]))
                for i in report.changed
                if i in now
            ]
            self.history.record("import annotations", now_iso(), records)
            self.search.note_annotations(now[i] for i in report.changed if i in now)
        return report

    # -- importing ------------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        progress: Progress | None = None,
        *,
        kind: str | None = None,
        dry_run: bool = False,
        bundled: bool = False,
    ) -> ImportReport:
        """Import documents (``kind`` forces a format); ``dry_run`` changes nothing.

        ``bundled``: the corpus shipped with shelf instead of ``paths``, so a
        library made by an older shelf gets what this one parses better (the
        notes-only posts' titles); ids stay and so do all annotations.
        """
        if not dry_run:
            self.ensure_watermark()
        if bundled:
            report = self.shelf.import_bundled(progress=progress, dry_run=dry_run)
        else:
            report = self.shelf.import_paths(paths, progress=progress, kind=kind, dry_run=dry_run)
        if (report.added or report.merged) and not dry_run:
            items = self.shelf.items()
            self.search.note_items(items[i] for i in [*report.added, *report.merged])
        return report

    # -- the app's library: loaded after the first frame, then watched ----------------

    def load(self) -> Loaded:
        """The library, other users and the abstracts; keeps the row cache for next time."""
        from core.listing import Columns  # (the app's; a command never builds the list model)

        shelf = self.shelf
        before = library_signature(shelf)
        items = shelf.items(with_text=False)
        columns = None
        if self.cached_rows is not None and before == self._cached_signature:
            ids, rows = self.cached_rows
            if len(ids) == len(items):  # the cache describes this very file
                columns = Columns.from_cached(ids, rows)
        cached = columns is not None
        if columns is None:
            columns = Columns.from_items(items.values())
        if self._row_cache_stale and library_signature(shelf) == before:
            _keep_rows(shelf, before, items)
            self._row_cache_stale = False
        return Loaded(items, shelf.others(), shelf.library.text_source(), columns, cached)

    def poll(self, known_items: Items, with_others: bool) -> External:
        """What changed on disk since ``known_items`` (and, if asked, in others' files)."""
        from core.listing import Columns

        shelf = self.shelf
        before = library_signature(shelf)
        items: Items | None = shelf.items(with_text=False)
        texts = None
        columns = None
        if items is known_items:
            items = None
        else:
            assert items is not None
            # Another process imported: the next start's rows change too.
            _keep_rows(shelf, before, items)
            texts = shelf.library.text_source()
            columns = Columns.from_items(items.values())
        anns = shelf.all_annotations() if shelf.annotations.changed_on_disk() else None
        if items is not None and anns is None:
            anns = shelf.all_annotations()
        others = shelf.others() if with_others or items is not None else None
        return External(items, anns, others, texts, columns, self.new_ids())

    def open_index(
        self,
        items: Items,
        annotations: Mapping[str, Annotation],
        others: Others,
        texts: Callable[[str], str],
    ) -> None:
        """Open the search index for the library (slow: off the UI thread)."""
        self.search.open(items.values(), annotations, others, texts)

    # -- saved searches -----------------------------------------------------------------

    def saved_searches(self) -> dict[str, str]:
        """Name to query; re-read only when the file changed (another process saved one)."""
        from core.saved import load_saved, saved_path

        try:
            st = saved_path(self.data_dir).stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        cached = self.__dict__.get("_saved_cache")
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_saved(self.data_dir) if stamp else {})
            self.__dict__["_saved_cache"] = cached
        return dict(cached[1])

    def save_search(self, name: str, query: str) -> dict[str, str]:
        from core.saved import add_saved

        return add_saved(self.data_dir, name, query)

    def remove_saved_search(self, name: str) -> dict[str, str]:
        from core.saved import remove_saved

        return remove_saved(self.data_dir, name)

    def expand_query(self, query: str) -> str:
        """``query`` with ``@name`` replaced by the saved search (before the engine sees it),
        and ``src:`` given a source's name (``src:lillog``) turned into its file's."""
        if "src:" in query:
            query = _source_names_to_files(query)
        if "@" not in query:
            return query
        from core.saved import expand_query

        return expand_query(query, self.saved_searches())

    # -- finding items and tags for the command line -----------------------------------

    def resolve_loosely(self, ref: str) -> str:
        """An id or id prefix, else the one item whose title contains ``ref`` (``show clip``).

        Your own titles count, as the list shows them. Several matches is an
        error that lists them, so the user can pick an id.
        """
        try:
            return self.resolve(ref)
        except UnknownItem as exc:
            if "ambiguous" in str(exc):
                raise
            wanted = " ".join(ref.split()).casefold()
            if not wanted:
                raise
            anns = self.annotations()
            found = []
            for item_id, item in self.shelf.items(with_text=False).items():
                ann = anns.get(item_id)
                title = ann.title if ann is not None and ann.title else item.title
                if wanted in title.casefold():
                    found.append((item_id, title))
            if len(found) == 1:
                return found[0][0]
            if not found:
                raise UnknownItem(f"no item with id or title {ref!r}") from None
            shown = "; ".join(f"{i} {t[:40]}" for i, t in found[:5])
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            raise UnknownItem(
                f"{len(found)} titles contain {ref!r}: {shown}{more}; give an id"
            ) from None

    def missing_tags(self, item_id: str, tags: Iterable[str]) -> list[str]:
        """The tags in ``tags`` the item does not have (as they would be saved)."""
        from storage.shelf import normalize_tag

        have = set(self.annotation(item_id).tags)
        return [t for t in tags if normalize_tag(t) not in have]


def _keep_rows(shelf: Shelf, signature: list[int] | None, items: Items) -> None:
    """The list's rows for the next start (see storage.row_cache)."""
    write_row_cache(shelf, signature, list(items), [item_base(i) for i in items.values()])


_SRC = re.compile(r"(?<![\w-])(-?src:)(\S+)")


def _source_names_to_files(query: str) -> str:
    from seeds.bundled import BUNDLED_NAMES
    from storage.source_names import name_key

    by_name = {name_key(name): source for source, name in BUNDLED_NAMES.items()}

    def swap(match: re.Match[str]) -> str:
        source = by_name.get(name_key(match.group(2)))
        return f"{match.group(1)}{source}" if source else match.group(0)

    return _SRC.sub(swap, query)


def _note_index(ann: Annotation, number: int) -> int:
    if not 1 <= number <= len(ann.notes):
        count = len(ann.notes)
        have = f"it has {count} note{'s' if count != 1 else ''}" if count else "it has no notes"
        raise StorageError(f"no note {number} on {ann.item_id} ({have})")
    return number - 1


__all__ = [
    "Change",
    "External",
    "Loaded",
    "Session",
    "StaleView",
    "Step",
    "UndoState",
    "UnknownItem",
]
