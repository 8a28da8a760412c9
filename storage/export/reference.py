"""A formatted reference, through a CSL processor (citeproc-py) and a bundled style.

The style is data, not code: ``styles/harvard-cite-them-right.csl`` (CC BY-SA,
see ``styles/README.md``). The item is the CSL-JSON of the export (``csl_item``)
without the fields a reference never prints, and with the paper's page as its
URL rather than whatever link came first (CLIP's first link is its code).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from storage.export.common import View, clean_view
from storage.export.csl import csl_item
from storage.links import paper_link

STYLE_FILE = Path(__file__).parent / "styles" / "harvard-cite-them-right.csl"
_UNPRINTED = ("custom", "note", "abstract", "keyword")


@lru_cache(maxsize=1)
def _style() -> Any:
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(str(STYLE_FILE), validate=False)


def reference_data(view: View, key: str) -> dict[str, Any]:
    data = {k: v for k, v in csl_item(view, key).items() if k not in _UNPRINTED}
    link = paper_link(view)
    if link is not None and link.kind != "search":
        data["URL"] = link.url
    else:
        data.pop("URL", None)
    return data


def formatted_references(views: Sequence[View], keys: Sequence[str]) -> list[str]:
    """One plain-text reference per view, in the views' order."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    out = []
    for view, key in zip(views, keys, strict=True):
        view = clean_view(view)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc warns about fields it skips
            source = CiteProcJSON([reference_data(view, key)])
            bibliography = CitationStylesBibliography(_style(), source, formatter.plain)
            bibliography.register(Citation([CitationItem(key)]))
            out.append(" ".join(str(entry) for entry in bibliography.bibliography()))
    return out
