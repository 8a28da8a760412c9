"""Exporting (``x``): the selected items, or else the whole view, in list order, to a file."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from core.exports import GROUPS, ExportPlan, formats
from core.exports import default_file_name as default_path

if TYPE_CHECKING:
    from tui.app import ShelfApp


class ExportChoice(NamedTuple):
    fmt: str
    path: str
    group_by: str | None


class ExportDialog(ModalScreen[ExportChoice | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", id="export.cancel")]

    def __init__(self, count: int, query: str, *, selected: bool = False) -> None:
        super().__init__()
        self.count = count
        self.query_text = query
        self.selected = selected
        self.formats = formats()

    def compose(self) -> ComposeResult:
        what = f"{self.count:,} item" + ("" if self.count == 1 else "s")
        if self.selected:
            what = f"the {what} selected"
        elif self.query_text:
            what = f"the view: {what} matching “{self.query_text}”"
        else:
            what = f"the view: {what}"
        with Vertical(classes="dialog export-dialog"):
            yield Label(f"Export {what}", classes="dialog-title", markup=False)
            with Horizontal(classes="export-choices"):
                with Vertical():
                    yield Label("Format", classes="dialog-hint")
                    yield OptionList(*[Option(f, id=f) for f in self.formats], id="format")
                with Vertical():
                    yield Label("Group by", classes="dialog-hint")
                    yield OptionList(*[Option(g, id=g) for g in GROUPS], id="group")
            yield Label("File", classes="dialog-hint")
            yield Input(value=default_path(self.formats[0]), id="path")
            yield Label(
                "tab: next field   enter: export (from any field)   escape: cancel",
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        for option_list in self.query(OptionList):
            option_list.highlighted = 0
        self.set_focus(self.query_one("#format", OptionList))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "format" or event.option.id is None:
            return
        path = self.query_one("#path", Input)
        # Follow the format with the file name unless the user typed their own.
        if path.value in {default_path(f) for f in self.formats}:
            path.value = default_path(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter in a list exports with what is highlighted: the hint says so."""
        event.stop()
        self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self.notify("type a file name to export to", severity="warning", timeout=3)
            self.set_focus(self.query_one("#path", Input))
            return
        fmt = self.query_one("#format", OptionList).highlighted_option
        group = self.query_one("#group", OptionList).highlighted_option
        group_by = group.id if group is not None and group.id != "none" else None
        chosen = fmt.id if fmt is not None and fmt.id is not None else self.formats[0]
        self.dismiss(ExportChoice(chosen, path, group_by))


#: Exports this large say when they start; smaller ones are done before it could matter.
ANNOUNCE_FROM = 10_000


def run_export(app: ShelfApp, ids: list[str], query: str, choice: ExportChoice) -> None:
    """Export in a process of its own; an existing file is replaced only when confirmed.

    The export starts from the app's job queue, so every save asked for
    before it is on disk when the export process reads the library; it then
    runs beside the app (see ``storage.export.job``), and saves go on meanwhile.
    """
    plan = ExportPlan(ids, choice.fmt, choice.path, query, choice.group_by)
    noun = "item" if len(ids) == 1 else "items"

    def exported(count: int) -> None:
        app.notify(f"exported {count:,} {noun} to {choice.path}", timeout=5, markup=False)

    def start() -> None:
        app.export(plan, exported)
        if len(ids) >= ANNOUNCE_FROM:
            app.notify(f"exporting {len(ids):,} {noun} to {choice.path}…", timeout=4, markup=False)

    def checked(exists: bool) -> None:
        if not exists:
            start()
            return
        from tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                start()

        app.push_screen(ConfirmScreen(f"{choice.path} exists. Replace it?"), answered)

    app.export_target_exists(plan, checked)
