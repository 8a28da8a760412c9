"""Where shelf keeps its files, and which user names are safe to use as file names."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
from dataclasses import dataclass
from pathlib import Path

from storage.atomic import StorageError

_USER_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@+-]{0,63}")


def resolve_data_dir(arg: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``SHELF_DATA_DIR``, else the platform's user data dir."""
    chosen = arg or os.environ.get("SHELF_DATA_DIR")
    if not chosen:
        import platformdirs  # (only without --data-dir or SHELF_DATA_DIR)

        chosen = platformdirs.user_data_dir("shelf")
    return Path(chosen).expanduser()


def resolve_user(arg: str | None = None) -> str:
    """``--user``, else ``SHELF_USER``, else the login name; refused if it could escape."""
    if arg is not None:
        name = arg
    elif os.environ.get("SHELF_USER") is not None:
        name = os.environ["SHELF_USER"]
    else:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "default"
    return validate_user(name)


def validate_user(name: str) -> str:
    """A user name becomes a file name, so it must not be able to leave the folder."""
    if not name:
        raise StorageError("user name is empty")
    if name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
        raise StorageError(f"user name {name!r} is not allowed: it could escape the data folder")
    if not _USER_RE.fullmatch(name) or name.endswith(".json"):
        raise StorageError(
            f"user name {name!r} is not allowed: use letters, digits and . _ @ + - "
            "(up to 64 characters, not starting with . or -)"
        )
    return name


@dataclass(frozen=True)
class DataDir:
    """The layout of one data folder.

    ``annotations/`` holds only the users' files so a reading group can keep
    that folder in git; locks and backups live in hidden folders beside it.
    """

    root: Path

    @property
    def library_file(self) -> Path:
        return self.root / "library.json"

    @property
    def texts_file(self) -> Path:
        return self.root / "texts.json"

    @property
    def keys_file(self) -> Path:
        return self.root / "keys.json"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def backup_dir(self) -> Path:
        return self.root / ".backups"

    @property
    def cache_dir(self) -> Path:
        """Derived files (row cache, saved index, text store): safe to delete."""
        return self.root / ".cache"

    @property
    def lock_dir(self) -> Path:
        return self.root / ".locks"

    def annotation_file(self, user: str) -> Path:
        return self.annotations_dir / f"{validate_user(user)}.json"

    def create(self) -> None:
        try:
            for folder in (self.root, self.annotations_dir, self.lock_dir):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create data folder {self.root}: {exc.strerror}") from exc
        # Backups are a safety net, not a precondition: a backup folder that
        # cannot be made (a file in its place, no permission) is reported by
        # the first save that cannot keep one, and the save goes ahead.
        with contextlib.suppress(OSError):
            self.backup_dir.mkdir(exist_ok=True)
