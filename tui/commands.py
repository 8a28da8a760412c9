"""What each ``shelf`` subcommand does, through a core Session opened from the arguments.

The command line is a thin front end: every command is a Session call, so it
behaves as the app does by construction. Nothing here imports Textual; the
app is imported only when no subcommand is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from core.errors import StorageError, describe_for_cli
from core.model import paused_gc
from core.output import write_file, write_json, write_json_array
from core.session import Session
from tui.commands_extra import cmd_config, cmd_saved, sorted_ids

GLYPHS = {"unread": "·", "reading": "◐", "read": "✓"}


def _print_json(data: Any) -> None:
    write_json(sys.stdout.buffer, data)
    sys.stdout.flush()


describe_error = describe_for_cli


def _warn(message: str) -> None:
    print(f"shelf: {message}", file=sys.stderr)


def open_session(args: argparse.Namespace) -> Session:
    session = Session.open(args.data_dir, args.user, on_warning=_warn)
    args.opened_session = session
    return session


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
        session: Session | None = getattr(args, "opened_session", None)
        if session is not None:
            try:
                session.flush()
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
    session = open_session(args)
    progress = None
    if sys.stderr.isatty() and not args.json:
        from tui.progress import ProgressBar

        progress = ProgressBar("importing", stream=sys.stderr)
    try:
        report = session.import_paths(args.paths, progress=progress)
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


def _query_ids(session: Session, words: list[str]) -> list[str]:
    return session.find(" ".join(words))


def _row(view: dict[str, Any]) -> str:
    glyph = GLYPHS.get(view["status"], "?")
    title = ("~" if view["title_derived"] else "") + view["title"]
    author = view["authors"][0] if view["authors"] else ""
    if author and (len(view["authors"]) > 1 or view["authors_truncated"]):
        author += " et al."
    tags = " ".join(f"#{t}" for t in view["tags"])
    fields = [view["id"], glyph, title, author, view["date_text"] or "", tags]
    return "  ".join(f for f in fields if f)


#: Views built and written at a time: a 100k listing never holds them all.
LIST_BATCH = 2000


def _batches(session: Session, ids: list[str]) -> Iterator[list[dict[str, Any]]]:
    source = session.views(ids)
    for start in range(0, len(source), LIST_BATCH):
        yield source.views_at(range(start, min(start + LIST_BATCH, len(source))))


def cmd_list(args: argparse.Namespace) -> int:
    session = open_session(args)
    ids = sorted_ids(session, _query_ids(session, args.query), args.sort)
    out = sys.stdout
    if args.json:
        write_json_array(out.buffer, (v for batch in _batches(session, ids) for v in batch))
        out.flush()
        return 0
    for batch in _batches(session, ids):
        out.write("".join(_row(view) + "\n" for view in batch))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    session = open_session(args)
    view = session.view(session.resolve_loosely(args.id))
    if args.json:
        _print_json(view)
        return 0
    from tui.render import plain_detail

    print(plain_detail(view))
    return 0


def _status_command(status: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        session = open_session(args)
        ids = session.resolve_all(args.ids)
        session.set_status(ids, status)
        for item_id in ids:
            print(f"{item_id} {status}")
        return 0

    return handler


def cmd_status(args: argparse.Namespace) -> int:
    return _status_command(args.status)(args)


def cmd_tag(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    change = session.add_tags([item_id], args.tags)
    print(f"{item_id} tags: {' '.join(change.annotations[item_id].tags)}")
    return 0


def cmd_untag(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    missing = session.missing_tags(item_id, args.tags)
    present = [t for t in args.tags if t not in missing]
    if present:
        change = session.remove_tags([item_id], present)
        print(f"{item_id} tags: {' '.join(change.annotations[item_id].tags)}")
    if missing:
        have = " ".join(f"#{t}" for t in session.annotation(item_id).tags) or "no tags"
        shown = ", ".join(f"#{t}" for t in missing)
        _warn(f"{item_id} is not tagged {shown} (it has {have})")
        return 1
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    change = session.add_note(item_id, " ".join(args.text))
    print(f"{item_id} notes: {change.value}")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    session.rename(item_id, " ".join(args.title))
    print(f"{item_id} {session.title(item_id)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from core.exports import check_format, export_ids

    check_format(args.format, args.group_by)
    session = open_session(args)
    ids = _query_ids(session, args.query)
    query = " ".join(args.query)
    if args.output:
        count = export_ids(
            session, ids, args.format, output=args.output, query=query, group_by=args.group_by
        )
        print(f"exported {count} items to {args.output}", file=sys.stderr)
    else:
        out = sys.stdout.buffer
        export_ids(
            session, ids, args.format, output=None, stream=out, query=query, group_by=args.group_by
        )
        sys.stdout.flush()
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    session = open_session(args)
    if args.annotations_command == "export":
        data = session.export_annotations(args.who)
        if args.output:
            write_file(args.output, data)
            print(
                f"exported annotations of {args.who or session.user} to {args.output}",
                file=sys.stderr,
            )
        else:
            sys.stdout.buffer.write(data)
        return 0
    report = session.import_annotations(args.file, args.as_user)
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
    "saved": cmd_saved,
    "config": cmd_config,
}
