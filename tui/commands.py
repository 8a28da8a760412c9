"""What each ``shelf`` subcommand does, through a core Session opened from the arguments.

The command line is a thin front end: every command is a Session call, so it
behaves as the app does by construction. Nothing here imports Textual; the
app is imported only when no subcommand is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from core.errors import StorageError, describe_for_cli
from core.list_rows import list_line, row_of_view
from core.model import paused_gc
from core.output import write_file, write_json, write_json_array
from core.session import Change, Session, Step
from core.text import visible, visible_lines
from tui.commands_extra import cmd_config, cmd_saved, sorted_ids

if TYPE_CHECKING:
    from core.feeds import Feed


def _print_json(data: Any) -> None:
    write_json(sys.stdout.buffer, data)
    sys.stdout.flush()


describe_error = describe_for_cli


def say(text: object = "", file: TextIO | None = None) -> None:
    """Print a line whose text may come from data: control characters are shown, not sent."""
    print(visible(str(text)), file=file or sys.stdout)


def _warn(message: str) -> None:
    say(f"shelf: {message}", file=sys.stderr)


def open_session(args: argparse.Namespace) -> Session:
    session = Session.open(args.data_dir, args.user, on_warning=_warn)
    args.opened_session = session
    if not getattr(args, "dry_run", False):  # (a dry run changes nothing)
        session.ensure_watermark()  # from a user's first use, arrivals are new to them
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


def _restored(session: Session, added: list[str]) -> list[str]:
    """Items added back that the user had annotated (removed earlier): they keep it all."""
    return [i for i in added if not session.annotation(i).is_empty()]


def _say_restored(restored: list[str]) -> None:
    if restored:
        count = len(restored)
        say(f"{count} of them came back with your notes, tags and status")


def cmd_import(args: argparse.Namespace) -> int:
    if bool(args.paths) == bool(args.bundled):
        raise StorageError("name the documents to import, or --bundled for the shipped corpus")
    session = open_session(args)
    progress = None
    if sys.stderr.isatty() and not args.json:
        from tui.progress import ProgressBar

        progress = ProgressBar("importing", stream=sys.stderr)
    try:
        report = session.import_paths(
            args.paths,
            progress=progress,
            kind=args.format,
            dry_run=args.dry_run,
            bundled=args.bundled,
        )
    finally:
        if progress is not None:
            progress.finish()
    if args.json:
        _print_json(
            {
                "added": report.added,
                "restored": _restored(session, report.added),
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
                say(f"{doc.name}: {doc.error}", file=sys.stderr)
            else:
                skipped = f", {len(doc.skipped)} skipped" if doc.skipped else ""
                say(f"{doc.name}: {doc.kind}, {doc.entries} entries{skipped}")
        say(("would be: " if args.dry_run else "") + report.summary())
        _say_restored(_restored(session, report.added))
    return 1 if report.errors else 0


def cmd_remove(args: argparse.Namespace) -> int:
    session = open_session(args)
    ids = session.resolve_all(args.ids)
    titles = {i: session.title(i) or "" for i in ids}
    change = session.remove(ids)
    if args.json:
        _print_json({"removed": change.ids, "annotations_kept": change.kept})
        return 0
    for item_id in change.ids:
        say(f"removed {item_id}  {titles[item_id]}")
    if change.kept:
        count = len(change.kept)
        say(
            f"your annotations on {count} of them are kept: importing "
            f"{'it' if count == 1 else 'them'} again brings {'it' if count == 1 else 'them'} back"
        )
    say("shelf undo puts them back")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from core.adding import add_references

    session = open_session(args)
    progress = None
    if sys.stderr.isatty() and not args.json and len(args.refs) > 1:
        from tui.progress import ProgressBar

        progress = ProgressBar("fetching", stream=sys.stderr)
    try:
        done = add_references(session, args.refs, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    if args.json:
        _print_json(
            {
                "added": done.added,
                "restored": _restored(session, done.added),
                "merged": done.merged,
                "unchanged": done.unchanged,
                "references": done.lines,
                "errors": done.errors,
            }
        )
    else:
        for line in done.lines:
            say(line)
        for line in done.errors:
            say(line, file=sys.stderr)
        say(f"{len(done.added)} added, {len(done.merged)} merged, {len(done.unchanged)} unchanged")
        _say_restored(_restored(session, done.added))
    return 0 if done.ok else 1


def _query_ids(session: Session, words: list[str]) -> list[str]:
    return session.find(" ".join(words))


def _row(view: dict[str, Any]) -> str:
    """The ``shelf list`` line of an item view (before ``visible``)."""
    return list_line(row_of_view(view))


#: Views built and written at a time: a 100k listing never holds them all.
LIST_BATCH = 2000


def _batches(session: Session, ids: list[str]) -> Iterator[list[dict[str, Any]]]:
    source = session.views(ids, new=True)
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
    for lines in session.lines(ids):
        out.write(visible_lines(lines))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve_loosely(args.id)
    view = session.view(item_id)
    if args.json:
        _print_json(view)
    else:
        from tui.render import plain_detail

        say(plain_detail(view))
    session.opened([item_id])  # shown is opened: no longer new
    return 0


def cmd_seen(args: argparse.Namespace) -> int:
    """Catch up on what is new: every item (--all) or the items named."""
    if bool(args.ids) == bool(args.all):
        raise StorageError("give item ids, or --all to catch up on everything")
    session = open_session(args)
    ids = None if args.all else session.resolve_all(args.ids)
    was = session.mark_seen(ids)
    if args.json:
        _print_json({"seen": was})
    else:
        count = len(was)
        say(f"{count} new item{'s' if count != 1 else ''} marked as seen")
    return 0


def cmd_related(args: argparse.Namespace) -> int:
    from core.related import find_related

    if args.n < 1:
        raise ValueError("-n must be at least 1")
    session = open_session(args)
    found = find_related(session, session.resolve_loosely(args.id), args.n)
    views = session.views([r.id for r in found], new=True).views_at(range(len(found)))
    if args.json:
        _print_json(
            [
                {**v, "score": r.score, "shared": list(r.shared)}
                for r, v in zip(found, views, strict=True)
            ]
        )
        return 0
    for r, view in zip(found, views, strict=True):
        say(f"{_row(view)}  [{r.score:.2f}: {', '.join(r.shared)}]")
    return 0


def _status_command(status: str) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        session = open_session(args)
        ids = session.resolve_all(args.ids)
        session.set_status(ids, status)
        for item_id in ids:
            say(f"{item_id} {status}")
        return 0

    return handler


def cmd_status(args: argparse.Namespace) -> int:
    return _status_command(args.status)(args)


def cmd_tag(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    change = session.add_tags([item_id], args.tags)
    say(f"{item_id} tags: {' '.join(change.annotations[item_id].tags)}")
    return 0


def cmd_untag(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    missing = session.missing_tags(item_id, args.tags)
    present = [t for t in args.tags if t not in missing]
    if present:
        change = session.remove_tags([item_id], present)
        say(f"{item_id} tags: {' '.join(change.annotations[item_id].tags)}")
    if missing:
        have = " ".join(f"#{t}" for t in session.annotation(item_id).tags) or "no tags"
        shown = ", ".join(f"#{t}" for t in missing)
        _warn(f"{item_id} is not tagged {shown} (it has {have})")
        return 1
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    text = " ".join(args.text)
    edit_number = None
    if args.edit is not None:
        number, *words = args.edit
        if not number.isdigit():
            raise StorageError(f"--edit takes a note number first, not {number!r}")
        edit_number, text = int(number), " ".join([*words, *args.text])
    if args.delete is not None:
        if text:
            raise StorageError("--delete takes no text")
        change = session.delete_note(item_id, args.delete)
    elif not text:
        raise StorageError("a note needs some text")
    elif edit_number is not None:
        change = session.edit_note(item_id, edit_number, text)
    else:
        change = session.add_note(item_id, text)
    say(f"{item_id} notes: {change.value}")
    return 0


def cmd_notes(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    notes = session.notes(item_id)
    if args.json:
        _print_json(
            [{"n": i, "text": n.text, "created": n.created} for i, n in enumerate(notes, 1)]
        )
        return 0
    if not notes:
        say(f"{item_id} has no notes")
    for number, note in enumerate(notes, 1):
        lines = note.text.splitlines() or [""]
        say(f"{number}. ({note.created or 'undated'}) {lines[0]}")
        for line in lines[1:]:
            say(f"   {line}")
    return 0


def _step_json(step: Step) -> dict[str, Any]:
    return {"id": step.id, "label": step.label, "at": step.at, "items": step.ids}


def _changes_json(changes: list[Change]) -> list[dict[str, Any]]:
    return [{"did": c.value, "label": c.label, "items": c.ids, "kept": c.kept} for c in changes]


def _moved(changes: list[Change], what: str) -> int:
    if not changes:
        raise StorageError(f"nothing to {what}")
    for change in changes:
        count = len(change.ids)
        noun = "item" if count == 1 else "items"
        done = "undone" if change.value == "undo" else "redone"
        say(f"{done}: {change.label} ({count} {noun})")
        for field in change.kept:
            say(f"  kept a later change: {field}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    session = open_session(args)
    if args.list:
        state = session.undo_state()
        if args.json:
            _print_json(
                {
                    "undo": [_step_json(s) for s in state.undo],
                    "redo": [_step_json(s) for s in state.redo],
                }
            )
            return 0
        for number, step in enumerate(state.undo, 1):
            say(f"{number:>3}. {step.at}  {step.label} ({len(step.ids)} items)")
        if state.redo:
            say("can be redone:")
            for step in state.redo:
                say(f"     {step.at}  {step.label} ({len(step.ids)} items)")
        if not state.undo and not state.redo:
            say("nothing to undo")
        return 0
    return _step(args, session.undo, "undo")


def cmd_redo(args: argparse.Namespace) -> int:
    session = open_session(args)
    return _step(args, session.redo, "redo")


def _step(args: argparse.Namespace, run: Callable[[int], list[Change]], what: str) -> int:
    changes = run(max(1, args.count))
    if args.json:
        _print_json(_changes_json(changes))
        return 0 if changes else 1
    return _moved(changes, what)


def cmd_rename(args: argparse.Namespace) -> int:
    session = open_session(args)
    item_id = session.resolve(args.id)
    session.rename(item_id, " ".join(args.title))
    say(f"{item_id} {session.title(item_id)}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from core.corrections import set_field

    session = open_session(args)
    item_id = session.resolve(args.id)
    set_field(session, item_id, args.field, " ".join(args.value))
    view = session.view(item_id)
    field = "urls" if args.field == "url" else args.field
    shown = {"abstract": "summary", "date": "date_text", "key": "citekey"}.get(field, field)
    value = view.get(shown)
    if isinstance(value, list):
        value = "; ".join(value)
    say(f"{item_id} {args.field}: {value or '(none)'}")
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    from core.corrections import edit_item

    session = open_session(args)
    item_id = session.resolve(args.id)
    change = edit_item(session, item_id)
    if change is None:
        say(f"{item_id}: nothing changed")
        return 0
    fixed = ", ".join(sorted(session.annotation(item_id).corrections)) or "none"
    say(f"{item_id}: saved (corrected: {fixed})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from core.exports import check_format, export_ids

    check_format(args.format, args.group_by)
    session = open_session(args)
    ids = _query_ids(session, args.query)
    query = " ".join(args.query)
    if args.output:
        count = export_ids(
            session,
            ids,
            args.format,
            output=args.output,
            query=query,
            group_by=args.group_by,
            force=args.force,
        )
        say(f"exported {count} items to {args.output}", file=sys.stderr)
    else:
        out = sys.stdout.buffer
        export_ids(
            session, ids, args.format, output=None, stream=out, query=query, group_by=args.group_by
        )
        sys.stdout.flush()
    return 0


def cmd_cite(args: argparse.Namespace) -> int:
    from core.cite import citations

    session = open_session(args)
    ids = session.resolve_all(args.ids)
    source = session.views(ids)
    views = source.views_at(range(len(source)))
    say(citations(views, args.style))
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    session = open_session(args)
    if args.annotations_command == "export":
        data = session.export_annotations(args.who)
        if args.output:
            write_file(args.output, data, force=args.force)
            say(
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
                "refused": report.refused,
            }
        )
        return 0
    for line in report.changes:
        say(line)
    say(
        f"{len(report.changed)} changed, {report.unchanged} unchanged in {report.user}'s annotations"
    )
    if report.unknown:
        say(
            f"{len(report.unknown)} annotations refer to items not in this library; "
            "kept for when their documents are imported"
        )
    for line in report.refused:
        say(f"refused: {line}", file=sys.stderr)
    return 0


def _feed_json(feed: Feed) -> dict[str, Any]:
    data = feed.to_dict()
    data.pop("seen", None)  # bookkeeping: thousands of guids
    return data


def cmd_feed(args: argparse.Namespace) -> int:
    from core import feeds

    session = open_session(args)
    if args.feed_command == "add":
        feed = feeds.add_feed(session, args.url, args.name)
        say(f"following {feed.name}: {feed.url}")
    elif args.feed_command == "remove":
        feeds.remove_feed(session, args.name)
        say(f"no longer following {args.name}")
    else:
        found = feeds.list_feeds(session)
        if args.json:
            _print_json([_feed_json(f) for f in found])
            return 0
        if not found:
            say("no feeds yet: shelf feed add URL")
        for feed in found:
            state = f"  last refreshed {feed.last_refresh}" if feed.last_refresh else ""
            error = f"  (last error: {feed.last_error})" if feed.last_error else ""
            say(f"{feed.name}  {feed.url}{state}{error}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from core import feeds

    session = open_session(args)
    done = feeds.refresh(session, args.names, force=args.force)
    report = done.report
    if args.json:
        _print_json(
            {
                "feeds": [
                    {
                        "name": o.name,
                        "status": o.status,
                        "entries": o.entries,
                        "new": len(o.new),
                        "error": o.error,
                    }
                    for o in report.outcomes
                ],
                "added": done.added,
                "merged": done.merged,
            }
        )
    else:
        for outcome in report.outcomes:
            say(outcome.line(), file=sys.stderr if outcome.status == "failed" else None)
        say(f"{report.summary()}; {len(done.added)} added, {len(done.merged)} merged")
    return 1 if report.failed else 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": cmd_import,
    "add": cmd_add,
    "remove": _flushing(cmd_remove),
    "list": cmd_list,
    "show": cmd_show,
    "seen": cmd_seen,
    "related": cmd_related,
    "read": _flushing(_status_command("read")),
    "unread": _flushing(_status_command("unread")),
    "status": _flushing(cmd_status),
    "tag": _flushing(cmd_tag),
    "untag": _flushing(cmd_untag),
    "note": _flushing(cmd_note),
    "notes": cmd_notes,
    "undo": _flushing(cmd_undo),
    "redo": _flushing(cmd_redo),
    "rename": _flushing(cmd_rename),
    "export": cmd_export,
    "cite": cmd_cite,
    "set": _flushing(cmd_set),
    "edit": _flushing(cmd_edit),
    "annotations": cmd_annotations,
    "feed": cmd_feed,
    "refresh": cmd_refresh,
    "saved": cmd_saved,
    "config": cmd_config,
}
