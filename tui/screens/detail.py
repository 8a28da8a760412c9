"""The detail view (``enter``): one item on the whole screen, with the same item keys."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from core.related import DEFAULT_LIMIT as RELATED
from tui.errors import guarded
from tui.messages import (
    AnnotationsChanged,
    IndexFailed,
    IndexReady,
    LibraryReloaded,
    RelatedFound,
    TextsLoaded,
)
from tui.screens.actions import ITEM_BINDINGS, ItemActions
from tui.screens.related_lookup import RelatedLookup, related_bindings
from tui.widgets.detail import DetailPane
from tui.widgets.footer import ShelfFooter


class DetailScreen(ItemActions, Screen):
    BINDINGS = [
        Binding("escape,q", "close", "back", id="detail.close"),
        Binding("j", "scroll_down", "scroll down", show=False, id="detail.scroll_down"),
        Binding("k", "scroll_up", "scroll up", show=False, id="detail.scroll_up"),
        Binding("space", "page_down", "page down", show=False, id="detail.page_down"),
        Binding("right_square_bracket,J", "step(1)", "next", key_display="]", id="detail.next"),
        Binding(
            "left_square_bracket,K", "step(-1)", "previous", key_display="[", id="detail.previous"
        ),
        Binding("L", "follow_link", "go to the item a note names", id="detail.follow_link"),
        *related_bindings("detail", "open a related item"),
        *ITEM_BINDINGS,
    ]

    def __init__(self, item_id: str, step: Callable[[str, int], str | None] | None = None) -> None:
        """``step(item_id, delta)``: the item ``delta`` rows away in the list it was opened
        from (None past either end); the list's cursor follows, so back lands there."""
        super().__init__()
        self.item_id = item_id
        self._step = step
        self._named: list[dict[str, str]] = []  # the items this one's notes name
        # The items like item_id, once the worker found them (or why not).
        self._related = RelatedLookup(self, RELATED)

    def compose(self) -> ComposeResult:
        yield DetailPane(id="detail-full")
        yield ShelfFooter()

    def on_mount(self) -> None:
        self.show()
        self.set_focus(self.query_one(DetailPane))

    def current_id(self) -> str | None:
        model = self.shelf_app.model
        known = self.item_id in model.items or not model.loaded
        return self.item_id if known else None

    def target_ids(self) -> list[str]:
        current = self.current_id()
        return [current] if current else []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_link":
            return bool(self._named)
        if action == "open_related":
            at = parameters[0] if parameters else 0
            return isinstance(at, int) and at < len(self._related.shown())
        return self.check_item_action(action)

    @guarded("show the item")
    def show(self) -> None:
        pane = self.query_one(DetailPane)
        if self.current_id() is None:
            self._named = []
            pane.show(None)
            return
        app = self.shelf_app
        self._related.want(self.item_id)
        view = app.model.view(self.item_id)
        self._named = view.get("links_to") or []
        pane.show(view, app.texts_loaded, self._related.section())
        app.item_opened(self.item_id)  # opened: no longer new

    # -- related items ---------------------------------------------------------

    @on(RelatedFound)
    def related_found(self, message: RelatedFound) -> None:
        if self._related.receive(message):  # else the view moved on meanwhile
            self.query_one(DetailPane).show_related(self._related.section())
            self.refresh_bindings()

    def action_open_related(self, at: int) -> None:
        shown = self._related.shown()
        if 0 <= at < len(shown):
            # A screen of its own: escape comes back to this item.
            self.app.push_screen(DetailScreen(shown[at].id))

    def action_step(self, delta: int) -> None:
        if self._step is None:
            return
        found = self._step(self.item_id, delta)
        if found is None:
            self.app.notify(
                "this is the last item" if delta > 0 else "this is the first item", timeout=2
            )
            return
        self.item_id = found
        self.show()
        self.query_one(DetailPane).scroll_home(animate=False)
        self.refresh_bindings()

    def action_follow_link(self) -> None:
        """Show the (first) item a note names; ``escape`` goes back to the list."""
        if not self._named:
            return
        self.item_id = self._named[0]["id"]
        self.show()
        self.query_one(DetailPane).scroll_home(animate=False)
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one(DetailPane).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one(DetailPane).scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.query_one(DetailPane).scroll_page_down(animate=False)

    @on(AnnotationsChanged)
    def annotations_changed(self, message: AnnotationsChanged) -> None:
        self._related.stale()  # tags are indexed: other items' results may change
        if self.item_id in message.ids:
            self.show()
        self.refresh_bindings()

    @on(LibraryReloaded)
    def external_change(self, message: LibraryReloaded) -> None:
        if message.items:
            self._related.forget()  # the library changed: what is alike may too
        elif message.ids:
            self._related.stale()
        if self.item_id in message.ids or message.items or message.others:
            self.show()

    @on(IndexReady)
    @on(IndexFailed)
    def index_changed(self) -> None:
        self._related.forget()
        self.show()

    @on(TextsLoaded)
    def texts_loaded(self) -> None:
        self.show()
