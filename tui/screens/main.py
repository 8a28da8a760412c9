"""The main screen: search on top, facets on the left, the list, the detail pane, the keys.

Searching, filtering and sorting run in one exclusive thread worker that
hands back a new order array; the list widget is never rebuilt, it is given
the array and redraws the lines on screen.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from core.errors import describe, is_query_error
from core.listing import FACET_TITLES, SORT_LABELS, Facet, ViewState
from core.related import DEFAULT_LIMIT as RELATED
from core.text import visible
from tui.errors import guarded, safe
from tui.messages import (
    AnnotationsChanged,
    IndexFailed,
    IndexReady,
    LibraryReloaded,
    NewItemsChanged,
    RelatedFound,
    TextsLoaded,
    UndoChanged,
)
from tui.screens.actions import ITEM_BINDINGS, ItemActions
from tui.screens.related_lookup import RelatedLookup, related_bindings
from tui.services import shelf_app
from tui.widgets.detail import DetailPane
from tui.widgets.facets import FacetList, facet_label
from tui.widgets.footer import ShelfFooter
from tui.widgets.item_list import ItemList, ListHeader
from tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from core.search import SearchResult
    from core.session import Session

DETAIL_DELAY = 0.04
# While keys are typed, the sidebar's counts wait this long after a search's
# list is shown: counting costs as much as searching, and counts for a word
# half typed would only take the GIL from the search for the next key.
COUNT_DELAY = 0.15
_ENDED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
# The Related lookup waits longer than the pane: at 100k items it is tens of
# ms of Python in a thread, which takes turns at the GIL with drawing, so it
# starts only once the highlight has rested, never while a key is held.
RELATED_DELAY = 0.25
LOAD_DELAY = 0.1  # seconds between the first frame and loading the rest
NARROW = 90  # below this many columns the facet sidebar hides
WIDE = 140  # below this many the sidebar is narrower, leaving the titles room
SHORT = 18  # below this many rows the detail pane hides


class ResultsReady(Message):
    def __init__(
        self,
        generation: int,
        order: list[str] | None,
        matches: Mapping[str, Sequence[tuple[int, int]]] | None,
        facets: list[Facet] | None,
        total: int | None,
        error: str | None,
        bad_query: bool = False,
    ) -> None:
        """``bad_query``: the error is in what the user typed, not in the program.

        ``facets`` None: the counts follow in a :class:`FacetsReady`, so that
        the list does not wait for them.
        """
        super().__init__()
        self.bad_query = bad_query
        self.generation = generation
        self.order = order
        self.matches = matches
        self.facets = facets
        self.total = total
        self.error = error


class FacetsReady(Message):
    """The sidebar's counts for the results of ``generation``, sent after the list."""

    def __init__(
        self, generation: int, facets: list[Facet] | None, error: str | None = None
    ) -> None:
        super().__init__()
        self.generation = generation
        self.facets = facets
        self.error = error


