"""The Textual app: owns the shelf, the storage thread and the search index.

Screens ask the app to save (``app.save``) and read what to show from
``app.model``; the app tells open screens when annotations changed, whoever
changed them (this process, or another one found by polling).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import signal
import threading
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState

from storage.model import Annotation
from storage.tui_support import library_signature, read_row_cache, write_row_cache
from tui.commands_palette import ShelfCommands
from tui.errors import describe, guarded, report
from tui.heap import HeapPolicy
from tui.jobs import JobDone, StorageThread
from tui.model import LibraryModel, item_base

STYLES = Path(__file__).parent / "styles"
POLL_SECONDS = 1.0
OTHERS_EVERY = 5  # polls between re-reads of other users' files
POLL_LABEL = "check for changes"
_READ_CACHE = object()


def _update_annotation(index: Any, ann: Annotation) -> None:
    index.update_annotation(ann)


def _set_others(index: Any, others: Any) -> None:
    index.set_other_users(others)


class IndexReady(Message):
    def __init__(self, index: Any) -> None:
        super().__init__()
        self.index = index


class ShelfApp(App[int]):
    """The reading list. Takes an open Shelf so tests can run it on a temporary folder."""

    TITLE = "shelf"
    CSS_PATH = [
        STYLES / "main.tcss",
        STYLES / "dialogs.tcss",
        STYLES / "stats.tcss",
    ]
    COMMANDS = App.COMMANDS | {ShelfCommands}
    BINDINGS = [
        Binding("q", "quit", "quit"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("S", "stats", "stats"),
        Binding("ctrl+p", "command_palette", "commands", show=False),
    ]

    def __init__(
        self,
        shelf: Any,
        *,
        opener: Callable[[str], Any] | None = None,
        today: Callable[[], dt.date] | None = None,
        poll_seconds: float = POLL_SECONDS,
        cached_rows: Any = _READ_CACHE,
    ) -> None:
        """``cached_rows``: what launch already read from the row cache (None: nothing)."""
        super().__init__()
        self.shelf = shelf
        annotations = shelf.all_annotations()
        cached = read_row_cache(shelf) if cached_rows is _READ_CACHE else cached_rows
        if cached is not None:
            self.model = LibraryModel({}, annotations, cached=cached)
        else:
            self.model = LibraryModel(shelf.items(with_text=False), annotations)
        self._cache_stale = cached is None
        self.first_frame_at: float | None = None
        self._loading_started = False
        self.storage = StorageThread(self.post_message)
        self.exports = StorageThread(self.post_message, name="shelf-export")
        self.opener = opener or webbrowser.open
        self.today = today or dt.date.today
        self.poll_seconds = poll_seconds
        self.texts_loaded = False
        self.index: Any = None
        self.index_error: str | None = None
        self.index_lock = threading.Lock()
        # Changes for the index, applied by the next search under index_lock
        # (the engine is not thread-safe and searches run in a worker).
        self.index_updates: list[Callable[[Any], None]] = []
        self._polls = 0
        self._polling = False
        self._quitting = False
        self._signals: list[int] = []
        self._warnings_shown = 0
        self._last_poll_error: str | None = None
        self.heap = HeapPolicy()

    # -- start and stop ------------------------------------------------------

    def on_mount(self) -> None:
        from tui.screens.main import MainScreen

        self.push_screen(MainScreen())
        self._show_new_warnings()
        self._install_signal_handlers()
        self.heap.install()
        self.set_interval(0.5, self.heap.tick, name="idle garbage collection")

    def start_loading(self) -> None:
        """Load what the first frame did without: the library, abstracts, other users, the index.

        The main screen calls this once its first frame is on screen.
        """
        if self._loading_started:
            return
        self._loading_started = True
        self.storage.submit("load the library", self._load_items, self._items_loaded)
        self.set_interval(self.poll_seconds, self._poll)

    def _install_signal_handlers(self) -> None:
        """SIGTERM and SIGHUP (terminal closed) end the app as ``q`` does."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.action_quit)
                self._signals.append(signum)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._signals:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)
        self.storage.close(wait=True)
        # An export still running finishes on its own: it is a separate
        # process that replaces its file only when complete.
        self.exports.close(wait=False)
        self.heap.uninstall()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.heap.input_seen()
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A dialog may hold unsaved text (a note): close it before q quits.
        # Signals call action_quit directly and are not stopped by this.
        in_dialog = isinstance(self.screen, ModalScreen)
        return not (in_dialog and action in {"quit", "stats", "help"})

    def action_quit(self) -> None:
        """Leave once every save asked for so far has finished; none is ever dropped."""
        if self._quitting:
            return
        self._quitting = True
        if not self.storage.submit("quit", self._final_flush, self._exit_after_flush):
            self.exit(0)

    def _final_flush(self) -> str | None:
        """Fold the journal into the readable file; the changes are durable either way."""
        try:
            self.shelf.flush()
        except Exception as exc:
            return describe(exc)
        return None

    def _exit_after_flush(self, problem: str | None) -> None:
        message = f"shelf: your changes are saved, but tidying the file failed: {problem}"
        self.exit(0, message=message if problem else None)

    # -- saving --------------------------------------------------------------

    def save(
        self,
        label: str,
        change: Callable[[Any], Any],
        ids: Iterable[str],
        done: Callable[[Any, dict[str, Annotation]], None] | None = None,
    ) -> None:
        """Run ``change(shelf)`` on the storage thread, then show its effect.

        The UI reports success only from ``done``, which runs after the
        change is on disk; until then nothing on screen claims it happened.
        """
        ids = list(ids)
        shelf = self.shelf

        def job() -> tuple[Any, dict[str, Annotation]]:
            result = change(shelf)
            current = shelf.all_annotations()
            return result, {i: current.get(i) or Annotation(item_id=i) for i in ids}

        def after(outcome: tuple[Any, dict[str, Annotation]]) -> None:
            result, annotations = outcome
            self.apply_annotations(annotations)
            if done is not None:
                done(result, annotations)

        self.storage.submit(label, job, after)

    def on_job_done(self, message: JobDone) -> None:
        self._show_new_warnings()
        if message.error is not None:
            if message.label == POLL_LABEL:
                self._polling = False
                text = describe(message.error)
                if text == self._last_poll_error:
                    return  # said once; a broken file must not flash every second
                self._last_poll_error = text
            report(self, message.error, message.label)
            return
        if message.on_done is not None:
            try:
                message.on_done(message.result)
            except Exception as exc:
                report(self, exc, message.label)

    def queue_index_updates(
        self, annotations: Iterable[Annotation] = (), others: Any = None
    ) -> None:
        updates: list[Callable[[Any], None]] = [
            partial(_update_annotation, ann=ann) for ann in annotations
        ]
        if others is not None:
            updates.append(partial(_set_others, others=others))
        with self.index_lock:
            self.index_updates.extend(updates)

    def apply_index_updates(self) -> Any:
        """The index with every queued change applied; call holding ``index_lock``."""
        index = self.index
        updates, self.index_updates = self.index_updates, []
        if index is not None:
            for update in updates:
                update(index)
        return index

    def _show_new_warnings(self) -> None:
        warnings = self.shelf.warnings
        for text in warnings[self._warnings_shown :]:
            self.notify(text, severity="warning", timeout=15)
        self._warnings_shown = len(warnings)

    def apply_annotations(self, changed: Mapping[str, Annotation]) -> None:
        """Make ``changed`` what every screen shows and what the index searches."""
        if not changed:
            return
        self.model.set_annotations(changed)
        self.queue_index_updates(changed.values())
        for screen in self.screen_stack:
            hook = getattr(screen, "annotations_changed", None)
            if hook is not None:
                hook(set(changed))

    # -- loading after the first frame --------------------------------------

    def _load_items(self) -> tuple[Any, Any]:
        shelf = self.shelf
        before = library_signature(shelf)
        items = shelf.items(with_text=False)
        if self._cache_stale and library_signature(shelf) == before:
            write_row_cache(shelf, before, list(items), [item_base(i) for i in items.values()])
        return items, shelf.others()

    def _items_loaded(self, outcome: tuple[Any, Any]) -> None:
        items, others = outcome
        # Rows shown from the cache are redrawn from the items, and the order
        # recomputed in case the library changed since the cache was written.
        reordered = not self.model.loaded or list(items) != self.model.library_order
        self.model.replace(items=items, others=others)
        self.storage.submit("load abstracts", self._load_texts, self._texts_loaded)
        for screen in self.screen_stack:
            hook = getattr(screen, "external_change", None)
            if hook is not None:
                hook(set(), reordered, bool(others))

    def _load_texts(self) -> Callable[[str], str]:
        return self.shelf.library.text_source()

    def _texts_loaded(self, source: Callable[[str], str]) -> None:
        self.model.text_source = source
        self.texts_loaded = True
        self.heap.settle()
        self.build_index()
        for screen in self.screen_stack:
            hook = getattr(screen, "texts_loaded", None)
            if hook is not None:
                hook()

    def build_index(self) -> None:
        self._build_index(self.model.items, self.model.annotations)

    @work(
        thread=True,
        exclusive=True,
        group="index",
        name="build search index",
        description="build search index",  # the default repr()s the arguments: 100k items
        exit_on_error=False,
    )
    def _build_index(self, items: Any, annotations: Any) -> None:
        # The engine is imported here, after the first frame: it is heavy.
        from storage.tui_support import open_search_index

        index = open_search_index(self.shelf, items.values(), annotations, self.model.text_source)
        index.set_other_users(self.model.others)
        self.post_message(IndexReady(index))

    def on_index_ready(self, message: IndexReady) -> None:
        # Changes saved during the build stay queued in index_updates and reach
        # the new index before its first search; replaying older ones is harmless.
        with self.index_lock:
            self.index = message.index
        self.index_error = None
        self.heap.settle()
        for screen in self.screen_stack:
            hook = getattr(screen, "index_ready", None)
            if hook is not None:
                hook()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if event.worker.group == "index":
                self.index_error = describe(event.worker.error)
                for screen in self.screen_stack:
                    hook = getattr(screen, "index_failed", None)
                    if hook is not None:
                        hook(self.index_error)
            report(self, event.worker.error, event.worker.name)

    # -- noticing other processes -------------------------------------------

    def _poll(self) -> None:
        if self._polling or self._quitting or self.storage.pending or not self.model.loaded:
            return
        self._polling = True
        self._polls += 1
        with_others = self._polls % OTHERS_EVERY == 0
        shelf = self.shelf
        known_items = self.model.items

        def job() -> tuple[Any, Any, Any, Any]:
            before = library_signature(shelf)
            items = shelf.items(with_text=False)
            texts = None
            if items is known_items:
                items = None
            else:
                # Another process imported: the next start's rows change too.
                bases = [item_base(i) for i in items.values()]
                write_row_cache(shelf, before, list(items), bases)
                texts = shelf.library.text_source()
            anns = shelf.all_annotations() if shelf.annotations.changed_on_disk() else None
            if items is not None and anns is None:
                anns = shelf.all_annotations()
            others = shelf.others() if with_others or items is not None else None
            return items, anns, others, texts

        def done(outcome: tuple[Any, Any, Any, Any]) -> None:
            self._polling = False
            self._last_poll_error = None
            items, anns, others, texts = outcome
            if texts is not None:
                self.model.text_source = texts
            self.apply_external(items, anns, others)

        if self.storage.submit(POLL_LABEL, job, done) is None:
            self._polling = False

    @guarded("show changes made elsewhere")
    def apply_external(self, items: Any, annotations: Any, others: Any) -> None:
        """Take in what another process (the CLI, a second window) wrote."""
        if others is not None and others == self.model.others:
            others = None
        if items is None and annotations is None and others is None:
            return
        old = self.model.annotations
        changed: set[str] = set()
        if annotations is not None:
            changed = {i for i in set(old) | set(annotations) if old.get(i) != annotations.get(i)}
        self.model.replace(items=items, annotations=annotations, others=others)
        if items is not None:
            self.build_index()
        else:
            self.queue_index_updates(
                (annotations.get(i) or Annotation(item_id=i) for i in changed), others
            )
        for screen in self.screen_stack:
            hook = getattr(screen, "external_change", None)
            if hook is not None:
                hook(changed, items is not None, others is not None)

    def busy(self) -> bool:
        """Whether work the user asked for (or start-up loading) is still under way."""
        if self.storage.pending or self.exports.pending or not self.texts_loaded:
            return True
        if self.texts_loaded and self.index is None and self.index_error is None:
            return True
        return any(getattr(screen, "busy", lambda: False)() for screen in self.screen_stack)

    # -- app-wide keys --------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        if not isinstance(self.screen, StatsScreen):
            self.push_screen(StatsScreen())

    # -- the browser ----------------------------------------------------------

    def open_link(self, url: str) -> None:
        self._open_link(url)
        self.notify(f"opening {url}", timeout=3)

    @work(
        thread=True,
        group="browser",
        name="open the link",
        description="open the link",
        exit_on_error=False,
    )
    def _open_link(self, url: str) -> None:
        # A text-mode browser can take a while to hand back; the UI must not wait.
        self.opener(url)
