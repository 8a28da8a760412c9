"""Exports for front ends: the formats there are, where a file would go, and the job.

The app exports in a process of its own (see ``storage.export.job``); the
path the user typed is expanded and checked here, not in a dialog.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from storage.export import job as export_job

if TYPE_CHECKING:
    from core.session import Session

EXTENSIONS = {"csl-json": "csl.json"}
GROUPS = ("none", "tag", "status")


def formats() -> tuple[str, ...]:
    from storage.export import FORMATS

    return FORMATS


def default_file_name(fmt: str) -> str:
    return f"shelf-export.{EXTENSIONS.get(fmt, fmt)}"


@dataclass(frozen=True)
class ExportPlan:
    """What to export where; ``ids`` in the order shown."""

    ids: list[str]
    fmt: str
    path: str
    query: str = ""
    group_by: str | None = None

    @property
    def target(self) -> Path:
        return Path(self.path).expanduser()

    def target_exists(self) -> bool:
        return self.target.exists()


def run_export(
    data_dir: Path,
    user: str,
    plan: ExportPlan,
    started: Callable[[subprocess.Popen[bytes]], Any] | None = None,
) -> int:
    """Export in a child process and wait for it; the number of items exported."""
    request = export_job.ExportRequest(
        str(data_dir), user, plan.ids, plan.fmt, str(plan.target), plan.query, plan.group_by
    )
    return export_job.run_export_process(request, started)


def check_format(fmt: str, group_by: str | None) -> None:
    """Refuse an unknown format or grouping before anything is read."""
    from storage.export import check_request

    check_request(fmt, group_by)


def export_ids(
    session: Session,
    ids: list[str],
    fmt: str,
    *,
    output: str | None,
    stream: IO[bytes] | None = None,
    query: str = "",
    group_by: str | None = None,
    force: bool = False,
) -> int:
    """Export ``ids`` in order to ``output`` (replaced only once complete) or ``stream``.

    Large exports share the formatting between the machine's cores.
    """
    from storage.export import export_to_file, write_export
    from storage.export.parts import default_workers

    check_format(fmt, group_by)
    source = session.views(ids)
    options: dict[str, Any] = {
        "query": query,
        "user": session.user,
        "group_by": group_by,
        "workers": default_workers(),
    }
    if output is not None:
        from core.output import output_target

        return export_to_file(output_target(output, force), source, fmt, **options)
    assert stream is not None
    return write_export(source, fmt, stream, **options)
