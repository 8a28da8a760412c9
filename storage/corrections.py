"""A user's corrections of an item's metadata: kept in their annotation file, like renames.

The parser can get a field wrong (an author list cut short, a date it could
not read) and a library is shared, so a correction is the user's own, not an
edit of the library: it travels with their annotation file through git, the
others see it attributed to them, and views, exports and search use it. The
title is corrected by renaming (``Annotation.title``); these are the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Field -> what it holds. "urls" and "authors" are lists, the rest text.
#: "key" is the user's own citation key (see storage.export.keys).
FIELDS = ("authors", "date", "venue", "urls", "abstract", "key")
MAX_TEXT_BYTES = 256 * 1024
MAX_LIST = 1000
_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
#: A citation key BibTeX, Biber and pandoc all accept.
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]{0,79}$")


class BadCorrection(ValueError):
    """A correction that cannot be kept; the message says why in one line."""


def padded_date(date: str) -> str:
    """A corrected date (YYYY, YYYY-MM or YYYY-MM-DD) as the ISO date items sort by."""
    return date + "-01-01"[len(date) - 4 :] if date else ""


def check_field(name: str, value: Any) -> Any:
    """``value`` in the form kept for field ``name``, or BadCorrection."""
    if name not in FIELDS:
        raise BadCorrection(f"{name!r} cannot be corrected (choose from {', '.join(FIELDS)})")
    if name in ("authors", "urls"):
        if not isinstance(value, list) or len(value) > MAX_LIST:
            raise BadCorrection(f"{name} must be a list of at most {MAX_LIST}")
        cleaned = [" ".join(v.split()) for v in value if isinstance(v, str) and v.strip()]
        if len(cleaned) != len(value):
            raise BadCorrection(f"{name} must be non-empty text")
        if name == "urls":
            bad = [u for u in cleaned if not _URL.match(u)]
            if bad:
                raise BadCorrection(f"{bad[0]!r} is not an http(s) URL")
        return cleaned
    if not isinstance(value, str):
        raise BadCorrection(f"{name} must be text")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise BadCorrection(f"{name} is over {MAX_TEXT_BYTES // 1024} KB")
    text = value.strip() if name == "abstract" else " ".join(value.split())
    if name == "date" and text and not _DATE.match(text):
        raise BadCorrection(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if name == "key" and text and not KEY.match(text):
        raise BadCorrection(
            f"key {text!r}: use a letter, then letters, digits, '_', '-', ':' or '.' (at most 80)"
        )
    return text


def check_corrections(value: Any) -> dict[str, Any]:
    """A stored ``corrections`` block, checked whole: every field valid, or BadCorrection."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadCorrection("corrections are not an object")
    return {name: check_field(name, v) for name, v in value.items()}


def lenient_corrections(value: Any) -> dict[str, Any]:
    """The fields of a block that check out; a person may have edited their own file."""
    if not isinstance(value, Mapping):
        return {}
    kept = {}
    for name, v in value.items():
        try:
            kept[name] = check_field(str(name), v)
        except BadCorrection:
            continue
    return kept


def parse_value(name: str, text: str) -> Any:
    """A value typed on the command line: lists split on ``;`` (authors) or spaces (urls)."""
    if name == "authors":
        return [part for part in (p.strip() for p in text.split(";")) if part]
    if name == "urls":
        return text.split()
    return text
