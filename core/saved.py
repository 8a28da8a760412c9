"""Saved searches: a name for a query, usable as ``@name`` inside any query.

They are kept in the data folder (``saved-searches.json``, small, versioned,
written atomically) rather than in the personal config: a reading group that
shares a library folder (or keeps it in git) shares its searches too, and
``@to-read`` means the same thing to everyone using that library.

``@name`` is expanded here, before the query reaches the engine, so the app,
``shelf list`` and ``shelf export`` read it the same way and the engine never
needs to know saved searches exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from storage.atomic import StorageError, atomic_write
from storage.search.query import QueryError

FILE_NAME = "saved-searches.json"
FORMAT = {"name": "shelf-saved-searches", "version": 1}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
#: ``@name`` at the start of a query or after a space; quoted phrases are skipped.
_TOKEN = re.compile(r'"[^"]*"?|(?<!\S)@([A-Za-z0-9][A-Za-z0-9_.-]*)')
_MAX_DEPTH = 8


class SavedSearchError(StorageError):
    """A name or query that cannot be saved, or a name that is not saved."""


class UnknownSavedSearch(QueryError):
    """``@name`` names no saved search; a query error like an unknown filter."""


def saved_path(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def load_saved(data_dir: Path) -> dict[str, str]:
    """Name to query, in the order they were saved; empty when there is no file."""
    path = saved_path(data_dir)
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot read the saved searches in {path}: {exc}") from None
    searches = raw.get("searches") if isinstance(raw, dict) else None
    if not isinstance(searches, dict):
        raise StorageError(f"{path} is not a saved-searches file")
    return {str(k): str(v) for k, v in searches.items()}


def _write(data_dir: Path, searches: Mapping[str, str]) -> None:
    data = {"format": FORMAT, "searches": dict(searches)}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    atomic_write(saved_path(data_dir), text.encode("utf-8"))


def check_name(name: str) -> str:
    name = name.strip().removeprefix("@")
    if not NAME.fullmatch(name):
        raise SavedSearchError(
            f"a saved search name is letters, digits, '-', '_' or '.', not {name!r} "
            "(it is used as @NAME in queries)"
        )
    return name


def add_saved(data_dir: Path, name: str, query: str) -> dict[str, str]:
    """Save (or replace) ``name``; the query is checked first, so a typo is not saved."""
    name = check_name(name)
    query = query.strip()
    if not query:
        raise SavedSearchError("a saved search needs a query")
    searches = load_saved(data_dir)
    trial = {**searches, name: query}
    expanded = expand_query(query, trial)  # unknown @names and loops fail here
    from storage.search import parse_query

    parse_query(expanded)  # as does an unknown filter
    searches[name] = query
    _write(data_dir, searches)
    return searches


def remove_saved(data_dir: Path, name: str) -> dict[str, str]:
    name = name.strip().removeprefix("@")
    searches = load_saved(data_dir)
    if name not in searches:
        raise SavedSearchError(f"no saved search named {name!r}{_known(searches)}")
    del searches[name]
    _write(data_dir, searches)
    return searches


def _known(searches: Mapping[str, str]) -> str:
    if not searches:
        return " (none saved yet: shelf saved add NAME QUERY)"
    return " (saved: " + ", ".join(f"@{n}" for n in searches) + ")"


def expand_query(query: str, searches: Mapping[str, str], _depth: int = 0) -> str:
    """``query`` with each ``@name`` replaced by that saved query (saved ones may use others).

    A ``@nam`` still being typed at the end of the query, that begins a saved
    name, is left out rather than reported, as the engine treats a word still
    being typed as a prefix.
    """
    if "@" not in query:
        return query
    if _depth > _MAX_DEPTH:
        raise QueryError("saved searches refer to each other in a loop")
    still_typing = not query[-1:].isspace()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)  # a quoted phrase: taken as written
        if name in searches:
            return expand_query(searches[name], searches, _depth + 1)
        typing = still_typing and match.end() == len(query)
        if typing and any(n.startswith(name) for n in searches):
            return ""
        raise UnknownSavedSearch(f"no saved search named '@{name}'{_known(searches)}")

    return _TOKEN.sub(replace, query)
