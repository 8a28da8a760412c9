"""The seed documents shipped inside the package.

Read through ``importlib.resources`` rather than paths next to this file, so a
wheel or zip install finds them too.
"""

from __future__ import annotations

from importlib import resources


def bundled_documents() -> list[tuple[str, str]]:
    """(file name, text) of every shipped ``seeds/*.txt``, sorted by name."""
    root = resources.files("seeds")
    documents = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in root.iterdir()
        if entry.is_file() and entry.name.endswith(".txt")
    ]
    return sorted(documents)
