"""Human names for the sources items came from: "Lil'Log", not ``004_c7da1ec205d5967c.txt``.

A shipped document has its name from ``seeds.bundled``; a feed's items carry
``feed:NAME``; an added paper ``arxiv:ID`` or ``doi:…``; a page its URL; any
other document its file name without the extension.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from seeds.bundled import BUNDLED_NAMES

_EXTENSION = re.compile(r"\.(txt|bib|md|html?)$", re.IGNORECASE)


def source_name(source: str) -> str:
    named = BUNDLED_NAMES.get(source)
    if named is not None:
        return named
    kind, _, rest = source.partition(":")
    if kind == "feed" and rest:
        return rest
    if kind == "arxiv":
        return "arXiv"
    if kind == "doi":
        return "DOI"
    if kind in ("http", "https"):
        return urlsplit(source).hostname or source
    return _EXTENSION.sub("", source) or source


def name_key(name: str) -> str:
    """How ``src:`` compares names: letters and digits only, case folded (``lillog``)."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())
