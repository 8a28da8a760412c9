"""The command line's comforts, kept apart from ``tui.cli`` so its diff stays small.

``--version``, "did you mean", the help texts for the query language, export
formats and settings, and the ``saved`` and ``config`` commands' arguments.
Like ``tui.cli``, this never imports Textual.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence


def add_saved_and_config(
    command: Callable[..., argparse.ArgumentParser],
    _common: Callable[[argparse.ArgumentParser, bool], None],
) -> None:
    """``shelf saved add|list|remove`` and ``shelf config path|get|set``.

    ``command`` is ``build_parser``'s helper (a subcommand with the common
    options); ``_common`` adds those options to a nested action.
    """
    p = command("saved", "saved searches, used as @NAME in any query")
    actions = p.add_subparsers(dest="saved_command", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="save QUERY as NAME (replaces one of that name)")
    _common(a, True)
    a.add_argument("name", metavar="NAME")
    a.add_argument("query", nargs="+", metavar="QUERY")
    a = actions.add_parser("list", help="the saved searches and how many items each finds")
    _common(a, True)
    a.add_argument("--json", action="store_true", help="print a JSON array")
    a = actions.add_parser("remove", help="forget a saved search")
    _common(a, True)
    a.add_argument("name", metavar="NAME")

    p = command("config", "the settings file: where it is, read or change a setting", CONFIG_HELP)
    actions = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    actions.add_parser("path", help="print where the settings file is")
    a = actions.add_parser("get", help="print a setting")
    a.add_argument("key", metavar="KEY")
    a = actions.add_parser("set", help="change a setting (an empty VALUE for keys.ID restores it)")
    a.add_argument("key", metavar="KEY")
    a.add_argument("value", metavar="VALUE")


class Version(argparse.Action):
    """``--version``; the package metadata is read only when asked, not on every command."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
        from importlib import metadata  # (a fifth of a command's imports: only when asked)

        try:
            version = metadata.version("shelf")
        except metadata.PackageNotFoundError:
            version = "unknown"
        print(f"shelf {version}")
        parser.exit()


QUERY_HELP = """\
query language (the same as in the app):
  words                      titles, your titles, authors, abstracts, tags, notes; typos forgiven
  tag:rlhf, #rlhf            items you tagged rlhf
  author:radford, a:radford  items with an author called Radford
  is:unread|reading|read     by your reading status
  is:new, -is:new            arrived (import, add, feed) since you caught up, not yet
                             opened or marked; shelf seen --all catches up
  has:code, has:note         items with code; items you wrote a note on
  cat:CL                     arXiv category
  src:003                    items from a document (file name or a prefix of it)
  year:2020, year:2019..2021 by year
  "exact phrase"             words next to each other
  -word                      leave out items that mention word
  readby:bob, taggedby:bob   what another member of your reading group read or tagged
  @NAME                      a saved search (shelf saved add NAME QUERY)
"""

EXPORT_HELP = """
formats (--format):
  md        a Markdown checklist ([x] read), titles linked, notes quoted (default)
  json      the 'shelf list --json' objects under a header (version, query, user, time)
  csv       one row per item, formula-like cells neutralised for spreadsheets
  bib       BibTeX (@article papers, @misc posts; notes in annote, tags in keywords)
  ris       RIS, for Zotero and Mendeley
  csl-json  CSL JSON, for Zotero and pandoc
  html      one self-contained page
"""

CONFIG_HELP = """\
settings (config.toml in the platform's config folder, or $SHELF_CONFIG_DIR):
  theme          the app's colours (any Textual theme, e.g. textual-light)
  default_sort   relevance, date, title, changed or library
  restore_view   true: reopen with the last query, filters and sort
  keys.ID        your key for a binding, e.g. keys.item.toggle_read m
"""


def command_at(argv: Sequence[str]) -> int:
    """Where the command word is in ``argv``: after the options before it
    (``--data-dir DIR`` takes a value); ``len(argv)`` when there is none."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in {"--data-dir", "--user"} else 1
    return min(i, len(argv))


def did_you_mean(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """For ``shelf lsit``: the command meant, so argparse's list of choices need not be read."""
    commands_action = next(
        (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
    )
    if commands_action is None:
        return None
    names = list(commands_action.choices)
    i = command_at(argv)
    if i >= len(argv) or argv[i] in names:
        return None
    import difflib  # only for a command that is not one

    close = difflib.get_close_matches(argv[i], names, n=1)
    if not close:
        return None
    return f"shelf: unknown command {argv[i]!r}; did you mean {close[0]!r}?"
