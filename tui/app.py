"""The Textual app: lifecycle and routing between the session and the screens.

The session (``core.session``) owns the shelf, the search index and change
detection. The app runs the session's slow calls on its job queue or in
workers, turns what they return into typed Messages for the screens, and
keeps the one ``LibraryModel`` the screens draw from.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import sys
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from core.adding import Added
from core.config import (
    Config,
    ConfigError,
    SavedView,
    load_config,
    load_view,
    save_view,
    set_value,
)
from core.errors import describe
from core.exports import ExportPlan, run_export
from core.feeds import FeedOutcome, Refreshed
from core.jobs import JobOutcome, JobQueue
from core.lifecycle import SignalExit
from core.listing import LibraryModel, ViewState
from core.model import Annotation
from core.session import (
    Change,
    External,
    Items,
    Loaded,
    Others,
    Session,
    StaleView,
    UndoState,
)
from core.text import visible
from tui.commands_palette import ShelfCommands
from tui.errors import guarded, report
from tui.heap import HeapPolicy
from tui.messages import (
    AnnotationsChanged,
    IndexFailed,
    IndexReady,
    JobFinished,
    LibraryReloaded,
    NewItemsChanged,
    TextsLoaded,
    UndoChanged,
)
from tui.services import HasPendingWork

STYLES = Path(__file__).parent / "styles"
POLL_SECONDS = 1.0
OTHERS_EVERY = 5  # polls between re-reads of other users' files
POLL_LABEL = "check for changes"
#: Written when the process must end before Textual could restore the terminal.
_TERMINAL_RESET = "\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l"


class _IndexOpened(Message):
    pass


class ShelfApp(App[int]):
    """The reading list. Takes an open Session so tests can run it on a temporary folder."""

    TITLE = "shelf"
    CSS_PATH = [
        STYLES / "main.tcss",
        STYLES / "dialogs.tcss",
        STYLES / "stats.tcss",
    ]
    # Not App.COMMANDS: Textual's system provider would list its commands
    # (Keys, Screenshot, Maximize) before shelf's; ShelfCommands adds Theme last.
    COMMANDS = {ShelfCommands}
    BINDINGS = [
        Binding("q", "quit", "quit", id="app.quit"),
        Binding("question_mark", "help", "help", key_display="?", id="app.help"),
        Binding("S", "stats", "stats", id="app.stats"),
        Binding("u", "undo", "undo", id="app.undo"),
        Binding("ctrl+r", "redo", "redo", id="app.redo"),
        Binding("U", "refresh_feeds", "refresh feeds", show=False, id="app.refresh_feeds"),
        Binding("W", "mark_all_seen", "mark all as seen", show=False, id="app.mark_all_seen"),
        Binding("a", "add_reference", "add paper", show=False, id="app.add_reference"),
        Binding("ctrl+p", "command_palette", "commands", show=False, id="app.command_palette"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        opener: Callable[[str], Any] | None = None,
        today: Callable[[], dt.date] | None = None,
        poll_seconds: float = POLL_SECONDS,
        hard_exit: Callable[[int], None] = os._exit,
        config_path: Path | None = None,
    ) -> None:
        """``hard_exit``: how the process ends if a signal's deadline passes (tests record it).

        ``config_path``: the settings file to read and to remember the theme in,
        and with it the view to restore; without one (tests) nothing persists.
        """
        super().__init__()
        self.session = session
        self.config_path = config_path
        self.config = Config()
        self._config_problems: list[str] = []
        if config_path is not None:
            try:
                self.config = load_config(config_path)
            except ConfigError as exc:
                self._config_problems.append(f"{describe(exc)}; using the default settings")
        self.remember_view = config_path is not None and self.config.restore_view
        self.initial_view = ViewState(sort=self.config.default_sort)
        if self.remember_view:
            saved = load_view(session.data_dir, session.user)
            filters = {g: frozenset(v) for g, v in saved.filters.items() if v}
            self.initial_view = ViewState(
                saved.query, filters, saved.sort or self.config.default_sort
            )
        annotations = session.annotations()
        cached = session.cached_rows
        if cached is not None:
            self.model = LibraryModel({}, annotations, cached=cached)
        else:
            self.model = LibraryModel(session.shelf.items(with_text=False), annotations)
        self.first_frame_at: float | None = None
        self._loading_started = False
        self.jobs = JobQueue(self._job_finished)
        self.exports = JobQueue(self._job_finished, name="shelf-export")
        # Fetching feeds takes seconds: never ahead of a save on the job queue.
        self.feeds = JobQueue(self._job_finished, name="shelf-feeds")
        self.opener = opener or webbrowser.open
        self.today = today or dt.date.today
        self.poll_seconds = poll_seconds
        self.texts_loaded = False
        #: What ``u`` and ``ctrl+r`` would undo and redo now (None: nothing).
        self.undo_label: str | None = None
        self.redo_label: str | None = None
        self._polls = 0
        self._polling = False
        self._quitting = False
        self._warnings_shown = 0
        self._last_poll_error: str | None = None
        self.heap = HeapPolicy()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.signals = SignalExit(self._signalled, before_exit=_reset_terminal, hard_exit=hard_exit)

    # -- start and stop ------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.main import MainScreen

        self._loop = asyncio.get_running_loop()
        self._apply_config()
        self.push_screen(MainScreen())
        self._show_new_warnings()
        self.signals.install()
        self.heap.install()
        self.set_interval(0.5, self._idle_collection, name="idle garbage collection")

    def _idle_collection(self) -> None:
        """A full collection only once loading is over: it would walk a half-built index."""
        if not self.busy():
            self.heap.tick()

    def _apply_config(self) -> None:
        from tui.keymap import check_keymap

        theme = self.config.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            self._config_problems.append(f"config: no theme {theme!r}; using {self.theme}")
        keys, problems = check_keymap(self.config.keys)
        self._config_problems += problems
        if keys:
            self.set_keymap(keys)
        for problem in self._config_problems:
            self.notify(problem, severity="warning", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Any) -> None:
        """A theme chosen in the app is remembered in the config file."""
        name = self.theme
        if self.config_path is None or name == self.config.theme:
            return
        self.config.theme = name
        path = self.config_path
        self.jobs.submit("remember the theme", lambda: set_value("theme", name, path))

    def view_to_remember(self) -> SavedView | None:
        from tui.screens.main import MainScreen

        if not self.remember_view:
            return None
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                state = screen.state
                filters = {g: sorted(v) for g, v in state.filters.items()}
                return SavedView(state.query, filters, state.sort)
        return None

    def start_loading(self) -> None:
        """Load what the first frame did without: the library, abstracts, other users, the index.

        The main screen calls this once its first frame is on screen.
        """
        if self._loading_started:
            return
        self._loading_started = True
        self.jobs.submit("load the library", self.session.load, self._loaded)
        self.refresh_undo()
        self.set_interval(self.poll_seconds, self._poll)

    def _signalled(self, signum: int) -> None:
        """SIGTERM or SIGHUP (terminal closed): leave as ``q`` does; the deadline is the core's.

        Runs in a signal handler: only the loop's thread-safe call is safe here.
        """
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.call_later, self.action_quit)

    def on_unmount(self) -> None:
        self.signals.uninstall()
        self.jobs.close(wait=True)
        # An export still running finishes on its own: it is a separate
        # process that replaces its file only when complete.
        self.exports.close(wait=False)
        self.feeds.close(wait=False)
        self.heap.uninstall()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.heap.input_seen()
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A dialog may hold unsaved text (a note): close it before q quits.
        # Signals call action_quit directly and are not stopped by this.
        in_dialog = isinstance(self.screen, ModalScreen)
        if in_dialog and action in {"quit", "stats", "help", "undo", "redo", "add_reference"}:
            return False
        if action == "undo":
            return self.undo_label is not None
        if action == "redo":
            return self.redo_label is not None
        return True

    async def action_quit(self) -> None:
        """Leave once every save asked for so far has finished; none is ever dropped."""
        if self._quitting:
            return
        self._quitting = True
        view = self.view_to_remember()
        if not self.jobs.submit("quit", lambda: self._final_flush(view), self._exit_after_flush):
            self.exit(0)

    def _final_flush(self, view: SavedView | None = None) -> str | None:
        """Fold the journal into the readable file; the changes are durable either way."""
        try:
            if view is not None:
                save_view(self.session.data_dir, self.session.user, view)
            self.session.flush()
        except Exception as exc:
            return describe(exc)
        return None

    def _exit_after_flush(self, problem: str | None) -> None:
        message = f"shelf: your changes are saved, but tidying the file failed: {problem}"
        self.exit(0, message=message if problem else None)

    # -- the job queue -------------------------------------------------------

    def _job_finished(self, outcome: JobOutcome) -> None:
        """Runs on the queue's thread: hand the outcome to the app's loop."""
        with contextlib.suppress(Exception):  # the app has ended: nobody to tell
            self.post_message(JobFinished(outcome))

    @on(JobFinished)
    def _on_job_finished(self, message: JobFinished) -> None:
        outcome = message.outcome
        self._show_new_warnings()
        if outcome.error is not None:
            if isinstance(outcome.error, StaleView):
                self._reread_annotations()
            if outcome.label == POLL_LABEL:
                self._polling = False
                text = describe(outcome.error)
                if text == self._last_poll_error:
                    return  # said once; a broken file must not flash every second
                self._last_poll_error = text
            report(self, outcome.error, outcome.label)
            return
        if outcome.on_done is not None:
            try:
                outcome.on_done(outcome.result)
            except Exception as exc:
                report(self, exc, outcome.label)

    def change(
        self,
        label: str,
        command: Callable[[Session], Change],
        done: Callable[[Change], None] | None = None,
    ) -> None:
        """Run ``command(session)`` on the job queue, then show its effect.

        The UI reports success only from ``done``, which runs after the
        change is on disk; until then nothing on screen claims it happened.
        """

        def after(result: Change | None) -> None:
            if done is not None and result is not None:
                done(result)

        self.change_or_none(label, command, after)

    def change_or_none(
        self,
        label: str,
        command: Callable[[Session], Change | None],
        done: Callable[[Change | None], None],
    ) -> None:
        """``change`` for a command that may change nothing (an edit saved unchanged)."""
        session = self.session

        def after(result: Change | None) -> None:
            if result is not None:
                self.apply_annotations(result.annotations)
                if self.model.new_ids:
                    self.refresh_new()  # marking an item clears it
            done(result)

        self.jobs.submit(label, lambda: command(session), after)
        self.refresh_undo()

    def refresh_undo(self) -> None:
        """Learn what undo and redo would do now (after the queued saves)."""

        def shown(state: UndoState) -> None:
            self.undo_label = state.undo[0].label if state.undo else None
            self.redo_label = state.redo[0].label if state.redo else None
            self.refresh_bindings()
            self._broadcast(UndoChanged)

        self.jobs.submit("read the undo history", self.session.undo_state, shown)

    def action_undo(self) -> None:
        self._step("undo")

    def action_redo(self) -> None:
        self._step("redo")

    def _step(self, op: str) -> None:
        session = self.session

        def moved(changes: list[Change]) -> None:
            if not changes:
                self.notify(f"nothing to {op}", severity="warning", timeout=3)
                return
            for change in changes:
                self.apply_annotations(change.annotations)
                if not change.annotations:  # a removal undone or redone: items changed
                    self.reload_library()
                count = len(change.ids)
                what = f"{count} item{'s' if count != 1 else ''}"
                done = "undone" if op == "undo" else "redone"
                text = f"{done}: {change.label} ({what})"
                if change.kept:
                    text += f"; kept {len(change.kept)} later change(s)"
                self.notify(visible(text), timeout=4, markup=False)

        run = session.undo if op == "undo" else session.redo
        self.jobs.submit(op, lambda: run(1), moved)
        self.refresh_undo()

    def _reread_annotations(self) -> None:
        """Show what is saved now, after a change was refused for acting on a stale view."""
        read = self.session.annotations
        self.jobs.submit(
            "show the saved state",
            lambda: External(annotations=read()),
            self.apply_external,
        )

    def _broadcast(self, make: Callable[[], Message]) -> None:
        for screen in self.screen_stack:
            screen.post_message(make())

    def _show_new_warnings(self) -> None:
        warnings = self.session.warnings
        for text in warnings[self._warnings_shown :]:
            self.notify(visible(text), severity="warning", timeout=15, markup=False)
        self._warnings_shown = len(warnings)

    def apply_annotations(self, changed: Mapping[str, Annotation]) -> None:
        """Make ``changed`` what every screen shows (the session's index has it already)."""
        if not changed:
            return
        self.model.set_annotations(changed)
        ids = frozenset(changed)
        self._broadcast(lambda: AnnotationsChanged(ids))

    # -- loading after the first frame --------------------------------------

    def _loaded(self, loaded: Loaded) -> None:
        # Rows shown from the cache are redrawn from the items. The order and
        # the counts are worked out again only if the library is not the one
        # the cache described: at 100k a needless recount competed with the
        # index opening for the GIL, and the UI thread waited on both.
        known = self.model.loaded or loaded.from_cached_rows
        reordered = not known or list(loaded.items) != self.model.library_order
        self.model.replace(items=loaded.items, others=loaded.others, columns=loaded.columns)
        self.model.text_source = loaded.texts
        self.texts_loaded = True
        self.heap.settle()
        others = bool(loaded.others)
        self._broadcast(lambda: LibraryReloaded(frozenset(), reordered, others))
        self._broadcast(TextsLoaded)
        self._open_index(loaded.items, loaded.texts)
        self.refresh_new()

    def _open_index(self, items: Items, texts: Callable[[str], str]) -> None:
        self._open_index_worker(items, self.model.annotations, self.model.others, texts)

    @work(
        thread=True,
        exclusive=True,
        group="index",
        name="open the search index",
        description="open the search index",  # the default repr()s the arguments: 100k items
        exit_on_error=False,
    )
    def _open_index_worker(
        self,
        items: Items,
        annotations: Mapping[str, Annotation],
        others: Others,
        texts: Callable[[str], str],
    ) -> None:
        self.session.open_index(items, annotations, others, texts)
        self.post_message(_IndexOpened())

    @on(_IndexOpened)
    def _index_opened(self) -> None:
        self.heap.settle()
        self._broadcast(IndexReady)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if event.worker.group == "index":
                reason = describe(event.worker.error)
                self._broadcast(lambda: IndexFailed(reason))
            report(self, event.worker.error, event.worker.name)

    @property
    def index_ready(self) -> bool:
        return self.session.search.ready

    @property
    def index_error(self) -> str | None:
        return self.session.search.error

    # -- noticing other processes -------------------------------------------

    def reload_library(self) -> None:
        """Show the library as it is on disk now (after a removal or an undo of one)."""
        self._poll(force=True)

    def _poll(self, force: bool = False) -> None:
        if self._polling or self._quitting or not self.model.loaded:
            return
        if self.jobs.pending and not force:
            return
        self._polling = True
        self._polls += 1
        with_others = self._polls % OTHERS_EVERY == 0
        known = self.model.items

        def done(external: External) -> None:
            self._polling = False
            self._last_poll_error = None
            self.apply_external(external)

        poll = self.session.poll
        if self.jobs.submit(POLL_LABEL, lambda: poll(known, with_others), done) is None:
            self._polling = False

    @guarded("show changes made elsewhere")
    def apply_external(self, external: External) -> None:
        """Take in what another process (the CLI, a second window) wrote."""
        if external.new is not None:
            self.set_new(external.new)
        others = external.others
        if others is not None and others == self.model.others:
            others = None
        annotations = external.annotations
        if external.items is None and annotations is None and others is None:
            return
        old = self.model.annotations
        changed: set[str] = set()
        if annotations is not None:
            changed = {i for i in set(old) | set(annotations) if old.get(i) != annotations.get(i)}
        self.model.replace(
            items=external.items, annotations=annotations, others=others, columns=external.columns
        )
        if external.texts is not None:
            self.model.text_source = external.texts
        search = self.session.search
        if external.items is not None:
            texts = self.model.text_source or external.texts
            assert texts is not None
            self._open_index(external.items, texts)
        else:
            if annotations is not None:
                search.note_annotations(
                    annotations.get(i) or Annotation(item_id=i) for i in changed
                )
            if others is not None:
                search.note_others(others)
        ids = frozenset(changed)
        items_changed = external.items is not None
        others_changed = others is not None
        self._broadcast(lambda: LibraryReloaded(ids, items_changed, others_changed))

    def busy(self) -> bool:
        """Whether work the user asked for (or start-up loading) is still under way."""
        if self.jobs.pending or self.exports.pending or self.feeds.pending:
            return True
        if not self.texts_loaded:
            return True
        if not self.index_ready and self.index_error is None:
            return True
        return any(
            screen.busy() for screen in self.screen_stack if isinstance(screen, HasPendingWork)
        )

    # -- app-wide keys --------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Only Textual's theme picker: shelf's own commands (quit among them) come from its keys."""
        for command in super().get_system_commands(screen):
            if command.title == "Theme":
                yield SystemCommand("Theme", "Change the colours (remembered)", command.callback)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen(self.model.stats(self.today())))

    # -- what is new ------------------------------------------------------------

    def refresh_new(self) -> None:
        """Learn what is new to the user now (after the queued saves)."""
        self.jobs.submit("see what is new", self.session.new_ids, self.set_new)

    def set_new(self, new: frozenset[str]) -> None:
        if new != self.model.new_ids:
            self.model.new_ids = new
            self._broadcast(NewItemsChanged)
            # Rows mark what is new: the lines drawn redraw (those on screen only).
            from tui.widgets.item_list import ItemList

            for screen in self.screen_stack:
                for item_list in screen.query(ItemList):
                    item_list.refresh_rows()

    def item_opened(self, item_id: str) -> None:
        """The detail view shows ``item_id``: if it was new, it is not any more."""
        if item_id not in self.model.new_ids:
            return
        opened = self.session.opened
        self.jobs.submit("open", lambda: opened([item_id]), lambda _: self.refresh_new())

    def action_mark_all_seen(self) -> None:
        """Catch up: nothing that arrived so far is new any more (shelf seen --all)."""
        mark = self.session.mark_seen

        def done(was: list[str]) -> None:
            count = len(was)
            self.notify(f"{count} new item{'s' if count != 1 else ''} marked as seen", timeout=4)
            self.refresh_new()

        self.jobs.submit("mark all as seen", lambda: mark(None), done)

    # -- feeds ----------------------------------------------------------------

    def action_refresh_feeds(self) -> None:
        """Fetch every feed beside the app; new items appear when it is done."""
        if self.feeds.pending:
            self.notify("feeds are being refreshed already", timeout=3)
            return
        from core import feeds

        session = self.session

        def progress(outcome: FeedOutcome) -> None:
            line = visible(outcome.line(), lines=False)
            severity = "warning" if outcome.status == "failed" else "information"
            self.call_from_thread(self.notify, line, severity=severity, timeout=5, markup=False)

        def done(refreshed: Refreshed) -> None:
            report = refreshed.report
            if not report.outcomes:
                self.notify("no feeds yet: shelf feed add URL", severity="warning", timeout=5)
                return
            added, merged = len(refreshed.added), len(refreshed.merged)
            summary = f"{report.summary()}; {added} added, {merged} merged"
            self.notify(visible(summary), timeout=6, markup=False)
            self._poll(force=True)  # show the new items now

        self.notify("refreshing feeds…", timeout=3)
        self.feeds.submit("refresh feeds", lambda: feeds.refresh(session, progress=progress), done)

    def action_add_reference(self) -> None:
        """Ask for references and add them beside the app (fetching waits on the network)."""
        from tui.screens.add_dialog import AddDialog

        self.push_screen(AddDialog(), self._add_references)

    def _add_references(self, refs: list[str] | None) -> None:
        if not refs:
            return
        from core.adding import add_references

        session = self.session
        count = len(refs)

        def progress(done: int, total: int) -> None:
            if total > 1 and done < total:
                self.call_from_thread(self.notify, f"fetched {done} of {total}…", timeout=2)

        def added(done: Added) -> None:
            for line in done.errors:
                self.notify(visible(line), severity="error", timeout=8, markup=False)
            for line in done.lines:
                self.notify(visible(line), timeout=5, markup=False)
            summary = f"{len(done.added)} added, {len(done.merged)} merged"
            self.notify(summary, timeout=5)
            self._poll(force=True)  # list the new items now

        self.notify(f"fetching {count} reference{'s' if count != 1 else ''}…", timeout=3)
        self.feeds.submit(
            "add papers", lambda: add_references(session, refs, progress=progress), added
        )

    # -- exports --------------------------------------------------------------

    def export(self, plan: ExportPlan, done: Callable[[int], None]) -> None:
        """Export in a process of its own, started once every save asked for is on disk."""
        session = self.session
        self.jobs.submit(
            "export",
            lambda: self.exports.submit(
                "export", lambda: run_export(session.data_dir, session.user, plan), done
            ),
        )

    def export_target_exists(self, plan: ExportPlan, answer: Callable[[bool], None]) -> None:
        self.jobs.submit("export", plan.target_exists, answer)

    # -- the browser ----------------------------------------------------------

    def open_link(self, url: str) -> None:
        """Open ``url`` in the browser; say so once the browser has it, or that it failed."""
        self._open_link(url)

    @work(
        thread=True,
        group="browser",
        name="open the link",
        description="open the link",
        exit_on_error=False,
    )
    def _open_link(self, url: str) -> None:
        # A text-mode browser can take a while to hand back; the UI must not wait.
        shown = visible(url, lines=False)
        try:
            opened = self.opener(url)
        except Exception as exc:  # a browser command that is missing or crashed
            self.call_from_thread(self._link_failed, shown, str(exc))
            return
        if opened is False:  # webbrowser.open: no browser could be started
            self.call_from_thread(self._link_failed, shown, "no browser could be started")
        else:
            self.call_from_thread(self.notify, f"opened {shown}", timeout=3, markup=False)

    def _link_failed(self, shown: str, why: str) -> None:
        self.notify(
            f"could not open {shown}: {visible(why, lines=False)}",
            severity="error",
            timeout=6,
            markup=False,
        )


def _reset_terminal() -> None:
    with contextlib.suppress(Exception):
        sys.__stdout__.write(_TERMINAL_RESET)  # type: ignore[union-attr]
        sys.__stdout__.flush()  # type: ignore[union-attr]
