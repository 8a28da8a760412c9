"""Text renderings of an item shared by ``shelf show`` and the TUI's detail pane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.text import readable as latex_to_unicode

if TYPE_CHECKING:
    from rich.text import Text


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
    lines.append(f"sources: {', '.join(view.get('source_names') or view['sources'])}")
    for url in view["urls"]:
        lines.append(f"url: {url}")
    if view["tags"]:
        lines.append("tags: " + " ".join(f"#{t}" for t in view["tags"]))
    body_notes = notes_are_the_text(view)
    if not body_notes:
        for update in view["updates"]:
            lines.append(f"updated {update['date']}: {update['text']}")
    for note in view["notes"]:
        lines += ["", f"note ({note['created']}):", note["text"]]
    if view["summary"]:
        lines += ["", latex_to_unicode(view["summary"])]
    elif body_notes:
        lines += ["", "update notes (the post's text is not in the library):"]
        lines += [f"  {u['date']}  {latex_to_unicode(u['text'])}" for u in view["updates"]]
    links = view.get("links_to") or []
    if links:
        lines += ["", *(f"See also: {link['title']} ({link['id']})" for link in links)]
    for user, other in view.get("others", {}).items():
        bits = [other["status"]] + [f"#{t}" for t in other["tags"]]
        lines.append(f"{user}: {' '.join(bits)}")
        for note in other["notes"]:
            lines.append(f"  {user} noted: {note['text']}")
    return "\n".join(lines)


def _note_time(created: str) -> str:
    return created.replace("T", " ").rstrip("Z")[:16]


#: The pane wraps its text once per item; a 20 MB note would hold the UI for a
#: minute. Past this much, it says how to read the rest instead.
PANE_TEXT_LIMIT = 20_000


def _capped(text: str) -> str:
    if len(text) <= PANE_TEXT_LIMIT:
        return text
    rest = len(text) - PANE_TEXT_LIMIT
    return f"{text[:PANE_TEXT_LIMIT]}… ({rest:,} more characters: shelf show or shelf notes prints it all)"


def notes_are_the_text(view: dict[str, Any], abstract_loaded: bool = True) -> bool:
    """Whether the item's update notes are all the text there is (no abstract).

    Some posts reach the library as nothing but their ``[Updated on …]``
    notes; shown as the body, under their dates, they say what the post
    covers, where "(no abstract)" says nothing. Until the abstracts are
    loaded it cannot be known that there is none.
    """
    return abstract_loaded and not view["summary"] and bool(view["updates"])


def _rich_notes_as_text(out: Text, view: dict[str, Any]) -> None:
    out.append("\nUpdate notes\n", "bold")
    out.append("  the post's own text is not in the library; its notes say what it covers\n", "dim")
    for update in view["updates"]:
        out.append(f"  {update['date']}  ", "dim")
        out.append(latex_to_unicode(_capped(update["text"])) + "\n")


def _rich_links(out: Text, view: dict[str, Any]) -> None:
    """The items the notes name (``links_to``), by title and id."""
    links = view.get("links_to") or ()
    if not links:
        return
    out.append("\nSee also\n", "bold")
    for link in links:
        out.append(f"  {link['title']}", "underline")
        out.append(f"  {link['id']}\n", "dim")


def rich_detail(view: dict[str, Any], abstract_loaded: bool = True) -> Text:
    """The detail pane: the same facts as ``plain_detail``, laid out for reading.

    Every mark that carries meaning (derived title, status) is a glyph as well
    as a style, so the pane reads the same with ``NO_COLOR``.
    """
    from rich.text import Text

    glyphs = {"unread": "·", "reading": "◐", "read": "✓"}
    out = Text()
    title_style = "bold italic" if view["title_derived"] else "bold"
    out.append(("~" if view["title_derived"] else "") + view["title"], title_style)
    if view["title_derived"]:
        out.append("  (title derived from the text)", "dim")
    out.append("\n")
    if view.get("renamed"):
        out.append(f"originally: {view['original_title']}\n", "dim")

    def field(label: str, value: str, style: str = "") -> None:
        out.append(f"{label:<13}", "bold dim")
        out.append(value, style)
        out.append("\n")

    out.append("\n")
    if view["authors"]:
        field("Authors", authors_line(view))
    if view["affiliations"]:
        field("Affiliations", ", ".join(view["affiliations"]))
    if view["date_text"] or view["date"]:
        field("Date", view["date_text"] or view["date"])
    if view["category"]:
        name = view.get("category_name")
        field("Category", f"{name} ({view['category']})" if name else view["category"])
    if view["has_code"]:
        field("Code", "available")
    status = view["status"]
    field("Status", f"{glyphs.get(status, '?')} {status}")
    if view["tags"]:
        field("Tags", " ".join(f"#{t}" for t in view["tags"]), "bold")
    if view["sources"]:
        field("Sources", ", ".join(view.get("source_names") or view["sources"]))
    for i, url in enumerate(view["urls"]):
        field("URL" if i == 0 else "", url, "underline")
    field("Id", view["id"], "dim")
    if view["updates"] and not notes_are_the_text(view, abstract_loaded):
        out.append("\nUpdates\n", "bold")
        for update in view["updates"]:
            out.append(f"  {update['date']}  ", "dim")
            out.append(latex_to_unicode(update["text"]) + "\n")
    # Your notes before the abstract: an abstract runs to a screen or more,
    # and what you wrote is what you came back for.
    if view["notes"]:
        out.append("\nNotes\n", "bold")
        for note in view["notes"]:
            out.append(f"  {_note_time(note['created'])}\n", "dim")
            for line in _capped(note["text"]).splitlines() or [""]:
                out.append(f"  {line}\n")
    if notes_are_the_text(view, abstract_loaded):
        _rich_notes_as_text(out, view)
    else:
        out.append("\nAbstract\n", "bold")
        if view["summary"]:
            out.append(latex_to_unicode(_capped(view["summary"])) + "\n")
        elif not abstract_loaded:
            out.append("loading…\n", "dim italic")
        else:
            out.append("(no abstract)\n", "dim italic")
    _rich_links(out, view)
    others = view.get("others") or {}
    if others:
        out.append("\nReading group\n", "bold")
        for user, other in others.items():
            out.append(f"  {user}: ", "bold")
            out.append(f"{glyphs.get(other['status'], '?')} {other['status']}")
            if other["tags"]:
                out.append("  " + " ".join(f"#{t}" for t in other["tags"]))
            out.append("\n")
            for note in other["notes"]:
                out.append(f"    {user} noted ({_note_time(note['created'])}): ", "dim")
                out.append(_capped(note["text"]) + "\n")
    out.rstrip()
    return out
