"""The item keys (read, status, tags, notes, rename, open) shared by the list and detail screens.

A screen mixes this in and says which items an action applies to
(``target_ids``: the selection or the cursor item on the list, the shown item
on the detail screen). Each action asks the app to save and reports only
after the save has returned.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from tui.errors import guarded, safe

ITEM_BINDINGS = [
    Binding("r", "toggle_read", "read"),
    Binding("R", "cycle_status", "status"),
    Binding("t", "add_tags", "tag"),
    Binding("T", "remove_tag", "untag"),
    Binding("n", "add_note", "note"),
    Binding("e", "rename", "rename"),
    Binding("o", "open_url", "open url"),
]

ITEM_ACTIONS = frozenset(b.action for b in ITEM_BINDINGS)


def _title(app: Any, item_id: str) -> str:
    row = app.model.row(item_id)
    title = row.title
    return title if len(title) <= 50 else title[:49] + "…"


def _what(app: Any, ids: list[str]) -> str:
    return f"“{_title(app, ids[0])}”" if len(ids) == 1 else f"{len(ids)} items"


class ItemActions:
    app: Any

    def target_ids(self) -> list[str]:  # pragma: no cover - every screen overrides it
        raise NotImplementedError

    def current_id(self) -> str | None:  # pragma: no cover
        raise NotImplementedError

    def after_action(self, ids: list[str]) -> None:
        """Called once an action on ``ids`` has been saved (the list clears its selection)."""

    _shown_keys: tuple[bool | None, ...] | None = None
    #: Whether keys are offered by what the current item has (a link, tags).
    #: A screen showing one item says yes; the list says no: there the footer
    #: would change as the cursor passes items with and without links, and
    #: each change rebuilds the footer's widgets and the layout (20-40 ms, a
    #: dropped frame per key while scrolling). The keys explain themselves
    #: instead ("this item has no link").
    PER_ITEM_KEYS = True

    def refresh_item_bindings(self) -> None:
        """Redraw the footer only when the item keys that apply have changed."""
        shown = tuple(self.check_item_action(b.action) for b in ITEM_BINDINGS)
        if shown != self._shown_keys:
            self._shown_keys = shown
            self.refresh_bindings()  # type: ignore[attr-defined]

    def check_item_action(self, action: str) -> bool | None:
        """Hide keys that cannot apply now, so the footer lists only what works."""
        if action not in ITEM_ACTIONS:
            return True
        ids = self.target_ids()
        if not ids:
            return False
        if not self.PER_ITEM_KEYS:
            return True
        model = self.app.model
        if action == "remove_tag":
            return any(model.row(i).tags for i in ids)
        if action == "open_url":
            item = model.items.get(self.current_id() or "")
            return bool(item and item.urls)
        return True

    @guarded("mark read")
    def action_toggle_read(self) -> None:
        ids = self.target_ids()
        if not ids:
            return

        def done(status: str, _: Any) -> None:
            self.app.notify(f"{_what(self.app, ids)}: {status}", timeout=3)
            self.after_action(ids)

        self.app.save("mark read", lambda shelf: shelf.toggle_read(ids), ids, done)

    @guarded("change status")
    def action_cycle_status(self) -> None:
        item_id = self.current_id()
        if item_id is None:
            return

        def done(status: str, _: Any) -> None:
            self.app.notify(f"{_what(self.app, [item_id])}: {status}", timeout=3)

        self.app.save("change status", lambda shelf: shelf.cycle_status(item_id), [item_id], done)

    @guarded("add tags")
    def action_add_tags(self) -> None:
        from tui.screens.tag_dialog import TagDialog

        ids = self.target_ids()
        if not ids:
            return

        def chosen(tags: list[str] | None) -> None:
            if not tags:
                return

            def done(_: Any, anns: Any) -> None:
                shown = " ".join(f"#{t}" for t in tags)
                self.app.notify(f"tagged {_what(self.app, ids)} {shown}", timeout=3)
                self.after_action(ids)

            self.app.save("add tags", lambda shelf: shelf.add_tags(ids, tags), ids, done)

        dialog = TagDialog(_what(self.app, ids), self.app.model.all_tags())
        self.app.push_screen(dialog, safe(self, "add tags", chosen))

    @guarded("remove a tag")
    def action_remove_tag(self) -> None:
        from tui.screens.tag_dialog import UntagDialog

        ids = self.target_ids()
        counts: dict[str, int] = {}
        for item_id in ids:
            for tag in self.app.model.row(item_id).tags:
                counts[tag] = counts.get(tag, 0) + 1
        if not counts:
            self.app.notify("no tags to remove", severity="warning", timeout=3)
            return

        def chosen(tag: str | None) -> None:
            if not tag:
                return

            def done(_: Any, anns: Any) -> None:
                self.app.notify(f"removed #{tag} from {_what(self.app, ids)}", timeout=3)
                self.after_action(ids)

            self.app.save("remove a tag", lambda shelf: shelf.remove_tags(ids, [tag]), ids, done)

        dialog = UntagDialog(_what(self.app, ids), counts, len(ids))
        self.app.push_screen(dialog, safe(self, "remove a tag", chosen))

    @guarded("add a note")
    def action_add_note(self) -> None:
        from tui.screens.note_dialog import NoteDialog

        item_id = self.current_id()
        if item_id is None:
            return

        def chosen(text: str | None) -> None:
            if not text or not text.strip():
                return

            def done(ann: Any, _: Any) -> None:
                count = len(ann.notes)
                noun = "note" if count == 1 else "notes"
                self.app.notify(f"note saved ({count} {noun} on this item)", timeout=3)

            self.app.save(
                "add a note", lambda shelf: shelf.add_note(item_id, text), [item_id], done
            )

        self.app.push_screen(
            NoteDialog(_what(self.app, [item_id])), safe(self, "add a note", chosen)
        )

    @guarded("rename")
    def action_rename(self) -> None:
        from tui.screens.rename_dialog import RenameDialog

        item_id = self.current_id()
        if item_id is None:
            return
        item = self.app.model.item(item_id)
        current = self.app.model.row(item_id).title

        def chosen(title: str | None) -> None:
            if title is None:
                return

            def done(_: Any, anns: Any) -> None:
                ann = anns.get(item_id)
                if ann is not None and ann.title:
                    self.app.notify(f"renamed to “{ann.title}”", timeout=3)
                else:
                    self.app.notify("original title restored", timeout=3)

            self.app.save("rename", lambda shelf: shelf.rename(item_id, title), [item_id], done)

        self.app.push_screen(RenameDialog(current, item.title), safe(self, "rename", chosen))

    @guarded("open the link")
    def action_open_url(self) -> None:
        item = self.app.model.items.get(self.current_id() or "")
        if item is None:
            return
        if not item.urls:
            self.app.notify("this item has no link", severity="warning", timeout=3)
            return
        url = item.urls[0]
        self.app.open_link(url)
