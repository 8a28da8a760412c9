"""Reading lists exported for other tools: notes apps, spreadsheets, reference managers.

Every format takes the same input, the item views ``shelf list --json``
prints, and carries the item's metadata together with the user's status,
tags and notes. Output is bytes (UTF-8) so callers write it unchanged.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

FORMATS: tuple[str, ...] = ("md", "json", "csv", "bib", "ris", "csl-json", "html")
GROUP_BY: tuple[str | None, ...] = (None, "tag", "status")

#: Bumped when the json export's header changes incompatibly (items follow
#: the ``--json`` contract and only ever gain fields).
JSON_FORMAT_VERSION = 1


class ExportError(ValueError):
    """A request the exporter cannot satisfy; its message is one line."""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def export_views(
    views: list[dict[str, Any]],
    fmt: str,
    *,
    query: str = "",
    user: str = "",
    group_by: str | None = None,
    exported_at: str | None = None,
) -> bytes:
    """Serialise views as ``fmt``; ``exported_at`` pins the header time (tests)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if group_by not in GROUP_BY:
        raise ExportError(f"cannot group by {group_by!r} (choose tag or status)")
    for view in views:
        if not isinstance(view, Mapping):
            raise ExportError(f"expected item views (dicts), got {type(view).__name__}")
    stamp = exported_at or _now()
    # An export allocates millions of short-lived strings and lists but forms
    # no cycles; with the collector on, each of its passes rescans every view
    # and 100k items take three times as long.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _export(views, fmt, query=query, user=user, group_by=group_by, stamp=stamp)
    except orjson.JSONEncodeError as err:
        raise ExportError(f"cannot export: {err}") from None
    finally:
        if enabled:
            gc.enable()


def _export(
    views: list[dict[str, Any]],
    fmt: str,
    *,
    query: str,
    user: str,
    group_by: str | None,
    stamp: str,
) -> bytes:
    if fmt == "json":
        header = {
            "format": "shelf-export",
            "version": JSON_FORMAT_VERSION,
            "query": query,
            "user": user,
            "exported_at": stamp,
            "count": len(views),
            "items": views,
        }
        return orjson.dumps(header, option=orjson.OPT_INDENT_2) + b"\n"
    if fmt == "csv":
        from storage.export.table import export_csv

        return export_csv(views)
    if fmt == "bib":
        from storage.export.bibtex import export_bibtex

        return export_bibtex(views).encode("utf-8")
    if fmt == "ris":
        from storage.export.ris import export_ris

        return export_ris(views).encode("utf-8")
    if fmt == "csl-json":
        from storage.export.csl import export_csl

        return export_csl(views)
    if fmt == "md":
        from storage.export.markdown import export_markdown

        text = export_markdown(views, query=query, user=user, exported_at=stamp, group_by=group_by)
        return text.encode("utf-8")
    from storage.export.html_page import export_html

    text = export_html(views, query=query, user=user, exported_at=stamp, group_by=group_by)
    return text.encode("utf-8")
