"""An item's links, by what they lead to: the paper's page, its PDF, its code.

An item's ``urls`` are whatever its documents linked, in their order: for
CLIP that is only the GitHub repository. Opening "the paper" must not open
the code, so the links are sorted by kind here: an arXiv paper's abstract
page and PDF come from its arXiv id, a DOI resolves through doi.org, code
hosts are code, and any other page is the item's own page (a blog post). A
paper with no page at all gets a title search on arXiv, labelled as a search.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit

from storage.views import arxiv_id, doi_of

_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


@dataclass(frozen=True)
class Link:
    kind: str  # "paper", "pdf", "code", "page", "search"
    label: str  # for people: "paper page (arXiv)"
    url: str


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _web(urls: Any) -> list[str]:
    return [
        u
        for u in urls or ()
        if isinstance(u, str) and u.lower().startswith(("http://", "https://"))
    ]


def item_links(view: Mapping[str, Any]) -> list[Link]:
    """Every link of an item, the paper's page first, each URL once."""
    urls = _web(view.get("urls"))
    out: list[Link] = []
    arxiv = arxiv_id(urls)
    if arxiv:
        out.append(Link("paper", "paper page (arXiv)", f"https://arxiv.org/abs/{arxiv}"))
        out.append(Link("pdf", "PDF (arXiv)", f"https://arxiv.org/pdf/{arxiv}"))
    doi = doi_of(urls)
    if doi:
        kind = "page" if arxiv else "paper"
        out.append(Link(kind, "publisher's page (DOI)", f"https://doi.org/{doi}"))
    pages: list[Link] = []
    code: list[Link] = []
    for url in urls:
        host = _host(url)
        if host.endswith("arxiv.org") and arxiv or host.endswith("doi.org") and doi:
            continue
        if any(host == h or host.endswith("." + h) for h in _CODE_HOSTS):
            code.append(Link("code", f"code ({host})", url))
        elif url.lower().split("?")[0].endswith(".pdf"):
            pages.append(Link("pdf", f"PDF ({host})", url))
        else:
            pages.append(Link("page", f"page ({host})" if host else "page", url))
    if not arxiv and not doi and pages and pages[0].kind == "page":
        pages[0] = Link("paper", pages[0].label, pages[0].url)
    out.extend(pages)
    has_paper = any(link.kind == "paper" for link in out)
    if not has_paper and _looks_like_paper(view) and view.get("title"):
        title = str(view.get("original_title") or view["title"])
        query = quote_plus(title)
        out.append(
            Link(
                "search",
                "find the paper (arXiv title search)",
                f"https://arxiv.org/search/?query={query}&searchtype=title",
            )
        )
    out.extend(code)
    seen: set[str] = set()
    unique = []
    for link in out:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique


def _looks_like_paper(view: Mapping[str, Any]) -> bool:
    return bool(view.get("category") or view.get("authors"))


def paper_link(view: Mapping[str, Any]) -> Link | None:
    """What ``o`` opens: the paper's page (or its search), else the first link."""
    links = item_links(view)
    return links[0] if links else None
