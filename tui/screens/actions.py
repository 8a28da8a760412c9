"""The item keys (read, status, tags, notes, rename, open, copy) shared by the list and detail screens.

A screen mixes this in and says which items an action applies to
(``target_ids``: the selection or the cursor item on the list, the shown item
on the detail screen). Each action asks the app to run a session command and
reports only after the change is saved. Toggles act on the state on screen:
if another process changed the item since it was drawn, the session refuses
and the list shows the new state instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from core.text import visible
from tui.errors import guarded, safe

if TYPE_CHECKING:
    from core.cite import Link
    from core.session import Change
    from tui.app import ShelfApp

ITEM_BINDINGS = [
    Binding("r", "toggle_read", "read", id="item.toggle_read"),
    Binding("R", "cycle_status", "status", id="item.cycle_status"),
    Binding("t", "add_tags", "tag", id="item.add_tags"),
    Binding("T", "remove_tag", "untag", id="item.remove_tag"),
    Binding("n", "add_note", "note", id="item.add_note"),
    Binding("e", "rename", "rename", id="item.rename"),
    Binding("o", "open_url", "open url", id="item.open_url"),
    Binding("D", "remove_items", "remove", show=False, id="item.remove"),
    Binding("E", "edit_item", "edit fields", show=False, id="item.edit"),
    Binding("N", "show_notes", "notes", show=False, id="item.notes"),
    # Off the footer (it is full at 120 columns); listed by ? and ctrl+p.
    Binding("O", "open_links", "choose a link to open", id="item.open_links", show=False),
    Binding("y", "copy", "copy a citation, link or id", id="item.copy", show=False),
]

ITEM_ACTIONS = frozenset(b.action for b in ITEM_BINDINGS)


def _title(app: ShelfApp, item_id: str) -> str:
    title = app.model.row(item_id).title
    return title if len(title) <= 50 else title[:49] + "…"


def _what(app: ShelfApp, ids: list[str]) -> str:
    return f"“{_title(app, ids[0])}”" if len(ids) == 1 else f"{len(ids)} items"


class ItemActions:
    @property
    def shelf_app(self) -> ShelfApp:
        from tui.services import shelf_app

        return shelf_app(self)  # type: ignore[arg-type]

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
        model = self.shelf_app.model
        if action == "remove_tag":
            return any(model.row(i).tags for i in ids)
        if action in ("open_url", "open_links"):
            from core.cite import links_of_item

            item = model.items.get(self.current_id() or "")
            return bool(item and links_of_item(item))
        return True

    def _notify(self, text: str) -> None:
        # Titles and tags come from data: never read as markup.
        self.shelf_app.notify(text, timeout=3, markup=False)

    @guarded("mark read")
    def action_toggle_read(self) -> None:
        ids = self.target_ids()
        if not ids:
            return
        app = self.shelf_app
        seen = app.model.statuses(ids)

        def done(change: Change) -> None:
            self._notify(f"{_what(app, ids)}: {change.value}")
            self.after_action(ids)

        app.change("mark read", lambda s: s.toggle_read(ids, seen=seen), done)

    @guarded("change status")
    def action_cycle_status(self) -> None:
        item_id = self.current_id()
        if item_id is None:
            return
        app = self.shelf_app
        seen = app.model.annotation(item_id).status

        def done(change: Change) -> None:
            self._notify(f"{_what(app, [item_id])}: {change.value}")

        app.change("change status", lambda s: s.cycle_status(item_id, seen=seen), done)

    @guarded("add tags")
    def action_add_tags(self) -> None:
        from tui.screens.tag_dialog import TagDialog

        ids = self.target_ids()
        if not ids:
            return
        app = self.shelf_app

        def chosen(tags: list[str] | None) -> None:
            if not tags:
                return

            def done(change: Change) -> None:
                shown = " ".join(f"#{t}" for t in tags)
                self._notify(f"tagged {_what(app, ids)} {shown}")
                self.after_action(ids)

            app.change("add tags", lambda s: s.add_tags(ids, tags), done)

        dialog = TagDialog(_what(app, ids), app.model.all_tags())
        app.push_screen(dialog, safe(app, "add tags", chosen))

    @guarded("remove a tag")
    def action_remove_tag(self) -> None:
        from tui.screens.tag_dialog import UntagDialog

        ids = self.target_ids()
        app = self.shelf_app
        counts: dict[str, int] = {}
        for item_id in ids:
            for tag in app.model.row(item_id).tags:
                counts[tag] = counts.get(tag, 0) + 1
        if not counts:
            app.notify("no tags to remove", severity="warning", timeout=3)
            return

        def chosen(tag: str | None) -> None:
            if not tag:
                return

            def done(change: Change) -> None:
                self._notify(f"removed #{tag} from {_what(app, ids)}")
                self.after_action(ids)

            app.change("remove a tag", lambda s: s.remove_tags(ids, [tag]), done)

        dialog = UntagDialog(_what(app, ids), counts, len(ids))
        app.push_screen(dialog, safe(app, "remove a tag", chosen))

    @guarded("add a note")
    def action_add_note(self) -> None:
        from tui.screens.note_dialog import NoteDialog

        item_id = self.current_id()
        if item_id is None:
            return
        app = self.shelf_app

        def chosen(text: str | None) -> None:
            if not text or not text.strip():
                return

            def done(change: Change) -> None:
                count = change.value
                noun = "note" if count == 1 else "notes"
                self._notify(f"note saved ({count} {noun} on this item)")

            app.change("add a note", lambda s: s.add_note(item_id, text), done)

        app.push_screen(NoteDialog(_what(app, [item_id])), safe(app, "add a note", chosen))

    @guarded("rename")
    def action_rename(self) -> None:
        from tui.screens.rename_dialog import RenameDialog

        item_id = self.current_id()
        if item_id is None:
            return
        app = self.shelf_app
        item = app.model.item(item_id)
        current = app.model.row(item_id).title

        def chosen(title: str | None) -> None:
            if title is None:
                return

            def done(change: Change) -> None:
                ann = change.annotations.get(item_id)
                if ann is not None and ann.title:
                    self._notify(f"renamed to “{ann.title}”")
                else:
                    self._notify("original title restored")

            app.change("rename", lambda s: s.rename(item_id, title), done)

        app.push_screen(RenameDialog(current, item.title), safe(app, "rename", chosen))

    @guarded("remove")
    def action_remove_items(self) -> None:
        """Take the items out of the library after a confirmation naming how many."""
        from tui.screens.confirm import ConfirmScreen

        ids = self.target_ids()
        if not ids:
            return
        app = self.shelf_app
        what = _what(app, ids)

        def answered(yes: bool | None) -> None:
            if not yes:
                return

            def removed(change: Change) -> None:
                count = len(change.ids)
                self._notify(f"removed {count} item{'s' if count != 1 else ''} (u puts them back)")
                self.after_action(ids)
                app.reload_library()

            app.change("remove", lambda s: s.remove(ids), removed)

        question = f"Remove {what} from the library?"
        detail = "Your notes and tags on them are kept; u undoes."
        app.push_screen(ConfirmScreen(question, detail), safe(app, "remove", answered))

    @guarded("show the notes")
    def action_show_notes(self) -> None:
        """The item's notes, to edit or delete one."""
        from tui.screens.notes_screen import NotesScreen

        item_id = self.current_id()
        if item_id is None:
            return
        app = self.shelf_app
        app.push_screen(NotesScreen(item_id, _what(app, [item_id])))

    @guarded("edit the item")
    def action_edit_item(self) -> None:
        """Correct the item's fields in $VISUAL/$EDITOR, the app suspended meanwhile."""
        from core.corrections import finish_edit, run_editor, start_edit

        item_id = self.current_id()
        if item_id is None:
            return
        app = self.shelf_app
        path, written = start_edit(app.session, item_id)
        with app.suspend():
            code = run_editor(path)

        def saved(change: Change | None) -> None:
            self._notify("nothing changed" if change is None else "corrections saved")

        app.change_or_none(
            "edit the item", lambda s: finish_edit(s, item_id, path, written, code), saved
        )

    def _links(self) -> list[Link]:
        from core.cite import item_links

        item_id = self.current_id()
        if item_id is None or item_id not in self.shelf_app.model.items:
            return []
        return item_links(self.shelf_app.session.view(item_id, links=False))

    @guarded("open the link")
    def action_open_url(self) -> None:
        """The paper's page (its arXiv abstract, not its code), else the item's first link."""
        links = self._links()
        if not links:
            if self.current_id() is not None:
                self.shelf_app.notify("this item has no link", severity="warning", timeout=3)
            return
        self.shelf_app.open_link(links[0].url)

    @guarded("choose a link")
    def action_open_links(self) -> None:
        from tui.screens.copy_menu import LinkMenu

        app = self.shelf_app
        links = self._links()
        if not links:
            if self.current_id() is not None:
                app.notify("this item has no link", severity="warning", timeout=3)
            return

        def chosen(url: str | None) -> None:
            if url:
                app.open_link(url)

        app.push_screen(LinkMenu(links), safe(app, "open the link", chosen))

    @guarded("copy")
    def action_copy(self) -> None:
        """Copy a citation of the selection (or the item): to the terminal and the system."""
        from core.cite import COPY_CHOICES, copy_text, views_of
        from core.clipboard import copy_to_system_clipboard
        from tui.screens.copy_menu import CopyMenu

        app = self.shelf_app
        ids = self.target_ids()
        if not ids:
            return

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            text = copy_text(views_of(app.session, ids), choice)
            if not text:
                app.notify("nothing to copy: no link", severity="warning", timeout=3)
                return
            app.copy_to_clipboard(text)
            tool = copy_to_system_clipboard(text)
            label = COPY_CHOICES[choice][1]
            shown = visible(text.splitlines()[0], lines=False)
            shown = shown if len(shown) <= 60 else shown[:59] + "…"
            where = f" (and {tool})" if tool else ""
            what = label if len(ids) == 1 else f"{label} of {len(ids)} items"
            self._notify(f"copied {what}{where}: {shown}")

        app.push_screen(CopyMenu(len(ids)), safe(app, "copy", chosen))
