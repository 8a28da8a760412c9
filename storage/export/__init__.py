"""Reading lists exported for other tools: notes apps, spreadsheets, reference managers.

Every format takes the same input, the item views ``shelf list --json``
prints, and carries the item's metadata together with the user's status,
tags and notes. Exports stream: to a file (replaced atomically), to any
binary stream, or to bytes for callers that want them in hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from storage.atomic import atomic_fill
from storage.export.base import ExportError, Meta
from storage.export.json_doc import JSON_FORMAT_VERSION
from storage.export.stream import ViewList, ViewSource, stream_export

FORMATS: tuple[str, ...] = ("md", "json", "csv", "bib", "ris", "csl-json", "html")
GROUP_BY: tuple[str | None, ...] = (None, "tag", "status")

__all__ = [
    "FORMATS",
    "GROUP_BY",
    "JSON_FORMAT_VERSION",
    "ExportError",
    "ViewSource",
    "export_to_file",
    "export_views",
    "write_export",
]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_request(fmt: str, group_by: str | None) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if group_by not in GROUP_BY:
        raise ExportError(f"cannot group by {group_by!r} (choose tag or status)")


def write_export(
    source: ViewSource,
    fmt: str,
    out: IO[bytes],
    *,
    query: str = "",
    user: str = "",
    group_by: str | None = None,
    exported_at: str | None = None,
    workers: int = 1,
) -> int:
    """Stream the export of ``source`` to ``out``; returns the number of items.

    ``workers`` above 1 splits the formatting between forked processes where
    that is safe (see :mod:`storage.export.parts`); ``exported_at`` pins the
    header time (tests).
    """
    check_request(fmt, group_by)
    meta = Meta(len(source), query, user, exported_at or _now(), group_by)
    stream_export(source, fmt, meta, out, workers)
    return meta.count


def export_to_file(path: Path, source: ViewSource, fmt: str, **options: Any) -> int:
    """Replace ``path`` with the export; on any failure the old file is untouched."""
    check_request(fmt, options.get("group_by"))
    count = 0

    def fill(fd: int) -> None:
        nonlocal count
        with open(fd, "wb", buffering=1 << 20, closefd=False) as out:
            count = write_export(source, fmt, out, **options)

    atomic_fill(Path(path), fill)
    return count


def export_views(
    views: Sequence[Mapping[str, Any]],
    fmt: str,
    *,
    query: str = "",
    user: str = "",
    group_by: str | None = None,
    exported_at: str | None = None,
) -> bytes:
    """The export of views in hand, as bytes."""
    for view in views:
        if not isinstance(view, Mapping):
            raise ExportError(f"expected item views (dicts), got {type(view).__name__}")
    out = BytesIO()
    write_export(
        ViewList(views),
        fmt,
        out,
        query=query,
        user=user,
        group_by=group_by,
        exported_at=exported_at,
    )
    return out.getvalue()
