"""Moving a user's annotations between machines without losing either side.

Import is a merge, never a replacement: tags and notes are united, and for
status and the user's own title the newer change wins. Every change is
reported, and entries for items this library does not have yet are kept (they
may belong to documents not imported here yet).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from storage.annotation_checks import check_about, check_table
from storage.annotations import (
    FORMAT_NAME,
    META,
    TABLE,
    AnnotationStore,
    check_format,
    dumps_annotations,
    read_annotation_file,
)
from storage.atomic import StorageError, os_error_reason
from storage.file_names import describe_kind, safe_name
from storage.jsonstore import CorruptData, decode
from storage.model import Annotation
from storage.paths import validate_user
from storage.safe_files import MAX_ANNOTATION_BYTES, read_fd_capped
from storage.shelf import Shelf


@dataclass
class SyncReport:
    user: str
    changes: list[str] = field(default_factory=list)  # one line per item changed
    changed: list[str] = field(default_factory=list)  # item ids
    unknown: list[str] = field(default_factory=list)  # ids not in the library (kept)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)  # one line per entry not taken, and why


def _newer(a: str | None, b: str | None) -> bool:
    """Whether timestamp ``a`` is strictly newer than ``b`` (ISO strings compare in order)."""
    return a is not None and (b is None or a > b)


def merge_into(mine: Annotation, theirs: Annotation) -> list[str]:
    """Fold ``theirs`` into ``mine`` in place; return what changed, in words."""
    said: list[str] = []
    new_tags = [t for t in theirs.tags if t not in mine.tags]
    if new_tags:
        mine.tags = sorted([*mine.tags, *new_tags])
        said.append("tags +" + " +".join(new_tags))
    have = {(n.text, n.created) for n in mine.notes}
    new_notes = [n for n in theirs.notes if (n.text, n.created) not in have]
    if new_notes:
        mine.notes = sorted([*mine.notes, *new_notes], key=lambda n: n.created)
        said.append(f"{len(new_notes)} note{'s' if len(new_notes) > 1 else ''} added")
    if theirs.status != mine.status and _newer(theirs.status_at, mine.status_at):
        said.append(f"status {mine.status} → {theirs.status}")
        mine.status, mine.status_at = theirs.status, theirs.status_at
    if _newer(theirs.read_at, mine.read_at):
        mine.read_at = theirs.read_at
    if (
        theirs.title
        and theirs.title != mine.title
        and (mine.title is None or _newer(theirs.updated, mine.updated))
    ):
        said.append(f"title → {theirs.title!r}")
        mine.title = theirs.title
    return said


@dataclass
class AnnotationExport:
    """What an annotation file offers, once every entry has been checked."""

    user: str | None  # the user named in the file (informative only)
    annotations: dict[str, Annotation]
    titles: dict[str, str]  # the ``about`` titles, for items this library lacks
    refused: list[str]  # one line per entry that did not check out


def _read_import_file(p: Path) -> bytes:
    """The file the user named: a link is fine (they chose it), but only to a regular file."""
    try:
        fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise StorageError(f"{safe_name(p)} does not exist") from None
    except IsADirectoryError:
        raise StorageError(f"{safe_name(p)} is a directory, not an annotation file") from None
    except OSError as exc:
        raise StorageError(f"cannot read {safe_name(p)}: {os_error_reason(exc)}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise StorageError(f"{safe_name(p)} is {describe_kind(mode)}, not an annotation file")
        os.set_blocking(fd, True)
        return read_fd_capped(fd, p, MAX_ANNOTATION_BYTES)
    except OSError as exc:
        raise StorageError(f"cannot read {safe_name(p)}: {os_error_reason(exc)}") from exc
    finally:
        os.close(fd)


def load_annotation_export(path: str | os.PathLike[str]) -> AnnotationExport:
    """An exported annotation file, read as written by a stranger (it usually is)."""
    p = Path(path)
    try:
        tables = decode(_read_import_file(p))
    except CorruptData as exc:
        raise StorageError(f"{safe_name(p)} is not an annotation file: {exc}") from None
    meta = tables.get(META, {}).get("format", {})
    if not isinstance(meta, dict):
        meta = {}
    if meta and meta.get("name") not in (None, FORMAT_NAME):
        raise StorageError(
            f"{safe_name(p)} is not a shelf annotation file "
            f"(format {safe_name(str(meta.get('name'))[:64])})"
        )
    if TABLE not in tables:
        raise StorageError(f"{safe_name(p)} is not a shelf annotation file (no {TABLE!r} table)")
    check_format(tables, p)
    taken, refused = check_table(tables[TABLE])
    titles = {k: t for k in taken if (t := check_about(tables[TABLE][k])) is not None}
    user = meta.get("user") if isinstance(meta.get("user"), str) else None
    return AnnotationExport(user, taken, titles, refused)


def import_annotations(
    shelf: Shelf, path: str | os.PathLike[str], as_user: str | None = None
) -> SyncReport:
    """Merge an annotation file into ``as_user``'s annotations, by default the current user's.

    The user named inside the file is not who it goes to: the file may have
    been written by anyone, and naming a teammate there must not put changes
    in their file. Entries that do not check out are refused and reported.
    """
    loaded = load_annotation_export(path)
    theirs, their_titles = loaded.annotations, loaded.titles
    user = validate_user(as_user or shelf.user)
    store = (
        shelf.annotations if user == shelf.user else AnnotationStore(shelf.dirs, user, shelf._warn)
    )
    items = shelf.items(with_text=False)
    report = SyncReport(user=user, refused=list(loaded.refused))
    report.unknown = sorted(i for i in theirs if i not in items)

    def title_of(item_id: str) -> str | None:
        item = items.get(item_id)
        return item.title if item is not None else their_titles.get(item_id)

    def edit(mine: Annotation) -> bool:
        said = merge_into(mine, theirs[mine.item_id])
        if said:
            report.changed.append(mine.item_id)
            report.changes.append(
                f"{mine.item_id} {title_of(mine.item_id) or ''}: {'; '.join(said)}"
            )
        else:
            report.unchanged += 1
        return bool(said)

    store.change(theirs, edit, titles=title_of)
    return report


def export_annotations(shelf: Shelf, user: str | None = None) -> bytes:
    user = validate_user(user or shelf.user)
    if user == shelf.user:
        annotations = shelf.all_annotations()
    else:
        path = shelf.dirs.annotation_file(user)
        if not os.path.lexists(path):
            raise StorageError(f"no annotations for user {user!r} in {shelf.dirs.annotations_dir}")
        annotations = read_annotation_file(path, root=shelf.dirs.root, warn=shelf._warn)
    items = shelf.items(with_text=False)
    titles = {i: items[i].title for i in annotations if i in items}
    return dumps_annotations(user, annotations, titles)
