"""The ``saved`` and ``config`` commands and ``list --sort``, apart from ``tui.commands``.

Kept in a module of their own so the shared command file changes by a few
lines; like it, this never imports Textual.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.output import write_json
from core.session import Session


def _print_json(data: Any) -> None:
    write_json(sys.stdout.buffer, data)
    sys.stdout.flush()


def sorted_ids(session: Session, ids: list[str], sort: str | None) -> list[str]:
    """``--sort``: the app's orders, worked out by the same model the app uses."""
    if sort is None or sort == "relevance":
        return ids
    from core.listing import LibraryModel

    model = LibraryModel(session.shelf.items(with_text=False), session.annotations())
    return model.sort(ids, sort)


def cmd_saved(args: argparse.Namespace) -> int:
    from tui.commands import open_session

    session = open_session(args)
    if args.saved_command == "add":
        query = " ".join(args.query)
        session.save_search(args.name, query)
        print(f"saved @{args.name.removeprefix('@')}: {query}")
        return 0
    if args.saved_command == "remove":
        session.remove_saved_search(args.name)
        print(f"removed @{args.name.removeprefix('@')}")
        return 0
    rows = []
    for name, query in session.saved_searches().items():
        try:
            count: int | None = len(session.find(f"@{name}"))
        except ValueError:  # it names a filter or search that no longer exists
            count = None
        rows.append({"name": name, "query": query, "count": count})
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        shown = "?" if row["count"] is None else f"{row['count']:,}"
        print(f"@{row['name']}  {row['query']}  ({shown} items)")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from core import config

    if args.config_command == "path":
        print(config.config_path())
        return 0
    if args.config_command == "get":
        value = config.get_value(args.key)
        if isinstance(value, dict):
            for key, keys in value.items():
                print(f"{key} = {keys}")
        elif isinstance(value, bool):
            print("true" if value else "false")
        elif value is not None:
            print(value)
        return 0
    config.set_value(args.key, args.value)
    print(f"{args.key} = {args.value}  ({config.config_path()})")
    return 0
