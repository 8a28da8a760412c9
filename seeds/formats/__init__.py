"""One module per document format, each with ``detect(lines)`` and ``parse(lines, source)``.

``FORMATS`` is in detection order: the most specific shapes first, so the
loosest one (blog excerpts: any lines of prose) only claims what nothing else does.
"""

from __future__ import annotations

from types import ModuleType

from seeds.formats import (
    arxiv_abstracts,
    blog_excerpts,
    blog_listing,
    paper_listing,
    research_page,
)

FORMATS: tuple[ModuleType, ...] = (
    arxiv_abstracts,
    paper_listing,
    blog_listing,
    research_page,
    blog_excerpts,
)
BY_KIND: dict[str, ModuleType] = {module.KIND: module for module in FORMATS}
