"""What each ``shelf`` subcommand does, on a Shelf opened from the arguments."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from seeds.formats.common import paused_gc
from storage.atomic import StorageError, atomic_write
from storage.shelf import Shelf

GLYPHS = {"unread": "·", "reading": "◐", "read": "✓"}


def _print_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def describe_error(exc: BaseException) -> str:
    """One line: ours say what is wrong; anything else is a bug, and says how to see it."""
    message = str(exc).splitlines()[0] if str(exc) else ""
    if isinstance(exc, (StorageError, ValueError, LookupError)) and message:
        return message
    return f"internal error ({type(exc).__name__}: {message}); rerun with --debug for details"


def _warn(message: str) -> None:
    print(f"shelf: {message}", file=sys.stderr)


def open_shelf(args: argparse.Namespace) -> Shelf:
    shelf = Shelf(args.data_dir, args.user, on_warning=_warn)
    args.opened_shelf = shelf
    return shelf


def run(args: argparse.Namespace) -> int:
    handler = HANDLERS.get(args.command or "")
    if handler is None:
        return open_tui(args)
    # A command lives for seconds and holds up to 100k acyclic items and
    # views; each collector pass would walk them all for nothing (over a
    # second of a 100k export). Cyclic garbage waits for the end of the command.
    with paused_gc():
        return handler(args)


def _flushing(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Commands that change annotations leave the readable file current (for git users)."""

    def run_then_flush(args: argparse.Namespace) -> int:
        code = handler(args)
        shelf: Shelf | None = getattr(args, "opened_shelf", None)
        if shelf is not None:
            try:
                shelf.flush()
            except StorageError as exc:
                # The change is durable in the journal already; failing here
                # would make a script retry it and, for a note, add it twice.
                _warn(f"saved, but could not fold the change into the annotation file: {exc}")
        return code

    return run_then_flush


def open_tui(args: argparse.Namespace) -> int:
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise StorageError(
            "the interactive app needs a terminal (stdin/stdout is not a TTY); "
            "use a subcommand such as 'shelf list' in scripts"
        )
    from tui.launch import launch

    return launch(args)


def cmd_import(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    progress = None
    if sys.stderr.isatty() and not args.json:
        from tui.progress import ProgressBar

        progress = ProgressBar("importing", stream=sys.stderr)
    try:
        report = shelf.import_paths(args.paths, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    if args.json:
        _print_json(
            {
                "added": report.added,
                "merged": report.merged,
                "unchanged": report.unchanged,
                "documents": [
                    {
                        "name": d.name,
                        "kind": d.kind,
                        "entries": d.entries,
                        "skipped": d.skipped,
                        "error": d.error,
                    }
                    for d in report.documents
                ],
            }
        )
    else:
        for doc in report.documents:
            if doc.error:
                print(f"{doc.name}: {doc.error}", file=sys.stderr)
            else:
                skipped = f", {len(doc.skipped)} skipped" if doc.skipped else ""
                print(f"{doc.name}: {doc.kind}, {doc.entries} entries{skipped}")
        print(report.summary())
    return 1 if report.errors else 0


def _query_ids(shelf: Shelf, words: list[str]) -> list[str]:
    return shelf.search(" ".join(words))


def _row(view: dict[str, Any]) -> str:
    glyph = GLYPHS.get(view["status"], "?")
    title = ("~" if view["title_derived"] else "") + view["title"]
    author = view["authors"][0] if view["authors"] else ""
    if author and (len(view["authors"]) > 1 or view["authors_truncated"]):
        author += " et al."
    tags = " ".join(f"#{t}" for t in view["tags"])
    fields = [view["id"], glyph, title, author, view["date_text"] or "", tags]
    return "  ".join(f for f in fields if f)


def cmd_list(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    views = shelf.views(_query_ids(shelf, args.query))
    if args.json:
        _print_json(views)
    else:
        for view in views:
            print(_row(view))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    view = shelf.view(shelf.resolve(args.id))
    if args.json:
        _print_json(view)
        return 0
    from tui.render import plain_detail

    print(plain_detail(view))
    return 0


def _status_command(status: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        shelf = open_shelf(args)
        ids = shelf.resolve_all(args.ids)
        shelf.set_status(ids, status)
        for item_id in ids:
            print(f"{item_id} {status}")
        return 0

    return handler


def cmd_status(args: argparse.Namespace) -> int:
    return _status_command(args.status)(args)


def cmd_tag(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    item_id = shelf.resolve(args.id)
    shelf.add_tags([item_id], args.tags)
    print(f"{item_id} tags: {' '.join(shelf.annotation(item_id).tags)}")
    return 0


def cmd_untag(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    item_id = shelf.resolve(args.id)
    shelf.remove_tags([item_id], args.tags)
    print(f"{item_id} tags: {' '.join(shelf.annotation(item_id).tags)}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    item_id = shelf.resolve(args.id)
    ann = shelf.add_note(item_id, " ".join(args.text))
    print(f"{item_id} notes: {len(ann.notes)}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    shelf = open_shelf(args)
    item_id = shelf.resolve(args.id)
    shelf.rename(item_id, " ".join(args.title))
    print(f"{item_id} {shelf.title(item_id)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from storage.export import check_request, export_to_file, write_export
    from storage.export.parts import default_workers

    check_request(args.format, args.group_by)
    shelf = open_shelf(args)
    source = shelf.view_source(_query_ids(shelf, args.query))
    options: dict[str, Any] = {
        "query": " ".join(args.query),
        "user": shelf.user,
        "group_by": args.group_by,
        "workers": default_workers(),
    }
    if args.output:
        count = export_to_file(Path(args.output), source, args.format, **options)
        print(f"exported {count} items to {args.output}", file=sys.stderr)
    else:
        write_export(source, args.format, sys.stdout.buffer, **options)
        sys.stdout.flush()
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    from storage.annotation_sync import export_annotations, import_annotations

    shelf = open_shelf(args)
    if args.annotations_command == "export":
        data = export_annotations(shelf, args.who)
        if args.output:
            atomic_write(Path(args.output), data)
            print(
                f"exported annotations of {args.who or shelf.user} to {args.output}",
                file=sys.stderr,
            )
        else:
            sys.stdout.buffer.write(data)
        return 0
    report = import_annotations(shelf, args.file, args.as_user)
    if args.json:
        _print_json(
            {
                "user": report.user,
                "changed": report.changed,
                "changes": report.changes,
                "unchanged": report.unchanged,
                "unknown": report.unknown,
            }
        )
        return 0
    for line in report.changes:
        print(line)
    print(
        f"{len(report.changed)} changed, {report.unchanged} unchanged in {report.user}'s annotations"
    )
    if report.unknown:
        print(
            f"{len(report.unknown)} annotations refer to items not in this library; "
            "kept for when their documents are imported"
        )
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": cmd_import,
    "list": cmd_list,
    "show": cmd_show,
    "read": _flushing(_status_command("read")),
    "unread": _flushing(_status_command("unread")),
    "status": _flushing(cmd_status),
    "tag": _flushing(cmd_tag),
    "untag": _flushing(cmd_untag),
    "note": _flushing(cmd_note),
    "rename": _flushing(cmd_rename),
    "export": cmd_export,
    "annotations": cmd_annotations,
}
