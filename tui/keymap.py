"""Every binding of the app by its id: what ``[keys]`` in the config file may rebind.

Ids are stable and dotted (``item.toggle_read``, ``main.sort``); they are a
contract with users' config files, like the CLI's ``--json`` fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding


def binding_classes() -> list[type]:
    from tui.app import ShelfApp
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.detail import DetailScreen
    from tui.screens.export_dialog import ExportDialog
    from tui.screens.help import HelpScreen
    from tui.screens.main import MainScreen
    from tui.screens.note_dialog import NoteDialog
    from tui.screens.rename_dialog import RenameDialog
    from tui.screens.save_search_dialog import SaveSearchDialog
    from tui.screens.sort_menu import SortMenu
    from tui.screens.stats import StatsScreen
    from tui.screens.tag_dialog import TagDialog, TagInput, UntagDialog
    from tui.widgets.facets import FacetList
    from tui.widgets.item_list import ItemList
    from tui.widgets.search_bar import SearchBar

    return [
        ShelfApp,
        MainScreen,
        ItemList,
        SearchBar,
        FacetList,
        DetailScreen,
        HelpScreen,
        StatsScreen,
        SortMenu,
        ExportDialog,
        TagDialog,
        TagInput,
        UntagDialog,
        NoteDialog,
        RenameDialog,
        SaveSearchDialog,
        ConfirmScreen,
    ]


def all_bindings() -> dict[str, Binding]:
    found: dict[str, Binding] = {}
    for cls in binding_classes():
        for binding in getattr(cls, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding)
    return found


def check_keymap(keys: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The overrides that name a real binding, and a warning for each that does not."""
    known = all_bindings()
    good = {i: k for i, k in keys.items() if i in known and k.strip()}
    problems = [
        f"config [keys]: no binding {i!r} (README 'Keys' lists the ids)"
        for i in keys
        if i not in known
    ]
    return good, problems


def keys_for(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to now, the user's own if they rebound it."""
    if binding.id and binding.id in keymap:
        return keymap[binding.id]
    return binding.key_display or binding.key
