"""Text renderings of an item shared by ``shelf show`` and the TUI's detail pane."""

from __future__ import annotations

from typing import Any

from seeds.latex import latex_to_unicode


def authors_line(view: dict[str, Any]) -> str:
    names = ", ".join(view["authors"])
    if view["authors_truncated"]:
        names += " et al."
    return names


def plain_detail(view: dict[str, Any]) -> str:
    lines = [view["title"] + ("  (derived title)" if view["title_derived"] else "")]
    if view.get("renamed"):
        lines.append(f"originally: {view['original_title']}")
    lines.append(f"id: {view['id']}   status: {view['status']}")
    if view["authors"]:
        lines.append(f"authors: {authors_line(view)}")
    if view["affiliations"]:
        lines.append(f"affiliations: {', '.join(view['affiliations'])}")
    if view["date_text"]:
        lines.append(f"date: {view['date_text']}")
    if view["category"]:
        name = view.get("category_name") or ""
        lines.append(f"category: {view['category']}" + (f" ({name})" if name else ""))
    if view["has_code"]:
        lines.append("code: available")
    lines.append(f"sources: {', '.join(view['sources'])}")
    for url in view["urls"]:
        lines.append(f"url: {url}")
    if view["tags"]:
        lines.append("tags: " + " ".join(f"#{t}" for t in view["tags"]))
    for update in view["updates"]:
        lines.append(f"updated {update['date']}: {update['text']}")
    if view["summary"]:
        lines += ["", latex_to_unicode(view["summary"])]
    for note in view["notes"]:
        lines += ["", f"note ({note['created']}):", note["text"]]
    for user, other in view.get("others", {}).items():
        bits = [other["status"]] + [f"#{t}" for t in other["tags"]]
        lines.append(f"{user}: {' '.join(bits)}")
        for note in other["notes"]:
            lines.append(f"  {user} noted: {note['text']}")
    return "\n".join(lines)
