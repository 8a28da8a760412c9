"""Where ``-o`` may write: a regular file (new or replaced), and nothing else.

An export is written to a temp file and renamed over the target, and a
rename replaces whatever is there: as root, ``shelf export -o /dev/null``
replaced the real ``/dev/null`` with a Markdown file. So the target is looked
at first: a device, pipe, socket or folder is refused with one line; a
symbolic link is refused unless the user says ``--force``, and then the
file it points to is written (the link stays a link).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from storage.atomic import StorageError, clean_temp_files, os_error_reason
from storage.file_names import describe_kind, safe_name


def check_output_path(path: str | os.PathLike[str], force: bool = False) -> Path:
    """The path to give ``export_to_file``/``atomic_write`` for ``-o PATH``, or StorageError.

    Call it right before writing. With ``force`` a symbolic link is followed
    to its final target, which must itself be a regular file or not exist
    yet; without it, a link is refused.
    """
    p = Path(path)
    if not os.fspath(p):
        raise StorageError("the output file name is empty")
    st = _lstat(p)
    if st is None:
        _check_folder(p)
        return p
    if stat.S_ISREG(st.st_mode):
        return p
    if stat.S_ISLNK(st.st_mode):
        if not force:
            raise StorageError(
                f"{safe_name(p)} is a symbolic link; use --force to write to the file it points to"
            )
        target = Path(os.path.realpath(p))
        st = _lstat(target)
        if st is None:
            _check_folder(target)
            return target
        if stat.S_ISREG(st.st_mode):
            return target
        raise _not_a_file(p, f"a symbolic link to {describe_kind(st.st_mode)}")
    raise _not_a_file(p, describe_kind(st.st_mode))


def clean_output_folder(path: str | os.PathLike[str]) -> list[Path]:
    """Remove shelf temp files that a killed export left beside ``path`` (the ``-o`` target).

    Only files named in shelf's own temp form whose writer is no longer
    running are removed; see :func:`storage.atomic.clean_temp_files`.
    """
    folder = Path(path).parent
    return clean_temp_files(folder if os.fspath(folder) else Path("."))


def _lstat(p: Path) -> os.stat_result | None:
    try:
        return os.lstat(p)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot write {safe_name(p)}: {os_error_reason(exc)}") from exc


def _check_folder(p: Path) -> None:
    folder = p.parent
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        raise StorageError(f"cannot write {safe_name(p)}: its folder does not exist") from None
    except OSError as exc:
        raise StorageError(f"cannot write {safe_name(p)}: {os_error_reason(exc)}") from exc
    if not stat.S_ISDIR(st.st_mode):
        raise StorageError(f"cannot write {safe_name(p)}: {safe_name(folder)} is not a folder")


def _not_a_file(p: Path, what: str) -> StorageError:
    return StorageError(
        f"{safe_name(p)} is {what}; -o writes only a regular file (leave -o out to write "
        "to standard output)"
    )
