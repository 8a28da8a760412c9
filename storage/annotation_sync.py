"""Moving a user's annotations between machines without losing either side.

Import is a merge, never a replacement: tags and notes are united, and for
status and the user's own title the newer change wins. Every change is
reported, and entries for items this library does not have yet are kept (they
may belong to documents not imported here yet).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from storage.annotations import (
    FORMAT_NAME,
    META,
    TABLE,
    AnnotationStore,
    decode_table,
    dumps_annotations,
    read_annotation_file,
)
from storage.atomic import StorageError
from storage.jsonstore import CorruptData, decode
from storage.model import Annotation
from storage.paths import validate_user
from storage.shelf import Shelf


@dataclass
class SyncReport:
    user: str
    changes: list[str] = field(default_factory=list)  # one line per item changed
    changed: list[str] = field(default_factory=list)  # item ids
    unknown: list[str] = field(default_factory=list)  # ids not in the library (kept)
    unchanged: int = 0


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


def load_annotation_export(
    path: str | os.PathLike[str],
) -> tuple[str | None, dict[str, Annotation], dict[str, str]]:
    """(user named in the file, annotations, titles by id) from an exported file."""
    p = Path(path)
    try:
        tables = decode(p.read_bytes())
    except FileNotFoundError:
        raise StorageError(f"{p} does not exist") from None
    except IsADirectoryError:
        raise StorageError(f"{p} is a directory, not an annotation file") from None
    except OSError as exc:
        raise StorageError(f"cannot read {p}: {exc.strerror}") from exc
    except CorruptData as exc:
        raise StorageError(f"{p} is not an annotation file: {exc}") from None
    meta = tables.get(META, {}).get("format", {})
    if meta and meta.get("name") not in (None, FORMAT_NAME):
        raise StorageError(f"{p} is not a shelf annotation file (format {meta.get('name')!r})")
    if TABLE not in tables:
        raise StorageError(f"{p} is not a shelf annotation file (no {TABLE!r} table)")
    read_annotation_file(p)  # the format-version check
    titles = {k: v["about"] for k, v in tables[TABLE].items() if isinstance(v.get("about"), str)}
    user = meta.get("user") if isinstance(meta.get("user"), str) else None
    return user, decode_table(tables[TABLE]), titles


def import_annotations(
    shelf: Shelf, path: str | os.PathLike[str], as_user: str | None = None
) -> SyncReport:
    file_user, theirs, their_titles = load_annotation_export(path)
    user = validate_user(as_user or file_user or shelf.user)
    store = (
        shelf.annotations if user == shelf.user else AnnotationStore(shelf.dirs, user, shelf._warn)
    )
    items = shelf.items(with_text=False)
    report = SyncReport(user=user)
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
        if not path.exists():
            raise StorageError(f"no annotations for user {user!r} in {shelf.dirs.annotations_dir}")
        annotations = read_annotation_file(path)
    items = shelf.items(with_text=False)
    titles = {i: items[i].title for i in annotations if i in items}
    return dumps_annotations(user, annotations, titles)
