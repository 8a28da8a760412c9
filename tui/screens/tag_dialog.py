"""Adding tags (``t``) with completion of tags already in use, and removing one (``T``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from core.text import visible

_SPLIT = re.compile(r"[\s,]+")


def parse_tags(text: str) -> list[str]:
    return [t for t in (w.strip().lstrip("#") for w in _SPLIT.split(text)) if t]


class TagSuggester(Suggester):
    """Completes the word being typed from the tags in use, most used first."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value[-1] in " ,":
            return None
        head, _, word = value.rpartition(" ")
        prefix = word.lstrip("#")
        if not prefix:
            return None
        typed = set(parse_tags(head))
        for tag in self.tags:
            if tag.startswith(prefix) and tag != prefix and tag not in typed:
                return value + tag[len(prefix) :]
        return None


class TagInput(Input):
    BINDINGS = [Binding("tab", "complete", "complete", show=False, id="tags.complete")]

    def action_complete(self) -> None:
        """Tab takes the suggestion, as shells do; with none it does nothing."""
        if self._suggestion and self.cursor_at_end:
            self.value = self._suggestion + " "
            self.cursor_position = len(self.value)


class TagDialog(ModalScreen[list[str] | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "cancel", id="tags.cancel")]

    def __init__(self, what: str, tags_in_use: Sequence[str]) -> None:
        super().__init__()
        self.what = what
        self.tags_in_use = list(tags_in_use)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tag-dialog"):
            yield Label(f"Add tags to {self.what}", classes="dialog-title", markup=False)
            yield TagInput(
                placeholder="tags, separated by spaces",
                suggester=TagSuggester(self.tags_in_use),
                id="tags",
            )
            hint = "in use: " + " ".join(f"#{t}" for t in self.tags_in_use[:12])
            if not self.tags_in_use:
                hint = "no tags in use yet"
            yield Label(hint, classes="dialog-hint", markup=False)
            yield Label("enter: add   tab/→: complete   escape: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(TagInput))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(parse_tags(event.value) or None)


class UntagDialog(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "cancel", id="untag.cancel"),
        Binding("j", "down", "down", show=False, id="untag.down"),
        Binding("k", "up", "up", show=False, id="untag.up"),
    ]

    def __init__(self, what: str, counts: Mapping[str, int], total: int) -> None:
        super().__init__()
        self.what = what
        self.counts = dict(counts)
        self.total = total

    def compose(self) -> ComposeResult:
        options = []
        for tag in sorted(self.counts):
            label = Text(f"#{visible(tag, lines=False)}")
            if self.total > 1:
                label.append(f"  on {self.counts[tag]} of {self.total}", "dim")
            options.append(Option(label, id=tag))
        with Vertical(classes="dialog untag-dialog"):
            yield Label(f"Remove a tag from {self.what}", classes="dialog-title", markup=False)
            yield OptionList(*options, id="untag")
            yield Label("enter: remove   escape: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
