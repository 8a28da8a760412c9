"""Text as a front end shows it: LaTeX read as Unicode, category codes named.

The parser's helpers live in ``seeds``; front ends get them through here so
that no UI module reaches into the parser.
"""

from __future__ import annotations

from seeds.categories import category_name
from seeds.latex import latex_to_unicode


def readable(text: str) -> str:
    """Abstracts and update notes keep their LaTeX; people read it as Unicode."""
    return latex_to_unicode(text)


__all__ = ["category_name", "readable"]
