"""The ``shelf`` command: the TUI with no subcommand, a scriptable CLI otherwise.

Subcommand names, options and ``--json`` fields are a contract with scripts:
extend them, never rename them. Errors are one line on stderr and a non-zero
exit; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any, cast

from tui import commands
from tui.cli_extra import (
    EXPORT_HELP,
    QUERY_HELP,
    Version,
    add_saved_and_config,
    command_at,
    did_you_mean,
)

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


#: Every command ``build_parser`` defines (a test holds the two together).
COMMANDS = (
    "import", "remove", "add", "list", "show", "seen", "related", "read", "unread", "status",
    "tag", "untag", "note", "notes", "undo", "redo", "rename", "set", "edit", "export", "cite",
    "feed", "refresh", "annotations", "saved", "config",
)  # fmt: skip


class _Unbuilt:
    """Stands in for the parsers of the commands not run: their arguments are not made."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        return None

    def add_mutually_exclusive_group(self, *args: Any, **kwargs: Any) -> _Unbuilt:
        return self

    def add_subparsers(self, *args: Any, **kwargs: Any) -> _Unbuilt:
        return self

    def add_parser(self, *args: Any, **kwargs: Any) -> _Unbuilt:
        return self


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` the top level and that one
    command: every command's arguments cost 7 ms to make (argparse looks up
    translations for each help text), a tenth of ``shelf show ID``."""
    parser = argparse.ArgumentParser(
        prog="shelf", description="A keyboard-driven reading list for AI research."
    )
    parser.add_argument("--version", action=Version, help="print the version and exit")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, epilog: str | None = None) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return cast(argparse.ArgumentParser, _Unbuilt())
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
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument(
        "--bundled",
        action="store_true",
        help="the corpus shipped with shelf, again: after an upgrade, what it now parses "
        "better is merged into your library (your annotations stay)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="report what would be added and merged; change nothing",
    )
    p.add_argument(
        "--format",
        metavar="NAME",
        help="read every PATH as this format: blog_listing, research_page, arxiv_abstracts, "
        "paper_listing, blog_excerpts, bibtex",
    )

    p = command("remove", "take items out of the library (your annotations on them are kept)")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = command("add", "add papers by reference: arxiv:ID, doi:10.…, or a URL")
    p.add_argument("refs", nargs="+", metavar="REF")
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

    p = command(
        "seen",
        "catch up on what is new (is:new): the items named, or every one with --all",
    )
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="nothing that arrived so far is new")
    p.add_argument("--json", action="store_true", help='print {"seen": [ids that were new]}')
    p = command("related", "list the items most like one (ID as for show), most alike first")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("-n", type=int, default=5, metavar="N", help="how many (default 5)")

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

    p = command("note", "add a note to an item, or change one (--edit N, --delete N)")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="*", metavar="TEXT")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--edit", nargs="+", metavar=("N", "TEXT"), help="replace note N with TEXT")
    which.add_argument("--delete", type=int, metavar="N", help="delete note N")

    p = command("notes", "list an item's notes, numbered")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print a JSON array")

    p = command("undo", "undo your last change (or the last N)")
    p.add_argument("count", nargs="?", type=int, default=1, metavar="N")
    p.add_argument("--list", action="store_true", help="list what can be undone and redone")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("redo", "redo what you undid last (or the last N)")
    p.add_argument("count", nargs="?", type=int, default=1, metavar="N")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("rename", "give an item your own title (empty restores the original)")
    p.add_argument("id", metavar="ID")
    p.add_argument("title", nargs="*", metavar="TITLE")

    p = command("set", "correct one field of an item (empty VALUE restores the original)")
    p.add_argument("id", metavar="ID")
    p.add_argument(
        "field",
        metavar="FIELD",
        help="title, authors (A; B; C), date, venue, urls, url, abstract, key (citation key)",
    )
    p.add_argument("value", nargs="*", metavar="VALUE")

    p = command("edit", "correct an item's fields in $VISUAL or $EDITOR (TOML)")
    p.add_argument("id", metavar="ID")

    p = command("export", "export items as a reading list", QUERY_HELP + EXPORT_HELP)
    p.add_argument("query", nargs="*", metavar="QUERY")
    p.add_argument("--format", "-f", default="md", metavar="FORMAT")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--force", action="store_true", help="write through a symbolic link at FILE")
    p.add_argument("--group-by", choices=("tag", "status"), default=None)
    p = command("cite", "print citations of items: keys, BibTeX, Markdown links or references")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument(
        "--style",
        "-s",
        choices=("key", "bibtex", "markdown", "text"),
        default="key",
        help="key (default), bibtex, markdown ([Title](url)), text (a formatted reference)",
    )

    p = command("feed", "follow feeds: the shared list in feeds.json")
    feed = p.add_subparsers(dest="feed_command", metavar="ACTION", required=True)
    f = feed.add_parser("add", help="follow a feed (RSS, Atom, an arXiv listing)")
    _common(f, suppress=True)
    f.add_argument("url", metavar="URL")
    f.add_argument("--name", metavar="NAME", help="what to call it (default: from the URL)")
    f = feed.add_parser("list", help="the feeds followed")
    _common(f, suppress=True)
    f.add_argument("--json", action="store_true", help="print a JSON array")
    f = feed.add_parser("remove", help="stop following a feed")
    _common(f, suppress=True)
    f.add_argument("name", metavar="NAME")

    p = command("refresh", "fetch feeds and add what is new to the library")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument(
        "--force", action="store_true", help="fetch in full, ignoring what was fetched before"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = command("annotations", "move a user's annotations between machines")
    actions = p.add_subparsers(dest="annotations_command", metavar="ACTION", required=True)
    a = actions.add_parser("export", help="write a user's annotation file")
    _common(a, suppress=True)
    a.add_argument("who", nargs="?", metavar="USER", help="whose (default: you)")
    a.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    a.add_argument("--force", action="store_true", help="write through a symbolic link at FILE")
    a = actions.add_parser("import", help="merge an annotation file into a user's annotations")
    _common(a, suppress=True)
    a.add_argument("file", metavar="FILE")
    a.add_argument("--as", dest="as_user", metavar="USER", help="whose annotations to merge into")
    a.add_argument("--json", action="store_true", help="print the report as JSON")

    add_saved_and_config(command, _common)
    return parser


_COMMON = ("--data-dir", "--user", "--debug")


def _only(words: Sequence[str]) -> str | None:
    """The one command to build the parser for: the command named, unless
    something else before it (``--help``, an abbreviated option) needs the
    whole command line."""
    at = command_at(words)
    if at == len(words) or words[at] not in COMMANDS:
        return None
    # Before it, only the common options spelled out (argparse reads --us as --user).
    options = (w for w in words[:at] if w.startswith("-"))
    if not all(w in _COMMON or w.startswith(("--data-dir=", "--user=")) for w in options):
        return None
    return words[at]


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_only(words))
    suggestion = did_you_mean(parser, words)
    if suggestion is not None:
        print(suggestion, file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(words)
    if sys.stdout is None and args.command is not None:
        # Started with stdout closed (``shelf list >&-``): say so once, on stderr if open.
        if sys.stderr is not None:
            print("shelf: standard output is closed; nothing to write to", file=sys.stderr)
        return EXIT_ERROR
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
        commands.say(f"shelf: {commands.describe_error(exc)}", file=sys.stderr)
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
            if stream is not None:  # a stream closed before we started
                stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
