"""The ``shelf`` command: the TUI with no subcommand, a scriptable CLI otherwise.

Subcommand names, options and ``--json`` fields are a contract with scripts:
extend them, never rename them. Errors are one line on stderr and a non-zero
exit; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from tui import commands

EXIT_ERROR = 1
EXIT_USAGE = 2


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--data-dir", metavar="DIR", default=default, help="data folder")
    parser.add_argument("--user", metavar="NAME", default=default, help="whose annotations")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="show tracebacks",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shelf", description="A keyboard-driven reading list for AI research."
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, epilog: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common(p, suppress=True)
        return p

    p = command("import", "parse documents and add their items to the library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = command("list", "list items, in relevance order when a query is given", QUERY_HELP)
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument(
        "--sort",
        choices=("relevance", "date", "title", "changed", "library"),
        default=None,
        help="order (default: relevance with a query, library order without)",
    )

    p = command("show", "show one item: ID is an id, an id prefix or a unique part of a title")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print a JSON object")

    for name, help_text in (("read", "mark items read"), ("unread", "mark items unread")):
        p = command(name, help_text)
        p.add_argument("ids", nargs="+", metavar="ID")

    p = command("status", "set items' status")
    p.add_argument("status", choices=("unread", "reading", "read"))
    p.add_argument("ids", nargs="+", metavar="ID")

    for name, help_text in (("tag", "add tags to an item"), ("untag", "remove tags from an item")):
        p = command(name, help_text)
        p.add_argument("id", metavar="ID")
        p.add_argument("tags", nargs="+", metavar="TAG")

    p = command("note", "add a note to an item")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="+", metavar="TEXT")

    p = command("rename", "give an item your own title (empty restores the original)")
    p.add_argument("id", metavar="ID")
    p.add_argument("title", nargs="*", metavar="TITLE")

    p = command("export", "export items as a reading list", QUERY_HELP + EXPORT_HELP)
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--format", "-f", default="md", metavar="FORMAT")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--group-by", choices=("tag", "status"), default=None)
    p = command("annotations", "move a user's annotations between machines")
    actions = p.add_subparsers(dest="annotations_command", metavar="ACTION", required=True)
    a = actions.add_parser("export", help="write a user's annotation file")
    _common(a, suppress=True)
    a.add_argument("who", nargs="?", metavar="USER", help="whose (default: you)")
    a.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    a = actions.add_parser("import", help="merge an annotation file into a user's annotations")
    _common(a, suppress=True)
    a.add_argument("file", metavar="FILE")
    a.add_argument("--as", dest="as_user", metavar="USER", help="whose annotations to merge into")
    a.add_argument("--json", action="store_true", help="print the report as JSON")

    p = command("saved", "saved searches, used as @NAME in any query")
    actions = p.add_subparsers(dest="saved_command", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="save QUERY as NAME (replaces one of that name)")
    _common(a, suppress=True)
    a.add_argument("name", metavar="NAME")
    a.add_argument("query", nargs="+", metavar="QUERY")
    a = actions.add_parser("list", help="the saved searches and how many items each finds")
    _common(a, suppress=True)
    a.add_argument("--json", action="store_true", help="print a JSON array")
    a = actions.add_parser("remove", help="forget a saved search")
    _common(a, suppress=True)
    a.add_argument("name", metavar="NAME")

    p = command("config", "the settings file: where it is, read or change a setting", CONFIG_HELP)
    actions = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    actions.add_parser("path", help="print where the settings file is")
    a = actions.add_parser("get", help="print a setting")
    a.add_argument("key", metavar="KEY")
    a = actions.add_parser("set", help="change a setting (an empty VALUE for keys.ID restores it)")
    a.add_argument("key", metavar="KEY")
    a.add_argument("value", metavar="VALUE")
    return parser


class _Version(argparse.Action):
    """``--version``; the package metadata is read only when asked, not on every command."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
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


def _did_you_mean(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """For ``shelf lsit``: the command meant, so argparse's list of choices need not be read."""
    commands_action = next(
        (a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None
    )
    if commands_action is None:
        return None
    names = list(commands_action.choices)
    # Options taking a value (--data-dir DIR) come before the command.
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in {"--data-dir", "--user"} else 1
    if i >= len(argv) or argv[i] in names:
        return None
    close = difflib.get_close_matches(argv[i], names, n=1)
    if not close:
        return None
    return f"shelf: unknown command {argv[i]!r}; did you mean {close[0]!r}?"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    suggestion = _did_you_mean(parser, words)
    if suggestion is not None:
        print(suggestion, file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(words)
    try:
        return commands.run(args)
    except KeyboardInterrupt:
        print("shelf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # one line for the user, the traceback only on request
        if getattr(args, "debug", False):
            raise
        print(f"shelf: {commands.describe_error(exc)}", file=sys.stderr)
        return EXIT_ERROR


def entry() -> None:
    """The ``shelf`` script: ``main``, then leave without tearing the heap down.

    Freeing a 100,000-item library object by object takes about a third of a
    second that the user waits for and nothing needs: by the time ``main``
    returns every file is written and synced, so once the output is flushed
    the process exits at once.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe: nobody reads the output any more
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