class MainScreen(ItemActions, Screen):
    BINDINGS = [
        # Priority: the focus must move before the keys typed after "/" are
        # handed to the list (a fast typist or a paste sends them at once).
        Binding(
            "slash",
            "focus_search",
            "search",
            key_display="/",
            priority=True,
            id="main.focus_search",
        ),
        Binding(
            "enter,down",
            "leave_search",
            "results",
            show=False,
            priority=True,
            id="main.leave_search",
        ),
        Binding("enter", "open_detail", "detail", id="main.open_detail"),
        *ITEM_BINDINGS,
        Binding("x", "export", "export", id="main.export"),
        Binding("s", "sort", "sort", id="main.sort"),
        Binding("f", "focus_facets", "filters", id="main.focus_facets"),
        Binding("escape", "back", "clear", show=False, id="main.back"),
        Binding("ctrl+s", "save_search", "save search", show=False, id="main.save_search"),
        *related_bindings("main", "open a related item in the detail view"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.state = ViewState()  # the app's remembered view, from on_mount
        self.generation = 0
        self.hits_total: int | None = None
        self.query_error: str | None = None
        self.waiting_for_index = False
        # The generation being searched, and its worker: keys typed meanwhile
        # wait for it (see on_input_changed).
        self._searching: int | None = None
        self._search_worker: Worker[None] | None = None
        self._detail_timer: Timer | None = None
        self._last_result: SearchResult | None = None
        self._saved_counts: dict[tuple[str, str], list[str]] = {}
        self._pending_cursor: int | None = None
        self._search_due = False
        self._reorder_pending = False
        self._counted = 0  # the generation the sidebar's counts belong to
        self._detail_due = False
        # The detail pane's Related section, for the highlighted item.
        self._related = RelatedLookup(self, RELATED, delay=RELATED_DELAY)

    def compose(self) -> ComposeResult:
        yield SearchBar(placeholder="/ search titles, authors, abstracts, tags, notes", id="search")
        yield Static("", id="query-error", markup=False)
        with Horizontal(id="body"):
            yield FacetList(id="facets")
            with Vertical(id="center"):
                items = ItemList(shelf_app(self).model, id="items")
                yield ListHeader(items, id="list-header")
                yield items
                yield DetailPane(id="detail")
        yield Static("", id="status", markup=False)
        yield ShelfFooter()

    @property
    def items(self) -> ItemList:
        return self.query_one("#items", ItemList)

    def on_mount(self) -> None:
        self.state = shelf_app(self).initial_view
        if self.state.query:
            search = self.query_one("#search", SearchBar)
            with search.prevent(Input.Changed):
                search.value = self.state.query
        self.query_one("#query-error").display = False
        self._update_empty_message()
        self._update_tags_column()
        self.items.set_order(shelf_app(self).model.library_order)
        self.set_focus(self.items)
        self._update_layout()
        self._update_status()
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        app = shelf_app(self)
        if app.first_frame_at is None:
            app.first_frame_at = time.time()  # the scale benchmark reads this
        # Not at once: parsing the library holds the GIL for a few hundred ms
        # at 100k items, and Textual's writer thread still has to put this
        # frame on the terminal.
        self.set_timer(LOAD_DELAY, app.start_loading)
        restored = self.state.query or self.state.filters or self.state.sort != "relevance"
        self.refresh_results(reorder=bool(restored))

    def busy(self) -> bool:
        return self.counts_pending() or self._detail_due or self._related.due

    def results_pending(self) -> bool:
        """The list does not show the current query's results yet (the pane may lag)."""
        return self._search_due or self._reorder_pending

    def counts_pending(self) -> bool:
        """The sidebar's counts are not yet those of the list shown (they follow it)."""
        return self.results_pending() or self._counted != self.generation

    # -- what the actions apply to ------------------------------------------

    def current_id(self) -> str | None:
        return self.items.current_id

    def target_ids(self) -> list[str]:
        selected = self.items.selected_ids()
        if selected:
            return selected
        current = self.items.current_id
        return [current] if current else []

    PER_ITEM_KEYS = False

    def after_action(self, ids: list[str]) -> None:
        if self.items.selection and set(ids) == set(self.items.selection):
            self.items.clear_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_search":
            # In a text field "/" is a character like any other.
            return not isinstance(self.focused, Input | TextArea)
        if action == "leave_search":
            return isinstance(self.focused, SearchBar)
        if action in {"open_detail", "export"} and not self.items.order:
            return False
        if action == "open_related":
            at = parameters[0] if parameters else 0
            shown = self._related.shown() if self._related.item_id == self.current_id() else []
            return isinstance(at, int) and at < len(shown)
        return self.check_item_action(action)

    def command_bindings(self) -> list[tuple[DOMNode, Binding]]:
        """The list's own keys too, for the command palette, whatever has focus."""
        items = self.items
        return [(items, b) for b in ItemList.BINDINGS if isinstance(b, Binding)]

    # -- searching -----------------------------------------------------------

    def on_input_changed(self, event: SearchBar.Changed) -> None:
        if event.input.id != "search":
            return
        self.state = replace(self.state, query=event.value)
        self._search_due = True
        # One search at a time: a key typed while one runs is searched as
        # soon as it lands, with whatever has been typed by then. Each key
        # is answered in one search's time, and a fast typist or a held key
        # never queues searches up behind each other.
        if self._searching is None:
            self._search_now()

    def action_leave_search(self) -> None:
        self.on_search_bar_leave(SearchBar.Leave())

    def on_search_bar_leave(self, event: SearchBar.Leave) -> None:
        if self._search_due:
            self.refresh_results(cursor=0)
        else:
            if self._reorder_pending:
                self._pending_cursor = 0  # for results still on their way
            self.items.cursor = 0
        self.set_focus(self.items)

    def _search_now(self) -> None:
        self.refresh_results(cursor=0, typed=True)

    def refresh_results(
        self, reorder: bool = True, cursor: int | None = None, *, typed: bool = False
    ) -> None:
        """Ask the worker for a new order (or, with ``reorder=False``, new facet counts).

        A count refresh must not swallow a new order still on its way, so it
        becomes a full refresh while one is pending. ``typed``: a key in the
        search bar; its counts wait for typing to pause (see ``COUNT_DELAY``).
        """
        self.generation += 1
        self._search_due = False
        if cursor is not None:
            self._pending_cursor = cursor
        reorder = reorder or self._reorder_pending
        self._reorder_pending = reorder
        query = self.state.query.strip()
        app = shelf_app(self)
        if query and not app.index_ready and app.index_error is None:
            self.waiting_for_index = True  # index_ready() asks again
            self._update_status()
            return
        self.waiting_for_index = False
        current = None if reorder else list(self.items.order)
        self._searching = self.generation
        delay = COUNT_DELAY if typed else 0.0
        self._search_worker = self._compute(self.generation, self.state, query, current, delay)

    @work(
        thread=True,
        exclusive=True,
        group="results",
        name="search",
        description="search, filter and sort",
        exit_on_error=False,
    )
    def _compute(
        self,
        generation: int,
        state: ViewState,
        query: str,
        current: list[str] | None,
        count_delay: float = 0.0,
    ) -> None:
        model = shelf_app(self).model
        order: list[str] | None = None
        matches: Mapping[str, Sequence[tuple[int, int]]] | None = None
        total = None
        try:
            session = shelf_app(self).session
            expanded = session.expand_query(query) if query else ""
            saved = self._saved_facets(session, query)
            if expanded.strip():
                # Facet counts need the unfiltered hits even when the order stays.
                search = session.search
                result = search.search(expanded, previous=self._last_result)
                self._last_result = result
                matches = search.title_spans(result)
                base: list[str] = list(matches)
                total = result.total
            else:
                base = model.library_order
            filtered = model.filter(base, state.filters)
            if current is not None:
                facets = saved + model.facets(base, state.filters, filtered)
                self.post_message(ResultsReady(generation, None, matches, facets, total, None))
                return
            order = model.sort(filtered, state.sort)
        except Exception as exc:  # a bad query (QueryError), no index, an engine failure
            bad = is_query_error(exc)
            self.post_message(ResultsReady(generation, None, None, [], None, describe(exc), bad))
            return
        # The list first: counting facets costs as much as the search.
        self.post_message(ResultsReady(generation, order, matches, None, total, None))
        worker = get_current_worker()
        deadline = time.monotonic() + count_delay
        while not worker.is_cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        if worker.is_cancelled:
            return  # a newer search is on its way; it counts them
        try:
            facets = saved + model.facets(base, state.filters, filtered)
        except Exception as exc:
            self.post_message(FacetsReady(generation, None, describe(exc)))
            return
        self.post_message(FacetsReady(generation, facets))

    def _saved_facets(self, session: Session, query: str) -> list[Facet]:
        """The "Saved" sidebar section: each saved search with how many items it finds now.

        Counts are kept until the annotations change, so typing a query does
        not rerun every saved search; with the index not open yet they wait.
        """
        saved = session.saved_searches()
        if not saved or not session.search.ready:
            return []
        facets = []
        model = shelf_app(self).model
        for name, saved_query in saved.items():
            key = (name, saved_query)
            found = self._saved_counts.get(key)
            if found is None:
                try:
                    found = session.find(f"@{name}")
                except ValueError:  # it names a filter or saved search that is gone
                    found = []
                self._saved_counts[key] = found
            new = model.count_new(found)
            facets.append(Facet("saved", name, len(found), query == f"@{name}", new))
        return facets

    def _search_landed(self) -> None:
        """The search in flight answered or failed: what was typed meanwhile is searched now."""
        self._searching = None
        if self._search_due:
            self._search_now()

    def on_results_ready(self, message: ResultsReady) -> None:
        if message.generation == self._searching:
            self._search_landed()
        if message.generation != self.generation:
            return  # a newer request is on its way
        if message.error is not None or message.order is not None:
            self._reorder_pending = False
        self.query_error = message.error
        error = self.query_one("#query-error", Static)
        error.display = message.error is not None
        self._update_empty_message()
        if message.error is not None:
            self._counted = message.generation
            if message.bad_query:
                error.update(f"! {message.error} (escape clears the search)")
                # The rows below were found by another query: showing them as
                # the answer to this one would mislead, so the list empties.
                self.items.set_order([])
                self.hits_total = 0
            else:  # a failure of ours: the last good list stays, said to be old
                error.update(f"! {message.error} (the list shows the previous results)")
            self._update_status()
            return
        if message.order is not None:
            cursor, self._pending_cursor = self._pending_cursor, None
            self.items.set_order(
                message.order, message.matches, keep=self.items.current_id, cursor=cursor
            )
            self.hits_total = message.total
        if message.facets is not None:
            self.query_one("#facets", FacetList).show_facets(message.facets)
            self._counted = message.generation
        self._update_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A search that ended without an answer (it failed) must not hold the next one up."""
        if event.worker is not self._search_worker or event.state not in _ENDED:
            return
        self._search_worker = None
        if self._searching is not None:
            self._search_landed()

    def on_facets_ready(self, message: FacetsReady) -> None:
        if message.generation != self.generation:
            return
        self._counted = message.generation
        if message.facets is not None:
            self.query_one("#facets", FacetList).show_facets(message.facets)
            return
        # The list is right; only the counts beside it are from before.
        self.query_error = message.error
        error = self.query_one("#query-error", Static)
        error.update(f"! {message.error} (the filter counts are from the previous search)")
        error.display = True
        self._update_empty_message()
        self._update_status()

    @on(IndexFailed)
    def index_failed(self, message: IndexFailed) -> None:
        """Searching is off; the list, facets and every key still work."""
        reason = message.reason
        self.waiting_for_index = False
        self._reorder_pending = False
        self._search_due = False
        error = self.query_one("#query-error", Static)
        error.display = True
        error.update(f"! search is unavailable: {reason}")
        self._update_status()
        self._related.forget()
        self.show_detail()  # the Related section says why it is empty

    @on(IndexReady)
    def index_ready(self) -> None:
        self._related.forget()
        self.show_detail()  # the Related section, waiting for the index, fills in
        if self.state.query.strip():
            self.refresh_results()
        elif shelf_app(self).session.saved_searches():
            self.refresh_results(reorder=False)  # the saved searches' counts
        self._update_status()

    # -- facets, sort, export -----------------------------------------------

    def on_facet_list_toggled(self, event: FacetList.Toggled) -> None:
        if event.group == "saved":
            # A saved search is a query, not a filter: it goes in the search
            # bar, where it can be read, extended or cleared with escape.
            wanted = f"@{event.value}"
            search = self.query_one("#search", SearchBar)
            search.value = "" if self.state.query.strip() == wanted else wanted
            search.cursor_position = len(search.value)  # typing after "/" extends it
            return
        self.state = replace(self.state, filters=self.state.toggled(event.group, event.value))
        self.refresh_results()

    def action_focus_facets(self) -> None:
        facets = self.query_one("#facets", FacetList)
        self.add_class("-show-facets")
        self.set_focus(facets)

    def action_focus_search(self) -> None:
        # set_focus, not focus(): that waits a turn, and keys typed right
        # after "/" would still go to the list.
        self.set_focus(self.query_one("#search", SearchBar))

    @guarded("sort")
    def action_sort(self) -> None:
        from tui.screens.sort_menu import SortMenu

        def chosen(sort: str | None) -> None:
            if sort and sort != self.state.sort:
                self.state = replace(self.state, sort=sort)
                self.refresh_results()
                self.notify(f"sorted by {SORT_LABELS[sort]}", timeout=2)

        self.app.push_screen(SortMenu(self.state.sort), safe(self, "sort", chosen))

    @guarded("save the search")
    def action_save_search(self) -> None:
        from tui.screens.save_search_dialog import SaveSearchDialog

        query = self.state.query.strip()
        if not query:
            self.notify("type a search first (/), then save it", severity="warning", timeout=3)
            return
        app = shelf_app(self)
        session = app.session

        def chosen(name: str | None) -> None:
            if not name:
                return

            def saved(result: dict[str, str]) -> None:
                self.notify(f"saved @{name}: {query}", timeout=4, markup=False)
                self.refresh_results(reorder=False)

            app.jobs.submit("save the search", lambda: session.save_search(name, query), saved)

        self.app.push_screen(SaveSearchDialog(query), safe(self, "save the search", chosen))

    @guarded("export")
    def action_export(self) -> None:
        from tui.screens.export_dialog import ExportChoice, ExportDialog, run_export

        # The selection when there is one (in list order), else the whole view.
        selected = self.items.selected_ids()
        ids = list(self.items.order)
        if selected:
            position = {item_id: n for n, item_id in enumerate(ids)}
            ids = sorted(selected, key=lambda item_id: position.get(item_id, len(position)))
        query = self.state.query.strip()

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                run_export(shelf_app(self), ids, query, choice)

        dialog = ExportDialog(len(ids), query, selected=bool(selected))
        self.app.push_screen(dialog, safe(self, "export", chosen))

    def action_open_detail(self) -> None:
        from tui.screens.detail import DetailScreen

        item_id = self.items.current_id
        if item_id is not None:
            self.app.push_screen(DetailScreen(item_id, self.step))

    def action_open_related(self, at: int) -> None:
        from tui.screens.detail import DetailScreen

        if self._related.item_id != self.items.current_id:
            return  # the pane has not caught up with the highlight yet
        shown = self._related.shown()
        if 0 <= at < len(shown):
            self.app.push_screen(DetailScreen(shown[at].id))

    def step(self, item_id: str, delta: int) -> str | None:
        """The item ``delta`` rows from ``item_id`` in this list; the cursor moves there."""
        order = self.items.order
        if self.items.current_id == item_id:
            index = self.items.cursor + delta  # no scan of a 100k-row list
        else:
            try:
                index = order.index(item_id) + delta
            except ValueError:
                return None
        if not 0 <= index < len(order):
            return None
        self.items.cursor = index
        return order[index]

    def action_back(self) -> None:
        """Escape undoes one layer: leaves the facets, then clears the selection,
        the filters, the query."""
        if self.focused is self.query_one("#facets"):
            self.remove_class("-show-facets")
            self.set_focus(self.items)
        elif self.items.selection:
            count = len(self.items.selection)
            self.items.clear_selection()
            noun = "item" if count == 1 else "items"
            self.notify(f"selection of {count} {noun} dropped", timeout=3)
        elif self.state.filters:
            self.state = replace(self.state, filters={})
            self.refresh_results()
        elif self.state.query:
            self.query_one("#search", SearchBar).value = ""
        self._update_status()

    def on_descendant_focus(self) -> None:
        if self.focused is not self.query_one("#facets"):
            self.remove_class("-show-facets")

    # -- the detail pane -----------------------------------------------------

    def on_item_list_highlighted(self, event: ItemList.Highlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        # While keys repeat the pane waits, so scrolling stays one cheap line redraw.
        self._detail_due = True
        self._detail_timer = self.set_timer(DETAIL_DELAY, self.show_detail)
        self.refresh_item_bindings()

    def on_item_list_selection_changed(self, event: ItemList.SelectionChanged) -> None:
        self._update_status()
        self.refresh_bindings()

    @guarded("show the item")
    def show_detail(self) -> None:
        self._detail_due = False
        pane = self.query_one("#detail", DetailPane)
        item_id = self.items.current_id
        if item_id is None or not pane.display:
            pane.show(None)
            return
        app = shelf_app(self)
        moved = self._related.item_id != item_id
        # Shown at once, with "finding…" under Related until the worker answers.
        self._related.want(item_id)
        pane.show(app.model.view(item_id), app.texts_loaded, self._related.section())
        if moved:
            pane.scroll_home(animate=False)
            self.refresh_bindings()

    @on(RelatedFound)
    def related_found(self, message: RelatedFound) -> None:
        """A lookup answered; one for an item the highlight has left is dropped."""
        if self._related.receive(message) and not self._detail_due:
            pane = self.query_one("#detail", DetailPane)
            if pane.display:
                pane.show_related(self._related.section())  # the item is not drawn again
            self.refresh_bindings()

    # -- changes from the app ----------------------------------------------

    @on(AnnotationsChanged)
    def _annotations_changed(self, message: AnnotationsChanged) -> None:
        self.annotations_changed(message.ids)

    def annotations_changed(self, ids: frozenset[str]) -> None:
        self._saved_counts = {}
        self._related.stale()  # tags are indexed: other items' results may change
        self._update_tags_column()
        self.items.refresh_rows()
        if self.items.current_id in ids:
            self.show_detail()
        self.refresh_results(reorder=False)
        self.refresh_bindings()

    @on(LibraryReloaded)
    def external_change(self, message: LibraryReloaded) -> None:
        self._saved_counts = {}
        if message.items:
            self._related.forget()  # the library changed: what is alike may too
            if self.items.current_id in shelf_app(self).model.items:
                self.show_detail()  # (a removed one is left when the new order comes)
            self.refresh_results()
        elif message.ids or message.others:
            self.annotations_changed(message.ids)
            if message.others:
                self.show_detail()

    @on(NewItemsChanged)
    def _new_changed(self) -> None:
        """Items arrived, or were opened or marked: the sidebar's new counts change."""
        self._saved_counts = {}
        self.refresh_results(reorder=False)

    @on(UndoChanged)
    def _undo_changed(self) -> None:
        self._update_status()

    @on(TextsLoaded)
    def texts_loaded(self) -> None:
        self.show_detail()
        self._update_status()

    # -- layout and status ---------------------------------------------------

    def on_resize(self) -> None:
        self._update_layout()

    def _update_layout(self) -> None:
        width, height = self.app.size
        self.set_class(width < NARROW, "-narrow")
        self.set_class(NARROW <= width < WIDE, "-medium")
        self.set_class(height < SHORT, "-short")
        self.query_one("#detail").display = height >= SHORT

    def _update_tags_column(self) -> None:
        """The tags column is drawn once someone has tagged something (else it is wasted room)."""
        with_tags = any(a.tags for a in shelf_app(self).model.annotations.values())
        if with_tags != self.items.with_tags:
            self.items.with_tags = with_tags
            self.items.refresh_rows()
            self.query_one(ListHeader).refresh()

    def _update_empty_message(self) -> None:
        """What an empty list means: an empty library, a query that found nothing, or an error."""
        items = self.items
        query = self.state.query.strip()
        if self.query_error is not None:
            items.empty_message = "No results: the search above could not be read."
        elif not shelf_app(self).model.library_order:
            items.empty_message = "The library is empty: add documents with 'shelf import PATH'."
        elif query and self.state.filters:
            items.empty_message = f"No item matches “{query}” with the chosen filters."
        elif query:
            items.empty_message = f"No item matches “{query}”."
        elif self.state.filters:
            items.empty_message = "No item has all the chosen filters (escape clears them)."
        else:
            items.empty_message = "Nothing here."

    def _update_status(self) -> None:
        header = self.query_one(ListHeader)
        if header.sort != self.state.sort:
            header.sort = self.state.sort
            header.refresh()
        app = shelf_app(self)
        model = app.model
        shown = len(self.items.order)
        total = len(model.library_order)
        parts = [f"{shown:,} of {total:,} items" if shown != total else f"{total:,} items"]
        if self.state.sort != "relevance" or self.state.query:
            parts.append(f"sorted by {SORT_LABELS[self.state.sort]}")
        for group, values in self.state.filters.items():
            labels = ", ".join(facet_label(Facet(group, v, 0)) for v in sorted(values))
            parts.append(f"{FACET_TITLES[group].lower()}: {labels}")
        if self.items.selection:
            parts.append(f"{len(self.items.selection)} selected (r, t, T apply to them)")
        if app.undo_label:
            parts.append(visible(f"u undoes: {app.undo_label}", lines=False))
        if self.waiting_for_index or (
            not app.index_ready and app.texts_loaded and app.index_error is None
        ):
            parts.append("indexing…")
        elif not app.texts_loaded:
            parts.append("loading abstracts…")
        self.query_one("#status", Static).update(" · ".join(parts))
